package detflate

import (
	"math"
	"slices"
)

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
			if used++; used == 2 {
				return
			}
		}
	}
	for s := 0; used < 2 && s < len(freq); s++ {
		if freq[s] == 0 {
			freq[s] = 1
			used++
		}
	}
}

// pmScratch holds the buffers of codeLengths, reused between calls. Its
// arrays are sized for the largest alphabet: k ≤ numLitLen leaves, lists of
// at most 2k − 1 items (a list has the k leaves and half the items of the
// list below, rounded down) holding at most k − 1 packages.
type pmScratch struct {
	leaves [numLitLen]uint64              // weight<<9 | symbol, sorted
	tmp    [numLitLen]uint64              // for sorting them
	weight [numLitLen + 1]int             // the weights of leaves, in the same order, then a sentinel
	list   [2 * numLitLen]int             // the weights of the items of the newest list
	pkg    [numLitLen]int                 // the weights of the packages of the newest list
	pkgPos [maxCodeBits][numLitLen]uint16 // pkgPos[j]: where the packages of list j+1 stand in it
	npkg   [maxCodeBits]int               // npkg[j]: the number of packages of list j+1
}

// codeLengths sets lengths[s] to the code length of symbol s for a code
// of at most limit bits that minimises the sum of freq[s]·lengths[s]: the
// package-merge algorithm, with every tie broken as SPEC.md Appendix E says. At
// least two frequencies must be non-zero; freq has at most numLitLen
// symbols and limit is at most maxCodeBits.
//
// Rather than following packages down to their leaves, it uses two facts:
// the leaves of any list appear in their own order, and the packages of a
// list in the order they were made, package i holding items 2i and 2i+1 of
// the list below. So the items taken from each list are a prefix of it:
// when the first m items of a list hold l leaves and p packages, those are
// the first l leaves, and the first 2p items of the list below are taken.
// A symbol's code length is the number of lists whose taken leaves include
// it. Of each list it keeps only where its packages stand, which is all
// that counting needs, and the weights of the newest one.
//
// A list is made in place of the one before, from the first package that
// changed: successive lists share a prefix that grows quickly (the light
// packages, made of light items, are settled first), and once no package
// changes, every later list is the same.
func (sc *pmScratch) codeLengths(freq []int, limit int, lengths []uint8) {
	leaves, weight := sc.sortedLeaves(freq)
	lists := sc.makeLists(weight, limit)
	sc.assignLengths(leaves, limit, lists, lengths)
}

// sortedLeaves returns the symbols of non-zero frequency in freq, sorted by
// weight and then by symbol (each as weight<<9 | symbol), and their
// weights followed by math.MaxInt.
func (sc *pmScratch) sortedLeaves(freq []int) (leaves []uint64, weight []int) {
	// The leaves by weight, then by symbol.
	// (Each symbol is stored, and kept when its frequency is not 0: a
	// branch would be mispredicted often.)
	n := 0
	for s, f := range freq {
		sc.leaves[n] = uint64(f)<<9 | uint64(s)
		n += oneIf(f > 0)
	}
	leaves = sc.leaves[:n]
	sortLeaves(leaves, sc.tmp[:])
	weight = sc.weight[:n+1]
	for i, l := range leaves {
		weight[i] = int(l >> 9)
	}
	weight[n] = math.MaxInt // ends the leaves in a merge
	return leaves, weight
}

// makeLists makes the lists of package-merge, one after the other in place
// (see codeLengths), for the leaves of the given weights (the last one
// math.MaxInt), recording where each list's packages stand in
// sc.pkgPos and sc.npkg. It returns how many lists differ; those after
// them repeat the last one.
func (sc *pmScratch) makeLists(weight []int, limit int) int {
	n := len(weight) - 1
	// The first list is the leaves, without packages.
	list := append(sc.list[:0], weight[:n]...)
	sc.npkg[0] = 0
	np := 0        // packages of the newest list, list j
	same := 0      // the newest list and the one before agree on their first same items
	lists := limit // lists made; those after them repeat the last one
	for j := 1; j < limit; j++ {
		// The packages of list j+1: adjacent pairs of list j. Those
		// of pairs within the first same items are those of list j;
		// q is the first that may differ.
		pkg, np2 := sc.pkg[:], len(list)/2
		q := min(same/2, np)
		for q < np && pkg[q] == list[2*q]+list[2*q+1] {
			q++
		}
		if q == np && np2 == np {
			// List j+1 would be list j again, and so on.
			lists = j
			break
		}
		for i := q; i < np2; i++ {
			pkg[i] = list[2*i] + list[2*i+1]
		}
		np = np2
		// List j+1: the leaves and these packages merged by weight, a
		// leaf before a package of equal weight. Up to package q-1 it
		// is list j; from there it is made again.
		pos := sc.pkgPos[j][:np]
		copy(pos[:q], sc.pkgPos[j-1][:q])
		o := 0
		if q > 0 {
			o = int(pos[q-1]) + 1
		}
		same = o
		list = sc.list[:n+np]
		li := o - q
		for i := q; i < np; i++ {
			w := pkg[i]
			for weight[li] <= w {
				list[o] = weight[li]
				o++
				li++
			}
			pos[i] = uint16(o)
			list[o] = w
			o++
		}
		copy(list[o:], weight[li:n])
		sc.npkg[j] = np
	}
	return lists
}

