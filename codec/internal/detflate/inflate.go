package detflate

import (
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// The dedicated decoder for streams whose first block is final and coded
// with Huffman codes: the fixed codes (BFINAL = 1, BTYPE = 01, here) or
// dynamic ones (BTYPE = 10, inflate_dynamic.go reads their definition).
// Both decode the block's symbols with inflateBlock and tables of the same
// form. It decodes into one output buffer; a back-reference is a copy
// within it or, where it reaches before the output, from the dictionary.
// It gives exactly the result of decompressFlate (compress/flate) on every
// such stream:
//
//   - compress/flate reads the stream byte by byte, only when it needs more
//     bits, and stops after the byte holding the end-of-block code, so any
//     whole byte after that one is trailing data;
//   - before it decodes a literal/length symbol it reads at least as many
//     bits as the shortest code and the end-of-block code have, even when
//     the symbol's code is shorter (the "bits compress/flate reads" of a
//     table entry);
//   - it reports ErrUnexpectedEOF when a code or its extra bits run past
//     the end of the stream, and a CorruptInputError (with the number of
//     bytes read so far) for the literal/length symbols 286 and 287, the
//     distance codes 30 and 31, bits that start no code of an incomplete
//     code, and a distance beyond the dictionary and the output so far;
//     none of these writes any output for the symbol concerned;
//   - the old reading loop of Decompress returns ErrTooLarge once the
//     output delivered exceeds max, and compress/flate delivers all output
//     it has decoded before it reports an error, so ErrTooLarge wins over
//     any error that follows the symbol that exceeds max, and an error wins
//     if it comes first.
//
// For DecompressText it also tells whether the output is plain text: a
// literal that is not has entryNotPlain in its entry, and every other
// byte of the output is a copy of an earlier one or of the dictionary.

// fixedFinalHeader is the value of the first three bits of a stream whose
// first block is final and uses the fixed codes.
const fixedFinalHeader = 1 | 1<<1

// A table entry describes the code that the next bits of the stream
// start, for the literal/length and the distance alphabets alike:
//
//	bits 0-3   the code length, the bits to consume
//	bits 4-5   the kind of symbol
//	bit 6      entryLink: the code is longer than the table's index
//	bit 7      entryNotPlain: a literal byte that is not plain text
//	bits 8-11  the number of extra bits of a length or a distance
//	bits 12-15 the bits compress/flate reads before it decodes the code
//	bits 16-31 the literal byte, the base length or the base distance;
//	           with entryLink, the first bits of the code (as many as the
//	           table's index has), most significant first
//
// A distance has kind kindLiteral; kindInvalid marks the literal/length
// symbols 286 and 287, the distance codes 30 and 31 and bits that start
// no code (with the bits compress/flate reads before it notices as code
// length), and entries with entryLink, which decodeLong resolves.
const (
	kindLiteral = iota
	kindLength
	kindEnd
	kindInvalid
)

const (
	entryLink      = 1 << 6
	entryNotPlain  = 1 << 7
	entryNeedShift = 12
)

// The tables are indexed by the next litBits and distBits bits of the
// stream (least significant bit first).
const (
	litBits  = 9
	distBits = 8
)

// decodeTables are the decoding tables of a Huffman-coded block.
type decodeTables struct {
	// matchBits is the most bits a length/distance pair takes: a code,
	// 5 extra bits, a code and 13 extra bits.
	matchBits uint
	lit       [1 << litBits]uint32
	dist      [1 << distBits]uint32
	litLong   longCodes // the literal/length codes longer than litBits
	distLong  longCodes // the distance codes longer than distBits
}

// longCodes decodes the codes of a canonical Huffman code (RFC 1951
// §3.2.2) longer than its table's index: the codes of length n are
// first[n] to first[n]+count[n]-1, and the entry of the k-th one is
// entries[index[n]+k].
type longCodes struct {
	first, count, index [16]uint32
	entries             [512]uint32 // 288 used; 512 for no bounds check
}

// decodeLong returns the entry of the code that b, the next bits of the
// stream, starts, given that it is longer than n bits and starts with the
// n-bit code c (most significant bit first).
func (l *longCodes) decodeLong(b uint64, c uint32, n uint) uint32 {
	for n < 15 {
		c = c<<1 | uint32(b>>n&1)
		n++
		if k := c - l.first[n]; k < l.count[n] {
			return l.entries[(l.index[n]+k)&511]
		}
	}
	return kindInvalid << 4 // not reached: a code with long codes is complete
}

// The entries of the symbols without their lengths: litEntries for the
// literal/length alphabet (with 286 and 287 invalid, and entryNotPlain on
// the literals that are not plain text, see isPlain), distEntries for the
// distance codes (with 30 and 31 invalid), clEntries for the code-length
// alphabet: all of kind kindLiteral, with the symbol in bits 16-20, and
// for the repeats 16, 17 and 18 the number of extra bits and the least
// count of the repeat in bits 21-24.
var (
	litEntries  [288]uint32
	distEntries [32]uint32
	clEntries   [19]uint32
)

// fixedTables decode the fixed codes (RFC 1951 §3.2.6).
var fixedTables decodeTables

func init() {
	var lengths [288]uint8
	for s := range litEntries {
		e := uint32(kindInvalid << 4)
		switch {
		case s < 256:
			e = kindLiteral<<4 | uint32(s)<<16 | uint32(notPlain[s])
		case s == 256:
			e = kindEnd << 4
		case s < 286:
			i := s - 257
			e = kindLength<<4 | uint32(lenExtra[i])<<8 | uint32(lenBase[i])<<16
		}
		litEntries[s] = e
		lengths[s] = uint8(fixedLitCode(s).n)
	}
	for c := range distEntries {
		distEntries[c] = kindInvalid << 4
		if c < len(distBase) {
			distEntries[c] = distExtra(c)<<8 | uint32(distBase[c])<<16
		}
	}
	for s := range clEntries {
		clEntries[s] = uint32(s) << 16
	}
	clEntries[16] |= 2<<8 | 3<<21
	clEntries[17] |= 3<<8 | 3<<21
	clEntries[18] |= 7<<8 | 11<<21
	t := &fixedTables
	t.matchBits = 8 + 5 + 5 + 13
	var c codeSymbols
	c.group(lengths[:])
	if !buildTable(t.lit[:], litBits, &t.litLong, &c, litEntries[:], uint32(lengths[256])) {
		panic("detflate: fixed literal/length code")
	}
	for i := range 32 {
		lengths[i] = 5
	}
	c.group(lengths[:32])
	if !buildTable(t.dist[:], distBits, &t.distLong, &c, distEntries[:], 0) {
		panic("detflate: fixed distance code")
	}
}

// inflateBufs holds output buffers; one larger than maxPooled is not kept.
var inflateBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooled = 1 << 20

// corrupt returns compress/flate's error for invalid data, off bytes into
// the stream, wrapped like Decompress wraps it.
func corrupt(off int) error {
	return fmt.Errorf("detflate: %w", flate.CorruptInputError(off))
}

var errTruncated = fmt.Errorf("detflate: %w", io.ErrUnexpectedEOF)

// inflateFixed decodes src, whose first three bits are fixedFinalHeader,
// with the dictionary dict (at most WindowSize bytes) and the output limit
// max ≥ 0. The result does not share memory with any buffer kept here. If
// text, plain reports whether the output is plain text (see isPlain);
// otherwise it is false.
func inflateFixed(src, dict []byte, max int, text bool) (out []byte, plain bool, err error) {
	return inflate(src, dict, max, text, &fixedTables, uint64(src[0])>>3, 5, 1)
}

// inflate decodes the block of src coded with the tables t, whose symbols
// start at the bit buffer (bits, nbits, pos) (see inflateBlock), into a
// new slice, like inflateFixed.
func inflate(src, dict []byte, max int, text bool, t *decodeTables, bits uint64, nbits uint, pos int) (out []byte, plain bool, err error) {
	p := inflateBufs.Get().(*[]byte)
	buf := *p
	if want := 8*len(src) + 256; cap(buf) < want && cap(buf) < max {
		buf = make([]byte, min(want, max))
	}
	buf = buf[:min(cap(buf), max)]
	buf, w, lits, err := inflateBlock(buf, max, src, dict, t, bits, nbits, pos)
	if err == nil {
		out = make([]byte, w)
		copy(out, buf[:w])
		// The bytes that are no literal are copies of earlier output or
		// of the dictionary.
		plain = text && lits&entryNotPlain == 0 && (plainDict(dict, w) || isPlain(out))
	}
	if cap(buf) <= maxPooled {
		*p = buf
		inflateBufs.Put(p)
	}
	return out, plain, err
}

// notPlain[b] is entryNotPlain if the byte b is not plain text, which
// is the bytes 0x20 to 0x7e, TAB and LF, and 0 if it is.
var notPlain = func() (np [256]uint8) {
	for b := range np {
		if (b < 0x20 || b > 0x7e) && b != '\t' && b != '\n' {
			np[b] = entryNotPlain
		}
	}
	return np
}()

// isPlain reports whether every byte of b is plain text.
func isPlain(b []byte) bool {
	var acc uint8
	for _, c := range b {
		acc |= notPlain[c]
	}
	return acc == 0
}

var (
	sdpPlainOnce sync.Once
	sdpPlain     bool
)

// plainDict reports whether dict, the dictionary (at most WindowSize
// bytes) of an output of n bytes, is known to be plain text: checked once
// for SDPDictionary (recognized by its address, like indexFor, and never
// modified), else checked if no longer than the output (otherwise checking
// the output costs less).
func plainDict(dict []byte, n int) bool {
	switch {
	case len(dict) == 0:
		return true
	case len(dict) == len(SDPDictionary) && &dict[0] == &SDPDictionary[0]:
		sdpPlainOnce.Do(func() { sdpPlain = isPlain(SDPDictionary) })
		return sdpPlain
	case len(dict) <= n:
		return isPlain(dict)
	}
	return false
}

// refill loads whole bytes of src into the bit buffer: bits holds the
// nbits bits of the stream not consumed yet, first in the low bits, and
// pos is the next byte of src to load. With 8 bytes left in src, one
// unaligned load does it, leaving 56 to 63 bits; the bits above nbits then
// already hold the following bytes, which the next load writes again in
// the same place. Near the end, byte by byte, with zeros above nbits.
// Either way, afterwards nbits > 55 or src is used up.
func refill(src []byte, bits uint64, nbits uint, pos int) (uint64, uint, int) {
	if pos+8 <= len(src) {
		bits |= binary.LittleEndian.Uint64(src[pos:]) << nbits
		return bits, nbits | 56, pos + int((63-nbits)>>3)
	}
	return refillTail(src, bits, nbits, pos)
}

// refillTail is refill near the end of src.
//
//go:noinline
func refillTail(src []byte, bits uint64, nbits uint, pos int) (uint64, uint, int) {
	bits &= 1<<nbits - 1
	for nbits <= 56 && pos < len(src) {
		bits |= uint64(src[pos]) << nbits
		pos++
		nbits += 8
	}
	return bits, nbits, pos
}

// inflateBlock decodes the symbols of a block with the tables t into buf,
// with len(buf) ≤ max, and the dictionary dict (which precedes the output
// for back-references); they start at the bit buffer (bits, nbits, pos)
// (see refill). It returns the buffer (grown if needed, never beyond max
// bytes), the length of the output in it and lits, whose entryNotPlain
// bit is 0 if every literal is plain text.
//
// It is longer than 80 lines on purpose: it is the decoder's inner loop,
// and keeping the refill, the literal and the copy in one function keeps
// the bit buffer in local variables instead of passing it on each symbol.
func inflateBlock(buf []byte, max int, src, dict []byte, t *decodeTables, bits uint64, nbits uint, pos int) (_ []byte, w int, lits uint32, _ error) {
	for {
		if pos+8 <= len(src) { // refill, inlined
			bits |= binary.LittleEndian.Uint64(src[pos:]) << nbits
			pos += int((63 - nbits) >> 3)
			nbits |= 56
		} else {
			bits, nbits, pos = refillTail(src, bits, nbits, pos)
		}
		e := t.lit[bits&(1<<litBits-1)]
		// Plain-text literals while the bits surely hold them. (Others,
		// rare, go below, which keeps lits out of this loop.)
		for e&(3<<4|entryNotPlain) == kindLiteral<<4 && nbits >= 40 && w < len(buf) {
			buf[w] = byte(e >> 16)
			w++
			nbits -= uint(e & 15)
			bits >>= e & 15
			e = t.lit[bits&(1<<litBits-1)]
		}
		// The steps below need t.matchBits bits unless src is used up.
		// (With the fixed codes, 31, which the loop above leaves.)
		if nbits < t.matchBits && pos < len(src) {
			continue
		}
	symbol:
		if nbits < 15 && uint(e>>entryNeedShift&15) > nbits {
			return buf, w, lits, errTruncated
		}
		n := uint(e & 15)
		bits >>= n
		nbits -= n
		switch e >> 4 & 3 {
		case kindLiteral:
			if w >= len(buf) {
				if w >= max {
					return buf, w, lits, ErrTooLarge
				}
				buf = grow(buf, w+1, max)
			}
			buf[w] = byte(e >> 16)
			lits |= e
			w++
			continue
		case kindEnd:
			// compress/flate has read the byte holding the last bit of
			// the end-of-block code and no further.
			if pos-int(nbits>>3) != len(src) {
				return buf, w, lits, ErrTrailingData
			}
			return buf, w, lits, nil
		case kindInvalid:
			if e&entryLink != 0 { // consumed nothing
				e = t.litLong.decodeLong(bits, e>>16, litBits)
				goto symbol
			}
			return buf, w, lits, corrupt(pos - int(nbits>>3))
		}
		length := int(e >> 16)
		if n = uint(e>>8) & 15; n > 0 {
			if n > nbits {
				return buf, w, lits, errTruncated
			}
			length += int(bits & (1<<n - 1))
			bits >>= n
			nbits -= n
		}
		d := t.dist[bits&(1<<distBits-1)]
	distance:
		if n = uint(d & 15); n > nbits {
			return buf, w, lits, errTruncated
		}
		bits >>= n
		nbits -= n
		if d>>4&3 == kindInvalid {
			if d&entryLink != 0 { // consumed nothing
				d = t.distLong.decodeLong(bits, d>>16, distBits)
				goto distance
			}
			return buf, w, lits, corruptMatch(pos, nbits, e, uint(d&15))
		}
		dist := int(d >> 16)
		if n = uint(d>>8) & 15; n > 0 {
			if n > nbits {
				return buf, w, lits, errTruncated
			}
			dist += int(bits & (1<<n - 1))
			bits >>= n
			nbits -= n
		}
		from := w - dist // where the copy starts, negative in the dictionary
		if from < -len(dict) {
			return buf, w, lits, corruptMatch(pos, nbits, e, uint(d&15+d>>8&15))
		}
		end := w + length
		if end > len(buf) {
			if length > max-w {
				return buf, w, lits, ErrTooLarge
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

// corruptMatch returns the error for an invalid distance found when used
// bits of it have been consumed, after the length of entry e: by then
// compress/flate has read the bytes holding them, and the bits beyond the
// length code and its extra bits that it read before it decoded the length
// code, if more.
func corruptMatch(pos int, nbits uint, e uint32, used uint) error {
	need, n := uint(e>>entryNeedShift&15), uint(e&15+e>>8&15)
	if ahead := need - min(need, n); ahead > used {
		nbits -= ahead - used
	}
	return corrupt(pos - int(nbits>>3))
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
