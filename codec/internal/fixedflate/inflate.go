package fixedflate

import (
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
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

// fixedFinalHeader is the value of the first three bits of a stream whose
// first block is final and uses the fixed codes.
const fixedFinalHeader = 1 | 1<<1

// A table entry describes the code that the next bits of the stream
// start, for the literal/length and the distance alphabets alike:
//
//	bits 0-3   the code length, the bits to consume
//	bits 4-5   the kind of symbol
//	bit 6      entryLink: the code is longer than the table's index
//	bits 8-11  the number of extra bits of a length or a distance
//	bits 12-15 the bits compress/flate reads before it decodes the code
//	bits 16-31 the literal byte, the base length or the base distance;
//	           with entryLink, the first bits of the code (as many as the
//	           table's index has), most significant first
//	bits 25-28 of a length: how many bits beyond the code and the extra
//	           bits compress/flate reads before it decodes the code
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
	entryLink       = 1 << 6
	entryNeedShift  = 12
	entryAheadShift = 16 + 9
)

// The tables are indexed by the next litBits and distBits bits of the
// stream (least significant bit first).
const (
	litBits  = 10
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
// literal/length alphabet (with 286 and 287 invalid), distEntries for the
// distance codes (with 30 and 31 invalid), clEntries for the code-length
// alphabet.
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
			e = kindLiteral<<4 | uint32(s)<<16
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
	t := &fixedTables
	t.matchBits = 8 + 5 + 5 + 13
	if !buildTable(t.lit[:], litBits, &t.litLong, lengths[:], litEntries[:], uint32(lengths[256])) {
		panic("fixedflate: fixed literal/length code")
	}
	for i := range 32 {
		lengths[i] = 5
	}
	if !buildTable(t.dist[:], distBits, &t.distLong, lengths[:32], distEntries[:], 0) {
		panic("fixedflate: fixed distance code")
	}
}

// buildTable sets up the decoding of the canonical Huffman code with the
// code lengths lengths (at most 15 bits; symbol s has the entry
// entries[s]): table, of 1<<tb entries, maps the next tb bits of the
// stream to the entry of the code they start, or to an entry with
// entryLink for a code longer than tb bits, which long then decodes. floor
// is how many bits compress/flate reads at least before it decodes a
// symbol (the length of the end-of-block code, for literal/length codes).
// It accepts exactly the codes compress/flate's huffmanDecoder.init
// accepts, and returns false for the others: a complete code, a single
// code of length 1, or no code at all.
func buildTable(table []uint32, tb uint, long *longCodes, lengths []uint8, entries []uint32, floor uint32) bool {
	// Four counts, for fewer increments of the same memory in a row.
	var counts [4][16]uint32
	i := 0
	for ; i+4 <= len(lengths); i += 4 {
		counts[0][lengths[i]&15]++
		counts[1][lengths[i+1]&15]++
		counts[2][lengths[i+2]&15]++
		counts[3][lengths[i+3]&15]++
	}
	for ; i < len(lengths); i++ {
		counts[0][lengths[i]&15]++
	}
	var count, next [16]uint32
	for n := 1; n < 16; n++ {
		count[n] = counts[0][n] + counts[1][n] + counts[2][n] + counts[3][n]
	}
	lo, hi := uint(0), uint(0)
	for n := uint(15); n > 0; n-- {
		if count[n] != 0 {
			lo = n
			hi = max(hi, n)
		}
	}
	code := uint32(0)
	for n := lo; n <= hi; n++ {
		code <<= 1
		next[n] = code
		code += count[n]
	}
	// table[:size] maps every string of fewer bits than the codes placed
	// so far.
	size := 1
	if lo > 1 {
		size = 1 << (lo - 1)
	}
	if code != 1<<hi {
		if code > 1 || hi > 1 {
			return false
		}
		// No code or a single code of length 1: compress/flate reads the
		// bits of the shortest code (if any) and stops there.
		need := max(uint32(lo), floor)
		table[0] = kindInvalid<<4 | need<<entryNeedShift | need
	}
	// The symbols in the order of their codes: by length, then symbol.
	var sorted [288]uint16
	var at [16]uint32
	k := uint32(0)
	for n := lo; n <= hi; n++ {
		at[n] = k
		k += count[n]
	}
	for s, n := range lengths {
		if n != 0 {
			sorted[at[n&15]] = uint16(s)
			at[n&15]++
		}
	}
	// Codes of at most tb bits, one length at a time: each of the
	// strings of a length one less continues with both bits, then the
	// codes of this length are placed.
	k = 0
	for n := max(lo, 1); n <= min(hi, tb); n++ {
		copy(table[size:2*size], table[:size])
		size *= 2
		c := next[n]
		for end := k + count[n]; k < end; k++ {
			table[bits.Reverse16(uint16(c))>>(16-n)] = entryOf(entries[sorted[k]], uint32(n), floor)
			c++
		}
	}
	for ; size < len(table); size *= 2 {
		copy(table[size:], table[:size])
	}
	if hi > tb {
		for n := range long.count {
			long.first[n], long.count[n], long.index[n] = next[n], 0, 0
			if uint(n) > tb {
				long.count[n], long.index[n] = count[n], at[n]-count[n]
			}
		}
		for n := tb + 1; n <= hi; n++ {
			for c := next[n]; c < next[n]+count[n]; c++ {
				long.entries[k] = entryOf(entries[sorted[k]], uint32(n), floor)
				p := c >> (n - tb)
				table[bits.Reverse16(uint16(p))>>(16-tb)] = kindInvalid<<4 | entryLink | p<<16
				k++
			}
		}
	}
	return true
}

