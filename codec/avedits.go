package codec

import "sort"

// Parts as edits of a base (AVFORM §3): each skeleton part is coded as
// copy/seek/insert operations against a base (the empty base, a part of
// the offer's skeleton, an earlier part, or a registry profile); the
// inserted lines travel in the text item.

// Edit operations: kind = v & 3 and m = v >> 2; COPY and INSERT n = m + 1
// lines; SEEK moves the base position by m/2 + 1 lines forward when m is
// even, by (m+1)/2 lines back when m is odd; v = 3 is END, v = 7 COPY END
// (the rest of the base, then END).
const (
	opCopy    = 0
	opSeek    = 1
	opInsert  = 2
	opEnd     = 3
	opCopyEnd = 7 // an avOp kind, and its whole varint
)

// Base numbers: 0 the empty base, 1 a part of the offer and 2 an earlier
// part of the same description (its index follows either), 3 + k
// registry profile k.
const (
	baseEmpty   = 0
	baseOffer   = 1
	baseOwn     = 2
	baseProfile = 3
)

// maxVarintLen is the longest varint of the edits (AVFORM §3).
const maxVarintLen = 4

// avOp is an edit operation: n lines for COPY and INSERT, the signed
// move of the base position for SEEK.
type avOp struct {
	kind  byte
	n     int
	lines int    // PICK: the block's length; PERM: its blocks' lines
	rank  uint64 // PERM: the rank of its order
}

// A base's lines are compared as integers: every distinct line of the
// registry has an id (lineIDs), a line of an offer's skeleton that the
// registry lacks gets one after them, and a line of the description that
// neither has one after those (interner).

// baseIndex is a base's lines as ids and, for each id, the ascending
// positions where it occurs: at[start[id]:start[id+1]], grouped by id in
// two arrays (a counting sort) rather than a slice per id, which made a
// base's index cost an allocation per distinct line.
type baseIndex struct {
	ids   []int32
	start []int32 // indexed by id and id+1; shorter than the largest id + 2 when absent
	at    []int32
	// The blocks (avpick.go): their first and end positions.
	heads, ends []int32
	blocksSet   bool
}

func newBaseIndex(ids []int32) baseIndex {
	b, _ := newBaseIndexIn(nil, ids)
	return b
}

// newBaseIndexIn is newBaseIndex in buf's storage, which it returns
// (grown when short): the index lives in it until buf is used again.
func newBaseIndexIn(buf []int32, ids []int32) (baseIndex, []int32) {
	var top int32 = -1
	for _, id := range ids {
		top = max(top, id)
	}
	// Counts at start[id+2], their running sums, then each position put
	// at start[id+1], which ends as the end of id's positions.
	n := int(top) + 3 + len(ids) // start and at, one allocation
	buf = room(buf, n)[:n]
	clear(buf[:top+3])
	b := baseIndex{ids: ids, start: buf[: top+3 : top+3], at: buf[top+3:]}
	for _, id := range ids {
		b.start[id+2]++
	}
	for k := 2; k < len(b.start); k++ {
		b.start[k] += b.start[k-1]
	}
	for i, id := range ids {
		b.at[b.start[id+1]] = int32(i)
		b.start[id+1]++
	}
	return b, buf
}

// positions returns the ascending positions of the line id in the base.
func (b *baseIndex) positions(id int32) []int32 {
	if id < 0 || int(id)+1 >= len(b.start) {
		return nil
	}
	return b.at[b.start[id]:b.start[id+1]]
}

// has reports whether the line id occurs in the base.
func (b *baseIndex) has(id int32) bool {
	return id >= 0 && int(id)+1 < len(b.start) && b.start[id+1] > b.start[id]
}

// seekTarget returns the position k of the base where s[i] occurs that is
// nearest to j, the later of two equally near; -1 when s[i] does not occur
// (AVFORM §3, the encoder's diff). A binary search: a line that occurs
// often costs no more than one that occurs once.
func (b *baseIndex) seekTarget(s []int32, i, j int) int {
	list := b.positions(s[i])
	switch len(list) {
	case 0:
		return -1
	case 1:
		return int(list[0]) // most lines occur once: the nearest, wherever j is
	}
	// at: the first occurrence at or after j.
	at := sort.Search(len(list), func(k int) bool { return int(list[k]) >= j })
	switch {
	case at == len(list):
		return int(list[at-1])
	case at == 0:
		return int(list[0])
	}
	after, before := int(list[at]), int(list[at-1])
	if after-j <= j-before {
		return after
	}
	return before
}

