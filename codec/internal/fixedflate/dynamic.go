package fixedflate

import "slices"

// Writing the block: the fixed-Huffman block, or a dynamic-Huffman block
// when that is shorter in whole bytes (package documentation, "Block").

const (
	maxCodeBits   = 15 // longest literal/length or distance code
	maxCLCodeBits = 7  // longest code of the code-length alphabet
	numLitLen     = 286
	numDist       = 30
	numCL         = 19
)

// clOrder is the order in which the code lengths of the code-length
// alphabet are written (RFC 1951 §3.2.7).
var clOrder = [numCL]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// atLeastTwo gives frequency 1 to the smallest symbols of frequency 0 until
// at least two symbols have a non-zero frequency.
func atLeastTwo(freq []int) {
	used := 0
	for _, f := range freq {
		if f > 0 {
			used++
		}
	}
	for s := 0; used < 2 && s < len(freq); s++ {
		if freq[s] == 0 {
			freq[s] = 1
			used++
		}
	}
}

// pmScratch holds the buffers of codeLengths, reused between calls.
type pmScratch struct {
	leaves  []pmLeaf
	cur     []int  // weights of the items of the current list
	next    []int  // weights of the items of the list being made
	isLeaf  []bool // the kinds of the items of every list, list after list
	listLen []int  // the length of every list
}

type pmLeaf struct{ weight, sym int }

// codeLengths sets lengths[s] to the code length of symbol s for a code
// of at most limit bits that minimises the sum of freq[s]·lengths[s]: the
// package-merge algorithm, with every tie broken as SPEC.md §4.7 says. At
// least two frequencies must be non-zero.
//
// Rather than following packages down to their leaves, it uses two facts:
// the leaves of any list appear in their own order, and the packages of a
// list in the order they were made, package i holding items 2i and 2i+1 of
// the list below. So the items taken from each list are a prefix of it:
// when the first m items of a list hold l leaves and p packages, those are
// the first l leaves, and the first 2p items of the list below are taken.
// A symbol's code length is the number of lists whose taken leaves include
// it.
func (sc *pmScratch) codeLengths(freq []int, limit int, lengths []uint8) {
	clear(lengths)
	leaves := sc.leaves[:0]
	for s, f := range freq {
		if f > 0 {
			leaves = append(leaves, pmLeaf{f, s})
		}
	}
	// By weight, then by symbol (a stable sort keeps symbol order).
	slices.SortStableFunc(leaves, func(x, y pmLeaf) int { return x.weight - y.weight })
	n := len(leaves)
	cur, isLeaf, listLen := sc.cur[:0], sc.isLeaf[:0], sc.listLen[:0]
	for _, l := range leaves {
		cur = append(cur, l.weight)
		isLeaf = append(isLeaf, true)
	}
	listLen = append(listLen, n)
	next := sc.next[:0]
	for level := 1; level < limit; level++ {
		// Package adjacent pairs, then merge the packages into the
		// leaves by weight, a leaf before a package of equal weight.
		next = next[:0]
		li := 0
		for i := 0; i+1 < len(cur); i += 2 {
			w := cur[i] + cur[i+1]
			for li < n && leaves[li].weight <= w {
				next = append(next, leaves[li].weight)
				isLeaf = append(isLeaf, true)
				li++
			}
			next = append(next, w)
			isLeaf = append(isLeaf, false)
		}
		for ; li < n; li++ {
			next = append(next, leaves[li].weight)
			isLeaf = append(isLeaf, true)
		}
		listLen = append(listLen, len(next))
		if slices.Equal(next, cur) {
			// Equal weights mean equal kinds (the leaves are the same
			// and a list is fixed by its weights), so every later list
			// is this one again.
			for range limit - 1 - level {
				isLeaf = append(isLeaf, isLeaf[len(isLeaf)-len(next):]...)
				listLen = append(listLen, len(next))
			}
			cur, next = next, cur
			break
		}
		cur, next = next, cur
	}
	// From the last list down: take its first 2n-2 items.
	take, end := 2*n-2, len(isLeaf)
	for j := len(listLen) - 1; j >= 0 && take > 0; j-- {
		kinds := isLeaf[end-listLen[j] : end]
		end -= listLen[j]
		l := 0
		for _, leaf := range kinds[:take] {
			if leaf {
				l++
			}
		}
		for _, lf := range leaves[:l] {
			lengths[lf.sym]++
		}
		take = 2 * (take - l)
	}
	sc.leaves, sc.cur, sc.next, sc.isLeaf, sc.listLen = leaves, cur, next, isLeaf, listLen
}

