package codec

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// eui64Offer is a corpus offer whose candidates are replaced by lines
// with the given addresses (host candidates, UDP, in order).
func eui64Offer(t *testing.T, addrs ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "corpus", "chrome-datachannel-offer-04.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	var c strings.Builder
	for i, a := range addrs {
		c.WriteString("a=candidate:" + string(rune('1'+i)) + " 1 udp 2113937151 " + a + " 5000 typ host\r\n")
	}
	s := regexp.MustCompile(`(?m)^a=candidate:.*\r\n`).ReplaceAllString(string(b), "")
	return strings.Replace(s, "a=ice-ufrag:", c.String()+"a=ice-ufrag:", 1)
}

// TestPolicyDropEUI64 (SPEC.md §3.4 rule 3, drop EUI-64): IPv6 addresses
// whose interface identifier has ff fe in bytes 11–12 are dropped, of any
// scope; other IPv6 and IPv4 addresses stay. Drop private keeps a global
// EUI-64 address.
func TestPolicyDropEUI64(t *testing.T) {
	const (
		globalEUI  = "2001:db8:1:0:211:22ff:fe33:4455"
		ulaEUI     = "fd00::211:22ff:fe33:4455"
		privacy    = "2001:db8:1:0:a1b2:c3d4:e5f6:789a"
		almost     = "2001:db8:1:0:211:22fe:ff33:4455" // fe ff: not EUI-64
		ipv4       = "192.0.2.7"
		mappedLike = "::ffff:192.0.2.8"
	)
	sdp := eui64Offer(t, globalEUI, ulaEUI, privacy, almost, ipv4)
	kept := func(p CandidatePolicy) []string {
		t.Helper()
		code, err := Encode(Description{Type: Offer, SDP: sdp}, nil, &EncOptions{Policy: p})
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(code, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range regexp.MustCompile(`(?m)^a=candidate:\S+ \d+ \S+ \d+ (\S+) `).FindAllStringSubmatch(d.SDP, -1) {
			out = append(out, m[1])
		}
		return out
	}
	if got := strings.Join(kept(CandidatePolicy{DropEUI64: true}), " "); got != privacy+" "+almost+" "+ipv4 {
		t.Errorf("drop EUI-64 kept %s", got)
	}
	if got := kept(CandidatePolicy{DropPrivate: true}); len(got) != 4 || got[0] != globalEUI {
		t.Errorf("drop private kept %v: want the global EUI-64 address kept", got)
	}
	for a, want := range map[string]bool{globalEUI: true, ulaEUI: true, "fe80::211:22ff:fe33:4455": true,
		privacy: false, almost: false, ipv4: false, mappedLike: false, "::": false} {
		if got := IsEUI64(netip.MustParseAddr(a)); got != want {
			t.Errorf("IsEUI64(%s) = %v, want %v", a, got, want)
		}
	}
}