// editCost returns the cost of coding s with ops (END or COPY END last)
// against a base whose number (and part index) take baseLen bytes: the
// bytes of the edit encoding plus, for each inserted line, its length + 1.
func editCost(s []string, ops []avOp, baseLen int) int {
	cost := baseLen // the ops end with END or COPY END
	i := 0
	for _, o := range ops {
		cost += opLen(o)
		switch o.kind {
		case opCopy:
			i += o.n
		case opGen:
			i++
		case opPick, opPerm, opMirror, opVersion:
			i += o.lines
		case opInsert, opReplace:
			for _, l := range s[i : i+o.n] {
				cost += len(l) + 1
			}
			i += o.n
		}
	}
	return cost
}

// opsLen returns the bytes of the edit encoding of ops: editCost without
// the base number and the inserted lines.
func opsLen(ops []avOp) int {
	n := 0
	for _, o := range ops {
		n += opLen(o)
	}
	return n
}

// partCoder chooses the base of one part and its ops.
type partCoder struct {
	ops, best []avOp // two buffers: the ops tried, the best so far
	bestBase  [2]uint64
	bestCost  int
	// bestQ is the best base's place in the tie-break order (0 the empty
	// base, then the offer's parts, the earlier parts, the profiles): the
	// bases are not tried in that order, so a tie goes to the lesser q.
	bestQ int
	// rename is the rename (avrename.go) of the base diffed, bestRename
	// the best's; nil when not renamed.
	rename, bestRename []byte
	refs               []int8 // the part's lines that hold a reference (lineRefs), made when first needed
	refsBuf            []int8 // refs' storage, kept from part to part
	seeded             bool   // the best so far is a seed's bound (seed), not a base diffed
	// toks[q] is idTokens of the base q in tie-break order when
	// toksDone[q] (toks[0]: of the part searched), for tryRenamed.
	toks     [][]string
	toksDone []bool

	// The part's generated lines (avgen.go), and what GEN saves at most.
	gen    *partGen
	slack  int
	genBuf *partGen // gen's storage
	// missing[k] is the missing bytes of profile k (missingBytes).
	missing []int
	nums    *partNumbers  // for tryRenumbered, made when first needed in a part
	numsBuf *partNumbers  // nums' storage, kept from part to part
	scratch *coderScratch // the storage's box in coderPool (newPartCoder)
}

// startPart starts the search of part x (lines s, ids sid; in, offer as
// for newPartGen) with the empty base as the best so far.
func (c *partCoder) startPart(s []string, sid []int32, x int, in *interner, offer [][]string) {
	c.gen, c.slack = newPartGen(c.genBuf, s, sid, x, in, offer)
	c.best = diffOps(c.best[:0], sid, &emptyBase, c.gen)
	c.bestBase, c.bestQ, c.bestRename, c.refs, c.nums = [2]uint64{}, 0, c.bestRename[:0], nil, nil
	if len(c.toksDone) > 0 {
		c.toksDone[0] = false // a new part
	}
	c.bestCost = editCost(s, c.best, 1)
}

// try diffs the part s (sid: its ids) against base b, numbered base (and
// part, for the bases that index a part), q in the tie-break order, and
// keeps it when it costs less than the best so far, or as much and comes
// first in tie-break order. missing is the bytes of the lines of s that b
// lacks, each with its LF.
func (c *partCoder) try(s []string, sid []int32, b *baseIndex, base, part uint64, q, missing int) {
	if baseLen, ok := c.bound(base, part, q, missing); ok {
		c.diff(s, sid, b, base, part, q, baseLen)
	}
}

// bound returns the length of the number (and part index) of a base and
// whether the base can beat the best so far by its lower bound: the base
// number, END (or COPY END), and every line the base lacks (missing
// bytes), inserted. A base that cannot is not diffed.
func (c *partCoder) bound(base, part uint64, q, missing int) (baseLen int, ok bool) {
	baseLen = varintLen(base)
	if base == baseOffer || base == baseOwn {
		baseLen += varintLen(part)
	}
	lb := baseLen + 1 + missing - c.slack
	return baseLen, lb < c.bestCost || lb == c.bestCost && q < c.bestQ
}

