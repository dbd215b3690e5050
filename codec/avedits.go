package codec

import (
	"sort"
	"sync"
)

// Parts as edits of a base (AVFORM §3): each skeleton part is coded as
// copy/skip/insert operations against a base (the empty base, a part of
// the offer's skeleton, or a registry profile); the inserted lines travel
// in the text item.

// Edit operations: kind = v & 3, n = (v >> 2) + 1; v = 3 is END.
const (
	opCopy   = 0
	opSkip   = 1
	opInsert = 2
	opEnd    = 3
)

// Base numbers: 0 the empty base, 1 a part of the offer (its index
// follows), 2 + k registry profile k.
const (
	baseEmpty   = 0
	baseOffer   = 1
	baseProfile = 2
)

// maxVarintLen is the longest varint of the edits (AVFORM §3).
const maxVarintLen = 4

type avOp struct {
	kind byte
	n    int
}

// A base's lines are compared as integers: every distinct line of the
// registry has an id (lineIDs), a line of an offer's skeleton that the
// registry lacks gets one after them, and a line of no base gets -1.

// baseIndex is a base's lines as ids and, for each id, the ascending
// positions where it occurs.
type baseIndex struct {
	ids []int32
	pos [][]int32 // indexed by id; shorter than the largest id when absent
	has []uint64  // bit id set when the base holds id (the lower bound's test)
}

func newBaseIndex(ids []int32) baseIndex {
	var top int32 = -1
	for _, id := range ids {
		top = max(top, id)
	}
	b := baseIndex{ids: ids, pos: make([][]int32, top+1), has: make([]uint64, (top+64)/64)}
	for i, id := range ids {
		b.pos[id] = append(b.pos[id], int32(i))
		b.has[id>>6] |= 1 << (id & 63)
	}
	return b
}

// holds reports whether the base has a line of id id (-1 for none).
func (b *baseIndex) holds(id int32) bool {
	return id >= 0 && int(id>>6) < len(b.has) && b.has[id>>6]&(1<<(id&63)) != 0
}

// at returns the smallest index >= j of the line id in the base, or -1.
func (b *baseIndex) at(id int32, j int) int {
	if id < 0 || int(id) >= len(b.pos) {
		return -1
	}
	if j < len(b.ids) && b.ids[j] == id {
		return j // the common case of a copy
	}
	list := b.pos[id]
	k := sort.Search(len(list), func(k int) bool { return int(list[k]) >= j })
	if k == len(list) {
		return -1
	}
	return int(list[k])
}

// holdsFrom reports whether the line id is in the base at an index >= j:
// whether b.at(id, j) >= 0.
func (b *baseIndex) holdsFrom(id int32, j int) bool {
	if id < 0 || int(id) >= len(b.pos) {
		return false
	}
	list := b.pos[id]
	return len(list) > 0 && int(list[len(list)-1]) >= j
}

