package fixedflate

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
	hashBits    = 15 // the hash of a 3-byte prefix has this many bits
	minSrcBits  = 8  // smallest table for the chains of the input's positions
	dictNoChain = 0
)

func hash3(w []byte, q int) uint32 {
	v := uint32(w[q]) | uint32(w[q+1])<<8 | uint32(w[q+2])<<16
	return (v * 0x9E3779B1) >> (32 - hashBits)
}

// dictIndex holds the hash chains of a dictionary's positions whose 3-byte
// prefix lies inside the dictionary (all but its last two). It is read-only
// once built, so the chains of SDPDictionary are built once and shared.
type dictIndex struct {
	dict []byte
	head []int32 // hash -> 1 + most recent position, 0 for none
	prev []int32 // position -> 1 + previous position with the same hash, 0 for none
}

func newDictIndex(dict []byte) *dictIndex {
	di := &dictIndex{dict: dict, head: make([]int32, 1<<hashBits), prev: make([]int32, len(dict))}
	for q := 0; q+minMatch <= len(dict); q++ {
		h := hash3(dict, q)
		di.prev[q] = di.head[h]
		di.head[h] = int32(q + 1)
	}
	return di
}

var (
	sdpIndexOnce sync.Once
	sdpIndex     *dictIndex
)

// indexFor returns the chains of dict: shared for SDPDictionary, built
// anew for any other dictionary.
func indexFor(dict []byte) *dictIndex {
	if len(dict) > 0 && len(dict) == len(SDPDictionary) && &dict[0] == &SDPDictionary[0] {
		sdpIndexOnce.Do(func() { sdpIndex = newDictIndex(SDPDictionary) })
		return sdpIndex
	}
	return newDictIndex(dict)
}

// compressor holds the reusable buffers of one compression.
//
// The match search uses hash chains over the 3-byte prefixes of every
// position of W. Every earlier position whose 3-byte prefix equals the
// current one is on the chains (other positions may be too, because of hash
// collisions, and are rejected by the byte comparison), and they are visited
// from the nearest position to the farthest: first the positions from
// base = max(len(dict)-2, 0) on (chains built per call), then the
// dictionary's own positions (chains built once per dictionary). So the first
// position reaching a given length has the smallest distance. The walk stops
// only when the window limit is passed or when the length cannot grow any
// more, so the result is exactly that of an exhaustive search.
type compressor struct {
	w    []byte // dict ‖ src
	di   *dictIndex
	base int     // first position whose chains are built per call
	head []int32 // (hash >> srcShift) -> 1 + most recent position >= base, 0 for none
	prev []int32 // position-base -> 1 + previous position >= base on the chain, 0 for none
	toks []token
	dyn  dynPlan // the dynamic block's buffers

	srcShift uint
	inserted int // positions in [base, inserted) are on the chains
}

func (c *compressor) release() {
	// Keep buffers for reuse, but drop very large ones.
	if cap(c.w) > 1<<20 {
		c.w, c.prev = nil, nil
	}
	if cap(c.toks) > 1<<20 {
		c.toks = nil
	}
	c.di = nil
}

// insertUpTo puts every position q < end (with 3 bytes available) from base
// on on the hash chains.
func (c *compressor) insertUpTo(end int) {
	if lim := len(c.w) - minMatch + 1; end > lim {
		end = lim
	}
	for q := c.inserted; q < end; q++ {
		h := hash3(c.w, q) >> c.srcShift
		c.prev[q-c.base] = c.head[h]
		c.head[h] = int32(q + 1)
	}
	if end > c.inserted {
		c.inserted = end
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
	maxLen := len(w) - cur
	if maxLen > maxMatch {
		maxLen = maxMatch
	}
	if maxLen <= atLeast || maxLen < minMatch {
		return 0, 0
	}
	c.insertUpTo(cur)
	minPos := cur - WindowSize
	best := atLeast
	bestPos := -1
	h := hash3(w, cur)
	// try reports whether the walk must stop at position q.
	try := func(q int) bool {
		if q < minPos {
			return true
		}
		// A longer match must agree at index best (best < maxLen, so
		// cur+best < len(w)).
		if w[q+best] != w[cur+best] {
			return false
		}
		if l := matchLen(w, q, cur, maxLen); l > best {
			best, bestPos = l, q
			return l == maxLen
		}
		return false
	}
	stopped := false
	for e := c.head[h>>c.srcShift]; e != 0; e = c.prev[int(e-1)-c.base] {
		if stopped = try(int(e - 1)); stopped {
			break
		}
	}
	if !stopped {
		for e := c.di.head[h]; e != 0; e = c.di.prev[e-1] {
			if try(int(e - 1)) {
				break
			}
		}
	}
	if bestPos < 0 {
		return 0, 0
	}
	return best, cur - bestPos
}

// tokenize runs the parse of the specification and returns the tokens. The
// result is valid until the next use of c.
func (c *compressor) tokenize(src, dict []byte) []token {
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	n := len(dict)
	c.w = append(append(c.w[:0], dict...), src...)
	c.toks = c.toks[:0]
	if len(src) == 0 {
		return c.toks
	}
	c.di = indexFor(dict)
	c.base = max(n-(minMatch-1), 0)
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

	toks := c.toks
	w := c.w
	end := len(w)
	cur := n
	l, d := 0, 0
	have := false // (l, d) already holds longest(cur)
	for cur < end {
		if !have {
			l, d = c.longest(cur, minMatch-1)
		}
		have = false
		if l == 0 {
			toks = append(toks, literalToken(w[cur]))
			cur++
			continue
		}
		if cur+1 < end {
			if l1, d1 := c.longest(cur+1, l); l1 > l {
				toks = append(toks, literalToken(w[cur]))
				cur++
				l, d, have = l1, d1, true
				continue
			}
		}
		toks = append(toks, matchToken(l, d))
		cur += l
	}
	c.toks = toks
	return toks
}
