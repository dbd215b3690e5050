package fixedflate

import (
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// The dedicated decoder for streams whose first block is final and coded
// with the fixed Huffman codes (BFINAL = 1, BTYPE = 01), as Compress makes
// them. It decodes into one output buffer; a back-reference is a copy
// within it or, where it reaches before the output, from the dictionary.
// It gives exactly the result of decompressFlate (compress/flate) on every
// such stream:
//
//   - compress/flate reads the stream byte by byte, only when it needs more
//     bits, and stops after the byte holding the end-of-block code, so any
//     whole byte after that one is trailing data;
//   - it reports ErrUnexpectedEOF when a code or its extra bits run past
//     the end of the stream, and a CorruptInputError (with the number of
//     bytes read so far) for the literal/length symbols 286 and 287, the
//     distance codes 30 and 31, and a distance beyond the dictionary and
//     the output so far; none of these writes any output for the symbol
//     concerned;
//   - the old reading loop of Decompress returns ErrTooLarge once the
//     output delivered exceeds max, and compress/flate delivers all output
//     it has decoded before it reports an error, so ErrTooLarge wins over
//     any error that follows the symbol that exceeds max, and an error wins
//     if it comes first.

// fixedFinalHeader is the value of the first three bits of a stream whose
// first block is final and uses the fixed codes.
const fixedFinalHeader = 1 | 1<<1

// Kinds of literal/length table entries (bits 4-5 of an entry).
const (
	kindLiteral = iota
	kindLength
	kindEnd
	kindInvalid
)

// litTable maps the next 9 bits of the stream (least significant bit
// first) to the fixed literal/length symbol they start with. An entry holds
// the code length in bits 0-3, the kind in bits 4-5, the number of extra
// bits of a length in bits 8-11, and the literal byte or the base length
// in bits 16-31.
var litTable [1 << 9]uint32

// distTable maps the next 5 bits of the stream to the fixed distance code
// they hold: the number of extra bits in bits 0-4 (31 for the invalid codes
// 30 and 31) and the base distance in bits 16-31.
var distTable [1 << 5]uint32

const distInvalid = 31

func init() {
	for s := 0; s < 288; s++ {
		c := fixedLitCode(s)
		e := c.n
		switch {
		case s < 256:
			e |= kindLiteral<<4 | uint32(s)<<16
		case s == 256:
			e |= kindEnd << 4
		case s < 286:
			i := s - 257
			e |= kindLength<<4 | uint32(lenExtra[i])<<8 | uint32(lenBase[i])<<16
		default:
			e |= kindInvalid << 4
		}
		for r := c.bits; r < 1<<9; r += 1 << c.n {
			litTable[r] = e
		}
	}
	for c := 0; c < 32; c++ {
		e := uint32(distInvalid)
		if c < len(distBase) {
			e = distExtra(c) | uint32(distBase[c])<<16
		}
		distTable[reverse(uint32(c), 5)] = e
	}
}

// inflateBufs holds output buffers; one larger than maxPooled is not kept.
var inflateBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooled = 1 << 20

// corrupt returns compress/flate's error for invalid data, off bytes into
// the stream, wrapped like Decompress wraps it.
func corrupt(off int) error {
	return fmt.Errorf("fixedflate: %w", flate.CorruptInputError(off))
}

var errTruncated = fmt.Errorf("fixedflate: %w", io.ErrUnexpectedEOF)

// inflateFixed decodes src, whose first three bits are fixedFinalHeader,
// with the dictionary dict (at most WindowSize bytes) and the output limit
// max ≥ 0. The result does not share memory with any buffer kept here.
func inflateFixed(src, dict []byte, max int) ([]byte, error) {
	p := inflateBufs.Get().(*[]byte)
	buf := *p
	if want := 8*len(src) + 256; cap(buf) < want && cap(buf) < max {
		buf = make([]byte, min(want, max))
	}
	buf = buf[:min(cap(buf), max)]
	buf, w, err := inflateFixedBlock(buf, max, src, dict)
	var out []byte
	if err == nil {
		out = make([]byte, w)
		copy(out, buf[:w])
	}
	if cap(buf) <= maxPooled {
		*p = buf
		inflateBufs.Put(p)
	}
	return out, err
}

// inflateFixedBlock decodes the fixed-code block that starts src into buf,
// with len(buf) ≤ max, and the dictionary dict (which precedes the output
// for back-references). It returns the buffer (grown if needed, never
// beyond max bytes) and the length of the output in it.
func inflateFixedBlock(buf []byte, max int, src, dict []byte) ([]byte, int, error) {
	bits := uint64(src[0]) >> 3 // the bits not consumed yet, first in the low bits
	nbits := uint(5)            // how many of them are valid
	pos := 1                    // the next byte of src to load into bits
	w := 0                      // output position in buf
	for {
		// Load whole bytes while at least one fits: with 8 bytes left in
		// src, one unaligned load does it, leaving 56 to 63 bits; the bits
		// above nbits then already hold the following bytes, which the
		// next load writes again in the same place. Near the end, byte by
		// byte. Either way, afterwards nbits > 56 or src is used up.
		if pos+8 <= len(src) {
			bits |= binary.LittleEndian.Uint64(src[pos:]) << nbits
			pos += int((63 - nbits) >> 3)
			nbits |= 56
		} else {
			bits &= 1<<nbits - 1
			for nbits <= 56 && pos < len(src) {
				bits |= uint64(src[pos]) << nbits
				pos++
				nbits += 8
			}
		}
		e := litTable[bits&(1<<9-1)]
		// Literals while the bits surely hold them and 31 more bits, the
		// longest symbol with its distance, as the steps below need unless
		// src is used up.
		for e>>4&3 == kindLiteral && nbits >= 40 && w < len(buf) {
			bits >>= e & 15
			nbits -= uint(e & 15)
			buf[w] = byte(e >> 16)
			w++
			e = litTable[bits&(1<<9-1)]
		}
		n := uint(e & 15)
		if n > nbits {
			return buf, w, errTruncated
		}
		bits >>= n
		nbits -= n
		switch e >> 4 & 3 {
		case kindLiteral:
			if w >= len(buf) {
				if w >= max {
					return buf, w, ErrTooLarge
				}
				buf = grow(buf, w+1, max)
			}
			buf[w] = byte(e >> 16)
			w++
			continue
		case kindEnd:
			// compress/flate has read the byte holding the last bit of
			// the end-of-block code and no further.
			if pos-int(nbits>>3) != len(src) {
				return buf, w, ErrTrailingData
			}
			return buf, w, nil
		case kindInvalid:
			return buf, w, corrupt(pos - int(nbits>>3))
		}
		length := int(e >> 16)
		if n = uint(e>>8) & 15; n > 0 {
			if n > nbits {
				return buf, w, errTruncated
			}
			length += int(bits & (1<<n - 1))
			bits >>= n
			nbits -= n
		}
		if nbits < 5 {
			return buf, w, errTruncated
		}
		d := distTable[bits&31]
		bits >>= 5
		nbits -= 5
		n = uint(d & 31)
		if n == distInvalid {
			return buf, w, corrupt(pos - int(nbits>>3))
		}
		dist := int(d >> 16)
		if n > 0 {
			if n > nbits {
				return buf, w, errTruncated
			}
			dist += int(bits & (1<<n - 1))
			bits >>= n
			nbits -= n
		}
		from := w - dist // where the copy starts, negative in the dictionary
		if from < -len(dict) {
			return buf, w, corrupt(pos - int(nbits>>3))
		}
		end := w + length
		if end > len(buf) {
			if length > max-w {
				return buf, w, ErrTooLarge
			}
			buf = grow(buf, end, max)
		}
		if from < 0 {
			// From the dictionary, then from the start of the output.
			d := dict[len(dict)+from:]
			if length <= len(d) && length <= 16 && len(d) >= 16 && w+16 <= len(buf) {
				*(*[16]byte)(buf[w:]) = *(*[16]byte)(d)
				w = end
				continue
			}
			w += copy(buf[w:end], d)
			from = 0
		} else if length <= 16 && w-from >= 16 && w+16 <= len(buf) {
			*(*[16]byte)(buf[w:]) = *(*[16]byte)(buf[from:])
			w = end
			continue
		}
		// Byte-by-byte LZ77 semantics: buf[from:w] repeats with period
		// w-from, so copying all of it extends the repetition, doubling
		// it each time.
		for w < end {
			w += copy(buf[w:end], buf[from:w])
		}
	}
}

// grow returns buf with its contents and a length of at least need (and at
// most max ≥ need), at least doubled.
func grow(buf []byte, need, max int) []byte {
	size := 2 * len(buf)
	if size < need {
		size = need
	}
	if size > max || size < 0 {
		size = max
	}
	nb := make([]byte, size)
	copy(nb, buf)
	return nb
}
