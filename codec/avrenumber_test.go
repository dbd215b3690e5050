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
					if n, err := strconv.Atoi(f[x]); err == nil && n < 128 && m.to[numPT][n] >= 0 {
						f[x] = strconv.Itoa(int(m.to[numPT][n]))
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
	}
}
