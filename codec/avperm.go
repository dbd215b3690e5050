package codec

// PERM (AVFORM §3): the next n blocks of the base, from the first block
// at the base position, in another order, named by the permutation's rank
// in a few bytes. pion writes its retransmission formats and header
// extensions in the random order of a Go map: twelve formats in an order
// that carries 29 bits cost six bytes as one PERM, where PICK pays a byte
// for nearly every block.

// opPerm is the avOp kind of PERM: n blocks, lines their lines, rank the
// permutation's rank.
const opPerm = 6

// permValue is the varint of PERM; a varint n − 2 and the rank follow.
const permValue = 11

// maxPerm is the most blocks one PERM reorders: 16! < 2^45, so a rank is
// exact in a float64 too.
const maxPerm = 16

// factorial returns n! for n <= maxPerm.
func factorial(n int) uint64 {
	f := uint64(1)
	for k := 2; k <= n; k++ {
		f *= uint64(k)
	}
	return f
}

// rankBytes returns the number of bytes of the rank of a PERM of n
// blocks: the bytes of n! − 1.
func rankBytes(n int) int {
	r := 0
	for v := factorial(n) - 1; v > 0; v >>= 8 {
		r++
	}
	return r
}

// permRank returns the rank of the order (a permutation of 0…n−1): the
// sum over x of d_x·(n−1−x)!, d_x the number of the blocks not yet taken
// that are less than order[x].
func permRank(order []int8) uint64 {
	n := len(order)
	var taken [maxPerm]bool
	rank := uint64(0)
	for x, u := range order {
		d := 0
		for v := 0; v < int(u); v++ {
			if !taken[v] {
				d++
			}
		}
		taken[u] = true
		rank += uint64(d) * factorial(n-1-x)
	}
	return rank
}

// permOrder returns the permutation of 0…n−1 whose rank is rank (< n!).
func permOrder(rank uint64, n int) []int8 {
	var taken [maxPerm]bool
	order := make([]int8, n)
	for x := range order {
		f := factorial(n - 1 - x)
		d := int(rank / f)
		rank %= f
		u := 0
		for ; taken[u] || d > 0; u++ {
			if !taken[u] {
				d--
			}
		}
		taken[u] = true
		order[x] = int8(u)
	}
	return order
}

// permLen returns the bytes of the PERM of n blocks.
func permLen(n int) int {
	if n > maxPerm {
		return 2 // MIRROR (avmirror.go)
	}
	return 1 + varintLen(uint64(n-2)) + rankBytes(n)
}

// appendPerm appends the PERM of o.n blocks and rank o.rank.
func appendPerm(dst []byte, o avOp) []byte {
	dst = appendVarint(append(dst, permValue), uint64(o.n-2))
	if o.kind == opMirror {
		return dst
	}
	for k := rankBytes(o.n) - 1; k >= 0; k-- {
		dst = append(dst, byte(o.rank>>(8*k)))
	}
	return dst
}

// blockMatches reports whether the lines of s from i are block t of the
// base, whole.
func (b *baseIndex) blockMatches(s []int32, i, t int) bool {
	h, e := int(b.heads[t]), int(b.ends[t])
	if e-h > len(s)-i {
		return false
	}
	for x := h; x < e; x++ {
		if s[i+x-h] != b.ids[x] {
			return false
		}
	}
	return true
}

// pickRunCost returns the bytes that PICK and COPY pay for the blocks
// t0 + order[x] in turn: a PICK for each block not in the base's order, a
// COPY for each run of blocks in the base's order that a PICK ends (a run
// at the end goes on in the COPY after the blocks, which a PERM needs
// too).
func pickRunCost(order []int8) int {
	cost, at, copying := 0, 0, false
	for _, u := range order {
		switch {
		case int(u) == at:
			copying = true
		case copying:
			cost, copying = cost+2, false
		default:
			cost++
		}
		at = int(u) + 1
	}
	return cost
}

// permOp returns the PERM that makes s[i:] at base position j (where the
// diff would PICK), when j is a block head t0 and s goes on with the
// blocks t0 … t0 + n − 1 whole, in another order, for some n ≥ 2: of
// such n the one that saves the most
// bytes over PICK and COPY (pickRunCost), the greater of two that save as
// much; ok is false when none saves a byte.
func (b *baseIndex) permOp(s []int32, i, j int) (o avOp, ok bool) {
	t0 := blockAt(b.heads, j)
	if t0 == len(b.heads) || int(b.heads[t0]) != j {
		return avOp{}, false
	}
	lim := min(maxPerm, len(b.heads)-t0)
	var taken [maxPerm]bool
	var order [maxPerm]int8
	pos, hi, best := i, -1, 0
	for n := 0; n < lim; n++ {
		u := 0
		for u < lim && (taken[u] || !b.blockMatches(s, pos, t0+u)) {
			u++
		}
		if u == lim {
			break
		}
		taken[u], order[n] = true, int8(u)
		pos += int(b.ends[t0+u] - b.heads[t0+u])
		hi = max(hi, u)
		if hi != n || n == 0 {
			continue
		}
		if save := pickRunCost(order[:n+1]) - permLen(n+1); save > 0 && save >= best {
			best = save
			o = avOp{kind: opPerm, n: n + 1, lines: pos - i, rank: permRank(order[:n+1])}
		}
	}
	return o, best > 0
}

// readPerm reads the PERM after its varint at edits[*p] and returns the
// lines it appends at position j of the base bl, and the position after
// them; msg names the fault when it has one.
func (l *lazyBlocks) readPerm(edits []byte, p *int, bl []string, j int) (add []string, next int, msg string) {
	c, ok := readVarint(edits, p)
	if !ok {
		return nil, j, "truncated or over-long varint"
	}
	l.find(bl)
	t0 := blockAt(l.heads, j)
	if c > maxPerm-2 || t0+int(c)+2 > len(l.heads) {
		return nil, j, "PERM of blocks outside the base"
	}
	n := int(c) + 2
	k := rankBytes(n)
	if len(edits)-*p < k {
		return nil, j, "truncated PERM"
	}
	rank := uint64(0)
	for _, c := range edits[*p : *p+k] {
		rank = rank<<8 | uint64(c)
	}
	*p += k
	if rank >= factorial(n) {
		return nil, j, "PERM rank out of range"
	}
	for _, u := range permOrder(rank, n) {
		t := t0 + int(u)
		add = append(add, bl[l.heads[t]:l.ends[t]]...)
	}
	return add, int(l.ends[t0+n-1]), ""
}
