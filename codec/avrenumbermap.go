package codec

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// The map of a renumbered profile (AVFORM §14.5): the numbered things
// of a part and of a profile, their keys, and the pairs found by
// matching them.

// numbered is what a part's numbers name, in the order of their heads: a
// codec (kind numPT, for each `a=rtpmap:` line) or a header extension
// (numExt, for each `a=extmap:` line), its number n and its lines: for an
// extension its line; for a codec the lines whose first number is its
// payload type (its `a=rtpmap:`, `a=fmtp:` and `a=rtcp-fb:` lines,
// wherever the stack writes them: Chromium after the `a=rtpmap:` line,
// Firefox grouped by attribute), in order.
type numbered struct {
	kind, n int
	lines   []string
	toks    [][]numToken // each line's numbers (numTokens)
}

// numberedOf returns the numbered things of a part's lines (numbered).
func numberedOf(lines []string, toks [][]numToken) []numbered {
	return new(numberedScratch).of(lines, toks)
}

// numberedScratch is the storage of numberedOf, kept from one part to
// the next by the search (partNumbers): what of returns lives in it until
// its next call.
type numberedScratch struct {
	out        []numbered
	owner      []int16
	next, fill []int
	ls         []string
	ts         [][]numToken
}

// of is numberedOf in sc's storage. It is longer than 80 lines: the
// things, then their lines by a counting sort, in one pass each.
func (sc *numberedScratch) of(lines []string, toks [][]numToken) []numbered {
	if toks == nil {
		toks = make([][]numToken, len(lines))
		for i, l := range lines {
			toks[i] = numTokens(nil, l)
		}
	}
	// First the things and each codec's number of lines, then their lines
	// in one backing array: a codec's a=rtpmap line, then its a=fmtp and
	// a=rtcp-fb lines in line order (Firefox's come before it; the key is
	// the same either way for one stack).
	out := sc.out[:0]
	var at [128]int16 // payload type: one more than its codec's place in out
	owner := room(sc.owner, len(lines))[:len(lines)]
	clear(owner)
	total := 0
	for i, l := range lines {
		buf := toks[i]
		if len(buf) == 0 || buf[0].start != strings.IndexByte(l, ':')+1 {
			continue
		}
		switch t := buf[0]; {
		case t.kind == numExt:
			out = append(out, numbered{kind: numExt, n: t.n})
			owner[i], total = int16(len(out)), total+1
		case strings.HasPrefix(l, "a=rtpmap:"):
			if at[t.n] == 0 {
				out = append(out, numbered{kind: numPT, n: t.n})
				at[t.n] = int16(len(out))
				owner[i], total = int16(len(out)), total+1
			}
		default:
			owner[i] = -int16(t.n) - 1 // an a=fmtp or a=rtcp-fb line of payload type t.n
		}
	}
	for i, o := range owner {
		if o < 0 {
			if k := at[-o-1]; k > 0 {
				owner[i], total = k, total+1
			} else {
				owner[i] = 0
			}
		}
	}
	// A counting sort: each thing's lines from its place in the backing
	// arrays, its head first.
	next := room(sc.next, len(out)+1)[:len(out)+1]
	clear(next)
	for _, o := range owner {
		if o > 0 {
			next[o]++
		}
	}
	for k := 1; k <= len(out); k++ {
		next[k] += next[k-1]
	}
	// next[k] is now where thing k's lines end; thing k starts at next[k-1].
	ls, ts := room(sc.ls, total)[:total], room(sc.ts, total)[:total]
	fill := append(sc.fill[:0], next[:len(out)]...) // thing k+1's next free place, its head's first
	for pass := 0; pass < 2; pass++ {
		for i, o := range owner {
			if o <= 0 {
				continue
			}
			if head := out[o-1].kind == numExt || strings.HasPrefix(lines[i], "a=rtpmap:"); head == (pass == 0) {
				ls[fill[o-1]], ts[fill[o-1]] = lines[i], toks[i]
				fill[o-1]++
			}
		}
	}
	for k := range out {
		out[k].lines, out[k].toks = ls[next[k]:next[k+1]:next[k+1]], ts[next[k]:next[k+1]:next[k+1]]
	}
	*sc = numberedScratch{out: out, owner: owner, next: next, fill: fill, ls: ls, ts: ts}
	return out
}

// appendKey appends the key of a numbered thing to dst: an extension's
// line after its id; a codec's lines, each followed by LF, with its own
// payload type written `*` and every other payload type y written inv(y).
// A codec's head key is the key up to its first LF (headLen).
func (nb *numbered) appendKey(dst []byte, inv func(y int) int) []byte {
	if nb.kind == numExt {
		l := nb.lines[0]
		_, end, _ := numAt(l, len("a=extmap:"), numExt)
		return append(dst, l[end:]...)
	}
	for x, l := range nb.lines {
		last := 0
		for _, t := range nb.toks[x] {
			dst = append(dst, l[last:t.start]...)
			if y := inv(t.n); t.n == nb.n {
				dst = append(dst, '*')
			} else {
				dst = strconv.AppendInt(dst, int64(y), 10)
			}
			last = t.end
		}
		dst = append(append(dst, l[last:]...), '\n')
	}
	return dst
}

// thing is a numbered thing with its keys as ids of keyTable (-1: a key
// no profile has), and, for a codec whose lines name other payload types
// (`apt=`, RFC 2198), those payload types: its key depends on the pairs.
type thing struct {
	numbered
	key, head int32
	refs      []int
}