// diffOps appends to ops the operations that make s (as ids) from the
// base b (AVFORM §3, the encoder's diff), without END.
func diffOps(ops []avOp, s []int32, b *baseIndex) []avOp {
	p := b.ids
	for i, j := 0, 0; i < len(s); {
		switch k := b.at(s[i], j); {
		case k == j:
			n := 1
			for i+n < len(s) && j+n < len(p) && s[i+n] == p[j+n] {
				n++
			}
			ops = append(ops, avOp{opCopy, n})
			i += n
			j += n
		case k > j:
			ops = append(ops, avOp{opSkip, k - j})
			j = k
		default:
			n := 1
			for i+n < len(s) && !b.holdsFrom(s[i+n], j) {
				n++
			}
			ops = append(ops, avOp{opInsert, n})
			i += n
		}
	}
	return ops
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func appendVarint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

func opValue(o avOp) uint64 { return uint64(o.n-1)<<2 | uint64(o.kind) }

// editCost returns the cost of coding s with ops against a base whose
// number (and offer part index) take baseLen bytes: the bytes of the edit
// encoding plus, for each inserted line, its length + 1.
func editCost(s []string, ops []avOp, baseLen int) int {
	cost := baseLen + 1 // END
	i := 0
	for _, o := range ops {
		cost += varintLen(opValue(o))
		switch o.kind {
		case opCopy:
			i += o.n
		case opInsert:
			for _, l := range s[i : i+o.n] {
				cost += len(l) + 1
			}
			i += o.n
		}
	}
	return cost
}

// registryIndex holds the ids of the registry's lines and the index of
// every profile.
type registryIndex struct {
	ids      map[string]int32
	profiles []baseIndex
	// Indexed by id: the profiles holding the line or, where that list is
	// shorter (lacks[id]), the profiles lacking it; ascending.
	holders [][]uint16
	lacks   []bool
}

var profileIndex = sync.OnceValue(func() *registryIndex {
	r := &registryIndex{ids: map[string]int32{}}
	for _, p := range avProfiles {
		r.profiles = append(r.profiles, newBaseIndex(r.intern(p)))
	}
	r.holders, r.lacks = make([][]uint16, len(r.ids)), make([]bool, len(r.ids))
	for id := range r.holders {
		var in, out []uint16
		for k := range r.profiles {
			if r.profiles[k].holds(int32(id)) {
				in = append(in, uint16(k))
			} else {
				out = append(out, uint16(k))
			}
		}
		r.holders[id] = in
		if len(out) < len(in) {
			r.holders[id], r.lacks[id] = out, true
		}
	}
	return r
})

// missingBytes sets missing[k], for every profile k, to the bytes of the
// lines of s (ids sid) that profile k lacks, each counted with its LF: the
// part of the lower bound of appendEdits that depends on the base, for
// every profile in one pass over the lines.
// Only the profiles below len(missing) are counted.
func (r *registryIndex) missingBytes(missing []int, s []string, sid []int32) {
	clear(missing)
	all := 0 // what every profile lacks, less what the holders have
	for i, id := range sid {
		w := len(s[i]) + 1
		if id < 0 || int(id) >= len(r.holders) {
			all += w
			continue
		}
		if !r.lacks[id] {
			all += w
			w = -w
		}
		for _, k := range r.holders[id] {
			if int(k) >= len(missing) {
				break // ascending
			}
			missing[k] += w
		}
	}
	for k := range missing {
		missing[k] += all
	}
}

// intern returns the ids of lines, giving new lines the next ids of the
// registry.
func (r *registryIndex) intern(lines []string) []int32 {
	out := make([]int32, len(lines))
	for i, l := range lines {
		id, ok := r.ids[l]
		if !ok {
			id = int32(len(r.ids))
			r.ids[l] = id
		}
		out[i] = id
	}
	return out
}

// offerBases returns the index of each part of an offer's skeleton, its
// lines that the registry lacks getting the ids after the registry's (in
// extra).
func (r *registryIndex) offerBases(offer [][]string) (bases []baseIndex, extra map[string]int32) {
	if offer == nil {
		return nil, nil
	}
	extra = map[string]int32{}
	for _, p := range offer {
		ids := make([]int32, len(p))
		for i, l := range p {
			id, ok := r.ids[l]
			if !ok {
				if id, ok = extra[l]; !ok {
					id = int32(len(r.ids) + len(extra))
					extra[l] = id
				}
			}
			ids[i] = id
		}
		bases = append(bases, newBaseIndex(ids))
	}
	return bases, extra
}

// lookup returns the ids of lines: the registry's or extra's, else -1.
func (r *registryIndex) lookup(lines []string, extra map[string]int32) []int32 {
	out := make([]int32, len(lines))
	for i, l := range lines {
		id, ok := r.ids[l]
		if !ok {
			if id, ok = extra[l]; !ok {
				id = -1
			}
		}
		out[i] = id
	}
	return out
}

// appendEdits appends the edits of the skeleton parts to dst and the
// inserted lines (each followed by LF) to text, choosing for each part the
// base of least cost, the first in tie-break order on a tie (AVFORM §3).
// offer is the offer's skeleton for an answer whose offer is an A/V code,
// else nil. The registry bases are profiles 0 to maxProfile (-1: none):
// an encoder tries every profile it knows; a decoder checking a code
// re-encodes with the profiles up to the greatest one the code uses
// (AVFORM-decisions), so that a decoder knowing later profiles still
// accepts an older encoder's codes.
func appendEdits(dst, text []byte, parts, offer [][]string, maxProfile int) ([]byte, []byte) {
	reg := profileIndex()
	var offerIdx []baseIndex
	var extra map[string]int32
	if offer != nil {
		d := derivedFor(offer)
		offerIdx, extra = d.bases, d.extra
	}
	var ops, best []avOp // two buffers: the ops tried, the best so far
	missing := make([]int, min(maxProfile+1, len(reg.profiles)))
	for pi, s := range parts {
		sid := reg.lookup(s, extra)
		reg.missingBytes(missing, s, sid)
		best = append(best[:0], avOp{opInsert, len(s)})
		if len(s) == 0 {
			best = best[:0]
		}
		var bestBase [2]uint64 // the base number, and the offer part index for baseOffer
		bestCost := editCost(s, best, 1)
		// The result is the base of least cost, the first in tie-break
		// order (q: 0 the empty base, then the offer's parts, then the
		// profiles) among equals, whatever the order in which bases are
		// tried: the offer's part of the same index, the likeliest best
		// base of an answer's part, is tried first so that its cost prunes
		// the others.
		bestQ := 0
		// try diffs s against the base b at position q of the tie-break
		// order, missing being the bytes of the lines of s that b lacks
		// (each with its LF).
		try := func(b *baseIndex, base, part uint64, q, missing int) {
			baseLen := varintLen(base)
			if base == baseOffer {
				baseLen += varintLen(part)
			}
			// A lower bound first: the base number, END, and every line
			// the base lacks, inserted. A base that cannot beat the best
			// so far is not diffed.
			if lb := baseLen + 1 + missing; lb > bestCost || lb == bestCost && q > bestQ {
				return
			}
			ops = diffOps(ops[:0], sid, b)
			if c := editCost(s, ops, baseLen); c < bestCost || c == bestCost && q < bestQ {
				ops, best = best, ops
				bestBase, bestCost, bestQ = [2]uint64{base, part}, c, q
			}
		}
		tryOffer := func(k int) {
			b := &offerIdx[k]
			m := 0
			for i, id := range sid {
				if !b.holds(id) {
					m += len(s[i]) + 1
				}
			}
			try(b, baseOffer, uint64(k), 1+k, m)
		}
		if pi < len(offerIdx) {
			tryOffer(pi)
		}
		for k := range offerIdx {
			if k != pi {
				tryOffer(k)
			}
		}
		// The profile of least lower bound, the likeliest best one, is
		// tried first too.
		first := leastBound(missing)
		if first >= 0 {
			try(&reg.profiles[first], baseProfile+uint64(first), 0, 1+len(offerIdx)+first, missing[first])
		}
		for k := range missing {
			if k != first {
				try(&reg.profiles[k], baseProfile+uint64(k), 0, 1+len(offerIdx)+k, missing[k])
			}
		}
		dst, text = appendPart(dst, text, s, bestBase, best)
	}
	return dst, text
}

// leastBound returns the profile k of least lower bound
// missing[k] + the length of its base number (the first among equals), -1
// when there is none.
func leastBound(missing []int) int {
	first := -1
	for k := range missing {
		if first < 0 || missing[k]+varintLen(baseProfile+uint64(k)) < missing[first]+varintLen(baseProfile+uint64(first)) {
			first = k
		}
	}
	return first
}

// appendPart appends the edits of the part s, coded with ops against the
// base bestBase (its number, and the offer part index for baseOffer), to
// dst and its inserted lines to text.
func appendPart(dst, text []byte, s []string, bestBase [2]uint64, ops []avOp) ([]byte, []byte) {
	dst = appendVarint(dst, bestBase[0])
	if bestBase[0] == baseOffer {
		dst = appendVarint(dst, bestBase[1])
	}
	i := 0
	for _, o := range ops {
		dst = appendVarint(dst, opValue(o))
		switch o.kind {
		case opCopy:
			i += o.n
		case opInsert:
			for _, l := range s[i : i+o.n] {
				text = append(text, l...)
				text = append(text, '\n')
			}
			i += o.n
		}
	}
	return appendVarint(dst, opEnd), text
}

// readBase reads a part's base (AVFORM §3) at edits[*p] and returns its
// lines and its profile number (-1 when not a profile).
func readBase(edits []byte, p *int, offer [][]string, answer bool, off int) ([]string, int, error) {
	bad := func(format string, a ...any) error {
		return errf(ErrMalformed, off, "edits", format, a...)
	}
	base, ok := readVarint(edits, p)
	if !ok {
		return nil, -1, bad("truncated or over-long varint")
	}
	switch {
	case base == baseEmpty:
		return nil, -1, nil
	case base == baseOffer:
		k, ok := readVarint(edits, p)
		if !ok {
			return nil, -1, bad("truncated or over-long varint")
		}
		if !answer || offer == nil {
			return nil, -1, bad("an offer part as base without an A/V offer")
		}
		if k >= uint64(len(offer)) {
			return nil, -1, bad("offer part %d of %d", k, len(offer))
		}
		return offer[k], -1, nil
	case base-baseProfile >= uint64(len(avProfiles)):
		return nil, -1, errf(ErrUnsupported, off, "edits", "profile %d is not in this registry", base-baseProfile)
	}
	return avProfiles[base-baseProfile], int(base - baseProfile), nil
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

// applyEdits rebuilds the skeleton parts from the edits, the inserted
// lines and the offer's skeleton (nil for an offer, or an answer whose
// offer is not an A/V code), keeping the skeleton's bytes (+2 per line)
// within maxSDP. off is the offset of the edits item, for errors. It also
// returns the greatest profile number used as a base (-1: none).
func applyEdits(edits []byte, lines []string, offer [][]string, answer bool, maxSDP, off int) (parts [][]string, maxProfile int, err error) {
	maxProfile = -1
	total := 0
	p := 0
	all := make([]string, 0, 2*len(lines)+64)
	bad := func(format string, a ...any) error {
		return errf(ErrMalformed, off, "edits", format, a...)
	}
	for p < len(edits) {
		bl, profile, err := readBase(edits, &p, offer, answer, off)
		if err != nil {
			return nil, -1, err
		}
		maxProfile = max(maxProfile, profile)
		// Every part's lines go into one backing slice, each part a
		// full slice expression of it: fewer allocations than a slice per
		// part.
		start := len(all)
		j := 0
		for {
			v, ok := readVarint(edits, &p)
			if !ok {
				return nil, -1, bad("truncated part")
			}
			if v == opEnd {
				break
			}
			if v&3 == opEnd {
				return nil, -1, bad("op %d", v)
			}
			n := int(v>>2) + 1
			var add []string
			switch v & 3 {
			case opCopy:
				if n > len(bl)-j {
					return nil, -1, bad("COPY past the base's end")
				}
				add = bl[j : j+n]
				j += n
			case opSkip:
				if n > len(bl)-j {
					return nil, -1, bad("SKIP past the base's end")
				}
				j += n
			case opInsert:
				if n > len(lines) {
					return nil, -1, bad("INSERT of more lines than the text has")
				}
				add, lines = lines[:n], lines[n:]
			}
			for _, l := range add {
				total += len(l) + 2
			}
			if total > maxSDP {
				return nil, -1, errf(ErrLimit, off, "edits", "skeleton over the SDP limit of %d", maxSDP)
			}
			all = append(all, add...)
		}
		if len(all) == start {
			parts = append(parts, nil)
		} else {
			parts = append(parts, all[start:len(all):len(all)])
		}
	}
	if len(lines) > 0 {
		return nil, -1, bad("%d inserted lines left over", len(lines))
	}
	return parts, maxProfile, nil
}
