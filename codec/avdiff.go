package codec

// The encoder's diff (AVFORM §3): the ops that make a part from a base.

// diffOps appends to ops the operations that make s (as ids) from the
// base b (AVFORM §3, the encoder's diff), and END, or COPY END in place of
// a last COPY that reaches the base's end.
func diffOps(ops []avOp, s []int32, b *baseIndex, pg *partGen) []avOp {
	ops, _, _ = diffWithin(ops, s, nil, b, pg, 0)
	return ops
}

// diffWithin is diffOps, given the part's lines, that gives up (ok false)
// as soon as the edits certainly cost more than limit (editCost with the
// base number's bytes taken off): a base that loses to the best so far by
// the lines it must insert is not diffed to its end. lines nil: no limit.
//
// The running lower bound is the inserted lines' bytes plus one byte per
// op: ops only ever turn into others of at least one byte (INSERT into
// REPLACE, the last COPY into COPY END, which stands for END too), and
// every op of the final edits costs at least one. It also returns the
// inserted lines' bytes (each with its LF; 0 when lines is nil), editCost's
// share of them: only INSERT makes them, and REPLACE, made of an INSERT.
func diffWithin(ops []avOp, s []int32, lines []string, b *baseIndex, pg *partGen, limit int) (_ []avOp, inserted int, ok bool) {
	p := b.ids
	j := 0
	first := len(ops)
	for i := 0; i < len(s); {
		if j < len(p) && s[i] == p[j] {
			n := 1
			for i+n < len(s) && j+n < len(p) && s[i+n] == p[j+n] {
				n++
			}
			ops = append(ops, avOp{kind: opCopy, n: n})
			i += n
			j += n
			continue
		}
		if k := b.seekTarget(s, i, j); k >= 0 {
			if last := len(ops) - 1; last >= first && ops[last].kind == opInsert && k-j == ops[last].n {
				ops[last].kind = opReplace // INSERT n, SEEK +n
				j = k
				continue
			}
			if o, ok := b.pickOp(s, i, j, k); ok {
				if p, ok := b.permOp(s, i, j); ok {
					ops = append(ops, p)
					i += p.lines
					j = int(b.ends[blockAt(b.heads, j)+p.n-1])
					continue
				}
				ops = append(ops, o)
				i += o.lines
				j = k + o.lines
				continue
			}
			ops = append(ops, avOp{kind: opSeek, n: k - j})
			j = k
			continue
		}
		n := 1
		for i+n < len(s) && !b.has(s[i+n]) {
			n++
		}
		if o, next, ok := pg.op(s, i, j, n, b); ok {
			ops, i, j = append(ops, o), i+o.lines, next
			continue
		}
		ops = append(ops, avOp{kind: opInsert, n: n})
		if lines != nil {
			for _, l := range lines[i : i+n] {
				inserted += len(l) + 1
			}
			if inserted+len(ops)-first > limit {
				return ops, inserted, false
			}
		}
		i += n
	}
	if last := len(ops) - 1; last >= 0 && ops[last].kind == opCopy && j == len(p) {
		ops[last].kind = opCopyEnd
		return ops, inserted, true
	}
	return append(ops, avOp{kind: opEnd, n: 0}), inserted, true
}