// diff diffs the part against the base b and keeps the result when it is
// the best so far (try).
func (c *partCoder) diff(s []string, sid []int32, b *baseIndex, base, part uint64, q, baseLen int) {
	// A base is kept at a cost below bestCost, or equal to it when it
	// comes first in tie-break order.
	limit := c.bestCost - baseLen
	if q >= c.bestQ {
		limit--
	}
	ops, inserted, ok := diffWithin(c.ops[:0], sid, s, b, c.gen, limit)
	c.ops = ops
	if !ok {
		return
	}
	if cost := baseLen + inserted + opsLen(c.ops); cost < c.bestCost || cost == c.bestCost && q < c.bestQ {
		c.ops, c.best = c.best, c.ops
		c.bestBase, c.bestCost, c.bestQ = [2]uint64{base, part}, cost, q
		c.seeded = false
		c.bestRename = append(c.bestRename[:0], c.rename...)
	}
}

// tryPart is try for a base that is a part (of the offer or of the
// description), its missing bytes counted here.
func (c *partCoder) tryPart(s []string, sid []int32, b *baseIndex, base, part uint64, q int) {
	c.try(s, sid, b, base, part, q, b.missing(s, sid))
}

// missing returns the bytes of the lines of s (ids sid) that the base
// lacks, each counted with its LF.
func (b *baseIndex) missing(s []string, sid []int32) int {
	m := 0
	for i, id := range sid {
		if !b.has(id) {
			m += len(s[i]) + 1
		}
	}
	return m
}

// appendEdits appends the edits of the skeleton parts to dst, without the
// last part's COPY END (the end of the edits implies it), and the
// inserted lines (each followed by LF) to text, choosing for each part the
// base of least cost, the first in tie-break order on a tie (AVFORM §3):
// the empty base, the offer's parts, the description's earlier parts, the
// profiles. offer is the offer's skeleton for an answer whose offer is an
// A/V code, else nil. The registry bases are profiles 0 to maxProfile (-1:
// none): an encoder tries every profile it knows; a decoder checking a
// code re-encodes with the profiles up to the greatest one the code uses
// (AVFORM-decisions), so that a decoder knowing later profiles still
// accepts an older encoder's codes.
//
// The result does not depend on the order in which the bases are tried
// (partCoder keeps the tie-break order): the likeliest best bases go
// first, so that their cost prunes the others by their lower bounds: the
// offer's part of the same index, then the profile of least lower bound.
func appendEdits(dst, text []byte, parts, offer [][]string, maxProfile int) ([]byte, []byte) {
	dst, text, _ = searchEdits(dst, text, parts, offer, nil, maxProfile, nil)
	return dst, text
}

// searchEdits is appendEdits with each part's search seeded (seed): the same result, or not ok.
func searchEdits(dst, text []byte, parts, offer [][]string, offerMaps []*numMap, maxProfile int, seeds []editSeed) (_, _ []byte, ok bool) {
	reg := profileIndex()
	lines, size := countLines(parts)
	c := newPartCoder(lines, min(maxProfile+1, len(reg.profiles)))
	defer c.release()
	in, offerIdx := c.interner(offer)
	if text == nil {
		text = make([]byte, 0, size/2) // room for most (a corpus offer inserts up to half its bytes)
	}
	if dst == nil {
		dst = make([]byte, 0, 64+lines) // room for most (up to a byte a line), grown once at most
	}
	// The ids of the description's lines are below in.next + lines.
	in.extra.reserve(lines / 4) // most lines are the registry's
	defer in.extra.release()
	own := newOwnBases(len(parts), lines, int(in.next)+lines)
	defer own.release()
	missing := c.missing
	allIDs := own.ids // every part's ids, each a slice of it
	for x, s := range parts {
		sid := in.ids(allIDs[:0:len(s)], s)
		allIDs = allIDs[len(s):]
		c.startPart(s, sid, x, in, offer)
		c.seed(seeds, len(offerIdx), x)
		if x < len(offerIdx) {
			c.tryPart(s, sid, &offerIdx[x], baseOffer, 2*uint64(x), 1+x)
		}
		reg.missingBytes(missing, s, sid)
		q0 := 1 + len(offerIdx) + len(own.sids) // the first profile's q
		first := leastBound(missing)
		if first >= 0 {
			c.try(s, sid, &reg.profiles[first], baseProfile+uint64(first), 0, q0+first, missing[first])
		}
		for k := range offerIdx {
			if k != x {
				c.tryPart(s, sid, &offerIdx[k], baseOffer, 2*uint64(k), 1+k)
			}
		}
		for k := range own.sids {
			q, m := 1+len(offerIdx)+k, own.missing(k, s, sid)
			if baseLen, ok := c.bound(baseOwn, 2*uint64(k), q, m); ok {
				b := own.index(k)
				b.setBlocks(parts[k])
				c.diff(s, sid, b, baseOwn, 2*uint64(k), q, baseLen)
			}
		}
		for k := range missing {
			if k != first {
				c.try(s, sid, &reg.profiles[k], baseProfile+uint64(k), 0, q0+k, missing[k])
			}
		}
		// The renamed parts last, when the best so far prunes most.
		for k := range offerIdx {
			c.tryRenamed(s, sid, in, offer[k], offerIdx[k].ids, offerIdx[k].has, baseOffer, uint64(k), 1+k)
		}
		for k := range own.sids {
			c.tryRenamed(s, sid, in, parts[k], own.sids[k], func(id int32) bool { return own.holds(k, id) }, baseOwn, uint64(k), 1+len(offerIdx)+k)
		}
		c.tryRenumbered(reg, s, sid, in, q0, len(missing), offerMap(offerMaps, x))
		if c.seeded {
			return dst, text, false
		}
		if x < len(parts)-1 {
			own.add(sid)
		}
		dst, text = appendPart(dst, text, s, c.bestBase, c.bestRename, c.best)
	}
	if len(parts) > 0 && c.best[len(c.best)-1].kind == opCopyEnd {
		dst = dst[:len(dst)-1] // the last part's COPY END is implied
	}
	return dst, text, true
}

