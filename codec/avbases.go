package codec

import (
	"slices"
	"strings"
	"sync"
)

// ownBases is a description's parts coded so far, the bases of its later
// parts (baseOwn). Few of them are ever diffed: a part's index is made
// when it is first diffed, and the lower bound's test of which lines a
// part holds reads a bit mask per line id instead.
type ownBases struct {
	sids [][]int32   // each part's line ids
	idx  []baseIndex // each part's index, ids nil until made
	// mask[id] has bit k set when part k holds the line id; only the
	// first 64 parts have a bit (a description has at most
	// maxAVSections+1 parts, so all but the last do).
	mask []uint64
	// ids is room for every part's ids (searchEdits), each part's a
	// slice of it.
	ids []int32
	box *ownScratch // the storage's box in ownPool, put back in it
}

// ownScratch is the storage of an ownBases that ownPool keeps from one
// search to the next (the encoder's, and the decoder's check of every A/V
// code): a mask spans every id up to the description's greatest,
// registry ids included, a few KiB that most descriptions need.
type ownScratch struct {
	mask []uint64
	sids [][]int32
	idx  []baseIndex
	ids  []int32
}

var ownPool = sync.Pool{New: func() any { return new(ownScratch) }}

// newOwnBases returns the bases of a description of n parts and lines
// lines whose line ids are below top (all room made at once). release
// gives the storage back.
func newOwnBases(n, lines, top int) ownBases {
	box := ownPool.Get().(*ownScratch)
	return ownBases{
		sids: room(box.sids, n),
		idx:  room(box.idx, n),
		mask: room(box.mask, top),
		ids:  room(box.ids, lines)[:lines],
		box:  box,
	}
}

// room returns an empty slice of capacity n at least, b's storage when it
// has room.
func room[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, 0, n)
	}
	return b[:0]
}

// release puts o's storage back in the pool, its references cleared; o is
// not used again. add zeroes the mask's words as it extends it, so a mask
// is put back as it is; ids is written before it is read.
func (o *ownBases) release() {
	if cap(o.mask) <= 1<<16 && cap(o.ids) <= 1<<16 {
		clear(o.sids)
		clear(o.idx)
		*o.box = ownScratch{mask: o.mask[:0], sids: o.sids[:0], idx: o.idx[:0], ids: o.ids[:0]}
		ownPool.Put(o.box)
	}
	*o = ownBases{}
}

// add appends a part of line ids sid.
func (o *ownBases) add(sid []int32) {
	k := len(o.sids)
	o.sids = append(o.sids, sid)
	o.idx = append(o.idx, baseIndex{})
	if k >= 64 {
		return
	}
	top := int32(-1)
	for _, id := range sid {
		top = max(top, id)
	}
	if n := int(top) + 1; n > len(o.mask) {
		o.mask = append(o.mask, make([]uint64, n-len(o.mask))...)
	}
	for _, id := range sid {
		o.mask[id] |= 1 << k
	}
}

// index returns the index of part k, made when first asked for.
func (o *ownBases) index(k int) *baseIndex {
	if o.idx[k].ids == nil && len(o.sids[k]) > 0 {
		o.idx[k] = newBaseIndex(o.sids[k])
	}
	return &o.idx[k]
}

// missing returns the bytes of the lines of s (ids sid) that part k lacks,
// each counted with its LF.
func (o *ownBases) missing(k int, s []string, sid []int32) int {
	if k >= 64 {
		return o.index(k).missing(s, sid)
	}
	m := 0
	for i, id := range sid {
		if id < 0 || int(id) >= len(o.mask) || o.mask[id]&(1<<k) == 0 {
			m += len(s[i]) + 1
		}
	}
	return m
}

// registryIndex holds the ids of the registry's lines and the index of
// every profile.
type registryIndex struct {
	ids      map[string]int32
	table    *lineTable // ids, for interner
	profiles []baseIndex
	// Indexed by id: the profiles holding the line or, where that list is
	// shorter (lacks[id]), the profiles lacking it; ascending.
	holders [][]uint16
	lacks   []bool
	// genKinds[id] is the kind of the line id for GEN's move (genKind),
	// -1 for none: partGen.kindOf's answer for the registry's lines.
	genKinds []int8
	// oLines are the profiles' o= lines, each once (VERSION's bases).
	oLines []string
}

