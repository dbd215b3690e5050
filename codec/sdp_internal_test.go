package codec

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestIsNormalForm compares isNormalForm with its definition on every
// string of up to 8 characters over {a, CR, LF}.
func TestIsNormalForm(t *testing.T) {
	alphabet := []byte{'a', '\r', '\n'}
	buf := make([]byte, 0, 8)
	var walk func()
	checked := 0
	walk = func() {
		s := string(buf)
		if want := strings.Join(splitLines(s), "\n") == s; isNormalForm(s) != want {
			t.Fatalf("isNormalForm(%q) = %v, want %v", s, !want, want)
		}
		checked++
		if len(buf) == cap(buf) {
			return
		}
		for _, c := range alphabet {
			buf = append(buf, c)
			walk()
			buf = buf[:len(buf)-1]
		}
	}
	walk()
	if checked != 9841 { // 3^0 + 3^1 + ... + 3^8
		t.Fatalf("checked %d strings", checked)
	}
}

// TestIsPlainText compares the eight-bytes-at-a-time isPlainText with a
// byte-by-byte scan, on random strings mixing printable ASCII with the
// bytes at the edges of its range (every offset of the 8-byte words is
// reached), and checks that plain text passes the checks it stands for.
func TestIsPlainText(t *testing.T) {
	edges := []byte{0x00, '\t', '\n', '\r', 0x1f, ' ', '~', 0x7f, 0x80, 0xc3, 0xff}
	r := rand.New(rand.NewPCG(1, 2))
	plainSeen, notSeen := 0, 0
	for range 200000 {
		b := make([]byte, r.IntN(40))
		for i := 0; i < len(b); i++ {
			if r.IntN(12) == 0 {
				b[i] = edges[r.IntN(len(edges))]
				if b[i] == '\r' && i+1 < len(b) && r.IntN(2) == 0 {
					i++
					b[i] = '\n' // a CRLF pair
				}
			} else {
				b[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		s := string(b)
		want := true
		for i := range len(s) {
			if !plainByte(s, i) {
				want = false
			}
		}
		got := isPlainText(s)
		if got != want {
			t.Fatalf("isPlainText(%q) = %v, want %v", s, got, want)
		}
		if !got {
			notSeen++
			continue
		}
		plainSeen++
		if !utf8.ValidString(s) {
			t.Fatalf("plain text %q is not UTF-8", s)
		}
		for rest := s; rest != ""; {
			var ln string
			ln, rest, _ = nextLine(rest)
			for _, c := range []byte(ln) {
				if c < 0x20 && c != '\t' || c == 0x7f {
					t.Fatalf("plain text %q has a control character in line %q", s, ln)
				}
			}
		}
	}
	if plainSeen < 1000 || notSeen < 1000 {
		t.Fatalf("too few cases of one kind: %d plain, %d not", plainSeen, notSeen)
	}
}

// TestCheckBundle checks that a BUNDLE group may name only the mids of
// media sections, with few sections (a linear search) and many (a set),
// and that a session-level a=mid does not count.
func TestCheckBundle(t *testing.T) {
	desc := func(sections int, sessMid string, bundle ...string) string {
		var b strings.Builder
		b.WriteString("v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n")
		b.WriteString("a=group:BUNDLE " + strings.Join(bundle, " ") + "\n")
		if sessMid != "" {
			b.WriteString("a=mid:" + sessMid + "\n")
		}
		for i := range sections {
			fmt.Fprintf(&b, "m=audio 9 RTP/AVP 0\na=mid:m%d\n", i)
		}
		return b.String()
	}
	for _, c := range []struct {
		sdp string
		ok  bool
	}{
		{desc(3, "", "m0", "m2"), true},
		{desc(3, "", "m0", "m3"), false},
		{desc(3, "x", "m0", "x"), false},
		{desc(40, "", "m0", "m39", "m17"), true},
		{desc(40, "", "m0", "m40"), false},
		{desc(40, "x", "x"), false},
	} {
		_, err := parseSDP(c.sdp)
		if (err == nil) != c.ok {
			t.Errorf("parseSDP(%.80q...) = %v, want ok %v", c.sdp, err, c.ok)
		}
		if err != nil && (err.(*Error).Class != ErrInvalidSDP || err.(*Error).Line != 5) {
			t.Errorf("error %v, want invalid-sdp at line 5", err)
		}
	}
}
