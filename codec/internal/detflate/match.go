package detflate

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// A token is a literal byte (bit 31 clear, value in the low 8 bits) or a
// match (bit 31 set, length in bits 16..24, distance in bits 0..15 plus
// one bit: distances reach 32768, so the distance is stored as d-1).
type token uint32

const matchFlag token = 1 << 31

func literalToken(b byte) token { return token(b) }

func matchToken(length, dist int) token {
	return matchFlag | token(length)<<16 | token(dist-1)
}

func (t token) isMatch() bool { return t&matchFlag != 0 }
func (t token) length() int   { return int(t>>16) & 0x1ff }
func (t token) dist() int     { return int(t&0xffff) + 1 }

const (
	hashBits   = 15 // the hash of a position's prefix has this many bits
	minSrcBits = 8  // smallest table for the chains of the input's positions
)

func hash3(w []byte, q int) uint32 {
	return hash24(uint32(w[q]) | uint32(w[q+1])<<8 | uint32(w[q+2])<<16)
}

// hash24 is hash3 of the 3 bytes in the low bits of v (little-endian);
// the byte above them, if any, does not count.
func hash24(v uint32) uint32 {
	return ((v & 0xffffff) * 0x9E3779B1) >> (32 - hashBits)
}

// dictLevels are the prefix lengths of a dictionary's chain levels, and
// dictReach the greatest of them. A walk visits the positions that share
// the level's prefix with the current one, looking for one more byte than
// the best match so far: every length to 8 and close steps after it keep
// the positions that share the prefix but not that byte few (the A/V
// text item against the registry text compresses about 15% faster than
// with the levels 3, 4, 6, 8, 12, 16, 24, 32; 18 and 22 take a fifth of
// the walks' steps off).
var dictLevels = [...]int{3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64}

const dictReach = 64

// hashN returns the hash of the k bytes of w at q (q+k <= len(w)), k one
// of dictLevels; hashN(w, q, 3) is hash3(w, q).
func hashN(w []byte, q, k int) uint32 {
	if k == 3 {
		return hash3(w, q)
	}
	var v uint64
	if k <= 8 {
		if q+8 <= len(w) {
			v = binary.LittleEndian.Uint64(w[q:]) << (64 - 8*k)
		} else {
			for i := range k {
				v |= uint64(w[q+i]) << (64 - 8*k + 8*i)
			}
		}
	} else {
		v = binary.LittleEndian.Uint64(w[q:])
		for off := 8; off < k; off += 8 {
			v = v*0x9E3779B97F4A7C15 ^ binary.LittleEndian.Uint64(w[q+min(off, k-8):])
		}
	}
	return uint32((v * 0x9E3779B97F4A7C15) >> (64 - hashBits))
}

// dictIndex holds the hash chains of a dictionary's positions q with
// q+dictReach <= len(dict), one set of chains per level: level i chains
// them by the hash of their first dictLevels[i] bytes. It is read-only
// once built, so the chains of SDPDictionary are built once and shared.
//
// Level 0 (3 bytes) holds every candidate of a match. A search that has a
// match of length best already need only visit the positions sharing
// best+1 bytes with the current position, which all lie on the chain of
// any level k <= best+1, a far shorter chain than level 0's when k is
// large.
type dictIndex struct {
	dict   []byte
	fixed  bool // SDPDictionary or a dictionary given to Share: its content never changes
	built  int  // levels 0 to built-1 are built (a one-off dictionary gets level 0 only)
	levels [len(dictLevels)]chains
}

// chains are a level's chains, each one run of at: the positions of hash
// h, each as 1 + the position, are at[start[h]:], the nearest (greatest)
// first, up to a 0 that ends the run (at[0] is the run of every hash no
// position has), so that a walk reads consecutive entries rather than one
// far entry a step, and one comparison stops it at the run's end or the
// window's; rank[q] is q's index in at, where a walk that moves to this
// level from q goes on, without hashing cur again (q shares the level's
// prefix with cur, so it is on cur's run). uint16: a dictionary index
// holds at most WindowSize-dictReach+1 positions (its dictionary is cut to
// the window), so at has fewer than 1<<16 entries with its 0s.
type chains struct {
	start []uint16 // 1<<hashBits entries
	at    []uint16
	rank  []uint16
}

