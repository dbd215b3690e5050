package codec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec/internal/detflate"
)

// An agingEdit is a change a later version of a stack makes to what it
// writes: it returns the description changed and the lines it adds (ok
// false when the description has nothing to change).
type agingEdit struct {
	name  string
	apply func(sdp string) (out string, added []string, ok bool)
}

// agingEdits are the changes TestAVAging makes: a codec more (video, with
// the feedback of the section's first codec and a retransmission format
// when the section has any; audio, without), a header extension more, and
// a codec fewer.
var agingEdits = []agingEdit{
	{"video codec more", func(sdp string) (string, []string, bool) {
		return addCodec(sdp, "video", "H266/90000", "level-id=93")
	}},
	{"audio codec more", func(sdp string) (string, []string, bool) {
		return addCodec(sdp, "audio", "LC3/48000/2", "frame-duration=10000")
	}},
	{"extension more", addExtension},
	{"video codec fewer", dropCodec},
}

// sectionsOf returns the bounds of the media sections of kind in sdp.
func sectionsOf(sdp, kind string) [][2]int {
	var out [][2]int
	for from := 0; ; {
		start := strings.Index(sdp[from:], "\r\nm="+kind+" ")
		if start < 0 {
			return out
		}
		start += from + 2
		end := strings.Index(sdp[start:], "\r\nm=")
		if end < 0 {
			return append(out, [2]int{start, len(sdp)})
		}
		out = append(out, [2]int{start, start + end + 2})
		from = start + end
	}
}

// editSections applies f to the lines of each media section of kind
// (without its m= line) and to its m= line's format list, as a stack
// version writes every section of a kind alike; added is what f adds to
// the first.
func editSections(sdp, kind string, f func(lines []string, formats []string) ([]string, []string, []string, bool)) (out string, added []string, ok bool) {
	secs := sectionsOf(sdp, kind)
	for k := len(secs) - 1; k >= 0; k-- { // from the last, so that the bounds before stay right
		start, end := secs[k][0], secs[k][1]
		lines := strings.Split(strings.TrimSuffix(sdp[start:end], "\r\n"), "\r\n")
		m := strings.Fields(lines[0])
		if len(m) < 4 {
			return sdp, nil, false
		}
		body, formats, add, ok := f(lines[1:], m[3:])
		if !ok {
			return sdp, nil, false
		}
		mline := strings.Join(append(m[:3:3], formats...), " ")
		sdp = sdp[:start] + strings.Join(append([]string{mline}, body...), "\r\n") + "\r\n" + sdp[end:]
		added = add
	}
	return sdp, added, len(secs) > 0
}

// codecsEnd returns the index after the last codec's lines (its a=rtpmap
// line and the a=fmtp and a=rtcp-fb lines right after it).
func codecsEnd(lines []string) int {
	last := -1
	for i, l := range lines {
		if _, ok := rtpmapPayload(l); ok {
			last = i
		}
	}
	if last < 0 {
		return -1
	}
	i := last + 1
	for i < len(lines) && (strings.HasPrefix(lines[i], "a=fmtp:") || strings.HasPrefix(lines[i], "a=rtcp-fb:")) {
		i++
	}
	return i
}

// freeNumbers returns n payload types the section does not use.
func freeNumbers(formats []string, n int) []string {
	var out []string
	for pt := 127; pt >= 35 && len(out) < n; pt-- {
		if !slices.Contains(formats, strconv.Itoa(pt)) {
			out = append(out, strconv.Itoa(pt))
		}
	}
	return out
}

// addCodec adds, after the last codec of the first section of kind, a
// codec named name with the parameters fmtp, the feedback of the
// section's first codec and, when the section has a retransmission
// format, one for it.
func addCodec(sdp, kind, name, fmtp string) (string, []string, bool) {
	return editSections(sdp, kind, func(lines, formats []string) ([]string, []string, []string, bool) {
		at := codecsEnd(lines)
		if at < 0 {
			return nil, nil, nil, false
		}
		pts := freeNumbers(formats, 2)
		first := ""
		rtx := false
		for _, l := range lines {
			if pt, ok := rtpmapPayload(l); ok && first == "" {
				first = pt
			}
			rtx = rtx || strings.HasSuffix(l, " rtx/90000")
		}
		added := []string{"a=rtpmap:" + pts[0] + " " + name}
		for _, l := range lines {
			if fb, ok := strings.CutPrefix(l, "a=rtcp-fb:"+first+" "); ok {
				added = append(added, "a=rtcp-fb:"+pts[0]+" "+fb)
			}
		}
		added = append(added, "a=fmtp:"+pts[0]+" "+fmtp)
		formats = append(formats, pts[0])
		if rtx {
			added = append(added, "a=rtpmap:"+pts[1]+" rtx/90000", "a=fmtp:"+pts[1]+" apt="+pts[0])
			formats = append(formats, pts[1])
		}
		body := slices.Concat(lines[:at], added, lines[at:])
		return body, formats, added, true
	})
}

