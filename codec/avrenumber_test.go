package codec

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rotateNumbers returns the description sdp with the payload types of each
// media section, and its header extension ids, each given the number of the
// next one in ascending order (the greatest the least's): a stack version
// that numbers the same codecs and extensions otherwise. It also returns
// how many numbers changed.
func rotateNumbers(sdp string) (string, int) {
	sections := strings.SplitAfter(sdp, "\r\nm=")
	changed := 0
	for i := 1; i < len(sections); i++ {
		lines := strings.Split(sections[i], "\r\n")
		var pts, exts []int
		var buf []numToken
		for _, l := range lines {
			for _, t := range numTokens(buf, l) {
				if t.start == strings.IndexByte(l, ':')+1 && (t.kind == numExt || strings.HasPrefix(l, "a=rtpmap:")) {
					if t.kind == numExt {
						exts = append(exts, t.n)
					} else {
						pts = append(pts, t.n)
					}
				}
			}
		}
		m := newNumMap()
		for kind, ns := range [][]int{pts, exts} {
			ns = slices.Compact(slices.Sorted(slices.Values(ns)))
			for k := 0; len(ns) > 1 && k < len(ns); k++ {
				m.set(kind, ns[k], ns[(k+1)%len(ns)])
				changed++
			}
		}
		for k, l := range lines {
			if k == 0 { // the m= line: its format list
				f := strings.Fields(l)
				for x := 3; x < len(f); x++ {
					if n, err := strconv.Atoi(f[x]); err == nil && n < 128 && m.image(numPT, n) >= 0 {
						f[x] = strconv.Itoa(m.image(numPT, n))
					}
				}
				lines[k] = strings.Join(f, " ")
				continue
			}
			lines[k] = renumber([]string{l}, m)[0]
		}
		sections[i] = strings.Join(lines, "\r\n")
	}
	return strings.Join(sections, ""), changed
}

// TestAVRenumberedStack holds the form to what a new stack version costs
// when it numbers its codecs and extensions otherwise (Chromium renumbered
// its video formats as it added codecs): every fresh offer of the
// registry's stacks, its numbers rotated, costs at most two bytes per
// number changed and a few per section more than the offer itself, not
// its codec lines as text.
func TestAVRenumberedStack(t *testing.T) {
	rotated := 0
	for _, e := range loadAV(t) {
		if e.typ != "offer" || e.batch != "batch1" {
			continue
		}
		rot, changed := rotateNumbers(e.sdp)
		if changed == 0 {
			continue
		}
		code, err := Encode(Description{Type: Offer, SDP: e.sdp}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		rcode, err := Encode(Description{Type: Offer, SDP: rot}, nil, nil)
		if err != nil {
			t.Fatalf("%s rotated: %v", e.file, err)
		}
		out, err := Decode(rcode, nil)
		if err != nil {
			t.Fatalf("%s rotated: %v", e.file, err)
		}
		if err := Equivalent(Description{Type: Offer, SDP: rot}, out, nil); err != nil {
			t.Fatalf("%s rotated: %v", e.file, err)
		}
		t.Logf("%s: %d bytes, %d rotated (%d numbers changed): +%d", e.file, len(code), len(rcode), changed, len(rcode)-len(code))
		if grow := len(rcode) - len(code); grow > 3*changed+8 {
			t.Errorf("%s: its numbers rotated cost %d bytes more, over 3 a number changed (%d) and 8", e.file, grow, changed)
		}
		rotated++
	}
	if rotated < 20 {
		t.Errorf("only %d offers rotated", rotated)
	}
}

// TestNumTokens holds the numbers of a line (AVFORM §14.5, Renumbered
// profiles) to the spec's examples and corner cases.
func TestNumTokens(t *testing.T) {
	for _, c := range []struct {
		line string
		want string // kind:number@start, space-separated
	}{
		{"a=rtpmap:96 VP8/90000", "pt:96@9"},
		{"a=rtpmap:96", "pt:96@9"},
		{"a=rtpmap:096 VP8/90000", ""},
		{"a=rtpmap:128 VP8/90000", ""},
		{"a=rtpmap:96x VP8/90000", ""},
		{"a=rtcp-fb:* nack", ""},
		{"a=rtcp-fb:97 nack pli", "pt:97@10"},
		{"a=fmtp:97 apt=96", "pt:97@7 pt:96@14"},
		{"a=fmtp:97 apt=96;x=1", "pt:97@7 pt:96@14"},
		{"a=fmtp:97 x=1;apt=960", "pt:97@7"},
		{"a=fmtp:63 111/111", "pt:63@7 pt:111@10 pt:111@14"},
		{"a=fmtp:63 111", "pt:63@7"},
		{"a=fmtp:63 111/", "pt:63@7"},
		{"a=fmtp:63 0/0/0", "pt:63@7 pt:0@10 pt:0@12 pt:0@14"},
		{"a=fmtp:x apt=96", "pt:96@13"},
		{"a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid", "ext:3@9"},
		{"a=extmap:14/sendonly urn:x", "ext:14@9"},
		{"a=extmap:255 urn:x", "ext:255@9"},
		{"a=extmap:256 urn:x", ""},
		{"a=extmap-allow-mixed", ""},
		{"a=ssrc:96 cname:x", ""},
	} {
		var got []string
		for _, tk := range numTokens(nil, c.line) {
			got = append(got, [2]string{"pt", "ext"}[tk.kind]+":"+strconv.Itoa(tk.n)+"@"+strconv.Itoa(tk.start))
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%q: numbers %q, want %q", c.line, g, c.want)
		}
	}
}
