package detflate

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"testing"
)

// huffCost returns the cost sum(f·len) of an unlimited Huffman code for the
// non-zero frequencies and its greatest code length.
func huffCost(freq []int) (cost, depth int) {
	h := &intHeap{}
	for _, f := range freq {
		if f > 0 {
			heap.Push(h, node{w: f})
		}
	}
	for h.Len() > 1 {
		a, b := heap.Pop(h).(node), heap.Pop(h).(node)
		cost += a.w + b.w
		heap.Push(h, node{w: a.w + b.w, d: max(a.d, b.d) + 1})
	}
	return cost, (*h)[0].d
}

type node struct{ w, d int }
type intHeap []node

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i].w < h[j].w }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(node)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// bruteCost returns the least cost of code lengths 1..limit for the
// non-zero frequencies with a Kraft sum of at most 1, by exhaustive search.
func bruteCost(freq []int, limit int) int {
	var fs []int
	for _, f := range freq {
		if f > 0 {
			fs = append(fs, f)
		}
	}
	best := -1
	lens := make([]int, len(fs))
	var walk func(i int, kraft float64, cost int)
	walk = func(i int, kraft float64, cost int) {
		if kraft > 1+1e-12 || best >= 0 && cost >= best {
			return
		}
		if i == len(fs) {
			best = cost
			return
		}
		for l := 1; l <= limit; l++ {
			lens[i] = l
			walk(i+1, kraft+1/float64(uint(1)<<l), cost+fs[i]*l)
		}
	}
	walk(0, 0, 0)
	return best
}

// checkLengths verifies that lengths form a complete prefix code of at most
// limit bits over exactly the symbols of non-zero frequency, and returns its
// cost.
func checkLengths(t *testing.T, freq []int, lengths []uint8, limit int) int {
	t.Helper()
	kraft := 0.0
	cost := 0
	for s, l := range lengths {
		if (freq[s] > 0) != (l > 0) || int(l) > limit {
			t.Fatalf("symbol %d: frequency %d, length %d (limit %d)", s, freq[s], l, limit)
		}
		if l > 0 {
			kraft += 1 / float64(uint(1)<<l)
			cost += freq[s] * int(l)
		}
	}
	if kraft != 1 {
		t.Fatalf("Kraft sum %v, want 1 (complete code)", kraft)
	}
	return cost
}

// TestCodeLengths checks package-merge against an unlimited Huffman code
// (same cost whenever that code fits the limit) and against exhaustive
// search on small alphabets with tight limits.
func TestCodeLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var sc pmScratch
	limited := 0
	for iter := range 3000 {
		n, limit := 2+r.IntN(40), 15
		if iter%3 == 0 {
			n, limit = 2+r.IntN(7), 3+r.IntN(2)
			if n > 1<<limit {
				n = 1 << limit
			}
		}
		freq := make([]int, n+r.IntN(5))
		for range n {
			// Skewed frequencies (powers) make deep Huffman trees.
			freq[r.IntN(len(freq))] += 1 + r.IntN(1<<r.IntN(14))
		}
		atLeastTwo(freq)
		lengths := make([]uint8, len(freq))
		sc.codeLengths(freq, limit, lengths)
		cost := checkLengths(t, freq, lengths, limit)
		hc, depth := huffCost(freq)
		if depth <= limit && cost != hc {
			t.Fatalf("freq %v limit %d: cost %d, Huffman %d", freq, limit, cost, hc)
		}
		if depth > limit {
			limited++
			if n <= 8 {
				if bc := bruteCost(freq, limit); cost != bc {
					t.Fatalf("freq %v limit %d: cost %d, exhaustive %d", freq, limit, cost, bc)
				}
			}
		}
	}
	if limited < 100 {
		t.Fatalf("only %d cases needed the limit", limited)
	}
}