// addExtension adds a header extension of a new URI before the first
// extension of the video section.
func addExtension(sdp string) (string, []string, bool) {
	return editSections(sdp, "video", func(lines, formats []string) ([]string, []string, []string, bool) {
		at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "a=extmap:") })
		if at < 0 {
			return nil, nil, nil, false
		}
		id := 1
		for slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "a=extmap:"+strconv.Itoa(id)+" ") }) {
			id++
		}
		added := []string{"a=extmap:" + strconv.Itoa(id) + " urn:ietf:params:rtp-hdrext:example-new"}
		return slices.Concat(lines[:at], added, lines[at:]), formats, added, true
	})
}

// dropCodec removes the video section's last codec that is not a
// retransmission format, with its lines wherever they are and the
// retransmission formats that name it.
func dropCodec(sdp string) (string, []string, bool) {
	return editSections(sdp, "video", func(lines, formats []string) ([]string, []string, []string, bool) {
		drop := map[string]bool{}
		for _, l := range lines {
			if pt, ok := rtpmapPayload(l); ok && !strings.Contains(l, " rtx/") && !strings.Contains(l, " red/") && !strings.Contains(l, " ulpfec/") {
				clear(drop)
				drop[pt] = true
			}
		}
		if len(drop) == 0 {
			return nil, nil, nil, false
		}
		for _, l := range lines {
			if v, ok := strings.CutPrefix(l, "a=fmtp:"); ok {
				pt, params, _ := strings.Cut(v, " ")
				if apt, ok := strings.CutPrefix(params, "apt="); ok && drop[apt] {
					drop[pt] = true
				}
			}
		}
		owned := func(l string) bool {
			for _, p := range []string{"a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"} {
				if v, ok := strings.CutPrefix(l, p); ok {
					pt, _, _ := strings.Cut(v, " ")
					return drop[pt]
				}
			}
			return false
		}
		lines = slices.DeleteFunc(slices.Clone(lines), owned)
		formats = slices.DeleteFunc(slices.Clone(formats), func(f string) bool { return drop[f] })
		return lines, formats, nil, true
	})
}

// TestAVAging holds the form to what a later stack version costs (AVFORM
// §14.1): a fresh offer changed as a later version of its stack might
// change it is still an A/V code that negotiates the changed description,
// and it costs at most what its new lines cost as text alone (DEFLATE with
// the text item's dictionary) and 6 bytes of edits more than the offer:
// the rest of the offer is still coded against its profile, never sent as
// text. A codec fewer costs at most 8 bytes (a SEEK past its lines, in
// each of the three places Firefox writes them).
func TestAVAging(t *testing.T) {
	changed := 0
	for _, e := range loadAV(t) {
		if e.typ != "offer" || e.batch != "batch1" || !strings.Contains(e.sdp, "\r\nm=video ") {
			continue
		}
		code, err := Encode(Description{Type: Offer, SDP: e.sdp}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range agingEdits {
			sdp, added, ok := a.apply(e.sdp)
			if !ok {
				continue
			}
			grow := agingCost(t, e.file+" "+a.name, sdp) - len(code)
			text := 0
			if len(added) > 0 {
				text = len(detflate.Compress(nil, []byte(strings.Join(added, "\n")+"\n"), avDictBase()))
			}
			t.Logf("%-48s %-18s +%3d bytes (its %d new lines alone: %d)", e.file, a.name, grow, len(added), text)
			if limit := text + 6; len(added) == 0 && grow > 8 || len(added) > 0 && grow > limit {
				t.Errorf("%s, %s: %d bytes more, over its new lines as text (%d) and 6, or 8 for no line added", e.file, a.name, grow, text)
			}
			changed++
		}
	}
	if changed < 40 {
		t.Errorf("only %d offers changed", changed)
	}
}

// agingCost returns the length of sdp's code, checking that it is an A/V
// code that decodes to an equivalent description.
func agingCost(t *testing.T, name, sdp string) int {
	t.Helper()
	d := Description{Type: Offer, SDP: sdp}
	code, err := Encode(d, nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if code[0] != headAVOffer {
		t.Fatalf("%s: head %d, not the A/V form", name, code[0])
	}
	out, err := Decode(code, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := Equivalent(d, out, nil); err != nil {
		t.Fatalf("%s: %v", name, fmt.Errorf("not equivalent: %w", err))
	}
	return len(code)
}
