package codec

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Equivalent reports whether decoded is equivalent to original in the sense
// of SPEC.md §3.6, when original was encoded with the candidate policy pol
// (nil for the default). It returns nil when they are, and an error naming
// the first difference when they are not.
func Equivalent(original, decoded Description, pol *CandidatePolicy) error {
	if pol == nil {
		pol = &CandidatePolicy{}
	}
	if original.Type != decoded.Type {
		return fmt.Errorf("type %v != %v", original.Type, decoded.Type)
	}
	po, err := parseSDP(original.SDP)
	if err != nil {
		return fmt.Errorf("original: %w", err)
	}
	pd, err := parseSDP(decoded.SDP)
	if err != nil {
		return fmt.Errorf("decoded: %w", err)
	}
	answer := original.Type == Answer
	mo, ok := compactModel(po, answer, pol)
	if !ok {
		if so, ok := avExtract(po, pol); ok {
			return avEquivalent(so, pd, answer)
		}
		a := strings.Join(splitLines(original.SDP), "\n")
		b := strings.Join(splitLines(decoded.SDP), "\n")
		if a != b {
			return fmt.Errorf("residual text differs")
		}
		return nil
	}
	md, ok := compactModel(pd, answer, &CandidatePolicy{KeepComponent2: true})
	if !ok {
		return fmt.Errorf("decoded description is not a data-channel description")
	}
	switch {
	case mo.setup != md.setup:
		return fmt.Errorf("setup differs")
	case mo.ufrag != md.ufrag || mo.pwd != md.pwd:
		return fmt.Errorf("ICE credentials differ")
	case !slices.EqualFunc(mo.fps, md.fps, func(a, b fingerprint) bool { return a.alg == b.alg && bytes.Equal(a.val, b.val) }):
		return fmt.Errorf("fingerprints differ")
	case !slices.Equal(mo.cands, md.cands):
		return fmt.Errorf("candidates differ: %v != %v", mo.cands, md.cands)
	case mo.mid != md.mid || mo.midSet != md.midSet:
		return fmt.Errorf("mid differs")
	case mo.sctpPort != md.sctpPort || mo.sctpSet != md.sctpSet || mo.legacy != md.legacy || mo.streams != md.streams:
		return fmt.Errorf("SCTP port or sctpmap differs")
	case mo.iceLite != md.iceLite:
		return fmt.Errorf("ICE-lite differs")
	case mo.mms != md.mms || mo.mmsSet != md.mmsSet:
		return fmt.Errorf("max-message-size differs")
	case !slices.Equal(mo.extraSess, md.extraSess) || !slices.Equal(mo.extraMedia, md.extraMedia):
		return fmt.Errorf("extra lines differ")
	}
	return nil
}

// avEquivalent compares the skeleton of an A/V-eligible original with that
// of the decoded description: the same skeleton lines part by part, the
// same tables and credentials, and the same candidates (the decoded
// description's under a policy that keeps every component).
func avEquivalent(so *avSkel, pd *parsedSDP, answer bool) error {
	if _, ok := compactModel(pd, answer, &CandidatePolicy{KeepComponent2: true}); ok {
		return fmt.Errorf("decoded description is eligible for the compact form")
	}
	sd, ok := avExtract(pd, &CandidatePolicy{KeepComponent2: true})
	switch {
	case !ok:
		return fmt.Errorf("decoded description is not A/V-eligible")
	case len(so.parts) != len(sd.parts):
		return fmt.Errorf("%d parts became %d", len(so.parts), len(sd.parts))
	case so.ufrag != sd.ufrag || so.pwd != sd.pwd:
		return fmt.Errorf("ICE credentials differ")
	case !slices.EqualFunc(so.digests, sd.digests, bytes.Equal):
		return fmt.Errorf("digests differ")
	case !slices.Equal(so.ssrcs, sd.ssrcs):
		return fmt.Errorf("SSRCs differ")
	case !slices.Equal(so.ids, sd.ids):
		return fmt.Errorf("identifiers differ")
	case !slices.Equal(so.cands, sd.cands):
		return fmt.Errorf("candidates differ: %v != %v", so.cands, sd.cands)
	}
	for i := range so.parts {
		if !slices.Equal(so.parts[i], sd.parts[i]) {
			return fmt.Errorf("skeleton part %d differs", i)
		}
	}
	return nil
}
