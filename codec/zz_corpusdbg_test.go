package codec

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZCorpusBreakdown(t *testing.T) {
	pat := os.Getenv("PEER_CDEBUG")
	if pat == "" {
		t.Skip()
	}
	offer := offerFixture(t)
	for _, e := range loadCorpus(t) {
		if !strings.Contains(e.file, pat) {
			continue
		}
		typ, _ := ParseType(e.typ)
		code, err := Encode(Description{Type: typ, SDP: e.sdp}, offer, nil)
		if err != nil || (code[0] != headAVOffer && code[0] != headAVAnswer) {
			continue
		}
		p, _ := parseSDP(e.sdp)
		m, _ := avModel(p, typ == Answer, &CandidatePolicy{})
		if typ == Answer {
			m.bind = bindingOf(offer)
		}
		m.av.makeEdits(len(avProfiles) - 1)
		def := m.av.compress()
		fmt.Printf("== %s total %d floor %d: edits %d text %d (raw %d)\n", e.file, len(code), avFloor(t, e.sdp), len(m.av.edits), len(def), len(m.av.text))
		fmt.Printf("   edits % x\n", m.av.edits)
		for _, l := range strings.Split(strings.TrimSuffix(string(m.av.text), "\n"), "\n") {
			fmt.Printf("   + %q\n", l)
		}
	}
}
