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
	var seen uint8 // the digestHex entries of every digit, or'ed
	raw = dst
	for i := 0; i < len(s); i += 3 {
		if i+2 < len(s) && s[i+2] != ':' {
			return nil, 0, false
		}
		hi, lo := digestHex[s[i]], digestHex[s[i+1]]
		seen |= hi | lo
		raw = append(raw, hi<<4|lo&0x0f)
	}
	switch {
	case seen&hexBad != 0, seen&hexUpper != 0 && seen&hexLower != 0:
		return nil, 0, false
	case seen&hexLower != 0:
		return raw, mkDigestLow, true
	}
	return raw, mkDigestUp, true
}

// Flags of digestHex entries, above a digit's value (the low 4 bits).
const (
	hexLower = 0x10 // a lower-case letter
	hexUpper = 0x20 // an upper-case letter
	hexBad   = 0x80 // not a hex digit
)

// digestHex maps a byte to its value as a hex digit and its flags.
var digestHex = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = uint8(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = uint8(c-'a'+10) | hexLower
		case c >= 'A' && c <= 'F':
			t[c] = uint8(c-'A'+10) | hexUpper
		default:
			t[c] = hexBad
		}
	}
	return t
}()
