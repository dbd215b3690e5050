package detflate

// An experiment, kept to back a measurement: a parse whose match search is
// bounded. At each position the candidates are, for each probe length k
// in probeLens, the perProbe nearest earlier positions whose next k bytes
// equal those at the position; longest(p) is the longest match among
// them (the nearest on a tie); the lazy parse is that of the package
// documentation. On the audio/video corpus its blocks are as small as the
// exhaustive parse's (TestProbeParseSize), yet it is slower
// (BenchmarkParse): indexing every position for three probe lengths costs
// more than the exhaustive walk saves. So the specified parse stays
// exhaustive. See bench/README.md, "Speed".

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"
)

var probeLens = [...]int{4, 8, 16}

const (
	numProbes       = len(probeLens)
	perProbe        = 2
	maxProbe        = 16 // the greatest of probeLens
	probeDictBits   = 15 // hash bits of a dictionary's probeChains
	probeMinSrcBits = 8  // hash bits of the input's probeChains, at least
)

// probeMul is the multiplier of the hashes that put positions on probeChains.
// The output does not depend on it (a candidate is any position whose
// bytes are equal, whatever its hash), so it is chosen at random: input
// made to collide in one process's hash would not collide in another's.
var probeMul = rand.Uint64() | 1

// probeHash returns the hash, in the top bits of the result, of the k
// bytes of w at q (q+k <= len(w)).
func probeHash(w []byte, q, k int) uint64 {
	var v uint64
	switch k {
	case 4:
		v = uint64(binary.LittleEndian.Uint32(w[q:]))
	case 8:
		v = binary.LittleEndian.Uint64(w[q:])
	default:
		v = binary.LittleEndian.Uint64(w[q:])*probeMul ^ binary.LittleEndian.Uint64(w[q+8:])
	}
	return v * probeMul
}

// sameProbe reports whether the k bytes of w at a and at b are equal.
func sameProbe(w []byte, a, b, k int) bool {
	switch k {
	case 4:
		return binary.LittleEndian.Uint32(w[a:]) == binary.LittleEndian.Uint32(w[b:])
	case 8:
		return binary.LittleEndian.Uint64(w[a:]) == binary.LittleEndian.Uint64(w[b:])
	default:
		return binary.LittleEndian.Uint64(w[a:]) == binary.LittleEndian.Uint64(w[b:]) &&
			binary.LittleEndian.Uint64(w[a+8:]) == binary.LittleEndian.Uint64(w[b+8:])
	}
}

// probeChains are the hash probeChains of one probe length: head[h] is 1 + the
// most recent position whose hash is h (0 for none), prev[q-base] 1 + the
// previous position with the same hash as q.
type probeChains struct {
	head  []int32
	prev  []int32
	base  int
	shift uint
}

func (ch *probeChains) add(w []byte, q, k int) {
	h := probeHash(w, q, k) >> ch.shift
	ch.prev[q-ch.base] = ch.head[h]
	ch.head[h] = int32(q + 1)
}

// probeDictIndex holds, for each probe length k, the probeChains of the
// dictionary's positions whose k bytes lie inside the dictionary. It is
// read-only once built, so the probeChains of SDPDictionary are built once.
type probeDictIndex struct {
	dict []byte
	ch   [numProbes]probeChains
}

func newProbeDictIndex(dict []byte) *probeDictIndex {
	di := &probeDictIndex{dict: dict}
	for i, k := range probeLens {
		ch := &di.ch[i]
		ch.head = make([]int32, 1<<probeDictBits)
		ch.prev = make([]int32, len(dict))
		ch.shift = 64 - probeDictBits
		for q := 0; q+k <= len(dict); q++ {
			ch.add(dict, q, k)
		}
	}
	return di
}

// probeParser holds the reusable buffers of one compression.
//
// For each probe length k, the positions of W are on hash probeChains, nearest
// first: the positions whose k bytes lie inside the dictionary on the
// dictionary's probeChains (built once per dictionary), the later ones, from
// base = max(len(dict)-k+1, 0) on, on probeChains built per call as the parse
// advances. A position's candidates for k are found by walking the
// per-call chain and then the dictionary's, keeping the positions whose k
// bytes are equal to its own (a chain also holds positions that only share
// the hash) until perProbe are found or the window is left.
type probeParser struct {
	w        []byte // dict ‖ src
	di       *probeDictIndex
	src      [numProbes]probeChains
	inserted [numProbes]int // positions in [base, inserted) are on the probeChains
	toks     []token
}

// insertUpTo puts every position q < end, with k bytes in W, from base on
// on the per-call probeChains of probe i.
func (c *probeParser) insertUpTo(i, end int) {
	k := probeLens[i]
	if lim := len(c.w) - k + 1; end > lim {
		end = lim
	}
	ch := &c.src[i]
	for q := c.inserted[i]; q < end; q++ {
		ch.add(c.w, q, k)
	}
	if end > c.inserted[i] {
		c.inserted[i] = end
	}
}

