package codec

import "strconv"

// GEN (AVFORM §3): a line that the decoder makes itself, with no text. A
// stack numbers its sections' identification tags by their place (`a=mid:0`
// for the first media section, and an answer takes its offer's), and a
// section's direction is one of four lines; an answer changes both from its
// offer's section, and a second video section from the first. Where the
// diff would INSERT one line that is generated line g of the part, it
// writes GEN g, which appends that line, and when the base's line at the
// position is of the same kind (a numbered `a=mid:` line, a direction)
// moves the position past it, as REPLACE 1 does.

// opGen is the avOp kind of GEN: n is the generated line's number g.
const opGen = 8

// genMid is g of the part's `a=mid:` line; 1 + k is g of genDirs[k].
const (
	genMid   = 0
	genCount = 5
	// genMids is how many numbered `a=mid:` lines are of GEN's kind: one
	// for each media section a description may have (§14.3).
	genMids = 64
)

var genDirs = [4]string{"a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"}

// genValue returns the varint of GEN g: (g + 3)<<2 | 3, after END (3),
// COPY END (7) and PERM (11), before PICK.
func genValue(g int) uint64 { return uint64(g+3)<<2 | 3 }

// genLine returns generated line g of part x, "" when there is none (the
// `a=mid:` line of part 0).
func genLine(g, x int) string {
	if g != genMid {
		return genDirs[g-1]
	}
	if x == 0 {
		return ""
	}
	if x <= genMids {
		return genKindLines[x-1]
	}
	return "a=mid:" + strconv.Itoa(x-1)
}

// genKind returns the kind of line l for GEN's move: genMid for `a=mid:n`
// with n a decimal below genMids without leading zeros, 1 for a direction,
// -1 otherwise.
func genKind(l string) int {
	for _, d := range genDirs {
		if l == d {
			return 1
		}
	}
	if n, ok := genMidNumber(l); ok && n < genMids {
		return genMid
	}
	return -1
}

// genMidNumber returns n of a line `a=mid:n`, n one or two decimal digits
// without a leading zero.
func genMidNumber(l string) (int, bool) {
	const p = "a=mid:"
	d := l[min(len(p), len(l)):]
	if len(l) <= len(p) || len(d) > 2 || l[:len(p)] != p || d[0] == '0' && len(d) > 1 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
		n = 10*n + int(d[i]-'0')
	}
	return n, true
}

// genOp applies GEN g (its varint v) in part x at position j of base bl:
// the line it appends and the new position, or the fault.
func genOp(v uint64, x, j int, bl []string) (add []string, next int, msg string) {
	g := int(v>>2) - 3
	switch {
	case g != genMid:
		add = genDirs[g-1 : g]
	case x == 0:
		return nil, j, "GEN of an a=mid: line in the session part"
	case x <= genMids:
		add = genKindLines[x-1 : x]
	default:
		add = []string{genLine(g, x)}
	}
	if j < len(bl) && genKind(bl[j]) == min(g, 1) {
		j++
	}
	return add, j, ""
}

// kind3OrGen is kind3 (avpick.go), or the GEN of varint v in part x, or
// a MIRROR (avmirror.go) of offer part x.
func (l *lazyBlocks) kind3OrGen(edits []byte, p *int, bl []string, j int, v uint64, x int, offer [][]string) (add []string, next int, msg string) {
	if isGenValue(v) {
		return genOp(v, x, j, bl)
	}
	if q := *p; v == permValue {
		if c, ok := readVarint(edits, &q); ok && c == mirrorCode {
			*p = q
			return mirrorOp(offer, x, j)
		} else if ok && c == versionCode {
			*p = q
			return versionOp(edits, p, bl, x, j)
		}
	}
	return l.kind3(edits, p, bl, j, v)
}

// isGenValue reports whether the kind-3 varint v is a GEN.
func isGenValue(v uint64) bool { return v&3 == 3 && v >= genValue(0) && v < genValue(genCount) }

// partGen is what the encoder's diff knows of a part's generated lines:
// for each line of the part, 1 + its g (0: not a generated line), and,
// found when a GEN first needs them, the ids of the lines of each kind
// that GEN moves past.
type partGen struct {
	at     []int8
	mirror []int32 // the ids of MIRROR's lines (avmirror.go)
	in     *interner
	kinds  []int32 // the ids of genKindLines, -1 for a line the interner lacks
	// VERSION (avversion.go): the ids of the bases' o= lines that part 0's
	// o= line, line versionAt, is the version plus d of (none: no VERSION).
	versionAt int
	versions  map[int32]uint64
}

