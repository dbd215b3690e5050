package codec

import (
	"sync"
)

// The search of renumbered profiles (AVFORM §14.5): which profiles have
// a renumbered variant for a part, and bounds that keep most variants
// from being made and diffed.

// partNumbers is what the search of one part's renumbered profiles reads
// of the part: its numbered things, and for each profile a lower bound of
// the bytes of the part's lines that the profile renumbered lacks: the
// lines without a number that the profile lacks (renumbering changes no
// such line of a profile, and makes no line without a number) and the
// lines with numbers whose shape no line of the profile has (renumbering
// changes a line's numbers, not its shape).
type partNumbers struct {
	things     []thing // made when first needed (thingsOf)
	thingsMade bool
	plain      []int // by profile
	// exact[k] is the bytes of the lines without a number that profile k
	// lacks; lines the lines with numbers, for missing.
	exact    []int
	lines    []numberedLine
	scratch  numMap       // renumberFor's, for each profile in turn
	lineToks [][]numToken // each line's numbers
	// Storage kept from part to part (numbers), and from one search to
	// the next (coderScratch).
	ps   []string
	pid  []int32
	text []byte
	slab []numToken
	nbs  numberedScratch
	// The storage of a renumbered profile while it is diffed
	// (tryRenumbered): its lines, their ids, its index.
	profLines []string
	profText  []byte
	profIDs   []int32
	profIdx   []int32
}

// numberedLine is a line of the part with numbers: its place and numbers.
type numberedLine struct {
	i     int
	toks  []numToken
	shape uint64
}

// thingsOf returns the numbered things of the part s, made once.
func (pn *partNumbers) thingsOf(s []string) []thing {
	if !pn.thingsMade {
		pn.things, pn.thingsMade = profileKeys().partThings(&pn.nbs, pn.things, s, pn.lineToks), true
	}
	return pn.things
}