// longest returns the bounded longest(p) at position cur of W (cur = n+p): of the candidates of every probe length, the one with the
// longest match, the nearest of those; length 0 for none.
func (c *probeParser) longest(cur int) (length, dist int) {
	w := c.w
	maxLen := min(len(w)-cur, maxMatch)
	minPos := cur - WindowSize
	best, bestPos := 0, -1
	// try measures the match at candidate q.
	try := func(q int) {
		if l := matchLen(w, q, cur, maxLen); l > best || (l == best && q > bestPos) {
			best, bestPos = l, q
		}
	}
	for i, k := range probeLens {
		if cur+k > len(w) {
			break
		}
		c.insertUpTo(i, cur)
		got := 0
		ch := &c.src[i]
		h := probeHash(w, cur, k)
		for e := ch.head[h>>ch.shift]; e != 0 && got < perProbe; e = ch.prev[int(e-1)-ch.base] {
			q := int(e - 1)
			if q < minPos {
				got = perProbe
				break
			}
			if sameProbe(w, q, cur, k) {
				try(q)
				got++
			}
		}
		dc := &c.di.ch[i]
		for e := dc.head[h>>dc.shift]; e != 0 && got < perProbe; e = dc.prev[e-1] {
			q := int(e - 1)
			if q < minPos {
				break
			}
			if sameProbe(w, q, cur, k) {
				try(q)
				got++
			}
		}
	}
	return found(best, bestPos, cur)
}

// tokenize is the lazy parse of the package documentation on top of the
// bounded longest. The result is valid until the next use of c.
func (c *probeParser) tokenize(src, dict []byte) []token {
	var n int
	c.w, dict, n = joinWindow(c.w, src, dict)
	if len(src) == 0 {
		return c.toks[:0]
	}
	if c.di == nil || len(c.di.dict) != len(dict) {
		c.di = newProbeDictIndex(dict)
	}
	hb := min(max(bits.Len(uint(len(src)+maxProbe)), probeMinSrcBits), probeDictBits)
	for i, k := range probeLens {
		ch := &c.src[i]
		ch.base = max(n-k+1, 0)
		if size := len(c.w) - ch.base; cap(ch.prev) < size {
			ch.prev = make([]int32, size)
		} else {
			ch.prev = ch.prev[:size]
		}
		if ch.head == nil {
			ch.head = make([]int32, 1<<probeDictBits)
		}
		ch.head = ch.head[:1<<hb]
		clear(ch.head)
		ch.shift = uint(64 - hb)
		c.inserted[i] = ch.base
	}

	c.toks = lazyParse(c.toks[:0], c.w, n, func(cur, _ int) (int, int) { return c.longest(cur) })
	return c.toks
}

// bruteProbeTokens transcribes the bounded parse directly: the
// candidates are found by scanning back from each position.
func bruteProbeTokens(src, dict []byte) []token {
	n := len(dict)
	w := append(append([]byte{}, dict...), src...)
	longest := func(cur int) (int, int) {
		maxLen := min(len(w)-cur, maxMatch)
		bl, bq := 0, -1
		for _, k := range probeLens {
			if cur+k > len(w) {
				break
			}
			got := 0
			for q := cur - 1; q >= 0 && cur-q <= WindowSize && got < perProbe; q-- {
				if string(w[q:q+k]) != string(w[cur:cur+k]) {
					continue
				}
				got++
				l := 0
				for l < maxLen && w[q+l] == w[cur+l] {
					l++
				}
				if l > bl || (l == bl && q > bq) {
					bl, bq = l, q
				}
			}
		}
		if bq < 0 {
			return 0, 0
		}
		return bl, cur - bq
	}
	return lazyParse(nil, w, n, func(cur, _ int) (int, int) { return longest(cur) })
}

// TestProbeParseSize checks the bounded parse against its transcription
// and compares its blocks with those of the specified parse on the
// audio/video corpus: within 1% in total (it was 0.1% larger on
// 2026-11-26).
func TestProbeParseSize(t *testing.T) {
	var pp probeParser
	exhaustive, probe := 0, 0
	for i, f := range corpusFiles(t) {
		src := readSDP(t, f)
		toks := pp.tokenize(src, SDPDictionary)
		if i < 3 {
			if d := diffTokens(toks, bruteProbeTokens(src, SDPDictionary)); d != "" {
				t.Fatalf("%s: bounded parse differs from its transcription: %s", f, d)
			}
		}
		var plan dynPlan
		out := writeBlock(nil, toks, src, &plan)
		if got, err := Decompress(out, SDPDictionary, len(src)); err != nil || string(got) != string(src) {
			t.Fatalf("%s: bounded parse does not round-trip: %v", f, err)
		}
		probe += len(out)
		exhaustive += len(Compress(nil, src, SDPDictionary))
	}
	t.Logf("audio/video corpus: exhaustive parse %d B, bounded parse %d B (%+.1f%%)",
		exhaustive, probe, 100*float64(probe-exhaustive)/float64(exhaustive))
	if probe > exhaustive*101/100 {
		t.Errorf("bounded parse %d B, more than 1%% over the exhaustive parse's %d B", probe, exhaustive)
	}
}

// BenchmarkParse times the specified (exhaustive) parse and the bounded
// one on every audio/video corpus file, alternating, and reports
// bounded-x-of-exhaustive, the ratio of their summed fastest times.
func BenchmarkParse(b *testing.B) {
	var srcs [][]byte
	for _, f := range corpusFiles(b) {
		srcs = append(srcs, readSDP(b, f))
	}
	var c compressor
	var pp probeParser
	ops := [2]func(src []byte){
		func(src []byte) { c.tokenize(src, SDPDictionary) },
		func(src []byte) { pp.tokenize(src, SDPDictionary) },
	}
	best := make([][2]time.Duration, len(srcs))
	for i := range best {
		best[i] = [2]time.Duration{time.Hour, time.Hour}
	}
	for b.Loop() {
		for i, src := range srcs {
			for k, op := range ops {
				op(src)
				t0 := time.Now()
				op(src)
				best[i][k] = min(best[i][k], time.Since(t0))
			}
		}
	}
	var sum [2]time.Duration
	for _, bt := range best {
		sum[0] += bt[0]
		sum[1] += bt[1]
	}
	b.ReportMetric(float64(sum[1])/float64(sum[0]), "bounded-x-of-exhaustive")
}