// TestCodeLengthsTies pins the tie-breaking of the specification: equal
// frequencies give the longer codes to the smaller symbols.
func TestCodeLengthsTies(t *testing.T) {
	var sc pmScratch
	lengths := make([]uint8, 3)
	sc.codeLengths([]int{1, 1, 1}, 15, lengths)
	// Leaves 0, 1, 2 (weight 1 each); the first package {0,1} (weight 2)
	// sorts after leaf 2: symbols 0 and 1 get 2 bits, symbol 2 one bit.
	if lengths[0] != 2 || lengths[1] != 2 || lengths[2] != 1 {
		t.Fatalf("lengths %v, want [2 2 1]", lengths)
	}
	// A leaf before a package of the same weight: {0,1} (weight 2) comes
	// after leaves 2 and 3 (weight 2), giving four 2-bit codes, where the
	// opposite rule gives [3 3 2 1] at the same cost.
	lengths = make([]uint8, 4)
	sc.codeLengths([]int{1, 1, 2, 2}, 15, lengths)
	if lengths[0] != 2 || lengths[1] != 2 || lengths[2] != 2 || lengths[3] != 2 {
		t.Fatalf("lengths %v, want [2 2 2 2]", lengths)
	}
}

// specCodeLengths is package-merge as SPEC.md Appendix E step b states it: the
// lists made item by item, and the packages taken followed down to their
// leaves.
func specCodeLengths(freq []int, limit int) []uint8 {
	type item struct {
		weight, sym int
		a, b        *item // the two items of a package
	}
	var leaves []*item
	for s, f := range freq {
		if f > 0 {
			leaves = append(leaves, &item{weight: f, sym: s})
		}
	}
	slices.SortStableFunc(leaves, func(x, y *item) int { return x.weight - y.weight })
	list := leaves
	for range limit - 1 {
		var next []*item
		li := 0
		for i := 0; i+1 < len(list); i += 2 {
			p := &item{weight: list[i].weight + list[i+1].weight, a: list[i], b: list[i+1]}
			for ; li < len(leaves) && leaves[li].weight <= p.weight; li++ {
				next = append(next, leaves[li])
			}
			next = append(next, p)
		}
		list = append(next, leaves[li:]...)
	}
	lengths := make([]uint8, len(freq))
	var count func(it *item)
	count = func(it *item) {
		if it.a == nil {
			lengths[it.sym]++
			return
		}
		count(it.a)
		count(it.b)
	}
	for _, it := range list[:2*len(leaves)-2] {
		count(it)
	}
	return lengths
}

// TestCodeLengthsSpec compares codeLengths with specCodeLengths on
// alphabets up to the literal/length one, with many ties and with heavy
// weights.
func TestCodeLengthsSpec(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var sc pmScratch
	for iter := range 3000 {
		limit, size := maxCodeBits, numLitLen
		if iter%2 == 0 {
			limit, size = maxCLCodeBits, numCL
		}
		freq := make([]int, 2+r.IntN(size-1))
		// Weights from a range chosen at random, small (many ties)
		// to large (sorted on more than one byte).
		span := 1 << r.IntN(20)
		for range 1 + r.IntN(len(freq)) {
			freq[r.IntN(len(freq))] += 1 + r.IntN(span)
		}
		atLeastTwo(freq)
		lengths := make([]uint8, len(freq))
		sc.codeLengths(freq, limit, lengths)
		if want := specCodeLengths(freq, limit); !slices.Equal(lengths, want) {
			t.Fatalf("freq %v limit %d: lengths %v, want %v", freq, limit, lengths, want)
		}
	}
}

func TestRunLengths(t *testing.T) {
	seq := []uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 7, 7, 7, 0, 0, 0}
	got := runLengths(nil, seq)
	want := []clItem{{18, 11}, {5, 0}, {16, 6}, {5, 0}, {0, 0}, {0, 0}, {7, 0}, {7, 0}, {7, 0}, {17, 3}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// BenchmarkPlan times planning and writing the dynamic block (plan+write)
// of the parses of the audio/video corpus files, each tokenized once.
func BenchmarkPlan(b *testing.B) {
	var parses [][]token
	for _, f := range corpusFiles(b) {
		src := readSDP(b, f)
		parses = append(parses, append([]token(nil), new(compressor).tokenize(src, SDPDictionary)...))
	}
	var p dynPlan
	var dst []byte
	b.ResetTimer()
	for range b.N {
		for _, toks := range parses {
			p.plan(toks)
			dst = p.write(dst[:0], toks)
		}
	}
}
