package codec

// ICE credential packing (SPEC.md §4.3).

// iceAlphabet is the ICE character set of RFC 8839 (ice-char = ALPHA / DIGIT
// / "+" / "/") in the order of the Base64 alphabet: a character's 6-bit
// value is its index here.
const iceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var iceIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(iceAlphabet); i++ {
		t[iceAlphabet[i]] = int8(i)
	}
	return
}()

const hexDigits = "0123456789abcdef"

// isICEString reports whether s is non-empty and made only of ice-chars.
func isICEString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if iceIndex[s[i]] < 0 {
			return false
		}
	}
	return true
}

// isLowerHex reports whether s is made only of 0-9 and a-f.
func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// packedLen returns the number of bytes n characters take.
func packedLen(n int, hex bool) int {
	if hex {
		return (n + 1) / 2
	}
	return (6*n + 7) / 8
}

// charsIn returns how many characters n packed bytes hold when the count is
// implied by the length (the ice-pwd): 2n for hex, floor(8n/6) otherwise.
func charsIn(n int, hex bool) int {
	if hex {
		return 2 * n
	}
	return 8 * n / 6
}

// appendPacked appends s packed with 4 bits (hex) or 6 bits per character,
// most significant bit first, the last byte padded with zero bits. s must
// be valid for the packing.
func appendPacked(dst []byte, s string, hex bool) []byte {
	var acc uint32
	var bits uint
	for i := 0; i < len(s); i++ {
		if hex {
			acc = acc<<4 | uint32(hexVal(s[i]))
			bits += 4
		} else {
			acc = acc<<6 | uint32(iceIndex[s[i]])
			bits += 6
		}
		for bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits))
		}
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(8-bits)))
	}
	return dst
}

func hexVal(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// unpack returns the n characters packed in b; ok is false when the padding
// bits are not zero (a non-canonical packing).
func unpack(b []byte, n int, hex bool) (s string, ok bool) {
	out := make([]byte, 0, n)
	var acc uint32
	var bits uint
	width := uint(6)
	if hex {
		width = 4
	}
	for _, x := range b {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= width && len(out) < n {
			bits -= width
			v := (acc >> bits) & (1<<width - 1)
			if hex {
				out = append(out, hexDigits[v])
			} else {
				out = append(out, iceAlphabet[v])
			}
		}
		acc &= 1<<bits - 1
	}
	return string(out), acc == 0
}
