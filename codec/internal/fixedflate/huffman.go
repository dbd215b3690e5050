package fixedflate

import (
	"math/bits"
	"slices"
)

// code is a bit string ready to be written LSB-first: bits holds the
// (already bit-reversed) Huffman code followed by any extra bits, n its
// length.
type code struct {
	bits uint32
	n    uint32
}

var (
	litCodes [286]code           // fixed literal/length codes, symbols 0..285
	lenCodes [maxMatch + 1]code  // length -> length symbol code + extra bits
	lenSym   [maxMatch + 1]uint8 // length -> index i of its symbol 257+i
	lenBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	// distCodeLow[d-1] for d <= 256, distCodeHigh[(d-1)>>7] for d > 256.
	distCodeLow  [256]uint8
	distCodeHigh [256]uint8
)

func distExtra(c int) uint32 {
	if c < 4 {
		return 0
	}
	return uint32(c/2 - 1)
}

func reverse(v, n uint32) uint32 { return bits.Reverse32(v) >> (32 - n) }

// fixedLitCode returns the fixed code of the literal/length symbol s
// (0..287, RFC 1951 §3.2.6).
func fixedLitCode(s int) code {
	var v, n uint32
	switch {
	case s < 144:
		v, n = uint32(0x30+s), 8
	case s < 256:
		v, n = uint32(0x190+s-144), 9
	case s < 280:
		v, n = uint32(s-256), 7
	default:
		v, n = uint32(0xc0+s-280), 8
	}
	return code{reverse(v, n), n}
}

func init() {
	for s := range litCodes {
		litCodes[s] = fixedLitCode(s)
	}
	for i := 0; i < len(lenBase); i++ {
		lo := int(lenBase[i])
		hi := maxMatch // symbol 285 is 258 only; 284 covers 227..257
		if i+1 < len(lenBase) {
			hi = int(lenBase[i+1]) - 1
		}
		c := litCodes[257+i]
		for l := lo; l <= hi; l++ {
			lenCodes[l] = code{c.bits | uint32(l-lo)<<c.n, c.n + uint32(lenExtra[i])}
			lenSym[l] = uint8(i)
		}
	}
	for c := 0; c < len(distBase); c++ {
		lo := int(distBase[c])
		hi := WindowSize
		if c+1 < len(distBase) {
			hi = int(distBase[c+1]) - 1
		}
		for d := lo; d <= hi; d++ {
			if d <= 256 {
				distCodeLow[d-1] = uint8(c)
			} else {
				distCodeHigh[(d-1)>>7] = uint8(c)
			}
		}
	}
}

// distCode returns the distance code of d (1..32768) and its extra bits.
// distSym returns the distance symbol (0..29) of distance d.
func distSym(d int) int {
	if d <= 256 {
		return int(distCodeLow[d-1])
	}
	return int(distCodeHigh[(d-1)>>7])
}

func distCode(d int) code {
	c := distSym(d)
	return code{reverse(uint32(c), 5) | uint32(d-int(distBase[c]))<<5, 5 + distExtra(c)}
}

// encode appends the single fixed-Huffman block holding toks to dst.
func encode(dst []byte, toks []token, src []byte) []byte {
	// At most 31 bits per match token (which covers at least 3 bytes) and 9
	// per literal, plus header and end of block.
	w := bitWriter{dst: slices.Grow(dst, (9*len(src)+7)/8+8)}
	w.put(1|1<<1, 3) // BFINAL = 1, BTYPE = 01
	for _, t := range toks {
		if t.isMatch() {
			w.putCode(lenCodes[t.length()])
			w.putCode(distCode(t.dist()))
		} else {
			w.putCode(litCodes[t&0xff])
		}
	}
	w.putCode(litCodes[256])
	return w.flush()
}

// bitWriter packs codes least significant bit first.
type bitWriter struct {
	dst []byte
	acc uint64
	nb  uint32
}

// putCode writes the code c (bits already in writing order).
func (w *bitWriter) putCode(c code) { w.put(c.bits, c.n) }

func (w *bitWriter) put(bits, n uint32) {
	w.acc |= uint64(bits) << w.nb
	w.nb += n
	if w.nb >= 32 {
		w.dst = append(w.dst, byte(w.acc), byte(w.acc>>8), byte(w.acc>>16), byte(w.acc>>24))
		w.acc >>= 32
		w.nb -= 32
	}
}

// flush writes the bits left, the last byte padded with zero bits.
func (w *bitWriter) flush() []byte {
	for w.nb > 0 {
		w.dst = append(w.dst, byte(w.acc))
		w.acc >>= 8
		w.nb -= min(w.nb, 8)
	}
	return w.dst
}
