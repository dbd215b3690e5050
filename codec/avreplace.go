package codec

// INSERT and REPLACE (AVFORM §3): an op of kind 2 inserts lines of the
// text; when m = v >> 2 is odd it also moves the base position past as
// many lines (REPLACE n, what INSERT n and SEEK +n did), which is how a
// part that changes a line of its base (a direction, a mid, a setup role)
// is coded: one op for the line, not two.

// opReplace is the avOp kind of REPLACE n.
const opReplace = 5

// insertValue returns the varint of INSERT n (m = 2(n − 1)) or REPLACE n
// (m = 2(n − 1) + 1).
func insertValue(o avOp) uint64 {
	m := uint64(2 * (o.n - 1))
	if o.kind == opReplace {
		m++
	}
	return m<<2 | opInsert
}

// insertOp applies the kind-2 op whose m + 1 is n at position j of a base
// of baseLen lines: it returns the lines it takes from the text, the rest
// of the text and the new position, or the reason it is malformed.
func insertOp(lines []string, n, j, baseLen int) (add, rest []string, next int, msg string) {
	count := (n + 1) / 2 // m even: m/2 + 1; m odd: (m + 1)/2
	if count > len(lines) {
		return nil, lines, j, "INSERT of more lines than the text has"
	}
	if n%2 == 0 { // m odd: REPLACE
		if count >= baseLen-j {
			return nil, lines, j, "REPLACE past the base's end"
		}
		j += count
	}
	return lines[:count], lines[count:], j, ""
}
