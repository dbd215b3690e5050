package codec

import (
	"strconv"
	"strings"
	"sync"
)

// Renumbered profiles (AVFORM §14.5): a stack version that numbers its
// codecs' payload types or its header extensions' ids otherwise than the
// profile of its stack (Chromium has renumbered its video formats as it
// added AV1 and H.265; Firefox its extension ids) writes the profile's
// lines with other numbers. A part codes against the profile renumbered:
// RENUMBER, the varints 11 17 right after a profile's base number,
// followed by the pairs of numbers to replace, and the profile's lines
// with those numbers replaced are the base.

// renumberCode follows PERM's varint in place of a PERM's n − 2 (15 is
// MIRROR's, 16 no op's).
const renumberCode = mirrorCode + 2

// Number kinds: a payload type, below 128, and a header extension id,
// below 256.
const (
	numPT = iota
	numExt
)

// numLimit is each kind's bound: a number is a decimal below it.
var numLimit = [2]int{128, 256}

// numMap is a renumbering: to[kind][n] is what number n becomes, -1 when
// it stays (all -1 in the zero-valued map made by newNumMap).
type numMap struct {
	to    [2][256]int16
	pairs [2]int // the numbers of pairs
}

func newNumMap() *numMap {
	m := &numMap{}
	for k := range m.to {
		for n := range m.to[k] {
			m.to[k][n] = -1
		}
	}
	return m
}

// set records from → to of kind, when neither is in a pair of that kind
// already; it reports whether it did.
func (m *numMap) set(kind, from, to int) bool {
	if m.to[kind][from] >= 0 || m.target(kind, to) >= 0 {
		return false
	}
	m.to[kind][from] = int16(to)
	m.pairs[kind]++
	return true
}

// target returns the number whose pair of kind ends at n, -1 for none.
func (m *numMap) target(kind, n int) int {
	for f, t := range m.to[kind] {
		if int(t) == n {
			return f
		}
	}
	return -1
}

// numAt reads a number of kind at l[k:]: a decimal without leading zeros
// below the kind's limit, ending at end (the first byte that is no digit).
func numAt(l string, k, kind int) (n, end int, ok bool) {
	end = k
	for end < len(l) && l[end] >= '0' && l[end] <= '9' {
		end++
	}
	if end == k || end-k > 3 || (l[k] == '0' && end-k > 1) {
		return 0, end, false
	}
	n, _ = strconv.Atoi(l[k:end])
	return n, end, n < numLimit[kind]
}

// numToken is one number of a line: its kind, value and place.
type numToken struct {
	kind, n, start, end int
}

// numTokens returns the numbers of a skeleton line that renumbering
// replaces, left to right: the payload type after `a=rtpmap:`, `a=fmtp:`
// or `a=rtcp-fb:` (up to the first SP or the end), and in an `a=fmtp:`
// line's parameters (after its first SP, split at `;`) the value of an
// `apt=` parameter and each number of a parameter that is two or more
// numbers joined by `/` (RFC 2198 redundancy); the id after `a=extmap:`
// (up to the first `/`, SP or the end). A token must end where the rule
// says (`a=rtpmap:96x` has none).
func numTokens(buf []numToken, l string) []numToken {
	out := buf[:0]
	kind, k := numPT, 0
	switch {
	case strings.HasPrefix(l, "a=rtpmap:"):
		k = len("a=rtpmap:")
	case strings.HasPrefix(l, "a=fmtp:"):
		k = len("a=fmtp:")
	case strings.HasPrefix(l, "a=rtcp-fb:"):
		k = len("a=rtcp-fb:")
	case strings.HasPrefix(l, "a=extmap:"):
		kind, k = numExt, len("a=extmap:")
	default:
		return out
	}
	n, end, ok := numAt(l, k, kind)
	if ok && (end == len(l) || l[end] == ' ' || kind == numExt && l[end] == '/') {
		out = append(out, numToken{kind, n, k, end})
	}
	if !strings.HasPrefix(l, "a=fmtp:") {
		return out
	}
	sp := strings.IndexByte(l, ' ')
	if sp < 0 {
		return out
	}
	for p := sp + 1; p <= len(l); {
		e := strings.IndexByte(l[p:], ';')
		if e < 0 {
			e = len(l) - p
		}
		out = paramTokens(out, l, p, p+e)
		p += e + 1
	}
	return out
}

// paramTokens appends the numbers of the fmtp parameter l[p:e] (numTokens).
func paramTokens(out []numToken, l string, p, e int) []numToken {
	if strings.HasPrefix(l[p:e], "apt=") {
		if n, end, ok := numAt(l, p+4, numPT); ok && end == e {
			out = append(out, numToken{numPT, n, p + 4, end})
		}
		return out
	}
	before := len(out)
	for k := p; ; {
		n, end, ok := numAt(l, k, numPT)
		if !ok || end != e && l[end] != '/' || end > e {
			return out[:before]
		}
		out = append(out, numToken{numPT, n, k, end})
		if end == e {
			break
		}
		k = end + 1
	}
	if len(out)-before < 2 {
		return out[:before]
	}
	return out
}