// newChains builds the chains of the positions q of dict with
// q+dictReach <= len(dict), by the hash of their first k bytes.
func newChains(dict []byte, k int) chains {
	n := max(len(dict)-dictReach+1, 0)
	hs := make([]uint16, n)
	next := make([]int32, 1<<hashBits) // per hash: its count, then its run's next free entry
	for q := range n {
		h := hashN(dict, q, k)
		hs[q] = uint16(h)
		next[h]++
	}
	ch := chains{start: make([]uint16, 1<<hashBits), rank: make([]uint16, len(dict))}
	total := int32(1) // at[0]: the empty run
	for h, c := range next {
		if c > 0 {
			ch.start[h], next[h] = uint16(total), total
			total += c + 1 // the run and its 0
		}
	}
	ch.at = make([]uint16, total)
	// From the last position down, each goes to the next free entry of
	// its run: the runs hold their positions in decreasing order.
	for q := n - 1; q >= 0; q-- {
		h := hs[q]
		ch.at[next[h]], ch.rank[q] = uint16(q+1), uint16(next[h])
		next[h]++
	}
	return ch
}

// levelOf[k] is the greatest level whose prefix is at most k bytes, for
// k from minMatch to dictReach: a lookup, where a loop over the levels
// took a step per level.
var levelOf = func() (t [dictReach + 1]uint8) {
	for k := range t {
		for i, lk := range dictLevels {
			if lk <= k {
				t[k] = uint8(i)
			}
		}
	}
	return t
}()

// levelFor returns the greatest built level whose prefix is at most k
// bytes (k >= minMatch).
func (di *dictIndex) levelFor(k int) int {
	return min(int(levelOf[min(k, dictReach)]), di.built-1)
}

func newDictIndex(dict []byte) *dictIndex {
	return newDictIndexLevels(dict, len(dictLevels))
}

// newDictIndexLevels builds the chains of the first n levels. Level 0
// alone gives the same matches (every candidate is on its chains), only
// with longer walks: the index of a dictionary used once, for a short
// input, where building every level would cost more than the walks save.
func newDictIndexLevels(dict []byte, n int) *dictIndex {
	if len(dict) > WindowSize {
		panic("detflate: a dictionary index of more than WindowSize bytes")
	}
	di := &dictIndex{dict: dict, built: n}
	for i, k := range dictLevels[:n] {
		di.levels[i] = newChains(dict, k)
	}
	return di
}

var (
	sdpIndexOnce sync.Once
	sdpIndex     *dictIndex
)

// indexFor returns the chains of dict: shared for SDPDictionary and the
// dictionaries given to Share, built anew for any other dictionary (only
// level 0 when the input is short).
func indexFor(dict []byte, srcLen int) *dictIndex {
	if len(dict) > 0 && len(dict) == len(SDPDictionary) && &dict[0] == &SDPDictionary[0] {
		sdpIndexOnce.Do(func() {
			sdpIndex = newDictIndex(SDPDictionary)
			sdpIndex.fixed = true
		})
		return sdpIndex
	}
	if di := sharedIndex(dict); di != nil {
		return di
	}
	if srcLen < oneOffInput {
		return newDictIndexLevels(dict, 1)
	}
	return newDictIndex(dict)
}

// oneOffInput is the input length below which a dictionary that is not
// shared gets level 0 of its chains only.
const oneOffInput = 4096

var shared struct {
	sync.Mutex
	list []*dictIndex
}

// Share builds the chains of dict once and keeps them for every later
// Compress with this very dictionary (the same slice: same first byte and
// length; its content must not change). The result of Compress does not
// depend on it.
func Share(dict []byte) {
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	if len(dict) == 0 || sharedIndex(dict) != nil {
		return
	}
	di := newDictIndex(dict)
	di.fixed = true
	shared.Lock()
	shared.list = append(shared.list, di)
	shared.Unlock()
}

func sharedIndex(dict []byte) *dictIndex {
	shared.Lock()
	defer shared.Unlock()
	for _, di := range shared.list {
		if len(di.dict) == len(dict) && &di.dict[0] == &dict[0] {
			return di
		}
	}
	return nil
}

// compressor holds the reusable buffers of one compression.
//
// The match search uses hash chains. Every earlier position whose first
// 3 bytes equal the current position's is on a chain that is walked
// (other positions may be too, because of hash collisions, and are
// rejected by the byte comparison), and the chains are walked from the
// nearest position to the farthest: first the positions from
// base = max(len(dict)-dictReach+1, 0) on (3-byte chains built per call),
// then the dictionary's own positions (dictIndex, built once per
// dictionary), where the walk moves to the chain of a longer prefix as
// soon as the match found so far allows it. So the first position reaching
// a given length has the smallest distance. The walk stops only when the
// window limit is passed or when the length cannot grow any more, so the
// result is exactly that of an exhaustive search.
type compressor struct {
	w     []byte // dict ‖ src
	wDict []byte // a fixed dictionary (dictIndex.fixed) w starts with, or nil
	di    *dictIndex
	base  int     // first position whose chains are built per call
	head  []int32 // (hash >> srcShift) -> 1 + most recent position >= base, 0 for none
	prev  []int32 // position-base -> 1 + previous position >= base on the chain, 0 for none
	toks  []token
	dyn   dynPlan // the dynamic block's buffers

	srcShift uint
	inserted int // positions in [base, inserted) are on the chains
	shift    int // the dictionary index's position of W's first byte (tokenizeSplit)
}

