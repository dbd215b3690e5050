package detflate

import (
	"encoding/binary"
	"sync"
)

// The dedicated decoder for streams whose first block is final and coded
// with dynamic Huffman codes (RFC 1951 §3.2.7). It reads the definition of
// the codes and decodes the block like a fixed-code block (inflate.go),
// with the same result as compress/flate on every such stream. Reading the
// definition, compress/flate
//
//   - reports ErrUnexpectedEOF when it runs past the end of the stream, and
//     a CorruptInputError with the number of bytes read so far (it reads
//     byte by byte, only when it needs more bits) for HLIT > 29 or
//     HDIST > 29 (once it has read the 14 bits of HLIT, HDIST and HCLEN),
//     for a code it does not accept (buildTable), for the code-length
//     symbol 16 first (before its extra bits), and for a repeat past the
//     last code length (after its extra bits); a repeat may run from the
//     literal/length code lengths into the distance ones;
//   - accepts a code with no code at all, which fails when it is used, and
//     a single code of length 1, whose other 1-bit string fails, and so a
//     literal/length code without an end-of-block code, which never ends.

// dynamicFinalHeader is the low three bits of the first byte of a stream
// whose first block is final (BFINAL = 1) and coded with dynamic Huffman
// codes (BTYPE = 10).
const dynamicFinalHeader = 0b101

// clBits is the greatest index width of the table of the code-length
// code, whose codes have at most 7 bits; the table has the width of the
// longest code.
const clBits = 7

// dynamicTables are the tables of a dynamic block and the buffers that
// reading them takes; dynamicPool keeps them.
type dynamicTables struct {
	decodeTables
	cl      [1 << clBits]uint32
	lengths [numLitLen + numDist]uint8 // some code lengths, see readLengths
	// The symbols of the literal/length and of the distance code.
	litSyms, distSyms codeSymbols
}

var dynamicPool = sync.Pool{New: func() any {
	t := new(dynamicTables)
	t.matchBits = maxCodeBits + 5 + maxCodeBits + 13
	return t
}}

// inflateDynamic decodes src, whose first three bits are
// dynamicFinalHeader, like inflateFixed.
func inflateDynamic(src, dict []byte, max int, text bool) ([]byte, bool, error) {
	t := dynamicPool.Get().(*dynamicTables)
	defer dynamicPool.Put(t)
	bits, nbits, pos, err := t.read(src)
	if err != nil {
		return nil, false, err
	}
	return inflate(src, dict, max, text, &t.decodeTables, bits, nbits, pos)
}

// read builds the tables from the definition of the codes that starts the
// block of src, and returns the bit buffer (see refill) at its end.
func (t *dynamicTables) read(src []byte) (bits uint64, nbits uint, pos int, err error) {
	bits, nbits, pos = refill(src, uint64(src[0])>>3, 5, 1)
	if nbits < 5+5+4 {
		return 0, 0, 0, errTruncated
	}
	nlit := int(bits&31) + 257
	ndist := int(bits>>5&31) + 1
	nclen := uint(bits>>10&15) + 4
	bits >>= 5 + 5 + 4
	nbits -= 5 + 5 + 4
	if nlit > numLitLen || ndist > numDist {
		return 0, 0, 0, corrupt(pos - int(nbits>>3))
	}
	var clLengths [numCL]uint8
	for _, s := range clOrder[:nclen] {
		if nbits < 3 {
			bits, nbits, pos = refill(src, bits, nbits, pos)
			if nbits < 3 {
				return 0, 0, 0, errTruncated
			}
		}
		clLengths[s] = uint8(bits & 7)
		bits >>= 3
		nbits -= 3
	}
	clMask, ok := t.buildCL(&clLengths)
	if !ok {
		return 0, 0, 0, corrupt(pos - int(nbits>>3))
	}
	bits, nbits, pos, err = t.readLengths(src, bits, nbits, pos, clMask, nlit, nlit+ndist)
	if err != nil {
		return 0, 0, 0, err
	}
	eob := uint32(t.lengths[256])
	if !buildTable(t.lit[:], litBits, &t.litLong, &t.litSyms, litEntries[:], eob) ||
		!buildTable(t.dist[:], distBits, &t.distLong, &t.distSyms, distEntries[:], 0) {
		return 0, 0, 0, corrupt(pos - int(nbits>>3))
	}
	return bits, nbits, pos, nil
}

