package codec

import "bytes"

// The fingerprints of an audio/video description: their digests are lifted
// into a table (AVFORM §2), each distinct digest once.

// digest returns the table index of a digest, adding it when new.
func (b *skelBuilder) digest(raw []byte) int {
	for i, d := range b.s.digests {
		if string(d) == string(raw) {
			return i
		}
	}
	b.s.digests = append(b.s.digests, bytes.Clone(raw))
	return len(b.s.digests) - 1
}

// parseDigest parses 1 to 64 two-hex-digit groups joined by ':' whose
// letters are all upper case or all lower case, and returns the marker of
// its spelling: mkDigestLow when it has a lower-case letter, else
// mkDigestUp. The bytes are appended to dst.
func parseDigest(s string, dst []byte) (raw []byte, mk byte, ok bool) {
	if (len(s)+1)%3 != 0 || len(s) < 2 || len(s) > 64*3-1 {
		return nil, 0, false
	}
	upper, lower := false, false
	raw = dst
	for i := 0; i < len(s); i += 3 {
		if i+2 < len(s) && s[i+2] != ':' {
			return nil, 0, false
		}
		var v [2]byte
		for k := 0; k < 2; k++ {
			c := s[i+k]
			switch {
			case c >= '0' && c <= '9':
				v[k] = c - '0'
			case c >= 'a' && c <= 'f':
				v[k], lower = c-'a'+10, true
			case c >= 'A' && c <= 'F':
				v[k], upper = c-'A'+10, true
			default:
				return nil, 0, false
			}
		}
		raw = append(raw, v[0]<<4|v[1])
	}
	switch {
	case upper && lower:
		return nil, 0, false
	case lower:
		return raw, mkDigestLow, true
	}
	return raw, mkDigestUp, true
}
