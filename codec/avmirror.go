package codec

import "strings"

// MIRROR (AVFORM §3): an answer's rid and simulcast lines are its offer
// section's with the directions reversed (RFC 8851, RFC 8853):
// `a=rid:q send` answers `a=rid:q recv`, `a=simulcast:send q;h;f` answers
// `a=simulcast:recv q;h;f`. MIRROR appends those lines of the offer's part
// of the same index, mirrored, in their order; it is the varint of PERM
// followed by mirrorCode, which no PERM has (2 bytes, so that PICK keeps
// its one-byte distances).

// opMirror is the avOp kind of MIRROR: lines is its number of lines, n
// the n − 2 of a PERM written mirrorCode (appendPerm, permLen).
const opMirror = 9

// mirrorCode follows PERM's varint in place of a PERM's n − 2.
const mirrorCode = maxPerm - 1

// mirrorLines returns the mirrored `a=rid:` and `a=simulcast:` lines of
// the offer's part op, nil when it has none.
func mirrorLines(op []string) []string {
	var out []string
	for _, l := range op {
		var at []int // the fields that hold a direction
		switch {
		case strings.HasPrefix(l, "a=rid:"):
			at = []int{1}
		case strings.HasPrefix(l, "a=simulcast:"):
			at = []int{0, 2}
		default:
			continue
		}
		out = append(out, mirrorLine(l, at))
	}
	return out
}

// hasMirror reports whether the offer's part op has mirrored lines.
func hasMirror(op []string) bool {
	for _, l := range op {
		if strings.HasPrefix(l, "a=rid:") || strings.HasPrefix(l, "a=simulcast:") {
			return true
		}
	}
	return false
}

// mirrorLine returns l with each of its fields at (the fields of its
// value, split at SP) that is `send` written `recv`, and `recv` `send`.
func mirrorLine(l string, at []int) string {
	name, v, _ := strings.Cut(l, ":")
	f := strings.Split(v, " ")
	for _, k := range at {
		if k < len(f) {
			switch f[k] {
			case "send":
				f[k] = "recv"
			case "recv":
				f[k] = "send"
			}
		}
	}
	return name + ":" + strings.Join(f, " ")
}

// mirrorOp applies a MIRROR in part x of an answer to the offer skeleton
// offer (nil for an offer, or an answer to a code that is not A/V).
func mirrorOp(offer [][]string, x, j int) (add []string, next int, msg string) {
	if x >= len(offer) {
		return nil, j, "MIRROR without an offer part"
	}
	if add = mirrorLines(offer[x]); add == nil {
		return nil, j, "MIRROR of an offer part without rid and simulcast lines"
	}
	return add, j, ""
}

// setMirror gives the part's coder the ids of the mirrored lines of the
// offer's part of its index (offer is that part, nil when none): when the
// part has them all, MIRROR may write them.
func (pg *partGen) setMirror(offer []string, in *interner) (slack int) {
	for _, l := range mirrorLines(offer) {
		id, ok := in.find(l)
		if !ok {
			pg.mirror = nil
			return 0
		}
		pg.mirror = append(pg.mirror, id)
		slack += len(l) + 1
	}
	return slack
}

// mirrorAt returns the MIRROR that makes the lines of s from i, and
// whether they are the mirrored lines.
func (pg *partGen) mirrorAt(s []int32, i int) (avOp, bool) {
	if pg == nil || len(pg.mirror) == 0 || len(s)-i < len(pg.mirror) {
		return avOp{}, false
	}
	for k, id := range pg.mirror {
		if s[i+k] != id {
			return avOp{}, false
		}
	}
	return avOp{kind: opMirror, n: mirrorCode + 2, lines: len(pg.mirror)}, true
}