// buildCL sets up t.cl, as wide as the longest code, for the code-length
// code with the code lengths lengths, like buildTable would, and returns
// the mask of its index, or false for a code that buildTable does not
// accept. (For so few codes and entries, placing the codes in the order
// of their symbols, each code with all its entries, costs less.)
func (t *dynamicTables) buildCL(lengths *[numCL]uint8) (uint64, bool) {
	// The counts of the lengths, in bytes of acc (in a register: a count
	// in memory incremented many times in a row costs more).
	var acc uint64
	for _, n := range lengths {
		acc += 1 << (n & 7 * 8)
	}
	var count [16]uint32
	for n := range 8 {
		count[n] = uint32(acc >> (n * 8) & 0xff)
	}
	next, lo, hi, ok, complete := firstCodes(&count)
	if !ok {
		return 0, false
	}
	size := uint(1) << max(hi, 1)
	if !complete {
		t.cl[0] = kindInvalid<<4 | uint32(lo)<<entryNeedShift | uint32(lo)
		t.cl[1] = t.cl[0]
	}
	for s, n := range lengths {
		if n == 0 {
			continue
		}
		n &= 7
		e := entryOf(clEntries[s], uint32(n), 0)
		step := uint(1) << n
		for i := uint(reversed[next[n]<<(litBits-n)]); i < size; i += step {
			t.cl[i&(1<<clBits-1)] = e
		}
		next[n]++
	}
	return uint64(size - 1), true
}

// readLengths reads the code lengths of the nlit literal/length symbols
// and of the distance codes, end in all, with the code-length code
// t.cl[:clMask+1] from the bit buffer (bits, nbits, pos) (see refill),
// into t.litSyms and t.distSyms, and returns the bit buffer at their end.
// It keeps the i-th length in t.lengths[i] where it may be needed later
// (for a repeat of it, or as the length of the end-of-block code): for
// each length it adds, at the end of each repeat of 0, and at 256.
func (t *dynamicTables) readLengths(src []byte, bits uint64, nbits uint, pos int, clMask uint64, nlit, end int) (uint64, uint, int, error) {
	t.litSyms.count = [16]uint32{}
	t.distSyms.count = [16]uint32{}
	t.lengths[256] = 0
	for i := 0; i < end; {
		if nbits < 7+7 { // a code and the extra bits of a repeat
			if pos+8 <= len(src) { // refill, inlined (a call costs spills)
				bits |= binary.LittleEndian.Uint64(src[pos:]) << nbits
				pos += int((63 - nbits) >> 3)
				nbits |= 56
			} else {
				bits &= 1<<nbits - 1
				for ; nbits <= 56 && pos < len(src); pos++ {
					bits |= uint64(src[pos]) << nbits
					nbits += 8
				}
			}
		}
		e := t.cl[bits&clMask]
		if uint(e>>entryNeedShift&15) > nbits {
			return 0, 0, 0, errTruncated
		}
		// The code-length symbols are all of kind kindLiteral, whose
		// entries have the code length in their low 6 bits: shifting by
		// them saves a step. (After an invalid entry, bits do not matter.)
		bits >>= e & 63
		nbits -= uint(e & 15)
		if e&(3<<4|16<<16) == 0 { // the symbols 0 to 15, lengths
			t.add(i, nlit, uint8(e>>16))
			i++
			continue
		}
		// A repeat (see clEntries), or bits that start no code.
		sym := e >> 16 & 31
		if e>>4&3 == kindInvalid || sym == 16 && i == 0 {
			return 0, 0, 0, corrupt(pos - int(nbits>>3))
		}
		x := uint(e>>8) & 15
		if x > nbits {
			return 0, 0, 0, errTruncated
		}
		rep := int(e>>21) + int(bits&(1<<x-1))
		bits >>= x
		nbits -= x
		if rep > end-i {
			return 0, 0, 0, corrupt(pos - int(nbits>>3))
		}
		v := uint8(0)
		if sym == 16 {
			v = t.lengths[i-1]
		}
		if v == 0 {
			i += rep
			t.lengths[i-1] = 0
			continue
		}
		for stop := i + rep; i < stop; i++ {
			t.add(i, nlit, v)
		}
	}
	return bits, nbits, pos, nil
}

// add adds code length n of the i-th code length of the block, which is
// that of the literal/length symbol i or of the distance code i-nlit.
func (t *dynamicTables) add(i, nlit int, n uint8) {
	t.lengths[i] = n
	if i < nlit {
		t.litSyms.add(uint(n), i)
	} else {
		t.distSyms.add(uint(n), i-nlit)
	}
}