// keyTable numbers the keys and head keys of every profile's things, and
// holds each profile's things (keys made with the identity).
type keyTable struct {
	ids      map[string]int32
	profiles [][]thing
	// byKey[k][key] and byHead[k][head] are the places in profiles[k] of
	// the things of that key or head key, ascending.
	byKey, byHead []map[int32][]int16
}

var profileKeys = sync.OnceValue(func() *keyTable {
	n := len(avProfiles)
	t := &keyTable{ids: map[string]int32{}, profiles: make([][]thing, n), byKey: make([]map[int32][]int16, n), byHead: make([]map[int32][]int16, n)}
	id := func(k string) int32 {
		if n, ok := t.ids[k]; ok {
			return n
		}
		t.ids[k] = int32(len(t.ids))
		return int32(len(t.ids) - 1)
	}
	var buf []byte
	for k, p := range avProfiles {
		for _, nb := range numberedOf(p, nil) {
			buf = nb.appendKey(buf[:0], same)
			t.profiles[k] = append(t.profiles[k], thing{numbered: nb, key: id(string(buf)), head: id(string(buf[:headLen(&nb, buf)]))})
		}
		t.byKey[k], t.byHead[k] = map[int32][]int16{}, map[int32][]int16{}
		for u, th := range t.profiles[k] {
			t.byKey[k][th.key] = append(t.byKey[k][th.key], int16(u))
			if th.kind == numPT {
				t.byHead[k][th.head] = append(t.byHead[k][th.head], int16(u))
			}
		}
	}
	return t
})

func same(y int) int { return y }

// headLen returns the length of the head key in nb's key: a codec's key
// up to its first LF, none for an extension.
func headLen(nb *numbered, key []byte) int {
	if nb.kind != numPT {
		return 0
	}
	return bytes.IndexByte(key, '\n') + 1
}

// partThings returns the numbered things of a part, their keys made with
// the identity, in the storage of sc and things (its old things' refs
// reused).
func (t *keyTable) partThings(sc *numberedScratch, things []thing, lines []string, toks [][]numToken) []thing {
	nbs := sc.of(lines, toks)
	out := room(things, len(nbs))[:len(nbs)]
	var buf []byte
	for i := range nbs {
		out[i] = thing{numbered: nbs[i], key: -1, head: -1, refs: out[i].refs[:0]}
		buf = nbs[i].appendKey(buf[:0], same)
		out[i].key = t.lookupBytes(buf)
		if nbs[i].kind != numPT {
			continue
		}
		out[i].head = t.lookupBytes(buf[:headLen(&nbs[i], buf)])
		if len(nbs[i].lines) == 1 {
			continue // an a=rtpmap line alone names no other payload type
		}
		for _, tks := range nbs[i].toks[1:] {
			for _, tk := range tks {
				if tk.n != nbs[i].n {
					out[i].refs = append(out[i].refs, tk.n)
				}
			}
		}
	}
	return out
}

// lookupBytes is lookup of a key held in bytes (no string made).
func (t *keyTable) lookupBytes(k []byte) int32 {
	if n, ok := t.ids[string(k)]; ok {
		return n
	}
	return -1
}

// renumberFor returns the renumbering of a profile whose numbered things
// are pt for the part whose numbered things are st. Each thing of the part
// is matched to a thing of the profile of the same kind not yet taken,
// in two rounds: first by key, the part's things in order, each key made
// with the pairs found so far (their numbers read back); then the codecs
// left by head (the codec's `a=rtpmap:` line: a stack version that
// changed a codec's parameters or feedback). A match is the first such
// thing of the profile whose number is the part's, else the first at
// all; when its number z is not the part's x, z → x is a pair (unless z
// or x is in a pair of that kind already). The pairs go in m; it reports
// whether there is one.
func renumberFor(m *numMap, t *keyTable, k int, st []thing) bool {
	pt := t.profiles[k]
	m.reset()
	var taken [64]bool
	used := taken[:0]
	if len(pt) > len(taken) {
		used = make([]bool, 0, len(pt))
	}
	used = used[:len(pt)]
	back := func(y int) int {
		if f := m.target(numPT, y); f >= 0 {
			return f
		}
		return y
	}
	match := func(th *thing, byHead bool) bool {
		cands := t.byKey[k][th.key]
		if byHead {
			cands = t.byHead[k][th.head]
		}
		pick := -1
		for _, u := range cands {
			if used[u] || pt[u].kind != th.kind {
				continue
			}
			if pick < 0 {
				pick = int(u)
			}
			if pt[u].n == th.n {
				pick = int(u)
				break
			}
		}
		if pick < 0 {
			return false
		}
		used[pick] = true
		if z := pt[pick].n; z != th.n {
			m.set(th.kind, z, th.n)
		}
		return true
	}
	var left []*thing
	var keyBuf []byte
	for i := range st {
		th := &st[i]
		if mapsAny(m, th.refs) {
			c := *th
			keyBuf = c.numbered.appendKey(keyBuf[:0], back)
			c.key = t.lookupBytes(keyBuf)
			th = &c
		}
		if th.key < 0 || !match(th, false) {
			if th.kind == numPT {
				left = append(left, th)
			}
		}
	}
	for _, th := range left {
		if th.head >= 0 {
			match(th, true)
		}
	}
	return m.pairs[numPT]+m.pairs[numExt] > 0
}

// mapsAny reports whether m has a pair of payload types to one of refs.
func mapsAny(m *numMap, refs []int) bool {
	for _, y := range refs {
		if m.target(numPT, y) >= 0 {
			return true
		}
	}
	return false
}
