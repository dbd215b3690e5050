package codec

import "sync"

// Seeding the decoder's edit search (checkAV): the search of each part's
// base starts from the base and cost that the code gives the part, so that
// bases that cannot cost as little are not diffed.

// editSeed tells the search of one part's base (searchEdits) a base that
// the part was coded with and the cost of that coding: the decoder's
// check (checkAV) seeds each part with what the code holds, so that the
// bases that cannot cost as little are not diffed. Its number, and its
// part index for bases 1 and 2 (w, the rename bit included).
type editSeed struct {
	cost       int
	base, part uint64
	renumber   *numMap // the part's RENUMBER's pairs, nil when none (offerMapsOf)
}

// seed starts the search of part x with the bound of seeds[x] (none when
// x is past seeds, as for the encoder): only bases that cost less, or as
// much and come no later in tie-break order, are diffed (offers is the
// number of the offer's parts). The bound replaces the empty base's only
// when lower, and it is no base: when no base meets it, c.seeded stays
// true and the search's result is not the encoder's.
func (c *partCoder) seed(seeds []editSeed, offers, x int) {
	c.seeded = false
	if x >= len(seeds) {
		return
	}
	sd := seeds[x]
	q := 0 // sd's place in tie-break order (try)
	switch {
	case sd.base == baseOffer:
		q = 1 + int(sd.part>>1)
	case sd.base == baseOwn:
		q = 1 + offers + int(sd.part>>1)
	case sd.base >= baseProfile:
		q = 1 + offers + x + int(sd.base-baseProfile)
	}
	if sd.cost < c.bestCost {
		c.bestCost, c.bestQ, c.seeded = sd.cost, q+1, true
	}
}

// partSeed returns the editSeed of the part whose edits are edits[start:end]
// and whose inserted lines are ins: its base and the cost of its coding,
// plus one for a COPY END that the end of the edits implies.
func partSeed(edits []byte, start, end int, ins []string) editSeed {
	sd := editSeed{cost: end - start}
	if end == len(edits) {
		sd.cost++
	}
	for _, l := range ins {
		sd.cost += len(l) + 1
	}
	p := start
	sd.base, _ = readVarint(edits, &p)
	if sd.base == baseOffer || sd.base == baseOwn {
		sd.part, _ = readVarint(edits, &p)
	} else if sd.base >= baseProfile {
		// The RENUMBER or RENUMBER AS OFFER counts as the search counts it.
		at := p
		if isRenumberAsOffer(edits, p) {
			p += 2
		} else if m, msg := parseRenumber(edits, &p); m != nil && msg == "" {
			sd.renumber = m
		} else {
			p = at // none, or faulty
		}
		sd.cost += (renumberWeight - 1) * (p - at)
	}
	return sd
}

// offerMapsOf returns the renumbering of each part of an offer code read
// from its RENUMBER (nil for a part without one), from the parts' seeds:
// an answer's part may be coded against a profile renumbered as its
// offer's part of the same index (RENUMBER AS OFFER).
func offerMapsOf(seeds []editSeed) []*numMap {
	out := make([]*numMap, len(seeds))
	for x := range seeds {
		out[x] = seeds[x].renumber
	}
	return out
}

// recordSeed appends to *seeds, when seeds is not nil, the partSeed of
// the part that applyEdits read from edits[start:end] with the inserted
// lines ins.
func recordSeed(seeds *[]editSeed, edits []byte, start, end int, ins []string) {
	if seeds != nil {
		*seeds = append(*seeds, partSeed(edits, start, end, ins))
	}
}

// partOf returns the lines of a part that applyEdits rebuilt, all[start:]
// as a full slice expression (one backing slice holds every part's
// lines), nil when empty.
func partOf(all []string, start int) []string {
	if len(all) == start {
		return nil
	}
	return all[start:len(all):len(all)]
}

// coderScratch is the storage of a partCoder that coderPool keeps from
// one search to the next (the encoder's, and the decoder's check of every
// A/V code): two ops buffers of a few KiB, the partGen, the lines'
// reference marks and the profiles' missing bytes.
type coderScratch struct {
	ops, best []avOp
	gen       *partGen
	refs      []int8
	missing   []int
	in        interner     // the search's, which its partGen points to
	nums      *partNumbers // tryRenumbered's
}

var coderPool = sync.Pool{New: func() any { return new(coderScratch) }}

// maxPooledOps is the capacity past which an ops buffer is not kept.
const maxPooledOps = 1 << 12

// newPartCoder returns a partCoder whose storage comes from coderPool,
// with room for the ops of most parts of a description of n lines (the
// diff of a part seldom makes more than one op per 4 lines) and missing
// bytes for profiles profiles. release gives the storage back.
func newPartCoder(n, profiles int) partCoder {
	sc := coderPool.Get().(*coderScratch)
	if sc.gen == nil {
		sc.gen = new(partGen)
	}
	k := n/4 + 16
	return partCoder{
		ops: room(sc.ops, k), best: room(sc.best, k),
		genBuf: sc.gen, refsBuf: sc.refs[:0],
		missing: room(sc.missing, profiles)[:profiles],
		numsBuf: sc.nums,
		scratch: sc,
	}
}

// interner returns editInterner(offer), made in c's storage.
func (c *partCoder) interner(offer [][]string) (*interner, []baseIndex) {
	in := &c.scratch.in
	var offerIdx []baseIndex
	*in, offerIdx = editInterner(offer)
	return in, offerIdx
}

// release puts c's storage back in coderPool, unless an ops buffer grew
// past maxPooledOps; c is not used again.
func (c *partCoder) release() {
	if sc := c.scratch; cap(c.ops) <= maxPooledOps && cap(c.best) <= maxPooledOps {
		c.genBuf.in = nil
		*sc = coderScratch{ops: c.ops[:0], best: c.best[:0], gen: c.genBuf, refs: c.refsBuf[:0], missing: c.missing[:0], nums: c.numsBuf}
		coderPool.Put(sc)
	}
	*c = partCoder{}
}

// countLines returns the number of lines of parts and their bytes, each
// line counted with an LF.
func countLines(parts [][]string) (lines, size int) {
	for _, s := range parts {
		lines += len(s)
		for _, l := range s {
			size += len(l) + 1
		}
	}
	return lines, size
}
