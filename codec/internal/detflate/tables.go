package detflate

import "math/bits"

// The decoding tables of a canonical Huffman code (RFC 1951 §3.2.2): the
// symbols grouped by code length, a direct table of the first litBits or
// distBits bits and, for longer codes, longCodes. inflate.go uses them.

// codeSymbols lists the symbols of a code (at most 288) by the lengths of
// their codes: count[n] symbols have codes of n bits, sym[n][:count[n]]
// in increasing order. count[0] and sym[0] are scratch space: symbols
// without a code may be counted there or not.
type codeSymbols struct {
	count [16]uint32
	sym   [16][288]uint16
}

// group sets c to the symbols with the code lengths lengths (at most 288
// of them).
func (c *codeSymbols) group(lengths []uint8) {
	c.count = [16]uint32{}
	for s, n := range lengths {
		c.add(uint(n), s)
	}
}

// add appends symbol s with an n-bit code, n < 16.
func (c *codeSymbols) add(n uint, s int) {
	n &= 15
	c.sym[n][c.count[n]] = uint16(s)
	c.count[n]++
}

// buildTable sets up the decoding of the canonical Huffman code of the
// symbols c (codes of at most 15 bits; symbol s has the entry
// entries[s]): table, of 1<<tb entries (tb ≤ litBits), maps the next tb
// bits of the stream to the entry of the code they start, or to an entry
// with entryLink for a code longer than tb bits, which long then
// decodes. floor is how many bits compress/flate reads at least before it
// decodes a symbol (the length of the end-of-block code, for
// literal/length codes). It accepts exactly the codes compress/flate's
// huffmanDecoder.init accepts, and returns false for the others: a
// complete code, a single code of length 1, or no code at all.
//
// It places each code once and fills the rest of the table with wide
// copies, doubling the part filled so far whenever the codes get one bit
// longer, and after the longest, up to the table's size.
func buildTable(table []uint32, tb uint, long *longCodes, c *codeSymbols, entries []uint32, floor uint32) bool {
	next, lo, hi, ok, complete := firstCodes(&c.count)
	if !ok {
		return false
	}
	if !complete {
		// No code or a single code of length 1: compress/flate reads the
		// bits of the shortest code (if any) and stops there.
		need := max(uint32(lo), floor)
		table[0] = kindInvalid<<4 | need<<entryNeedShift | need
	}
	// Codes of at most tb bits, one length at a time: each of the
	// strings of a length one less continues with both bits, then the
	// codes of this length are placed. table[:size] maps every string of
	// fewer bits than the codes placed so far; for the shortest codes, if
	// longer than 1 bit, there is nothing to continue: the strings of
	// their length that they do not cover start longer codes, a complete
	// code being the only one with codes of 2 bits or more.
	size := uint(1) << max(lo, 1) >> 1
	for n := max(lo, 1); n <= min(hi, tb); n++ {
		if n > lo || n == 1 {
			double(table, size)
		}
		size *= 2
		place(table, c.sym[n][:c.count[n]], entries, next[n], uint32(n), floor)
	}
	for ; size < uint(len(table)); size *= 2 {
		double(table, size)
	}
	if hi > tb {
		// The codes longer than tb bits: in long, where index[n] counts
		// those shorter than n bits, and their first tb bits link there.
		k := uint32(0)
		for n := range long.count {
			long.first[n], long.count[n], long.index[n] = next[n], 0, k
			if uint(n) > tb {
				long.count[n] = c.count[n]
				k += c.count[n]
			}
		}
		k = 0
		for n := tb + 1; n <= hi; n++ {
			code := next[n]
			for _, s := range c.sym[n][:c.count[n]] {
				long.entries[k] = entryOf(entries[s], uint32(n), floor)
				p := code >> (n - tb)
				table[bits.Reverse16(uint16(p))>>(16-tb)] = kindInvalid<<4 | entryLink | p<<16
				code++
				k++
			}
		}
	}
	return true
}

// double copies table[:size] to table[size:2*size].
func double(table []uint32, size uint) {
	if size < 16 { // for fewer bytes than a call of memmove costs
		for i, e := range table[:size] {
			table[size+uint(i)] = e
		}
		return
	}
	copy(table[size:2*size], table[:size])
}

// place sets the entries of table for the codes of n bits (at most
// litBits), the first being code, of the symbols syms (in this order);
// they are entryOf(entries[s], n, floor). (Inlined, its loop gets
// spills.)
//
//go:noinline
func place(table []uint32, syms []uint16, entries []uint32, code, n, floor uint32) {
	add := max(n, floor)<<entryNeedShift | n
	// The codes as litBits bits, as reversed takes them.
	c, step := code<<(litBits-n), uint32(1)<<(litBits-n)
	for _, s := range syms {
		table[reversed[c&(1<<litBits-1)]] = entries[s] | add
		c += step
	}
}

// reversed[c] is c with its litBits bits in reverse order.
var reversed = func() (r [1 << litBits]uint16) {
	for c := range r {
		r[c] = bits.Reverse16(uint16(c)) >> (16 - litBits)
	}
	return r
}()

// firstCodes returns, for the canonical Huffman code with count[n] codes
// of n bits (1 ≤ n ≤ 15; count[0] does not count), the first code of
// each length (beyond the longest codes, the codes that would follow),
// the lengths of the shortest and the longest code (0 if there is none),
// whether compress/flate accepts it (see buildTable) and whether it is
// complete.
func firstCodes(count *[16]uint32) (next [16]uint32, lo, hi uint, ok, complete bool) {
	code := uint32(0)
	used := uint32(0) // bit n: there are codes of n bits
	for n := 1; n < 16; n++ {
		code <<= 1
		next[n] = code
		code += count[n]
		if count[n] != 0 {
			used |= 1 << n
		}
	}
	// code is the first code of the longest codes plus their number,
	// shifted by the bits they have less than 15.
	lo = uint(bits.TrailingZeros32(used)) & 31
	hi = uint(max(bits.Len32(used), 1)) - 1
	complete = code == 1<<15
	return next, lo, hi, complete || hi <= 1 && code <= 1<<14, complete
}

// entryOf returns the entry of a code of n bits for the symbol whose
// entry without its lengths is e.
func entryOf(e, n, floor uint32) uint32 {
	return e | max(n, floor)<<entryNeedShift | n
}