func (c *compressor) release() {
	// Keep buffers for reuse, but drop very large ones.
	if cap(c.w) > 1<<20 {
		c.w, c.prev, c.wDict = nil, nil, nil
	}
	if cap(c.toks) > 1<<20 {
		c.toks = nil
	}
	c.di = nil
}

// insertUpTo puts every position q < end (with 3 bytes available) from base
// on on the hash chains. Per call it chains the whole of an offer's
// skeleton text for an answer (CompressSplit), so the loop reads each
// position's 3 bytes in one 4-byte load where it can and keeps its slices
// in locals (no bounds check on prev).
func (c *compressor) insertUpTo(end int) {
	end = min(end, len(c.w)-minMatch+1)
	start := c.inserted
	if end <= start {
		return
	}
	c.inserted = end
	w, head, shift := c.w, c.head, c.srcShift
	prev := c.prev[start-c.base : end-c.base]
	fast := min(end, len(w)-3) // positions with 4 bytes available
	q := start
	for ; q < fast; q++ {
		h := hash24(binary.LittleEndian.Uint32(w[q:])) >> shift
		prev[q-start] = head[h]
		head[h] = int32(q + 1)
	}
	for ; q < end; q++ {
		h := hash3(w, q) >> shift
		prev[q-start] = head[h]
		head[h] = int32(q + 1)
	}
}

// matchLen returns the number of equal leading bytes of w[a:] and w[b:],
// at most max. The caller guarantees b+max <= len(w) and a < b.
func matchLen(w []byte, a, b, max int) int {
	l := 0
	for l+8 <= max {
		x := binary.LittleEndian.Uint64(w[a+l:]) ^ binary.LittleEndian.Uint64(w[b+l:])
		if x != 0 {
			return l + bits.TrailingZeros64(x)>>3
		}
		l += 8
	}
	for l < max && w[a+l] == w[b+l] {
		l++
	}
	return l
}

// longest returns the longest match at position cur of W (cur = n+p), with
// the smallest distance among those of that length, provided its length is
// greater than atLeast; otherwise it returns length 0. With atLeast = 2 the
// result is longest(p) of the specification (length 0 meaning no match).
// When atLeast > 2 the result, if not 0, is still exactly longest(p),
// because the matches it skips are all shorter than the one it returns.
func (c *compressor) longest(cur, atLeast int) (length, dist int) {
	w := c.w
	maxLen := min(len(w)-cur, maxMatch)
	if maxLen <= atLeast || maxLen < minMatch {
		return 0, 0
	}
	c.insertUpTo(cur)
	minPos := cur - WindowSize
	best, bestPos := atLeast, -1
	// A longer match must agree at index best (best < maxLen, so
	// cur+best < len(w)).
	for e := c.head[hash3(w, cur)>>c.srcShift]; e != 0; e = c.prev[int(e-1)-c.base] {
		q := int(e - 1)
		if q < minPos {
			return found(best, bestPos, cur)
		}
		if w[q+best] != w[cur+best] {
			continue
		}
		if l := matchLen(w, q, cur, maxLen); l > best {
			best, bestPos = l, q
			if l == maxLen {
				return found(best, bestPos, cur)
			}
		}
	}
	// The dictionary, on the chains of the longest prefix that every
	// position able to beat best shares with cur (at least best+1 bytes).
	lvl := c.di.levelFor(min(best+1, maxLen))
	lv := &c.di.levels[lvl]
	// The index's positions are c.shift more than W's (CompressSplit):
	// one before W's start is outside the window, as are all after it.
	// An entry is 1 + a position: it is at most minPos when the position
	// is before the window, and so is the 0 that ends a run.
	minPos = max(minPos, 0) + c.shift
	at := lv.at
	for i := int(lv.start[hashN(w, cur, dictLevels[lvl])]); ; {
		qi1 := int(at[i])
		if qi1 <= minPos {
			break
		}
		i++
		q := qi1 - 1 - c.shift
		if w[q+best] != w[cur+best] {
			continue
		}
		l := matchLen(w, q, cur, maxLen)
		if l <= best {
			continue
		}
		best, bestPos = l, q
		if l == maxLen {
			break
		}
		// q shares its first l bytes with cur, so it is on the chain of
		// every level k <= l, cur's chain at that level: go on after it
		// on the longest such chain.
		if lvl+1 < c.di.built && dictLevels[lvl+1] <= l {
			lvl = c.di.levelFor(l)
			lv = &c.di.levels[lvl]
			at, i = lv.at, int(lv.rank[qi1-1])+1
		}
	}
	return found(best, bestPos, cur)
}

