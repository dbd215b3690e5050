package codec

import (
	"strings"
	"testing"
)

// TestTransportIndex holds transportIndex (AVFORM §14.4: the kept
// candidate that writes a section's m= and c= lines) against sections
// written by hand: the first candidate unless another writes both the
// port and the address and the first does not.
func TestTransportIndex(t *testing.T) {
	cands := func(lines ...string) []candidate {
		var out []candidate
		for _, l := range lines {
			c, keep, ok := parseCandidate(l)
			if !ok || !keep {
				t.Fatalf("candidate %q: ok %v keep %v", l, ok, keep)
			}
			out = append(out, c)
		}
		return out
	}
	host4 := "1 1 udp 2122260223 192.0.2.7 50000 typ host"
	host6 := "2 1 udp 2122262783 2001:db8::7 50002 typ host"
	srflx := "3 1 udp 1686052607 203.0.113.9 50000 typ srflx raddr 192.0.2.7 rport 50000"
	mdns := "4 1 udp 2122260223 0f3a5c2e-7b1d-4e8a-9c6f-2d4b8e1a7c35.local 50004 typ host"
	all := cands(host4, host6, srflx, mdns)
	for _, c := range []struct {
		name string
		sec  string // the section's m= line, then its other lines
		want int
	}{
		{"first writes both", "m=audio 50000 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 192.0.2.7", 0},
		{"server-reflexive, a host's port", "m=audio 50000 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 203.0.113.9", 2},
		{"the second, IPv6", "m=audio 50002 UDP/TLS/RTP/SAVPF 111\nc=IN IP6 2001:db8::7", 1},
		{"no c= line: the port alone", "m=audio 50002 UDP/TLS/RTP/SAVPF 111", 1},
		{"no c= line, the first's port", "m=audio 50000 UDP/TLS/RTP/SAVPF 111", 0},
		{"an mDNS name: 9 and 0.0.0.0", "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0", 3},
		{"none writes both: the first", "m=audio 50002 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 203.0.113.9", 0},
		{"no candidate's port", "m=audio 40000 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 192.0.2.7", 0},
		{"the first c= line counts", "m=audio 50000 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 203.0.113.9\nc=IN IP4 192.0.2.7", 2},
		{"a port with a count", "m=audio 50002/2 UDP/TLS/RTP/SAVPF 111\nc=IN IP6 2001:db8::7/127", 1},
	} {
		var sec []sdpLine
		for _, l := range strings.Split(c.sec, "\n") {
			sec = append(sec, sdpLine{text: l, typ: l[0]})
		}
		if got := transportIndex(sec, all); got != c.want {
			t.Errorf("%s: candidate %d, want %d", c.name, got, c.want)
		}
	}
}
