package codec

import (
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// Blocks and PICK (AVFORM §3): a base's lines are also seen as blocks, a
// codec's `a=rtpmap:` line with the `a=fmtp:` and `a=rtcp-fb:` lines after
// it, or one `a=extmap:` line, and PICK d appends a whole block named by
// its distance d (in blocks) from the base position. A stack that writes
// the same codecs or extensions in another order (pion, in the random
// order of a Go map) pays one byte a block instead of a SEEK and a COPY.

// opPick is the avOp kind of PICK: n is the signed distance in blocks,
// lines the block's length. Its varint is (z+pickM0)<<2 | 3 with z the
// zigzag of the distance (0, -1, +1, -2, … as z = 0, 1, 2, 3, …), after
// END (3), COPY END (7), PERM (11) and GEN (15–31, avgen.go).
const opPick = 4

// pickM0 is m = v >> 2 of PICK 0.
const pickM0 = 3 + genCount

// isBlockHead reports whether a skeleton line starts a block.
func isBlockHead(l string) bool {
	return strings.HasPrefix(l, "a=rtpmap:") || strings.HasPrefix(l, "a=extmap:")
}

// isBlockTail reports whether a skeleton line continues a codec's block.
func isBlockTail(l string) bool {
	return strings.HasPrefix(l, "a=fmtp:") || strings.HasPrefix(l, "a=rtcp-fb:")
}

// blocksOf returns the start and end positions of the blocks of lines: a
// block head, and after an `a=rtpmap:` head the `a=fmtp:` and
// `a=rtcp-fb:` lines that follow it; and, where a stack groups its lines
// by attribute (Firefox), an `a=fmtp:` line that no `a=rtpmap:` block
// holds, alone, and a run of `a=rtcp-fb:` lines of one payload type that
// no such block holds.
func blocksOf(lines []string) (heads, ends []int32) {
	// Room for most bases' blocks at once (a block is 2 lines or more).
	heads, ends = make([]int32, 0, len(lines)/2+1), make([]int32, 0, len(lines)/2+1)
	for k := 0; k < len(lines); k++ {
		e := k + 1
		switch l := lines[k]; {
		case strings.HasPrefix(l, "a=rtpmap:"):
			for e < len(lines) && isBlockTail(lines[e]) {
				e++
			}
		case strings.HasPrefix(l, "a=rtcp-fb:"):
			pt := (l + " ")[:strings.IndexByte(l+" ", ' ')+1] // `a=rtcp-fb:<pt> `
			for e < len(lines) && strings.HasPrefix(lines[e], pt) {
				e++
			}
		case !isBlockHead(l) && !strings.HasPrefix(l, "a=fmtp:"):
			continue
		}
		heads, ends = append(heads, int32(k)), append(ends, int32(e))
		k = e - 1
	}
	return heads, ends
}

// setBlocks records the blocks of the base's lines (once).
func (b *baseIndex) setBlocks(lines []string) {
	if !b.blocksSet {
		b.heads, b.ends = blocksOf(lines)
		b.blocksSet = true
	}
}

// blockAt returns the first block whose head is at or after position j.
func blockAt(heads []int32, j int) int {
	return sort.Search(len(heads), func(t int) bool { return int(heads[t]) >= j })
}

// pickOp returns the PICK that makes s[i:] from the block of the base
// whose head is at k (the SEEK target of s[i]), when k is a head and the
// whole block equals the lines of s from i; ok is false otherwise.
func (b *baseIndex) pickOp(s []int32, i, j, k int) (o avOp, ok bool) {
	t := blockAt(b.heads, k)
	if t == len(b.heads) || int(b.heads[t]) != k {
		return avOp{}, false
	}
	n := int(b.ends[t]) - k
	if n > len(s)-i {
		return avOp{}, false
	}
	for x := 1; x < n; x++ {
		if s[i+x] != b.ids[k+x] {
			return avOp{}, false
		}
	}
	return avOp{kind: opPick, n: t - blockAt(b.heads, j), lines: n}, true
}

// pickValue returns the varint of PICK d.
func pickValue(d int) uint64 {
	z := 2 * d
	if d < 0 {
		z = -2*d - 1
	}
	return uint64(z+pickM0)<<2 | 3
}

// pickDistance returns the distance of the PICK whose varint is v (v & 3
// == 3, v >= 35).
func pickDistance(v uint64) int {
	z := int(v>>2) - pickM0
	if z%2 == 0 {
		return z / 2
	}
	return -(z + 1) / 2
}

// lazyBlocks is the blocks of a base, found when a part first picks one.
type lazyBlocks struct {
	heads, ends []int32
	found       bool
}

// kind3 returns the lines that the op of varint v (kind 3, not END, its
// varint read from edits before *p) appends at position j of the base bl,
// and the position after them: for COPY END the rest of the base, for a
// PERM its blocks (avperm.go), for a PICK its block; msg names the fault
// when it has one.
func (l *lazyBlocks) kind3(edits []byte, p *int, bl []string, j int, v uint64) (add []string, next int, msg string) {
	if v == opCopyEnd {
		return bl[j:], len(bl), ""
	}
	if v == permValue {
		return l.readPerm(edits, p, bl, j)
	}
	l.find(bl)
	t := blockAt(l.heads, j) + pickDistance(v)
	if t < 0 || t >= len(l.heads) {
		return nil, j, "PICK of a block outside the base"
	}
	return bl[l.heads[t]:l.ends[t]], int(l.ends[t]), ""
}

// find finds the blocks of base bl, once.
func (l *lazyBlocks) find(bl []string) {
	if !l.found {
		l.heads, l.ends = blocksOf(bl)
		l.found = true
	}
}

// blockCache keeps the blocks of each base a code's parts pick from, by
// the base's storage, so that parts picking from one base find its blocks
// once.
type blockCache map[*string]*lazyBlocks

// of returns the blocks of base bl, to be found when first picked;
// profile is bl's registry profile number, -1 when it is no profile, and
// copied whether bl is a copy of it made for the part (renumbered).
func (c blockCache) of(bl []string, profile int, copied bool) *lazyBlocks {
	if profile >= 0 && !copied {
		return &profileBlocks()[profile]
	}
	key := unsafe.SliceData(bl)
	b := c[key]
	if b == nil {
		b = &lazyBlocks{}
		c[key] = b
	}
	return b
}

// profileBlocks holds the blocks of every registry profile, found once per
// process from the registry's index (profileIndex, which the check of
// every A/V code builds): a code that picks from a profile need not find
// them again. Each is found already, so no caller writes it.
var profileBlocks = sync.OnceValue(func() []lazyBlocks {
	reg := profileIndex()
	out := make([]lazyBlocks, len(reg.profiles))
	for k := range reg.profiles {
		out[k] = lazyBlocks{heads: reg.profiles[k].heads, ends: reg.profiles[k].ends, found: true}
	}
	return out
})