// shapeHash returns a hash of a shape (shapeText). Two shapes may share
// a hash, which only makes the bound that reads them (missing) lower.
func shapeHash(text []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range text {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// shapeText returns the shape of line l, whose numbers are toks (AVFORM
// §14.5): the line with each number replaced by the byte 0x00, which no
// skeleton line holds. Renumbering changes a line's numbers, not its
// shape.
func shapeText(dst []byte, l string, toks []numToken) []byte {
	last := 0
	for _, t := range toks {
		dst = append(append(dst, l[last:t.start]...), 0)
		last = t.end
	}
	return append(dst, l[last:]...)
}

// profileShapes maps the shape of each line with numbers of a profile to
// the profiles that have a line of that shape, ascending.
var profileShapes = sync.OnceValue(func() map[string][]uint16 {
	out := map[string][]uint16{}
	for k, toks := range profileTokens() {
		for i, tk := range toks {
			if len(tk) == 0 {
				continue
			}
			sh := string(shapeText(nil, avProfiles[k][i], tk))
			if h := out[sh]; len(h) == 0 || h[len(h)-1] != uint16(k) {
				out[sh] = append(h, uint16(k))
			}
		}
	}
	return out
})

// numbers returns the partNumbers of part s (ids sid), made when first
// asked for in the part.
func (c *partCoder) numbers(reg *registryIndex, s []string, sid []int32) *partNumbers {
	if c.nums != nil {
		return c.nums
	}
	pn := c.numsBuf
	if pn == nil {
		pn = new(partNumbers)
		c.numsBuf = pn
	}
	*pn = partNumbers{plain: room(pn.plain, len(c.missing))[:len(c.missing)], exact: room(pn.exact, len(c.missing))[:len(c.missing)],
		lines: pn.lines[:0], lineToks: room(pn.lineToks, len(s))[:len(s)], ps: pn.ps[:0], pid: pn.pid[:0], text: pn.text[:0], slab: room(pn.slab, len(s)),
		things: pn.things[:0], nbs: pn.nbs, profLines: pn.profLines, profText: pn.profText, profIDs: pn.profIDs, profIdx: pn.profIdx}
	clear(pn.plain)
	ps, pid, text, slab := pn.ps, pn.pid, pn.text, pn.slab
	shapes, numbered := profileShapes(), 0
	known := registryNumbers()
	for i, l := range s {
		var buf []numToken
		var sh uint64
		var holders []uint16
		if id := sid[i]; id >= 0 && int(id) < len(known) {
			buf, sh, holders = known[id].toks, known[id].shape, known[id].holders
		} else {
			buf = numTokens(slab[len(slab):], l)
			if cap(slab)-len(slab) >= len(buf) {
				slab = slab[:len(slab)+len(buf)]
			}
			if len(buf) > 0 {
				text = shapeText(text[:0], l, buf)
				sh, holders = shapeHash(text), shapes[string(text)]
			}
		}
		pn.lineToks[i] = buf
		if len(buf) == 0 {
			ps, pid = append(ps, l), append(pid, sid[i])
			continue
		}
		pn.lines = append(pn.lines, numberedLine{i, buf, sh})
		numbered += len(l) + 1
		for _, k := range holders {
			if int(k) < len(pn.plain) {
				pn.plain[k] -= len(l) + 1
			}
		}
	}
	reg.missingBytes(pn.exact, ps, pid)
	for k := range pn.plain {
		pn.plain[k] += pn.exact[k] + numbered
	}
	pn.ps, pn.pid, pn.text, pn.slab = ps, pid, text, slab
	c.nums = pn
	return pn
}

// missing returns the bytes of the part's lines s that profile k
// renumbered by m lacks, each with its LF, without renumbering the
// profile: a line with numbers is in it when the profile has a line that
// m makes it, one whose every number is, where the part's line has v, the
// number m takes to v or v itself when m does not take v anywhere
// (preimageIn). It stops once the bytes pass budget.
func (pn *partNumbers) missing(k int, m *numMap, s []string, budget int) int {
	miss := pn.exact[k]
	set := profileLineHashes()[k]
	for _, nl := range pn.lines {
		if miss > budget {
			return miss
		}
		if !preimageIn(set, nl, m) {
			miss += len(s[nl.i]) + 1
		}
	}
	return miss
}

// valueHash returns the hash of a line with numbers: its shape's hash and
// its numbers' values.
func valueHash(sh uint64, vals []int) uint64 {
	h := sh
	for _, v := range vals {
		h = (h ^ uint64(v+1)) * 1099511628211
	}
	return h ^ h>>29
}

// profileLineHashes holds, for each profile, the valueHash of each of its
// lines with numbers.
var profileLineHashes = sync.OnceValue(func() []map[uint64]struct{} {
	out := make([]map[uint64]struct{}, len(avProfiles))
	for k, toks := range profileTokens() {
		out[k] = map[uint64]struct{}{}
		for i, tk := range toks {
			if len(tk) > 0 {
				vals := make([]int, len(tk))
				for x, t := range tk {
					vals[x] = t.n
				}
				out[k][valueHash(shapeHash(shapeText(nil, avProfiles[k][i], tk)), vals)] = struct{}{}
			}
		}
	}
	return out
})

// preimageIn reports whether a profile whose lines with numbers hash to
// set (profileLineHashes) has a line that m renumbers to the line nl:
// each number v of the line comes from m's z → v, or from v itself when m
// takes v nowhere; every choice is tried (a line has a few numbers). Two
// lines may share a hash, which only makes missing's bound lower.
func preimageIn(set map[uint64]struct{}, nl numberedLine, m *numMap) bool {
	var from [8][2]int // each number's choices, -1 for none
	n := len(nl.toks)
	if n > len(from) {
		return true // a bound: counted as present
	}
	for x, t := range nl.toks {
		from[x] = [2]int{m.target(t.kind, t.n), -1}
		if m.image(t.kind, t.n) < 0 {
			from[x][1] = t.n
		}
	}
	var choice [8]int
	for combo := 0; combo < 1<<n; combo++ {
		ok := true
		for x := range n {
			choice[x] = from[x][combo>>x&1]
			ok = ok && choice[x] >= 0
		}
		if !ok {
			continue
		}
		if _, in := set[valueHash(nl.shape, choice[:n])]; in {
			return true
		}
	}
	return false
}

// tryRenumbered tries the part s (ids sid) against the registry profiles
// k < n that have a renumbered variant for it: those whose bound (the
// bytes of the part's lines that the profile renumbered cannot have,
// partNumbers.plain) is less than every earlier profile's (AVFORM §14.5),
// each renumbered (renumberFor) and then, in an answer whose offer's part
// of the same index was coded against a renumbered profile (mo, its
// renumbering; nil when none), renumbered as the offer (RENUMBER AS
// OFFER), q0 + k in the tie-break order (the profile's: tried after it, the
// profile wins a tie, the renumbered variant one against the variant as the
// offer). Bounds of what a variant costs at least (the base number, the
// RENUMBER, END, and the bytes of the lines the profile renumbered lacks,
// found first without a map, then with it) keep most from being made and
// diffed.
func (c *partCoder) tryRenumbered(reg *registryIndex, s []string, sid []int32, in *interner, q0, n int, mo *numMap) {
	low := -1          // the least bound of the profiles so far
	leastRenumber := 5 // 11 17, two counts and a pair (a byte)
	if mo != nil {
		leastRenumber = 2 // RENUMBER AS OFFER, 11 18
	}
	for k := range n {
		q := q0 + k
		beaten := func(lb int) bool { return lb > c.bestCost || lb == c.bestCost && q >= c.bestQ }
		base := baseProfile + uint64(k)
		// At least the base number, the least RENUMBER and END; no later
		// profile costs less.
		least := varintLen(base) + renumberWeight*leastRenumber + 1
		if beaten(least - c.slack) {
			return
		}
		pn := c.numbers(reg, s, sid)
		if low >= 0 && pn.plain[k] >= low {
			continue
		}
		low = pn.plain[k]
		if beaten(least + pn.plain[k] - c.slack) {
			continue
		}
		m := &pn.scratch
		if renumberFor(m, profileKeys(), k, pn.thingsOf(s)) {
			c.tryVariant(s, sid, in, k, q, m, appendRenumber(nil, m))
		}
		if mo != nil && renumbersProfile(mo, k) {
			c.tryVariant(s, sid, in, k, q, mo, []byte{permValue, renumberOfferCode})
		}
	}
}

// tryVariant diffs the part s against profile k renumbered by m (q its
// place in the tie-break order), payload its RENUMBER or RENUMBER AS
// OFFER, unless a bound shows it cannot beat the best so far.
func (c *partCoder) tryVariant(s []string, sid []int32, in *interner, k, q int, m *numMap, payload []byte) {
	pn := c.nums
	beaten := func(lb int) bool { return lb > c.bestCost || lb == c.bestCost && q >= c.bestQ }
	base := baseProfile + uint64(k)
	baseLen := varintLen(base) + renumberWeight*len(payload)
	if beaten(baseLen+1+pn.plain[k]-c.slack) || beaten(baseLen+1+pn.missing(k, m, s, c.bestCost)-c.slack) {
		return
	}
	// The variant's storage is reused: nothing keeps it past its diff.
	pn.profLines, pn.profText = renumberProfile(pn.profLines, pn.profText, k, m)
	pn.profIDs = in.renamedIDs(pn.profIDs, pn.profLines, avProfiles[k], profileIndex().profiles[k].ids)
	var b baseIndex
	b, pn.profIdx = newBaseIndexIn(pn.profIdx, pn.profIDs)
	b.setBlocks(pn.profLines)
	c.rename = payload
	c.diff(s, sid, &b, base, 0, q, baseLen)
	c.rename = nil
}

// knownLine is what numbers reads of a line of the registry: its
// numbers, its shape's hash and the profiles holding a line of its shape.
type knownLine struct {
	toks    []numToken
	shape   uint64
	holders []uint16
}

// registryNumbers holds the knownLine of every line of the registry, by
// its id (registryIndex.ids), found once per process: most lines of a part
// are the registry's.
var registryNumbers = sync.OnceValue(func() []knownLine {
	reg, shapes := profileIndex(), profileShapes()
	out := make([]knownLine, len(reg.ids))
	for l, id := range reg.ids {
		toks := numTokens(nil, l)
		if len(toks) > 0 {
			text := shapeText(nil, l, toks)
			out[id] = knownLine{toks, shapeHash(text), shapes[string(text)]}
		}
	}
	return out
})