// canonical sets codes to the codes of RFC 1951 §3.2.2 for lengths,
// bit-reversed for writing least significant bit first.
func canonical(lengths []uint8, codes []code) {
	var count, next [maxCodeBits + 2]uint32
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	c := uint32(0)
	for b := 1; b <= maxCodeBits; b++ {
		c = (c + count[b-1]) << 1
		next[b] = c
	}
	for s, l := range lengths {
		codes[s] = code{}
		if l != 0 {
			codes[s] = code{reverse(next[l], uint32(l)), uint32(l)}
			next[l]++
		}
	}
}

// clItem is one symbol of the code-length alphabet with its repeat count
// (the value its extra bits carry: 16: 3–6, 17: 3–10, 18: 11–138).
type clItem struct {
	sym    uint8
	repeat uint8
}

var clExtra = [numCL]uint32{16: 2, 17: 3, 18: 7}
var clRepeatBase = [numCL]uint8{16: 3, 17: 3, 18: 11}

// runLengths codes the sequence of code lengths seq with the code-length
// alphabet, greedily from the left (package documentation).
func runLengths(out []clItem, seq []uint8) []clItem {
	for i := 0; i < len(seq); {
		v := seq[i]
		r := 1
		for i+r < len(seq) && seq[i+r] == v {
			r++
		}
		switch {
		case v == 0 && r >= 11:
			k := min(r, 138)
			out = append(out, clItem{18, uint8(k)})
			i += k
		case v == 0 && r >= 3:
			out = append(out, clItem{17, uint8(r)})
			i += r
		case v != 0 && r >= 4:
			out = append(out, clItem{v, 0})
			i++
			for rest := r - 1; rest >= 3; {
				k := min(rest, 6)
				out = append(out, clItem{16, uint8(k)})
				i += k
				rest -= k
			}
		default:
			out = append(out, clItem{v, 0})
			i++
		}
	}
	return out
}

// writeBlock appends the block holding toks (the parse of src) to dst: the
// dynamic-Huffman block when it takes fewer bytes than the fixed-Huffman
// one, otherwise the fixed-Huffman block.
func writeBlock(dst []byte, toks []token, src []byte, p *dynPlan) []byte {
	if !p.plan(toks) || p.bytes >= p.fixedBytes {
		return encode(dst, toks, src)
	}
	return p.write(dst, toks)
}

// dynPlan is a dynamic-Huffman block for a parse, and the sizes in bytes
// of it and of the fixed-Huffman block. Its buffers are reused.
type dynPlan struct {
	litLenA         [numLitLen]uint8
	distLenA        [numDist]uint8
	litLen, distLen []uint8 // the first HLIT and HDIST of them
	clLen           [numCL]uint8
	hclen           int
	items           []clItem
	seq             []uint8
	bytes           int
	fixedBytes      int
	pm              pmScratch
	lit             [numLitLen]code
	dist            [numDist]code
	cl              [numCL]code
}