// offerMap returns offerMaps[x], nil when there is none.
func offerMap(offerMaps []*numMap, x int) *numMap {
	if x < len(offerMaps) {
		return offerMaps[x]
	}
	return nil
}

// leastBound returns the profile k of least lower bound missing[k] + the
// length of its base number (the first among equals), -1 when there is
// none.
func leastBound(missing []int) int {
	first := -1
	for k := range missing {
		if first < 0 || missing[k]+varintLen(baseProfile+uint64(k)) < missing[first]+varintLen(baseProfile+uint64(first)) {
			first = k
		}
	}
	return first
}

// appendPart appends the edits of the part s, coded with ops (END or COPY
// END last) against the base bestBase (its number, and the part index for
// baseOffer and baseOwn), to dst and its inserted lines to text.
func appendPart(dst, text []byte, s []string, bestBase [2]uint64, rename []byte, ops []avOp) ([]byte, []byte) {
	dst = appendVarint(dst, bestBase[0])
	if bestBase[0] == baseOffer || bestBase[0] == baseOwn {
		dst = appendVarint(dst, bestBase[1])
	}
	dst = append(dst, rename...) // a part renamed (bestBase[1] odd) or a profile renumbered
	i := 0
	for _, o := range ops {
		if o.kind == opPerm || o.kind == opMirror {
			dst = appendPerm(dst, o)
		} else if o.kind == opVersion {
			dst = appendVarint(append(dst, permValue, versionCode), uint64(o.n))
		} else {
			dst = appendVarint(dst, opValue(o))
		}
		switch o.kind {
		case opCopy:
			i += o.n
		case opGen:
			i++
		case opPick, opPerm, opMirror, opVersion:
			i += o.lines
		case opInsert, opReplace:
			for _, l := range s[i : i+o.n] {
				text = append(text, l...)
				text = append(text, '\n')
			}
			i += o.n
		}
	}
	return dst, text
}

// readBase reads a part's base (AVFORM §3) at edits[*p] and returns its
// lines, its profile number (-1 when not a profile) and whether the lines
// are a copy made for the part (a part renamed, a profile renumbered);
// own is the parts rebuilt so far.
func readBase(edits []byte, p *int, offer, own [][]string, offerMaps []*numMap, answer bool, off int) (bl []string, profile int, copied bool, err error) {
	bad := func(format string, a ...any) error {
		return errf(ErrMalformed, off, "edits", format, a...)
	}
	base, ok := readVarint(edits, p)
	if !ok {
		return nil, -1, false, bad("truncated or over-long varint")
	}
	switch {
	case base == baseEmpty:
		return nil, -1, false, nil
	case base == baseOffer:
		w, ok := readVarint(edits, p)
		if !ok {
			return nil, -1, false, bad("truncated or over-long varint")
		}
		if !answer || offer == nil {
			return nil, -1, false, bad("an offer part as base without an A/V offer")
		}
		if w>>1 >= uint64(len(offer)) {
			return nil, -1, false, bad("offer part %d of %d", w>>1, len(offer))
		}
		return renamedBase(edits, p, offer[w>>1], w, bad)
	case base == baseOwn:
		w, ok := readVarint(edits, p)
		if !ok {
			return nil, -1, false, bad("truncated or over-long varint")
		}
		if w>>1 >= uint64(len(own)) {
			return nil, -1, false, bad("part %d as base of part %d", w>>1, len(own))
		}
		return renamedBase(edits, p, own[w>>1], w, bad)
	case base-baseProfile >= uint64(len(avProfiles)):
		return nil, -1, false, errf(ErrUnsupported, off, "edits", "profile %d is not in this registry", base-baseProfile)
	}
	k := int(base - baseProfile)
	var mo *numMap
	if answer {
		mo = offerMap(offerMaps, len(own))
	}
	bl, renumbered, msg := readRenumber(edits, p, k, mo)
	if msg != "" {
		return nil, -1, false, bad("%s", msg)
	}
	return bl, k, renumbered, nil
}