// entryOf returns the entry of a code of n bits for the symbol whose
// entry without its lengths is e.
func entryOf(e, n, floor uint32) uint32 {
	need := max(n, floor)
	if e>>4&3 == kindLength {
		e |= (need - min(need, n+e>>8&15)) << entryAheadShift
	}
	return e | need<<entryNeedShift | n
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
	return inflate(src, dict, max, &fixedTables, uint64(src[0])>>3, 5, 1)
}

// inflate decodes the block of src coded with the tables t, whose symbols
// start at the bit buffer (bits, nbits, pos) (see inflateBlock), into a
// new slice.
func inflate(src, dict []byte, max int, t *decodeTables, bits uint64, nbits uint, pos int) ([]byte, error) {
	p := inflateBufs.Get().(*[]byte)
	buf := *p
	if want := 8*len(src) + 256; cap(buf) < want && cap(buf) < max {
		buf = make([]byte, min(want, max))
	}
	buf = buf[:min(cap(buf), max)]
	buf, w, err := inflateBlock(buf, max, src, dict, t, bits, nbits, pos)
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
// bytes) and the length of the output in it.
func inflateBlock(buf []byte, max int, src, dict []byte, t *decodeTables, bits uint64, nbits uint, pos int) ([]byte, int, error) {
	w := 0 // output position in buf
	for {
		if pos+8 <= len(src) { // refill, inlined
			bits |= binary.LittleEndian.Uint64(src[pos:]) << nbits
			pos += int((63 - nbits) >> 3)
			nbits |= 56
		} else {
			bits, nbits, pos = refillTail(src, bits, nbits, pos)
		}
		e := t.lit[bits&(1<<litBits-1)]
		// Literals while the bits surely hold them.
		for e>>4&3 == kindLiteral && nbits >= 40 && w < len(buf) {
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
			return buf, w, errTruncated
		}
		n := uint(e & 15)
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
			if e&entryLink != 0 { // consumed nothing
				e = t.litLong.decodeLong(bits, e>>16, litBits)
				goto symbol
			}
			return buf, w, corrupt(pos - int(nbits>>3))
		}
		length := int(e >> 16) // and the bits read ahead, above bit 9
		if n = uint(e>>8) & 15; n > 0 {
			if n > nbits {
				return buf, w, errTruncated
			}
			length += int(bits & (1<<n - 1))
			bits >>= n
			nbits -= n
		}
		d := t.dist[bits&(1<<distBits-1)]
	distance:
		if n = uint(d & 15); n > nbits {
			return buf, w, errTruncated
		}
		bits >>= n
		nbits -= n
		if d>>4&3 == kindInvalid {
			if d&entryLink != 0 { // consumed nothing
				d = t.distLong.decodeLong(bits, d>>16, distBits)
				goto distance
			}
			return buf, w, corruptMatch(pos, nbits, length>>9, uint(d&15))
		}
		dist := int(d >> 16)
		if n = uint(d>>8) & 15; n > 0 {
			if n > nbits {
				return buf, w, errTruncated
			}
			dist += int(bits & (1<<n - 1))
			bits >>= n
			nbits -= n
		}
		from := w - dist // where the copy starts, negative in the dictionary
		if from < -len(dict) {
			return buf, w, corruptMatch(pos, nbits, length>>9, uint(d&15+d>>8&15))
		}
		length &= 1<<9 - 1
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

// corruptMatch returns the error for an invalid distance found when used
// bits of it have been consumed: by then compress/flate has read the bytes
// holding them, and ahead bits beyond the length and its extra bits that
// it read before it decoded the length.
func corruptMatch(pos int, nbits uint, ahead int, used uint) error {
	if uint(ahead) > used {
		nbits -= uint(ahead) - used
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