// assignLengths sets the code lengths from the lists made by makeLists:
// it takes the first 2n-2 items of the last list and follows the packages
// taken down to the first list.
func (sc *pmScratch) assignLengths(leaves []uint64, limit, lists int, lengths []uint8) {
	n := len(leaves)
	// From the last list down: take its first 2n-2 items. taken[l] counts
	// the lists whose taken items hold exactly the first l leaves.
	var taken [numLitLen + 1]uint8
	take := 2*n - 2
	for j := limit - 1; j >= 0 && take > 0; j-- {
		k := min(j, lists-1)
		pos := sc.pkgPos[k][:sc.npkg[k]]
		// p: the packages among the first take items (pos is
		// increasing), found by binary search.
		p, hi := 0, len(pos)
		for p < hi {
			m := int(uint(p+hi) >> 1)
			if int(pos[m]) < take {
				p = m + 1
			} else {
				hi = m
			}
		}
		taken[take-p]++
		take = 2 * p
	}
	// The leaf of rank i occurs in every list that took more than i
	// leaves.
	clear(lengths)
	c := uint8(0)
	for i := n - 1; i >= 0; i-- {
		c += taken[i+1]
		lengths[leaves[i]&511] = c
	}
}

// oneIf returns 1 if c, otherwise 0, without a branch.
func oneIf(c bool) int {
	if c {
		return 1
	}
	return 0
}

// sortLeaves sorts leaves, weight<<9 | symbol in the order of the symbols
// (below 512), by weight, stably: by weight, then by symbol. A few are
// sorted by insertion, more by a radix sort on the bytes of the weights,
// using tmp, as long as leaves.
func sortLeaves(leaves, tmp []uint64) {
	if len(leaves) <= 32 {
		for i := 1; i < len(leaves); i++ {
			l, j := leaves[i], i
			for ; j > 0 && leaves[j-1] > l; j-- {
				leaves[j] = leaves[j-1]
			}
			leaves[j] = l
		}
		return
	}
	var heaviest uint64
	for _, l := range leaves {
		heaviest = max(heaviest, l)
	}
	src, dst := leaves, tmp[:len(leaves)]
	for shift := 9; heaviest>>shift != 0; shift += 8 {
		// A stable counting sort on the byte of the weights at shift,
		// whose values go up to top.
		var start [256]uint16
		top := min(heaviest>>shift, 255)
		for _, l := range src {
			start[uint8(l>>shift)]++
		}
		sum := uint16(0)
		for b, c := range start[:top+1] {
			start[b] = sum
			sum += c
		}
		for _, l := range src {
			b := uint8(l >> shift)
			dst[start[b]] = l
			start[b]++
		}
		src, dst = dst, src
	}
	copy(leaves, src) // nothing to do when src is leaves
}

// canonical sets codes to the codes of RFC 1951 §3.2.2 for lengths,
// bit-reversed for writing least significant bit first.
func canonical(lengths []uint8, codes []code) {
	// Symbols of length 0, often most, are skipped rather than counted
	// (they come in runs, so the branch is well predicted, while
	// increments of the same count wait for each other).
	var count, next [maxCodeBits + 1]uint32
	for _, l := range lengths {
		if l != 0 {
			count[l]++
		}
	}
	c := uint32(0)
	for b := 1; b <= maxCodeBits; b++ {
		c = (c + count[b-1]) << 1
		next[b] = c
	}
	clear(codes[:len(lengths)])
	for s, l := range lengths {
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
			// Symbol v once, and so at each step to the end of this
			// short run: the whole run at once.
			for range r {
				out = append(out, clItem{v, 0})
			}
			i += r
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
	for _, t := range toks {
		if t.isMatch() {
			litFreq[257+int(lenSym[t.length()])]++
			distFreq[distSym(t.dist())]++
		} else {
			litFreq[t&0xff]++
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
	// The codes of the tokens in both blocks (the fixed ones with the
	// 3 header bits), and their extra bits, the same in both.
	fixedBits, extraBits := 3, 0
	for s, f := range litFreq {
		dynBits += f * int(litLen[s])
		fixedBits += f * int(litCodes[s].n)
	}
	for i, f := range litFreq[257:] {
		extraBits += f * int(lenExtra[i])
	}
	for s, f := range distFreq {
		dynBits += f * int(distLen[s])
		fixedBits += f * 5
		extraBits += f * int(distExtra(s))
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
	// The block's size is known: with the 8 bytes putTokens needs.
	w := bitWriter{dst: slices.Grow(dst, p.bytes+8)}
	w.put(1|2<<1, 3) // BFINAL = 1, BTYPE = 10
	w.put(uint32(len(p.litLen)-257), 5)
	w.put(uint32(len(p.distLen)-1), 5)
	w.put(uint32(hclen-4), 4)
	for _, s := range clOrder[:hclen] {
		w.put(uint32(clLen[s]), 3)
	}
	for _, it := range items {
		c := cl[it.sym]
		w.put(c.bits|uint32(it.repeat-clRepeatBase[it.sym])<<c.n, c.n+clExtra[it.sym])
	}
	w.putTokens(toks, lit, dist)
	w.putCode(lit[256])
	return w.flush()
}