// plan makes the dynamic block of toks; it returns false for no tokens.
func (p *dynPlan) plan(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	var litFreq [numLitLen]int
	var distFreq [numDist]int
	fixedBits := 3 + int(litCodes[256].n)
	extraBits := 0 // extra bits of lengths and distances, the same in both blocks
	for _, t := range toks {
		if t.isMatch() {
			l, d := t.length(), t.dist()
			ls, ds := int(lenSym[l]), distSym(d)
			litFreq[257+ls]++
			distFreq[ds]++
			fixedBits += int(litCodes[257+ls].n) + 5
			extraBits += int(lenExtra[ls]) + int(distExtra(ds))
		} else {
			litFreq[t&0xff]++
			fixedBits += int(litCodes[t&0xff].n)
		}
	}
	litFreq[256]++
	// Code lengths from the frequencies, made to count at least two
	// symbols in each alphabet; the size from the real frequencies.
	litF, distF := litFreq, distFreq
	atLeastTwo(litF[:])
	atLeastTwo(distF[:])
	litLen, distLen := p.litLenA[:], p.distLenA[:]
	p.pm.codeLengths(litF[:], maxCodeBits, litLen)
	p.pm.codeLengths(distF[:], maxCodeBits, distLen)
	hlit := numLitLen
	for hlit > 257 && litLen[hlit-1] == 0 {
		hlit--
	}
	hdist := numDist
	for hdist > 1 && distLen[hdist-1] == 0 {
		hdist--
	}
	p.litLen, p.distLen = litLen[:hlit], distLen[:hdist]
	p.seq = append(append(p.seq[:0], p.litLen...), p.distLen...)
	p.items = runLengths(p.items[:0], p.seq)
	var clFreq [numCL]int
	for _, it := range p.items {
		clFreq[it.sym]++
	}
	atLeastTwo(clFreq[:])
	p.pm.codeLengths(clFreq[:], maxCLCodeBits, p.clLen[:])
	p.hclen = numCL
	for p.hclen > 4 && p.clLen[clOrder[p.hclen-1]] == 0 {
		p.hclen--
	}
	dynBits := 3 + 5 + 5 + 4 + 3*p.hclen
	for _, it := range p.items {
		dynBits += int(p.clLen[it.sym]) + int(clExtra[it.sym])
	}
	for s, f := range litFreq {
		dynBits += f * int(litLen[s])
	}
	for s, f := range distFreq {
		dynBits += f * int(distLen[s])
	}
	p.bytes = (dynBits + extraBits + 7) / 8
	p.fixedBytes = (fixedBits + extraBits + 7) / 8
	return true
}

// write appends the dynamic-Huffman block of toks to dst.
func (p *dynPlan) write(dst []byte, toks []token) []byte {
	items, clLen, hclen := p.items, p.clLen[:], p.hclen
	lit, dist, cl := p.lit[:len(p.litLen)], p.dist[:len(p.distLen)], p.cl[:]
	canonical(p.litLen, lit)
	canonical(p.distLen, dist)
	canonical(clLen, cl)
	w := bitWriter{dst: slices.Grow(dst, p.bytes+4)}
	w.put(1|2<<1, 3) // BFINAL = 1, BTYPE = 10
	w.put(uint32(len(p.litLen)-257), 5)
	w.put(uint32(len(p.distLen)-1), 5)
	w.put(uint32(hclen-4), 4)
	for _, s := range clOrder[:hclen] {
		w.put(uint32(clLen[s]), 3)
	}
	for _, it := range items {
		w.putCode(cl[it.sym])
		if n := clExtra[it.sym]; n > 0 {
			w.put(uint32(it.repeat-clRepeatBase[it.sym]), n)
		}
	}
	for _, t := range toks {
		if !t.isMatch() {
			w.putCode(lit[t&0xff])
			continue
		}
		l, d := t.length(), t.dist()
		ls, ds := int(lenSym[l]), distSym(d)
		w.putCode(lit[257+ls])
		if n := uint32(lenExtra[ls]); n > 0 {
			w.put(uint32(l-int(lenBase[ls])), n)
		}
		w.putCode(dist[ds])
		if n := distExtra(ds); n > 0 {
			w.put(uint32(d-int(distBase[ds])), n)
		}
	}
	w.putCode(lit[256])
	return w.flush()
}