var profileIndex = sync.OnceValue(func() *registryIndex {
	r := &registryIndex{ids: map[string]int32{}}
	for _, p := range avProfiles {
		b := newBaseIndex(r.intern(p))
		b.setBlocks(p)
		r.profiles = append(r.profiles, b)
	}
	r.holders, r.lacks = make([][]uint16, len(r.ids)), make([]bool, len(r.ids))
	for id := range r.holders {
		var in, out []uint16
		for k := range r.profiles {
			if r.profiles[k].has(int32(id)) {
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
	r.table = newLineTable(r.ids)
	r.genKinds = make([]int8, len(r.ids))
	for l, id := range r.ids {
		r.genKinds[id] = int8(genKind(l))
	}
	for _, p := range avProfiles {
		for _, l := range p {
			if strings.HasPrefix(l, "o=") && !slices.Contains(r.oLines, l) {
				r.oLines = append(r.oLines, l)
			}
		}
	}
	return r
})

// missingBytes sets missing[k], for every profile k below len(missing),
// to the bytes of the lines of s (ids sid) that profile k lacks, each
// counted with its LF: the part of a profile's lower bound in appendEdits
// that depends on the base, for every profile in one pass over the lines.
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

// interner gives the lines of an offer's skeleton and of the description
// ids: the registry's, and for a line the registry lacks the next id after
// the registry's and the ones given before. known is the registry's ids,
// or, for an answer, the registry's and its offer's lines' (made once per
// offer skeleton by derivedFor, one map lookup for the lines of either),
// only read here; next is the first id after them; the description's
// other lines go into extra.
type interner struct {
	known map[string]int32
	table *lineTable // known's lines, looked up faster
	next  int32
	extra extraLines // the lines given ids of their own, from next on
}

// newInterner returns an interner of the registry's ids.
func newInterner(reg *registryIndex) interner {
	return interner{known: reg.ids, table: reg.table, next: int32(len(reg.ids))}
}

// ids returns the ids of lines, in out's storage when it has room.
func (in *interner) ids(out []int32, lines []string) []int32 {
	if cap(out) < len(lines) {
		out = make([]int32, len(lines))
	}
	out = out[:len(lines)]
	for i, l := range lines {
		h := lineHash(l) // once, for both tables and the add
		id, ok := in.findHashed(l, h)
		if !ok {
			id = in.next + int32(in.extra.n)
			in.extra.add(l, h, id)
		}
		out[i] = id
	}
	return out
}

// find returns the id of the line l and whether the interner has it (the
// registry's and the offer's lines, then those given since).
func (in *interner) find(l string) (int32, bool) {
	return in.findHashed(l, lineHash(l))
}

// findHashed is find given the line's lineHash h.
func (in *interner) findHashed(l string, h uint32) (int32, bool) {
	if id, ok := in.table.lookup(l, h); ok {
		return id, true
	}
	return in.extra.lookup(l, h)
}

// editInterner returns the interner of the lines of a description coded
// against the offer skeleton offer (nil for none) and the index of the
// offer's parts.
func editInterner(offer [][]string) (interner, []baseIndex) {
	in := newInterner(profileIndex())
	if offer == nil {
		return in, nil
	}
	d := derivedFor(offer)
	in.known, in.table, in.next = d.ids, d.table, int32(len(d.ids))
	return in, d.bases
}

// lineTable is a read-only hash table of lines and their ids: the lookup
// of interner.ids, for the registry's lines and an offer's. It hashes a
// line by its length and four 8-byte windows (start, 8, middle, end),
// not every byte as a Go map does: lines that differ elsewhere only share
// a probe sequence, and every hit is checked on the whole line.
type lineTable struct {
	slots []lineSlot
	mask  uint32
}

type lineSlot struct {
	line string
	id1  int32 // 1 + the id, 0 for an empty slot
	// hash is the line's lineHash, compared before the line: most slots
	// probed hold another line, whose bytes are then not read (the slot
	// is no larger, the field fills its padding).
	hash uint32
}

// newLineTable returns the table of the lines and ids of m.
func newLineTable(m map[string]int32) *lineTable {
	size := 16
	for size < 4*len(m) {
		size *= 2
	}
	t := &lineTable{slots: make([]lineSlot, size), mask: uint32(size - 1)}
	for l, id := range m {
		h := lineHash(l)
		i := h & t.mask
		for t.slots[i].id1 != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = lineSlot{l, id + 1, h}
	}
	return t
}

// lookup returns the id of l, whose lineHash is h, and whether the table
// has it.
func (t *lineTable) lookup(l string, h uint32) (int32, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.id1 == 0 {
			return 0, false
		}
		if s.hash == h && s.line == l {
			return s.id1 - 1, true
		}
	}
}

// extraLines is a lineTable that lines are added to, at most half full:
// the interner's lines that the registry and the offer lack, hashed as
// lineTable's rather than by a Go map.
type extraLines struct {
	lineTable
	n   int         // the lines held
	box *[]lineSlot // the table's box in slotsPool (reserve), nil for none
}

// slotsPool holds the slot tables of released extraLines, all zero: every
// search (the encoder's, and the decoder's check of every A/V code) needs
// one of a few KiB.
var slotsPool = sync.Pool{New: func() any { return new([]lineSlot) }}

// maxPooledSlots is the size past which a slot table is not kept.
const maxPooledSlots = 1 << 12

// reserve makes room for n lines without growing, in a table of slotsPool
// (release gives it back).
func (e *extraLines) reserve(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if e.n == 0 && size > len(e.slots) {
		e.box = slotsPool.Get().(*[]lineSlot)
		buf := *e.box
		if cap(buf) < size {
			buf = make([]lineSlot, size)
		}
		e.lineTable = lineTable{slots: buf[:size], mask: uint32(size - 1)}
	}
}

// release zeroes e's table and puts it in slotsPool; e is not used again.
// A table's capacity past its length is zero already: only the slots
// below its length are ever written.
func (e *extraLines) release() {
	if e.box != nil && cap(e.slots) <= maxPooledSlots {
		clear(e.slots)
		*e.box = e.slots
		slotsPool.Put(e.box)
	}
	e.lineTable, e.n, e.box = lineTable{}, 0, nil
}

// add adds the line l (lineHash h), which the table lacks, with the id id.
func (e *extraLines) add(l string, h uint32, id int32) {
	if 2*(e.n+1) > len(e.slots) {
		old := e.slots
		size := max(16, 2*len(old))
		e.lineTable = lineTable{slots: make([]lineSlot, size), mask: uint32(size - 1)}
		for _, s := range old {
			if s.id1 != 0 {
				e.put(s)
			}
		}
	}
	e.put(lineSlot{l, id + 1, h})
	e.n++
}

func (e *extraLines) put(s lineSlot) {
	i := s.hash & e.mask
	for e.slots[i].id1 != 0 {
		i = (i + 1) & e.mask
	}
	e.slots[i] = s
}

// lineHash hashes a line's length and its bytes 0–7, 8–15, the 8 around
// its middle and its last 8 (all its bytes when it is shorter than 8).
func lineHash(s string) uint32 {
	const k1, k2 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
	n := len(s)
	h := uint64(n) * k1
	if n < 8 {
		for i := 0; i < n; i++ {
			h = (h ^ uint64(s[i])) * k2
		}
		return uint32(h >> 32)
	}
	h = (h ^ le64(s)) * k2
	h = (h ^ le64(s[n-8:])) * k2
	h = (h ^ le64(s[(n-8)/2:])) * k2
	if n >= 16 {
		h = (h ^ le64(s[8:])) * k2
	}
	return uint32(h >> 32)
}

// le64 reads the first 8 bytes of s as a little-endian integer.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
