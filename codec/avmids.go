package codec

import "strings"

// The marker 0x13 (AVFORM §2): the list of a session line
// `a=group:BUNDLE <list>` that is every media section's mid, in order,
// which the decoder makes from the sections' a=mid lines. Every stack
// bundles all its sections, so the session part of an audio-only offer
// is then the same as that of an audio, video and data one.

// markMids replaces the list of each session line `a=group:BUNDLE <list>`
// by the marker 0x13 where it is every media section's mid, in order
// (AVFORM §2).
func (s *avSkel) markMids() {
	const p = "a=group:BUNDLE "
	mids, known, ok := "", false, false // the mids, made at the first such line
	for k, l := range s.parts[0] {
		if len(l) <= len(p) || l[:len(p)] != p {
			continue
		}
		if !known {
			var every, bad bool
			mids, every, bad = partMids(s.parts[1:])
			known, ok = true, every && !bad
		}
		if ok && l[len(p):] == mids {
			s.parts[0][k] = p + string(rune(mkMids))
		}
	}
}

// partMids returns the mids of the media parts that have an a=mid line,
// each its first a=mid line's value, joined by SPs; every is whether each
// part has one (and there is a part), bad whether a value is empty or
// holds a byte below 0x21.
func partMids(parts [][]string) (mids string, every, bad bool) {
	var b strings.Builder
	every = len(parts) > 0
	for _, part := range parts {
		found := false
		for _, l := range part {
			if v, ok := strings.CutPrefix(l, "a=mid:"); ok {
				bad = bad || v == "" || strings.IndexFunc(v, func(r rune) bool { return r < 0x21 }) >= 0
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(v)
				found = true
				break
			}
		}
		every = every && found
	}
	return b.String(), every, bad
}