// genKindLines is the lines of GEN's kinds: the numbered `a=mid:` lines,
// then the directions.
var genKindLines = func() []string {
	var out []string
	for n := 0; n < genMids; n++ {
		out = append(out, "a=mid:"+strconv.Itoa(n))
	}
	return append(out, genDirs[:]...)
}()

// newPartGen returns the generated lines of part x (lines s, ids sid),
// nil when it has none, with in the interner of its ids; slack is the bytes that
// coding them as GEN saves at most over inserting them (each line's
// length), taken off the lower bounds of the bases.
//
// A non-nil buf is the previous part's, whose storage it reuses.
func newPartGen(buf *partGen, s []string, sid []int32, x int, in *interner, offer [][]string) (pg *partGen, slack int) {
	get := func() *partGen {
		if buf == nil {
			return &partGen{at: make([]int8, len(s)), in: in}
		}
		buf.at, buf.mirror, buf.kinds = append(buf.at[:0], make([]int8, len(s))...), buf.mirror[:0], buf.kinds[:0]
		clear(buf.versions) // VERSION is part 0's only
		buf.in = in         // a pooled buf (coderPool) held another search's
		return buf
	}
	kinds := profileIndex().genKinds
	for i, id := range sid {
		if x <= genMids && id >= 0 && int(id) < len(kinds) && kinds[id] < 0 {
			continue // a registry line of no GEN kind: no generated line of a part x <= genMids
		}
		l := s[i]
		if !maybeGenLine(l) {
			continue
		}
		g := -1
		if x > 0 && l == genLine(genMid, x) {
			g = genMid
		}
		for k, d := range genDirs {
			if l == d {
				g = 1 + k
			}
		}
		if g < 0 {
			continue
		}
		if pg == nil {
			pg = get()
		}
		pg.at[i] = int8(1 + g)
		slack += len(l)
	}
	if x < len(offer) && hasMirror(offer[x]) {
		if pg == nil {
			pg = get()
		}
		slack += pg.setMirror(offer[x], in)
	}
	if x == 0 {
		if pg == nil {
			pg = get()
		}
		slack += pg.setVersion(s, in, offer)
	}
	return pg, slack
}

// maybeGenLine reports whether l may be a generated line (an `a=mid:`
// line or a direction): a test of a few bytes and the length that rules
// out most lines (many an `a=rtpmap:` or `a=ssrc:`) before they are
// compared with each generated line. Every direction is as long as
// a=sendrecv (TestMaybeGenLine).
func maybeGenLine(l string) bool {
	if len(l) < len("a=mid:0") || l[0] != 'a' || l[1] != '=' {
		return false
	}
	switch l[2] {
	case 'm':
		return l[3] == 'i' && l[4] == 'd' && l[5] == ':'
	case 's', 'r', 'i':
		return len(l) == len("a=sendrecv")
	}
	return false
}

// kindOf returns the kind of the line id for GEN's move (genKind), -1
// when it is of none.
func (pg *partGen) kindOf(id int32) int {
	if reg := profileIndex(); id >= 0 && int(id) < len(reg.genKinds) {
		return int(reg.genKinds[id]) // a registry line: known once per process
	}
	if len(pg.kinds) == 0 {
		pg.kinds = append(pg.kinds[:0], make([]int32, len(genKindLines))...)
		for k, l := range genKindLines {
			kid, ok := pg.in.find(l)
			pg.kinds[k] = -1
			if ok {
				pg.kinds[k] = kid
			}
		}
	}
	for k, kid := range pg.kinds {
		if kid == id {
			return min(k/genMids, 1)
		}
	}
	return -1
}

// op returns the MIRROR of the lines of s from i, or, where the diff
// would insert n lines, the GEN of line i when n is 1, at position j of
// base b, and the position after it; ok is false when there is none.
func (pg *partGen) op(s []int32, i, j, n int, b *baseIndex) (avOp, int, bool) {
	if o, ok := pg.mirrorAt(s, i); ok {
		return o, j, true
	}
	if o, ok := pg.versionOpAt(s, i, j, b); ok {
		return o, j + 1, true
	}
	if pg == nil || n != 1 || pg.at[i] == 0 {
		return avOp{}, j, false
	}
	g := int(pg.at[i]) - 1
	if j < len(b.ids) && pg.kindOf(b.ids[j]) == min(g, 1) {
		j++
	}
	return avOp{kind: opGen, n: g, lines: 1}, j, true
}

// emptyBase is the index of the empty base.
var emptyBase = newBaseIndex(nil)