// readVarint reads an unsigned LEB128 varint of at most maxVarintLen bytes
// at b[*p]; ok is false when it is truncated or longer. A varint not in its
// shortest form is read; re-encoding finds it (non-canonical).
func readVarint(b []byte, p *int) (v uint64, ok bool) {
	for k := 0; k < maxVarintLen; k++ {
		if *p >= len(b) {
			return 0, false
		}
		c := b[*p]
		*p++
		v |= uint64(c&0x7f) << (7 * k)
		if c < 0x80 {
			return v, true
		}
	}
	return 0, false
}

// nextOp reads the varint of a part's next op at edits[*p]: COPY END at
// the end of the edits, which implies the last part's (AVFORM §3).
func nextOp(edits []byte, p *int) (uint64, bool) {
	if *p == len(edits) {
		return opCopyEnd, true
	}
	return readVarint(edits, p)
}

// applyEdits rebuilds the skeleton parts from the edits, the inserted
// lines and the offer's skeleton (nil for an offer, or an answer whose
// offer is not an A/V code), keeping the skeleton's bytes (+2 per line)
// within maxSDP. off is the offset of the edits item, for errors. It also
// returns the greatest profile number used as a base (-1: none).
// Each part's editSeed is appended to seeds when not nil (recordSeed).
func applyEdits(edits []byte, lines []string, offer [][]string, offerMaps []*numMap, answer bool, maxSDP, off int, seeds *[]editSeed) (parts [][]string, maxProfile int, err error) {
	maxProfile = -1
	total, p := 0, 0
	cache := blockCache{}
	all := make([]string, 0, 2*len(lines)+64)
	bad := func(format string, a ...any) error {
		return errf(ErrMalformed, off, "edits", format, a...)
	}
	for p < len(edits) {
		partStart, before := p, lines
		bl, profile, copied, err := readBase(edits, &p, offer, parts, offerMaps, answer, off)
		if err == nil && copied {
			total, err = chargeCopy(bl, total, maxSDP, off)
		}
		if err != nil {
			return nil, -1, err
		}
		maxProfile = max(maxProfile, profile)
		// One backing slice for every part's lines, each part a full slice expression of it.
		start := len(all)
		j := 0
		blocks := cache.of(bl, profile, copied)
		for {
			v, ok := nextOp(edits, &p)
			if !ok {
				return nil, -1, bad("truncated varint")
			}
			if v == opEnd {
				break
			}
			n := int(v>>2) + 1
			var add []string
			switch v & 3 {
			case opEnd: // COPY END, PERM or PICK
				var msg string
				if add, j, msg = blocks.kind3OrGen(edits, &p, bl, j, v, len(parts), offer); msg != "" {
					return nil, -1, bad("%s", msg)
				}
			case opCopy:
				if n > len(bl)-j {
					return nil, -1, bad("COPY past the base's end")
				}
				add = bl[j : j+n]
				j += n
			case opSeek:
				d := n/2 + n%2 // m = n - 1: m/2 + 1 forward when m is even, (m+1)/2 back when odd
				if n%2 == 0 {
					d = -d
				}
				if d >= len(bl)-j || -d > j {
					return nil, -1, bad("SEEK outside the base")
				}
				j += d
			case opInsert:
				var msg string
				if add, lines, j, msg = insertOp(lines, n, j, len(bl)); msg != "" {
					return nil, -1, bad("%s", msg)
				}
			}
			for _, l := range add {
				total += len(l) + 2
			}
			if total > maxSDP {
				return nil, -1, errf(ErrLimit, off, "edits", "skeleton over the SDP limit of %d", maxSDP)
			}
			all = append(all, add...)
			if v == opCopyEnd {
				break
			}
		}
		recordSeed(seeds, edits, partStart, p, before[:len(before)-len(lines)])
		parts = append(parts, partOf(all, start))
	}
	if len(lines) > 0 {
		return nil, -1, bad("%d inserted lines left over", len(lines))
	}
	return parts, maxProfile, nil
}
