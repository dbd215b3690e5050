package fixedflate

import (
	"encoding/binary"
	"math/bits"
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
	maxHashBits = 15
	minHashBits = 8
)

// compressor holds the reusable buffers of one compression.
//
// The match search uses hash chains over the 3-byte prefixes of every
// position of W. Every earlier position whose 3-byte prefix equals the
// current one is on the chain (other positions may be too, because of hash
// collisions, and are rejected by the byte comparison), and the chain is
// visited from the nearest position to the farthest, so the first position
// reaching a given length has the smallest distance. The walk stops only
// when the window limit is passed or when the length cannot grow any more,
// so the result is exactly that of an exhaustive search.
type compressor struct {
	w    []byte  // dict ‖ src
	head []int32 // hash -> 1 + most recent position, 0 for none
	prev []int32 // position -> 1 + previous position with the same hash, 0 for none
	toks []token

	hashShift uint
	inserted  int // positions < inserted are on the chains
}

func (c *compressor) release() {
	// Keep buffers for reuse, but drop very large ones.
	if cap(c.w) > 1<<20 {
		c.w, c.prev = nil, nil
	}
	if cap(c.toks) > 1<<20 {
		c.toks = nil
	}
}

func (c *compressor) hash(q int) uint32 {
	w := c.w
	v := uint32(w[q]) | uint32(w[q+1])<<8 | uint32(w[q+2])<<16
	return (v * 0x9E3779B1) >> c.hashShift
}

// insertUpTo puts every position q < end (with 3 bytes available) on the
// hash chains.
func (c *compressor) insertUpTo(end int) {
	if lim := len(c.w) - minMatch + 1; end > lim {
		end = lim
	}
	for q := c.inserted; q < end; q++ {
		h := c.hash(q)
		c.prev[q] = c.head[h]
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
	for e := c.head[c.hash(cur)]; e != 0; e = c.prev[e-1] {
		q := int(e - 1)
		if q < minPos {
			break
		}
		// A longer match must agree at index best (best < maxLen, so
		// cur+best < len(w)).
		if w[q+best] != w[cur+best] {
			continue
		}
		if l := matchLen(w, q, cur, maxLen); l > best {
			best, bestPos = l, q
			if l == maxLen {
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
	if cap(c.prev) < len(c.w) {
		c.prev = make([]int32, len(c.w))
	}
	c.prev = c.prev[:len(c.w)]
	hb := bits.Len(uint(len(c.w)))
	hb = min(max(hb, minHashBits), maxHashBits)
	if c.head == nil {
		c.head = make([]int32, 1<<maxHashBits)
	}
	c.head = c.head[:1<<hb]
	clear(c.head)
	c.hashShift = uint(32 - hb)
	c.inserted = 0

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
