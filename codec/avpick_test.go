package codec

import "testing"

// TestPickValue checks that a PICK's distance survives its varint, that
// the varints are the kind-3 values from 15 on (11 is PERM), and that a permuted
// block is coded as one PICK.
func TestPickValue(t *testing.T) {
	seen := map[uint64]bool{}
	for d := -40; d <= 40; d++ {
		v := pickValue(d)
		if v&3 != 3 || v < 15 || seen[v] {
			t.Fatalf("PICK %d: varint %d", d, v)
		}
		seen[v] = true
		if got := pickDistance(v); got != d {
			t.Fatalf("PICK %d: varint %d reads as %d", d, v, got)
		}
	}
	base := []string{"a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=extmap:1 x", "a=ssrc:1 y"}
	part := []string{base[2], base[3], base[0], base[1], base[4], base[5]}
	in := newInterner(profileIndex())
	b := newBaseIndex(in.ids(nil, base))
	b.setBlocks(base)
	ops := diffOps(nil, in.ids(nil, part), &b, nil)
	want := []avOp{{kind: opPick, n: 1, lines: 2}, {kind: opPick, n: -2, lines: 2}, {kind: opPick, n: 1, lines: 1}, {kind: opCopyEnd, n: 1, lines: 0}}
	if len(ops) != len(want) {
		t.Fatalf("ops %v, want %v", ops, want)
	}
	for i := range ops {
		if ops[i] != want[i] {
			t.Fatalf("ops %v, want %v", ops, want)
		}
	}
}
