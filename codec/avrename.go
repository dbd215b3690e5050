package codec

import (
	"slices"
	"strconv"
	"strings"
)

// Renamed bases (AVFORM §3): a part of the offer or an earlier part of the
// description may be taken with its identifier references renamed, so
// that a second video section whose stream is new (where the first one's
// was the audio section's) copies the first one's lines: its msid and
// ssrc lines differ from the base's only in which identifiers they name.
// The part index varint of base 1 or 2 is w = 2k + r; with r = 1 the
// rename follows it: a varint n, then n varints, one per rank of the
// base's identifier references (below), 0 to keep it, else 1 + 2t + old,
// the reference 0x0F t (old 0) or 0x12 t (old 1) to put in its place.

// idTokens returns the distinct identifier references (0x0F or 0x12 and
// the digits after it) of lines, in order of first appearance: the
// references' ranks.
func idTokens(lines []string) []string {
	var out []string
	var seen map[string]bool // a set: a malicious base may name thousands
	for _, l := range lines {
		for k, e := nextRef(l, 0); k >= 0; k, e = nextRef(l, e) {
			t := l[k:e]
			if seen == nil && len(out) < fewTokens {
				// Few so far (a base names a handful): a scan, no set.
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
				continue
			}
			if seen == nil {
				seen = make(map[string]bool, 2*len(out))
				for _, u := range out {
					seen[u] = true
				}
			}
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// fewTokens is the most identifier references that idTokens and
// renameTokens look up by a scan rather than in a map.
const fewTokens = 16

// nextRef returns the start and end of the first identifier reference of
// l at or after k, or -1.
func nextRef(l string, k int) (start, end int) {
	if k >= len(l) {
		return -1, len(l)
	}
	// Most lines hold no reference: two fast scans rule them out.
	i, j := strings.IndexByte(l[k:], mkString), strings.IndexByte(l[k:], mkStringOld)
	if i < 0 || j >= 0 && j < i {
		i = j
	}
	if i < 0 {
		return -1, len(l)
	}
	k += i
	e := k + 1
	for e < len(l) && l[e] >= '0' && l[e] <= '9' {
		e++
	}
	return k, e
}

// renameTokens returns lines with every identifier reference from[i]
// replaced by to[i] (all at once; an empty to[i] keeps it).
func renameTokens(lines, from, to []string) []string {
	var m map[string]string
	if len(from) > fewTokens {
		m = make(map[string]string, len(from))
		for r, f := range from {
			if to[r] != "" {
				m[f] = to[r]
			}
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		var b []byte
		last := 0
		for k, e := nextRef(l, 0); k >= 0; k, e = nextRef(l, e) {
			if t, ok := renamed(m, from, to, l[k:e]); ok {
				b = append(append(b, l[last:k]...), t...)
				last = e
			}
		}
		if b == nil {
			out[i] = l
		} else {
			out[i] = string(append(b, l[last:]...))
		}
	}
	return out
}

// renamed returns what the reference t is renamed to: by m when not nil
// (many references), else by a scan of from (to[i] empty keeps from[i]).
func renamed(m map[string]string, from, to []string, t string) (string, bool) {
	if m != nil {
		u, ok := m[t]
		return u, ok
	}
	if r := slices.Index(from, t); r >= 0 && to[r] != "" {
		return to[r], true
	}
	return "", false
}

// renameFor returns the rename of base lines p that gives their
// references the references of part s of the same rank (to[i] empty where
// they are the same), up to the last rank that differs, and its encoding;
// ok is false when no rank differs.
func renameFor(p, s []string) (from, to []string, payload []byte, ok bool) {
	return renameOf(idTokens(p), idTokens(s))
}

// renameOf is renameFor given the references of the base, from, and of
// the part, sTok (idTokens): the search finds each once (partCoder.tokens).
func renameOf(from, sTok []string) (_, to []string, payload []byte, ok bool) {
	n := 0
	for i := 0; i < len(from) && i < len(sTok); i++ {
		if from[i] != sTok[i] {
			n = i + 1
		}
	}
	if n == 0 {
		return nil, nil, nil, false
	}
	from, to = from[:n], make([]string, n)
	payload = appendVarint(payload, uint64(n))
	for i := range from {
		if from[i] == sTok[i] {
			payload = append(payload, 0)
			continue
		}
		to[i] = sTok[i]
		t, _ := strconv.Atoi(sTok[i][1:])
		v := 1 + 2*uint64(t)
		if sTok[i][0] == mkStringOld {
			v++
		}
		payload = appendVarint(payload, v)
	}
	return from, to, payload, true
}

// readRename reads the rename of base lines bl at edits[*p] (after a part
// index with r = 1) and returns the renamed lines; ok is false when it is
// truncated or renames a rank the base does not have.
func readRename(edits []byte, p *int, bl []string) ([]string, bool) {
	n, ok := readVarint(edits, p)
	from := idTokens(bl)
	if !ok || n > uint64(len(from)) {
		return nil, false
	}
	from, to := from[:n], make([]string, n)
	for i := range from {
		v, ok := readVarint(edits, p)
		if !ok {
			return nil, false
		}
		if v > 0 {
			mk := byte(mkString)
			if (v-1)%2 == 1 {
				mk = mkStringOld
			}
			to[i] = string(rune(mk)) + strconv.FormatUint((v-1)/2, 10)
		}
	}
	return renameTokens(bl, from, to), true
}

// tryRenamed tries the part s (ids sid) against the base lines p (index
// pb) renamed (renameFor), numbered base with part index k, q in the
// tie-break order (right after the same base not renamed). A base is
// renamed only when it lacks a line of s that holds a reference.
func (c *partCoder) tryRenamed(s []string, sid []int32, in *interner, p []string, pids []int32, has func(int32) bool, base, k uint64, q int) {
	beaten := func(lb int) bool { return lb > c.bestCost || lb == c.bestCost && q >= c.bestQ }
	// A lower bound before anything is renamed: base 1 or 2, a part index,
	// a rename of at least 2 bytes, END, and the lines of s without a
	// reference that the base lacks (renaming does not change them).
	if beaten(4) {
		return
	}
	if c.refs == nil {
		c.refs = lineRefs(c.refsBuf, s)
		c.refsBuf = c.refs
	}
	plain, refMissing := plainMissing(s, sid, has, c.refs, c.bestCost-4+c.slack)
	plain -= c.slack // GEN lines (avgen.go)
	if !refMissing || beaten(4+plain) {
		return // renamed only when a line with a reference is missing
	}
	from, to, payload, ok := renameOf(c.tokens(q, p), c.tokens(0, s))
	if !ok {
		return
	}
	w := 2*k + 1
	baseLen := varintLen(base) + varintLen(w) + len(payload)
	if beaten(baseLen + 1 + plain) {
		return
	}
	lines := renameTokens(p, from, to)
	b := newBaseIndex(in.renamedIDs(nil, lines, p, pids))
	if beaten(baseLen + 1 + b.missing(s, sid) - c.slack) {
		return
	}
	b.setBlocks(lines)
	c.rename = payload
	c.diff(s, sid, &b, base, w, q, baseLen)
	c.rename = nil
}

// renamedBase returns the base part bl, renamed when the part index
// varint w is odd (readRename), for readBase.
func renamedBase(edits []byte, p *int, bl []string, w uint64, bad func(string, ...any) error) ([]string, int, bool, error) {
	if w&1 == 0 {
		return bl, -1, false, nil
	}
	out, ok := readRename(edits, p, bl)
	if !ok {
		return nil, -1, false, bad("a rename truncated or of a rank the base lacks")
	}
	return out, -1, true, nil
}

// chargeCopy adds the bytes of a base bl that readBase made for its part
// (renamed, renumbered: each line's bytes plus 2) to the running total of
// the skeleton's size, and fails with limit past maxSDP (AVFORM §5 step
// A5): such a base is a copy, which a code of many parts could otherwise
// make again and again at no cost.
func chargeCopy(bl []string, total, maxSDP, off int) (int, error) {
	for _, l := range bl {
		total += len(l) + 2
	}
	if total > maxSDP {
		return total, errf(ErrLimit, off, "edits", "skeleton and copied bases over the SDP limit of %d", maxSDP)
	}
	return total, nil
}

// plainMissing returns the bytes (each line with its LF) of the lines of s
// (ids sid) that have no identifier reference (refs, lineRefs) and that
// the base lacks (has tells the base's lines), and whether the base lacks
// a line of s that has one; it stops once the bytes pass budget.
func plainMissing(s []string, sid []int32, has func(int32) bool, refs []int8, budget int) (m int, refMissing bool) {
	for i, id := range sid {
		if !has(id) {
			if hasRef(refs, s, i) {
				refMissing = true
			} else if m += len(s[i]) + 1; m > budget {
				return m, refMissing // over budget: the sum need not be exact
			}
		}
	}
	return m, refMissing
}

// Whether a line holds an identifier reference, as lineRefs keeps it.
const (
	refUnknown int8 = iota
	refNone
	refSome
)

// lineRefs returns, in buf's storage when it has room, a record of whether
// each line of s holds an identifier reference, all unknown: hasRef finds
// out a line's when first asked (only the lines some base lacks are).
func lineRefs(buf []int8, s []string) []int8 {
	return append(buf[:0], make([]int8, len(s))...)
}

// hasRef reports whether line i of s holds an identifier reference, noted
// in refs (lineRefs).
func hasRef(refs []int8, s []string, i int) bool {
	if refs[i] == refUnknown {
		refs[i] = refNone
		if k, _ := nextRef(s[i], 0); k >= 0 {
			refs[i] = refSome
		}
	}
	return refs[i] == refSome
}

// renamedIDs returns the ids of lines, the base lines p (ids pids)
// renamed (renameTokens), without giving new lines a lasting id: a line
// that renaming left as it was keeps its id; a changed line the interner
// lacks, which is no line of the description or the offer, gets an id of
// its own after all the interner's.
func (in *interner) renamedIDs(dst []int32, lines, p []string, pids []int32) []int32 {
	out := room(dst, len(lines))[:len(lines)]
	next := in.next + int32(in.extra.n)
	for i, l := range lines {
		if l == p[i] {
			out[i] = pids[i]
			continue
		}
		id, ok := in.find(l)
		if !ok {
			id = next
			next++
		}
		out[i] = id
	}
	return out
}

// holds reports whether part k holds the line id (its bit mask, or its
// index beyond the first 64 parts).
func (o *ownBases) holds(k int, id int32) bool {
	if k >= 64 {
		return o.index(k).has(id)
	}
	return id >= 0 && int(id) < len(o.mask) && o.mask[id]&(1<<k) != 0
}

// tokens returns idTokens(lines) for the lines of the base q in tie-break
// order (q 0: the part searched), found once per search (or, for q 0, per
// part) rather than once per part and base: renameOf only reads them.
func (c *partCoder) tokens(q int, lines []string) []string {
	for len(c.toks) <= q {
		c.toks, c.toksDone = append(c.toks, nil), append(c.toksDone, false)
	}
	if !c.toksDone[q] {
		c.toks[q], c.toksDone[q] = idTokens(lines), true
	}
	return c.toks[q]
}
