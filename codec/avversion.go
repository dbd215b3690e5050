package codec

import (
	"strconv"
	"strings"
)

// VERSION (AVFORM §14.5): each new offer or answer of a session writes its
// o= line with the session version one more than the last (RFC 3264 §8),
// so a renegotiation's session part is its base's with a greater version.
// Where the diff would insert the part's o= line and the base's line at
// the position is an o= line that differs only in a smaller version,
// VERSION d appends the base's line with its version plus d and moves
// the position past it, as REPLACE 1 does, without text. It is the
// varint of PERM followed by versionCode, which no PERM has, and d.

// opVersion is the avOp kind of VERSION: n is d.
const opVersion = 10

// versionCode follows PERM's varint in place of a PERM's n − 2.
const versionCode = maxPerm

// maxVersion bounds a session version VERSION reads or writes: at most 9
// digits.
const maxVersion = 999999999

// oVersion returns the bounds [a, b) of an o= line's session version and
// its value; ok is false when l is no o= line of six fields whose third
// is a decimal without leading zeros of at most 9 digits.
func oVersion(l string) (a, b int, v uint64, ok bool) {
	if !strings.HasPrefix(l, "o=") || strings.Count(l, " ") != 5 {
		return 0, 0, 0, false
	}
	a = strings.IndexByte(l, ' ') + 1
	a += strings.IndexByte(l[a:], ' ') + 1
	b = a + strings.IndexByte(l[a:], ' ')
	v, ok = parseDecimal(l[a:b], maxVersion)
	return a, b, v, ok
}

// versionStep returns d when s is the o= line p with its version plus d,
// d ≥ 1; 0 otherwise.
func versionStep(s, p string) uint64 {
	sa, sb, sv, sok := oVersion(s)
	pa, pb, pv, pok := oVersion(p)
	if !sok || !pok || sv <= pv || s[:sa] != p[:pa] || s[sb:] != p[pb:] {
		return 0
	}
	return sv - pv
}

// versionLine returns the o= line p with its version plus d; ok is false
// when p is no such line, d is 0 or the version passes maxVersion.
func versionLine(p string, d uint64) (string, bool) {
	a, b, v, ok := oVersion(p)
	if !ok || d == 0 || d > maxVersion-v {
		return "", false
	}
	return p[:a] + strconv.FormatUint(v+d, 10) + p[b:], true
}

// versionOp applies a VERSION, its d at edits[*p], in part x at position
// j of base bl.
func versionOp(edits []byte, p *int, bl []string, x, j int) (add []string, next int, msg string) {
	d, ok := readVarint(edits, p)
	switch {
	case !ok:
		return nil, j, "truncated VERSION"
	case x != 0:
		return nil, j, "VERSION outside the session part"
	case j >= len(bl):
		return nil, j, "VERSION at the base's end"
	}
	l, ok := versionLine(bl[j], d)
	if !ok {
		return nil, j, "VERSION of no o= line with a session version, of 0, or past 999999999"
	}
	return []string{l}, j + 1, ""
}

// setVersion gives the coder of part 0 (lines s) the VERSION its bases
// allow: the ids of the o= lines of the registry's profiles and of the
// offer's part 0 (the only bases that hold one) of which the part's o=
// line is the version plus d, each with its d; slack is the bytes that
// VERSION saves at most over inserting the part's o= line.
func (pg *partGen) setVersion(s []string, in *interner, offer [][]string) (slack int) {
	at := -1
	for i, l := range s {
		if strings.HasPrefix(l, "o=") {
			at = i
			break
		}
	}
	if at < 0 {
		return 0
	}
	try := func(p string) {
		if d := versionStep(s[at], p); d > 0 {
			if id, ok := in.find(p); ok {
				if pg.versions == nil {
					pg.versions = map[int32]uint64{}
				}
				pg.versions[id] = d
			}
		}
	}
	for _, l := range profileIndex().oLines {
		try(l)
	}
	if len(offer) > 0 {
		for _, l := range offer[0] {
			try(l)
		}
	}
	if len(pg.versions) == 0 {
		return 0
	}
	pg.versionAt = at
	return len(s[at]) + 1
}

// versionOpAt returns the VERSION that makes line i of s at position j of
// base b, and whether there is one.
func (pg *partGen) versionOpAt(s []int32, i, j int, b *baseIndex) (avOp, bool) {
	if pg == nil || len(pg.versions) == 0 || i != pg.versionAt || j >= len(b.ids) {
		return avOp{}, false
	}
	d, ok := pg.versions[b.ids[j]]
	if !ok {
		return avOp{}, false
	}
	return avOp{kind: opVersion, n: int(d), lines: 1}, true
}