// rewrite returns l with each of its numbers (numTokens) replaced by
// what f says (ok false: left as it is).
func rewrite(l string, toks []numToken, f func(t numToken) (string, bool)) string {
	var b []byte
	last := 0
	for _, t := range toks {
		s, ok := f(t)
		if !ok {
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(l)+4)
		}
		b = append(append(b, l[last:t.start]...), s...)
		last = t.end
	}
	if b == nil {
		return l
	}
	return string(append(b, l[last:]...))
}

// renumber returns the lines with m applied to every number at once (a
// line that keeps its numbers is the same string).
func renumber(lines []string, m *numMap) []string {
	out := make([]string, len(lines))
	var buf []numToken
	for i, l := range lines {
		buf = numTokens(buf, l)
		out[i] = rewrite(l, buf, func(t numToken) (string, bool) {
			if to := m.to[t.kind][t.n]; to >= 0 {
				return strconv.Itoa(int(to)), true
			}
			return "", false
		})
	}
	return out
}

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
}

// numberedOf returns the numbered things of a part's lines (numbered).
func numberedOf(lines []string) []numbered {
	var out []numbered
	at := map[int]int{} // payload type: its codec's place in out
	var buf []numToken
	var loose [][2]int // (line, payload type) of the lines before their a=rtpmap
	for i, l := range lines {
		buf = numTokens(buf, l)
		if len(buf) == 0 || buf[0].start != strings.IndexByte(l, ':')+1 {
			continue
		}
		t := buf[0]
		switch {
		case t.kind == numExt:
			out = append(out, numbered{kind: numExt, n: t.n, lines: lines[i : i+1]})
		case strings.HasPrefix(l, "a=rtpmap:"):
			if _, dup := at[t.n]; !dup {
				at[t.n] = len(out)
				out = append(out, numbered{kind: numPT, n: t.n, lines: []string{l}})
			}
		default:
			loose = append(loose, [2]int{i, t.n})
		}
	}
	// The a=fmtp and a=rtcp-fb lines, to their codecs in line order: a
	// codec's lines are its a=rtpmap line's and then these (Firefox's
	// come before it; the key is the same either way for one stack).
	for _, x := range loose {
		if k, ok := at[x[1]]; ok {
			out[k].lines = append(out[k].lines, lines[x[0]])
		}
	}
	return out
}

// key returns the key of a numbered thing: an extension's line after its
// id; a codec's lines, each followed by LF, with its own payload type
// written `*` and every other payload type y written inv(y).
func (nb *numbered) key(inv func(y int) int) string {
	if nb.kind == numExt {
		l := nb.lines[0]
		_, end, _ := numAt(l, len("a=extmap:"), numExt)
		return l[end:]
	}
	var b strings.Builder
	var buf []numToken
	for _, l := range nb.lines {
		buf = numTokens(buf, l)
		b.WriteString(rewrite(l, buf, func(t numToken) (string, bool) {
			if t.n == nb.n {
				return "*", true
			}
			if y := inv(t.n); y != t.n {
				return strconv.Itoa(y), true
			}
			return "", false
		}))
		b.WriteByte('\n')
	}
	return b.String()
}

// profileThing is a numbered thing of a profile, with its key and, for
// a codec, its head's key (the key of its `a=rtpmap:` line alone).
type profileThing struct {
	kind, n   int
	key, head string
}

