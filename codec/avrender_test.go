package codec

import (
	"math/rand/v2"
	"testing"
)

// TestPlainRun checks plainRun against a byte loop on random lines of
// plain bytes with a few TABs, control bytes, 0x7f and bytes from 0x80 on:
// the run it returns is plain, and it stops at most 7 bytes before the
// first byte that is not (the byte loop of renderer.line goes on from
// there).
func TestPlainRun(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	odd := []byte{'\t', 0x00, 0x01, 0x0e, 0x1f, 0x7f, 0x80, 0xc3, 0xff}
	for range 20000 {
		l := make([]byte, rng.IntN(40))
		for i := range l {
			l[i] = byte(0x20 + rng.IntN(0x5f))
			if rng.IntN(12) == 0 {
				l[i] = odd[rng.IntN(len(odd))]
			}
		}
		k := 0
		if len(l) > 0 {
			k = rng.IntN(len(l))
		}
		end := k
		for end < len(l) && (l[end] == '\t' || l[end] >= 0x20 && l[end] < 0x7f) {
			end++
		}
		if got := plainRun(string(l), k); got < k || got > end || end-got >= 8 && got+8 <= len(l) {
			t.Fatalf("plainRun(%q, %d) = %d, plain bytes end at %d", l, k, got, end)
		}
	}
}