// found is the result of longest: (best, the distance of bestPos), or 0
// and 0 if no match was found.
func found(best, bestPos, cur int) (length, dist int) {
	if bestPos < 0 {
		return 0, 0
	}
	return best, cur - bestPos
}

// joinWindow returns W = dict ‖ src, made in buf's storage, with dict cut
// to its last WindowSize bytes, that dict and its length n.
func joinWindow(buf, src, dict []byte) (w, tail []byte, n int) {
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	return append(append(buf[:0], dict...), src...), dict, len(dict)
}

// tokenize runs the parse of the specification and returns the tokens. The
// result is valid until the next use of c.
func (c *compressor) tokenize(src, dict []byte) []token {
	c.toks = c.toks[:0]
	if len(src) == 0 {
		return c.toks
	}
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	c.di = indexFor(dict, len(src))
	n := len(dict)
	if c.di.fixed && len(dict) > 0 && len(c.wDict) == n && &c.wDict[0] == &dict[0] {
		// c.w still starts with this dictionary, which never changes:
		// only src is copied.
		c.w = append(c.w[:n], src...)
	} else {
		c.w, dict, n = joinWindow(c.w, src, dict)
	}
	c.wDict = nil
	if c.di.fixed {
		c.wDict = dict
	}
	c.shift = 0
	return c.parse(n, n)
}

// tokenizeSplit is tokenize with the dictionary shared ‖ extra, where
// shared was given to Share: W is the window's part of shared, extra and
// src, and the chains of shared's positions in the window are shared's
// index, read c.shift positions further on, so that only extra's
// positions (and the last of shared's) are chained per call, as a
// dictionary's last positions always are. It falls back to tokenize when
// shared has no index or the window holds too little of it.
func (c *compressor) tokenizeSplit(src, shared, extra []byte) []token {
	if len(shared) > WindowSize {
		shared = shared[len(shared)-WindowSize:]
	}
	keep := min(max(WindowSize-len(extra), 0), len(shared)) // shared's bytes in the window
	di := sharedIndex(shared)
	c.toks = c.toks[:0]
	if len(src) == 0 {
		return c.toks
	}
	if di == nil || keep < dictReach {
		return c.tokenize(src, append(append([]byte(nil), shared...), extra...))
	}
	c.w = append(append(append(c.w[:0], shared[len(shared)-keep:]...), extra...), src...)
	c.wDict, c.di, c.shift = nil, di, len(shared)-keep
	n := keep + len(extra)
	// The index holds shared's positions q with q+dictReach <= len(shared):
	// in W, the positions before keep-dictReach+1.
	return c.parse(n, keep)
}

// parse chains W's positions from dictEnd-dictReach+1 on per call (the
// dictionary's index holds those before) and runs the parse of src, W's
// bytes from n on.
func (c *compressor) parse(n, dictEnd int) []token {
	c.base = max(dictEnd-dictReach+1, 0)
	if size := len(c.w) - c.base; cap(c.prev) < size {
		c.prev = make([]int32, size)
	} else {
		c.prev = c.prev[:size]
	}
	hb := min(max(bits.Len(uint(len(c.w)-c.base)), minSrcBits), hashBits)
	if c.head == nil {
		c.head = make([]int32, 1<<hashBits)
	}
	c.head = c.head[:1<<hb]
	clear(c.head)
	c.srcShift = uint(hashBits - hb)
	c.inserted = c.base

	c.toks = lazyParse(c.toks, c.w, n, c.longest)
	return c.toks
}

// lazyParse appends to toks the lazy parse of the specification of w from
// position start on, given longest(cur, atLeast): the longest match at cur
// if it is longer than atLeast (the best one, as the specification
// defines it), else length 0.
func lazyParse(toks []token, w []byte, start int, longest func(cur, atLeast int) (int, int)) []token {
	end := len(w)
	cur := start
	l, d := 0, 0
	have := false // (l, d) already holds longest(cur)
	for cur < end {
		if !have {
			l, d = longest(cur, minMatch-1)
		}
		have = false
		if l == 0 {
			toks = append(toks, literalToken(w[cur]))
			cur++
			continue
		}
		if cur+1 < end {
			if l1, d1 := longest(cur+1, l); l1 > l {
				toks = append(toks, literalToken(w[cur]))
				cur++
				l, d, have = l1, d1, true
				continue
			}
		}
		toks = append(toks, matchToken(l, d))
		cur += l
	}
	return toks
}
