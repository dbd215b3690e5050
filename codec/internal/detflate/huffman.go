package detflate

import (
	"encoding/binary"
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
	litCodes       [286]code           // fixed literal/length codes, symbols 0..285
	fixedDistCodes [30]code            // fixed distance codes
	lenSym         [maxMatch + 1]uint8 // length -> index i of its symbol 257+i
	lenBase        = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra       = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase       = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	// distSyms[d-1] for d <= 256, distSyms[256+(d-1)>>7] for d > 256.
	distSyms [512]uint8
)

func distExtra(c int) uint32 {
	if c < 4 {
		return 0
	}
	return uint32(c/2 - 1)
}

// reverse returns the n low bits of v (n ≤ 16) in reverse order.
func reverse(v, n uint32) uint32 { return uint32(bits.Reverse16(uint16(v))) >> (16 - n) }

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
		for l := lo; l <= hi; l++ {
			lenSym[l] = uint8(i)
		}
	}
	for c := 0; c < len(distBase); c++ {
		fixedDistCodes[c] = code{reverse(uint32(c), 5), 5}
		lo := int(distBase[c])
		hi := WindowSize
		if c+1 < len(distBase) {
			hi = int(distBase[c+1]) - 1
		}
		for d := lo; d <= hi; d++ {
			if d <= 256 {
				distSyms[d-1] = uint8(c)
			} else {
				distSyms[256+(d-1)>>7] = uint8(c)
			}
		}
	}
}

// distSym returns the distance symbol (0..29) of distance d (1..32768).
// The index, d-1 up to 256 and 256 + (d-1)>>7 above, is computed without a
// branch (distances of either kind come in no pattern); the mask only
// spares a bounds check.
func distSym(d int) int {
	far := uint(oneIf(d > 256))
	return int(distSyms[(uint(d-1)>>(7*far)+256*far)&511])
}

// encode appends the single fixed-Huffman block holding toks to dst.
func encode(dst []byte, toks []token, src []byte) []byte {
	// At most 31 bits per match token (which covers at least 3 bytes) and 9
	// per literal, plus header and end of block, and the 8 bytes putTokens
	// needs.
	w := bitWriter{dst: slices.Grow(dst, (9*len(src)+7)/8+16)}
	w.put(1|1<<1, 3) // BFINAL = 1, BTYPE = 01
	w.putTokens(toks, litCodes[:], fixedDistCodes[:])
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

// putTokens writes toks with the literal/length codes lit and the distance
// codes dist. The bytes written must fit in the capacity of w.dst with 8
// to spare.
//
// It is the loop that writes most bits, so it keeps the state in local
// variables (the compiler keeps those of a bitWriter in memory) and,
// rather than testing for whole bytes, stores all 64 bits of the
// accumulator before each token, in the spare capacity, and keeps the
// bytes completed: fewer than 8 bits stay, and a token has at most 48
// (a length code of 15 bits and 5 extra, a distance code of 15 and 13).
// It ends the same way, leaving fewer than 8 bits for put.
func (w *bitWriter) putTokens(toks []token, lit, dist []code) {
	buf, i := w.dst[:cap(w.dst)], len(w.dst)
	acc, nb := w.acc, w.nb
	for _, t := range toks {
		i, acc, nb = keepBytes(buf, i, acc, nb)
		if t.isMatch() {
			l, d := t.length(), t.dist()
			ls, ds := lenSym[l], distSym(d)
			c := lit[257+int(ls)]
			acc |= uint64(c.bits|uint32(l-int(lenBase[ls]))<<c.n) << nb
			nb += c.n + uint32(lenExtra[ls])
			c = dist[ds]
			acc |= uint64(c.bits|uint32(d-int(distBase[ds]))<<c.n) << nb
			nb += c.n + distExtra(ds)
		} else {
			c := lit[t&0xff]
			acc |= uint64(c.bits) << nb
			nb += c.n
		}
	}
	i, acc, nb = keepBytes(buf, i, acc, nb)
	w.dst, w.acc, w.nb = buf[:i], acc, nb
}

// keepBytes stores the accumulator acc of nb bits at buf[i:] (all 8 bytes)
// and drops from it the whole bytes, which it adds to i.
func keepBytes(buf []byte, i int, acc uint64, nb uint32) (int, uint64, uint32) {
	binary.LittleEndian.PutUint64(buf[i:], acc)
	return i + int(nb>>3), acc >> (nb &^ 7), nb & 7
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
