package codec

// The edits' varints and op values (AVFORM §3, §14.5): an op's value and
// its length in bytes.

// varintLen returns the bytes of v as an unsigned LEB128 varint.
func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendVarint appends v as an unsigned LEB128 varint.
func appendVarint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// opValue returns the varint value of an op.
func opValue(o avOp) uint64 {
	switch {
	case o.kind == opEnd || o.kind == opCopyEnd:
		return uint64(o.kind)
	case o.kind == opPick:
		return pickValue(o.n)
	case o.kind == opGen:
		return genValue(o.n)
	case o.kind == opInsert || o.kind == opReplace:
		return insertValue(o)
	case o.kind != opSeek:
		return uint64(o.n-1)<<2 | uint64(o.kind)
	case o.n > 0:
		return uint64(2*(o.n-1))<<2 | opSeek
	}
	return uint64(2*-o.n-1)<<2 | opSeek
}

// opLen returns the bytes of an op.
func opLen(o avOp) int {
	if o.kind == opPerm || o.kind == opMirror {
		return permLen(o.n)
	}
	if o.kind == opVersion {
		return 2 + varintLen(uint64(o.n))
	}
	return varintLen(opValue(o))
}
