package codec

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The decoder's speed-ups that TestAVDecodeMutants cannot tell from the
// code they replace, checked against it.

// TestProfileBlocks checks that the blocks the decoder takes for each
// registry profile are those blocksOf finds in its lines.
func TestProfileBlocks(t *testing.T) {
	pb := profileBlocks()
	if len(pb) != len(avProfiles) {
		t.Fatalf("%d profiles' blocks for %d profiles", len(pb), len(avProfiles))
	}
	for k, p := range avProfiles {
		heads, ends := blocksOf(p)
		if !pb[k].found || !slices.Equal(pb[k].heads, heads) || !slices.Equal(pb[k].ends, ends) {
			t.Fatalf("profile %d: blocks %v %v, blocksOf %v %v", k, pb[k].heads, pb[k].ends, heads, ends)
		}
	}
}

// TestRenameScan checks idTokens and renameTokens, which scan a few
// references and use a map past fewTokens, against a map throughout, on
// lines naming up to 3 × fewTokens references.
func TestRenameScan(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ref := func(kind byte, n int) string { return string(rune(kind)) + strconv.Itoa(n) }
	for round := 0; round < 300; round++ {
		distinct := 1 + r.IntN(3*fewTokens)
		lines := make([]string, 1+r.IntN(20))
		for i := range lines {
			l := "a=ssrc:"
			for range r.IntN(5) {
				l += ref([]byte{mkString, mkStringOld}[r.IntN(2)], r.IntN(distinct)) + " x"
			}
			lines[i] = l
		}
		var want []string
		seen := map[string]bool{}
		rename := map[string]string{}
		for _, l := range lines {
			for k, e := nextRef(l, 0); k >= 0; k, e = nextRef(l, e) {
				if tok := l[k:e]; !seen[tok] {
					seen[tok] = true
					want = append(want, tok)
				}
			}
		}
		got := idTokens(lines)
		if !slices.Equal(got, want) {
			t.Fatalf("idTokens %q, want %q", got, want)
		}
		to := make([]string, len(got))
		for i := range to {
			if r.IntN(3) > 0 {
				to[i] = ref(mkString, 1000+i)
				rename[got[i]] = to[i]
			}
		}
		renamed := renameTokens(lines, got, to)
		for i, l := range lines {
			var b strings.Builder
			last := 0
			for k, e := nextRef(l, 0); k >= 0; k, e = nextRef(l, e) {
				if u, ok := rename[l[k:e]]; ok {
					b.WriteString(l[last:k] + u)
					last = e
				}
			}
			if b.WriteString(l[last:]); renamed[i] != b.String() {
				t.Fatalf("renameTokens %q, want %q", renamed[i], b.String())
			}
		}
	}
}
