package codec

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestAVBreakdown prints, for the descriptions named by PEER_AVDEBUG (a
// substring of the file name), where the bytes of each A/V code go.
func TestAVBreakdown(t *testing.T) {
	pat := os.Getenv("PEER_AVDEBUG")
	if pat == "" {
		t.Skip("PEER_AVDEBUG unset")
	}
	entries := loadAV(t)
	codes, offers := avCodes(t, entries)
	for _, e := range entries {
		if !strings.Contains(e.file, pat) {
			continue
		}
		code := codes[e.file]
		if code[0] != headAVOffer && code[0] != headAVAnswer {
			continue
		}
		typ, _ := ParseType(e.typ)
		p, _ := parseSDP(e.sdp)
		m, _ := avModel(p, typ == Answer, &CandidatePolicy{})
		if typ == Answer {
			om, _ := checkOfferCode(offers[e.file])
			m.bind = bindingOf(offers[e.file])
			if om.av != nil {
				m.av.offer, m.av.offerMaps = om.av.skel.parts, offerMapsOf(om.av.seeds)
			}
		}
		m.av.makeEdits(len(avProfiles) - 1)
		def := m.av.compress()
		body := m.appendBody(nil)
		s := m.av.skel
		dig := 0
		for _, d := range s.digests {
			dig += len(d)
		}
		fmt.Printf("== %s total %d floor %d: body %d digests %d ssrcs %d ids %d(n=%d) edits %d text %d (raw %d)\n",
			e.file, len(code), avFloor(t, e.sdp), len(body), dig, 4*len(s.ssrcs), idsLen(s.ids), len(s.ids), len(m.av.edits), len(def), len(m.av.text))
		fmt.Printf("   edits % x\n", m.av.edits)
		for _, l := range strings.Split(strings.TrimSuffix(string(m.av.text), "\n"), "\n") {
			fmt.Printf("   + %q\n", l)
		}
	}
}

func idsLen(ids []string) int {
	n := 0
	for _, id := range ids {
		if isLowerUUID(id) {
			n += 17
		} else if isBase64ID(id) {
			n += 1 + len(id)/4*3
		} else {
			n += 1 + len(id)
		}
	}
	return n
}
