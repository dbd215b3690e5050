package codec

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
		// Grown once a part, with room for the next parts' new lines.
		o.mask = append(o.mask, make([]uint64, max(n, len(o.mask)+64)-len(o.mask))...)
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
