package fixedflate

import "sync"

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

// clBits is the index width of the table of the code-length code, whose
// codes have at most 7 bits.
const clBits = 7

// dynamicTables are the tables of a dynamic block and the buffers that
// reading them takes; dynamicPool keeps them.
type dynamicTables struct {
	decodeTables
	cl      [1 << clBits]uint32
	lengths [numLitLen + numDist]uint8
}

var dynamicPool = sync.Pool{New: func() any {
	t := new(dynamicTables)
	t.matchBits = maxCodeBits + 5 + maxCodeBits + 13
	return t
}}

// inflateDynamic decodes src, whose first three bits are
// dynamicFinalHeader, like inflateFixed.
func inflateDynamic(src, dict []byte, max int) ([]byte, error) {
	t := dynamicPool.Get().(*dynamicTables)
	defer dynamicPool.Put(t)
	bits, nbits, pos, err := t.read(src)
	if err != nil {
		return nil, err
	}
	return inflate(src, dict, max, &t.decodeTables, bits, nbits, pos)
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
	if !buildTable(t.cl[:], clBits, nil, clLengths[:], clEntries[:], 0) {
		return 0, 0, 0, corrupt(pos - int(nbits>>3))
	}
	lengths := t.lengths[:nlit+ndist]
	for i := 0; i < len(lengths); {
		if nbits < 7+7 { // a code and the extra bits of a repeat
			bits, nbits, pos = refill(src, bits, nbits, pos)
		}
		e := t.cl[bits&(1<<clBits-1)]
		if uint(e>>entryNeedShift&15) > nbits {
			return 0, 0, 0, errTruncated
		}
		n := uint(e & 15)
		bits >>= n
		nbits -= n
		if e>>4&3 == kindInvalid {
			return 0, 0, 0, corrupt(pos - int(nbits>>3))
		}
		sym := uint8(e >> 16)
		if sym < 16 {
			lengths[i] = sym
			i++
			continue
		}
		// A repeat: 16 repeats the previous length 3-6 times, 17 and 18
		// repeat 0 3-10 and 11-138 times.
		v, rep, x := uint8(0), 3, uint(3)
		switch sym {
		case 16:
			if i == 0 {
				return 0, 0, 0, corrupt(pos - int(nbits>>3))
			}
			v, x = lengths[i-1], 2
		case 18:
			rep, x = 11, 7
		}
		if x > nbits {
			return 0, 0, 0, errTruncated
		}
		rep += int(bits & (1<<x - 1))
		bits >>= x
		nbits -= x
		if rep > len(lengths)-i {
			return 0, 0, 0, corrupt(pos - int(nbits>>3))
		}
		for end := i + rep; i < end; i++ {
			lengths[i] = v
		}
	}
	if !buildTable(t.lit[:], litBits, &t.litLong, lengths[:nlit], litEntries[:], uint32(lengths[256])) ||
		!buildTable(t.dist[:], distBits, &t.distLong, lengths[nlit:], distEntries[:], 0) {
		return 0, 0, 0, corrupt(pos - int(nbits>>3))
	}
	return bits, nbits, pos, nil
}
