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

// The credentials byte that starts a compact body after the binding
// (SPEC.md §4.3): bit 7 the hex packing, bit 6 ICE-lite, bits 0-5 the
// length code.
const (
	credHex     = 0x80
	credICELite = 0x40
	credLenMask = 0x3f
	maxLenCode  = 60
)

// ufragLens are the ufrag lengths a length code can stand for: RFC 8445
// §5.3's minimum of 4 characters, doubled.
var ufragLens = [...]int{4, 8, 16, 32}

// lengthCode returns the length code of a ufrag of u and a pwd of p
// characters: 1 + 15a + b when u = 4·2^a (a 0..3) and p = 22 + b (b 0..14,
// 22 being RFC 8445's minimum), otherwise 0: the lengths are written out.
func lengthCode(u, p int) byte {
	if p < 22 || p > 36 {
		return 0
	}
	for a, n := range ufragLens {
		if u == n {
			return byte(1 + 15*a + p - 22)
		}
	}
	return 0
}

// codeLengths returns the ufrag and pwd lengths of length code k (1..60).
func codeLengths(k byte) (u, p int) {
	k--
	return ufragLens[k/15], 22 + int(k%15)
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
