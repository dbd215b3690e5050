package codec

import "strings"

// The marker 0x13 (AVFORM §2): the list of a session line
// `a=group:BUNDLE <list>` that is the mid of every media section not
// rejected (port 0), in order, which the decoder makes from the sections'
// a=mid lines. Every stack bundles all its sections, so the session part
// of an audio-only offer is then the same as that of an audio, video and
// data one, and so is a renegotiation's that stopped a section.

// markMids replaces the list of each session line `a=group:BUNDLE <list>`
// by the marker 0x13 where it is the mids of partMids (AVFORM §2).
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

// partMids returns the mids of the media parts that are not rejected (an
// m= port of 0: RFC 8843 leaves such a section out of its BUNDLE group)
// and have an a=mid line, each its first a=mid line's value, joined by
// SPs; every is whether each part not rejected has one (and there is
// one), bad whether one of those values is empty or holds a byte below
// 0x21.
func partMids(parts [][]string) (mids string, every, bad bool) {
	var b strings.Builder
	every = true
	n := 0
	for _, part := range parts {
		if rejectedPart(part) {
			continue
		}
		n++
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
	return b.String(), every && n > 0, bad
}

// rejectedPart reports whether a media part's m= line has the port 0 (the
// text, not a marker: a bundle-only part's port is 0x02).
func rejectedPart(part []string) bool {
	if len(part) == 0 || !strings.HasPrefix(part[0], "m=") {
		return false
	}
	f := strings.SplitN(part[0], " ", 3)
	return len(f) >= 2 && f[1] == "0"
}
