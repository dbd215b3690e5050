package codec

import (
	"math/rand"
	"slices"
	"strconv"
	"testing"
)

// TestPermRank checks that every order of up to 6 blocks, and random
// orders of up to maxPerm, survive their rank, that the ranks of n blocks
// are 0 … n! − 1 and fit rankBytes(n) bytes.
func TestPermRank(t *testing.T) {
	for n := 2; n <= 6; n++ {
		seen := map[uint64]bool{}
		order := make([]int8, n)
		for k := range order {
			order[k] = int8(k)
		}
		for {
			r := permRank(order)
			if r >= factorial(n) || seen[r] || r>>(8*rankBytes(n)) != 0 {
				t.Fatalf("order %v: rank %d", order, r)
			}
			seen[r] = true
			if got := permOrder(r, n); !slices.Equal(got, order) {
				t.Fatalf("rank %d of %v reads as %v", r, order, got)
			}
			if !nextPerm(order) {
				break
			}
		}
		if uint64(len(seen)) != factorial(n) {
			t.Fatalf("%d blocks: %d ranks", n, len(seen))
		}
	}
	rng := rand.New(rand.NewSource(1))
	for n := 7; n <= maxPerm; n++ {
		order := make([]int8, n)
		for k, v := range rng.Perm(n) {
			order[k] = int8(v)
		}
		if got := permOrder(permRank(order), n); !slices.Equal(got, order) {
			t.Fatalf("%v reads as %v", order, got)
		}
	}
	if rankBytes(2) != 1 || rankBytes(12) != 4 || rankBytes(maxPerm) != 6 {
		t.Fatalf("rank bytes %d %d %d", rankBytes(2), rankBytes(12), rankBytes(maxPerm))
	}
}

// nextPerm steps order to the next permutation in lexicographic order;
// false after the last.
func nextPerm(order []int8) bool {
	i := len(order) - 2
	for i >= 0 && order[i] >= order[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(order) - 1
	for order[j] <= order[i] {
		j--
	}
	order[i], order[j] = order[j], order[i]
	slices.Reverse(order[i+1:])
	return true
}

// TestPermOp checks that six retransmission formats in another order are
// one PERM that decodes to them, followed by COPY END, and that a swap of
// two blocks stays two PICKs (a PERM would cost a byte more).
func TestPermOp(t *testing.T) {
	base := []string{"m=video 9 X 0x10", "a=mid:1"}
	for pt := 100; pt < 106; pt++ {
		base = append(base, "a=rtpmap:"+strconv.Itoa(pt)+" rtx/90000", "a=fmtp:"+strconv.Itoa(pt)+" apt="+strconv.Itoa(pt-10))
	}
	base = append(base, "a=ssrc:1 y")
	order := []int8{3, 0, 5, 1, 4, 2}
	part := slices.Clone(base[:2])
	for _, u := range order {
		part = append(part, base[2+2*u:4+2*u]...)
	}
	part = append(part, base[len(base)-1])
	in := newInterner(profileIndex())
	b := newBaseIndex(in.ids(nil, base))
	b.setBlocks(base)
	ops := diffOps(nil, in.ids(nil, part), &b, nil)
	want := []avOp{{kind: opCopy, n: 2}, {kind: opPerm, n: 6, lines: 12, rank: permRank(order)}, {kind: opCopyEnd, n: 1}}
	if !slices.Equal(ops, want) {
		t.Fatalf("ops %v, want %v", ops, want)
	}
	edits, _ := appendPart(nil, nil, part, [2]uint64{baseEmpty}, nil, ops)
	var l lazyBlocks
	q := 3 // after the base, COPY 2 and PERM's varint
	add, next, msg := l.readPerm(edits, &q, base, 2)
	if msg != "" || !slices.Equal(add, part[2:14]) || next != 14 || q != len(edits)-1 {
		t.Fatalf("readPerm: %v %d %q at %d of % x", add, next, msg, q, edits)
	}
	swap := []string{base[0], base[1], base[4], base[5], base[2], base[3]}
	swap = append(swap, base[6:]...)
	ops = diffOps(nil, in.ids(nil, swap), &b, nil)
	if ops[1].kind != opPick || ops[2].kind != opPick {
		t.Fatalf("a swap: ops %v", ops)
	}
}