// thingOf returns nb as a profileThing, its keys made with inv.
func thingOf(nb numbered, inv func(y int) int) profileThing {
	th := profileThing{kind: nb.kind, n: nb.n, key: nb.key(inv)}
	if nb.kind == numPT {
		th.head = th.key[:strings.IndexByte(th.key, '\n')+1]
	}
	return th
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
// or x is in a pair of that kind already). ok is false when there is no
// pair.
func renumberFor(pt []profileThing, st []numbered) (*numMap, bool) {
	m := newNumMap()
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
	var left []profileThing
	match := func(th profileThing, byHead bool) bool {
		pick := -1
		for u := range pt {
			if used[u] || pt[u].kind != th.kind || !byHead && pt[u].key != th.key || byHead && pt[u].head != th.head {
				continue
			}
			if pick < 0 {
				pick = u
			}
			if pt[u].n == th.n {
				pick = u
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
	for _, nb := range st {
		if th := thingOf(nb, back); !match(th, false) && th.kind == numPT {
			left = append(left, th)
		}
	}
	for _, th := range left {
		match(th, true)
	}
	return m, m.pairs[numPT]+m.pairs[numExt] > 0
}

// appendRenumber appends RENUMBER with map m: the varints 11 17, then for
// payload types and then for extension ids the varint number of pairs and
// each pair's two numbers as varints, ascending.
func appendRenumber(dst []byte, m *numMap) []byte {
	dst = append(dst, permValue, renumberCode)
	for kind := range m.to {
		dst = appendVarint(dst, uint64(m.pairs[kind]))
		for f, t := range m.to[kind] {
			if t >= 0 {
				dst = appendVarint(appendVarint(dst, uint64(f)), uint64(t))
			}
		}
	}
	return dst
}

// renumberLen returns the bytes of the RENUMBER at edits[p] (after a
// profile's base number), 0 when there is none: the part's seed (partSeed)
// counts them as the search does.
func renumberLen(edits []byte, p int) int {
	start := p
	if _, msg := readRenumber(edits, &p, nil); msg != "" || p == start {
		return 0
	}
	return p - start
}

// readRenumber reads the RENUMBER at edits[*p] (after a profile's base
// number) when there is one, and returns the profile lines bl renumbered;
// msg names the fault of a malformed one.
func readRenumber(edits []byte, p *int, bl []string) (out []string, msg string) {
	if *p+1 >= len(edits) || edits[*p] != permValue || edits[*p+1] != renumberCode {
		return bl, ""
	}
	*p += 2
	m := newNumMap()
	for kind := range m.to {
		n, ok := readVarint(edits, p)
		if !ok || n > uint64(numLimit[kind]) {
			return nil, "RENUMBER truncated or of too many pairs"
		}
		last := -1
		for range n {
			f, ok1 := readVarint(edits, p)
			t, ok2 := readVarint(edits, p)
			if !ok1 || !ok2 || f >= uint64(numLimit[kind]) || t >= uint64(numLimit[kind]) {
				return nil, "RENUMBER truncated or of a number past its kind's limit"
			}
			if int(f) <= last || f == t || !m.set(kind, int(f), int(t)) {
				return nil, "RENUMBER pairs not ascending, not distinct or of a number to itself"
			}
			last = int(f)
		}
	}
	if m.pairs[numPT]+m.pairs[numExt] == 0 {
		return nil, "RENUMBER without a pair"
	}
	return renumber(bl, m), ""
}

// profileNumbered holds every registry profile's numbered things, found
// once per process.
var profileNumbered = sync.OnceValue(func() [][]profileThing {
	out := make([][]profileThing, len(avProfiles))
	same := func(y int) int { return y }
	for k, p := range avProfiles {
		for _, nb := range numberedOf(p) {
			out[k] = append(out[k], thingOf(nb, same))
		}
	}
	return out
})

// partNumbers is what the search of one part's renumbered profiles reads
// of the part: its blocks, and the missing bytes of each profile counted
// over its lines without a number (renumbering changes no such line of a
// profile, and makes no line without a number), a lower bound of what the
// profile renumbered lacks.
type partNumbers struct {
	things []numbered
	plain  []int // by profile
}

// numbers returns the partNumbers of part s (ids sid), made when first
// asked for in the part.
func (c *partCoder) numbers(reg *registryIndex, s []string, sid []int32) *partNumbers {
	if c.nums != nil {
		return c.nums
	}
	pn := &partNumbers{plain: make([]int, len(c.missing))}
	pn.things = numberedOf(s)
	var ps []string
	var pid []int32
	var buf []numToken
	for i, l := range s {
		if buf = numTokens(buf, l); len(buf) == 0 {
			ps, pid = append(ps, l), append(pid, sid[i])
		}
	}
	reg.missingBytes(pn.plain, ps, pid)
	c.nums = pn
	return pn
}

// tryRenumbered tries the part s (ids sid) against registry profile k
// renumbered for it (renumberFor), q in the tie-break order (the
// profile's: tried after it, the profile wins a tie).
func (c *partCoder) tryRenumbered(reg *registryIndex, s []string, sid []int32, in *interner, k, q int) {
	beaten := func(lb int) bool { return lb > c.bestCost || lb == c.bestCost && q >= c.bestQ }
	base := baseProfile + uint64(k)
	// At least the base number, 11 17, two counts and a pair, and END.
	least := varintLen(base) + renumberWeight*6 + 1
	if beaten(least - c.slack) {
		return
	}
	pn := c.numbers(reg, s, sid)
	if beaten(least + pn.plain[k] - c.slack) {
		return
	}
	m, ok := renumberFor(profileNumbered()[k], pn.things)
	if !ok {
		return
	}
	payload := appendRenumber(nil, m)
	baseLen := varintLen(base) + renumberWeight*len(payload)
	if beaten(baseLen + 1 + pn.plain[k] - c.slack) {
		return
	}
	p := avProfiles[k]
	lines := renumber(p, m)
	b := newBaseIndex(in.renamedIDs(lines, p, reg.profiles[k].ids))
	if beaten(baseLen + 1 + b.missing(s, sid) - c.slack) {
		return
	}
	b.setBlocks(lines)
	c.rename = payload
	c.diff(s, sid, &b, base, 0, q, baseLen)
	c.rename = nil
}

// renumberWeight is what each byte of a RENUMBER counts in the cost of a
// base (AVFORM §14.5): the cost counts inserted lines uncompressed, and
// the lines a renumbering saves are a profile's, which the text item's
// dictionary packs several to one; at weight 1 a renumbered base won parts
// whose code came out larger.
const renumberWeight = 8
