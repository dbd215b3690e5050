package codec

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// midsSDP returns a description of one audio section for each of mids,
// each with that mid (none for ""), and the session line bundle.
func midsSDP(bundle string, mids ...string) string {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + bundle)
	for i, m := range mids {
		b.WriteString("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n")
		if i == 0 {
			b.WriteString("a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
				"a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\r\n")
		}
		if m != "" {
			b.WriteString("a=mid:" + m + "\r\n")
		}
		b.WriteString("a=rtpmap:111 opus/48000/2\r\n")
	}
	return b.String()
}

// rejectLast gives the last media section of sdp the port 0 (rejected,
// out of the BUNDLE group: RFC 8843).
func rejectLast(sdp string) string {
	k := strings.LastIndex(sdp, "m=audio 9 ")
	return sdp[:k] + "m=audio 0 " + sdp[k+len("m=audio 9 "):]
}

// TestMidsMarker holds the marker 0x13 (AVFORM §14.4, §14.8) to its rule:
// the skeleton has it only for the list of the mids of every media section
// not rejected (port 0), in order, and rendering writes the mids back.
func TestMidsMarker(t *testing.T) {
	sdp := midsSDP
	for _, c := range []struct {
		name, sdp string
		marked    bool
	}{
		{"every mid in order", sdp("a=group:BUNDLE 0 1\r\n", "0", "1"), true},
		{"named mids", sdp("a=group:BUNDLE audio video\r\n", "audio", "video"), true},
		{"another order", sdp("a=group:BUNDLE 1 0\r\n", "0", "1"), false},
		{"a section left out", sdp("a=group:BUNDLE 0\r\n", "0", "1"), false},
		{"a section without a=mid", sdp("a=group:BUNDLE 0\r\n", "0", ""), false},
		{"two spaces", sdp("a=group:BUNDLE 0  1\r\n", "0", "1"), false},
		{"a rejected section left out", rejectLast(sdp("a=group:BUNDLE 0\r\n", "0", "1")), true},
		{"a rejected section in the group", rejectLast(sdp("a=group:BUNDLE 0 1\r\n", "0", "1")), false},
	} {
		p, err := parseSDP(c.sdp)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s, ok := avExtract(p, &CandidatePolicy{})
		if !ok {
			t.Fatalf("%s: not A/V-eligible", c.name)
		}
		if got := s.parts[0][4] == "a=group:BUNDLE \x13"; got != c.marked {
			t.Errorf("%s: skeleton line %q, marked %v, want %v", c.name, s.parts[0][4], got, c.marked)
		}
		out, err := s.render(MaxMaxSDPBytes)
		// The o= line's session id is the digest's (AVFORM §14.4, 0x07).
		if want := strings.Replace(c.sdp, "o=- 1 ", "o=- "+strconv.FormatUint(s.sessionID(), 10)+" ", 1); err != nil || out != want {
			t.Errorf("%s: rendered %q, %v; want %q", c.name, out, err, want)
		}
	}
}

// TestMidsMarkerRender holds the rendering of 0x13 (AVFORM §14.8) to its
// failures: outside part 0, a bad mid, and a line of markers past the SDP
// limit, which stops there however many markers the line holds.
func TestMidsMarkerRender(t *testing.T) {
	p, _ := parseSDP(midsSDP("a=group:BUNDLE 0 1\r\n", "0", "1"))
	base, _ := avExtract(p, &CandidatePolicy{})
	render := func(change func(s *avSkel)) error {
		s := *base
		s.parts = make([][]string, len(base.parts))
		for i, part := range base.parts {
			s.parts[i] = append([]string(nil), part...)
		}
		change(&s)
		_, err := s.render(64 << 10)
		return err
	}
	for _, c := range []struct {
		name   string
		change func(s *avSkel)
		want   error
	}{
		{"in a media part", func(s *avSkel) { s.parts[1] = append(s.parts[1], "a=x:\x13") }, ErrMalformed},
		{"a mid with a space", func(s *avSkel) { s.parts[2][2] = "a=mid:a b" }, ErrMalformed},
		{"an empty mid", func(s *avSkel) { s.parts[2][2] = "a=mid:" }, ErrMalformed},
		{"a line of markers past the limit", func(s *avSkel) {
			s.parts[0][4] = "a=group:BUNDLE " + strings.Repeat("\x13", 100000)
		}, ErrLimit},
		{"a line of markers for no mid", func(s *avSkel) {
			s.parts[0][4] = "a=group:BUNDLE " + strings.Repeat("\x13", 100000)
			for i := 1; i < len(s.parts); i++ { // no a=mid line
				s.parts[i] = slices.DeleteFunc(s.parts[i], func(l string) bool { return strings.HasPrefix(l, "a=mid:") })
			}
		}, nil},
	} {
		if err := render(c.change); !errors.Is(err, c.want) && (err != nil || c.want != nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
