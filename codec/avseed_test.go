package codec

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSearchEditsSeeded checks searchEdits against appendEdits on the A/V
// descriptions of testdata/av, alone and against another as offer: seeded
// with the seeds applyEdits reads back from appendEdits' edits, it gives
// the same bytes and ok; seeded with random seeds, it gives the same bytes
// whenever ok.
func TestSearchEditsSeeded(t *testing.T) {
	skels := avTestSkeletons(t)
	r := rand.New(rand.NewPCG(1, 2))
	kept := 0
	for i, parts := range skels {
		for _, j := range []int{-1, (i + 3) % len(skels)} {
			var offer [][]string
			if j >= 0 {
				offer = skels[j]
			}
			maxProfile := len(avProfiles) - 1
			edits, text := appendEdits(nil, nil, parts, offer, maxProfile)
			lines, _ := splitTextLines(text)
			var seeds []editSeed
			if _, _, err := applyEdits(edits, lines, offer, nil, offer != nil, MaxMaxSDPBytes, 0, &seeds); err != nil {
				t.Fatalf("description %d, offer %d: %v", i, j, err)
			}
			e2, t2, ok := searchEdits(nil, nil, parts, offer, nil, maxProfile, seeds)
			if !ok || !bytes.Equal(e2, edits) || !bytes.Equal(t2, text) {
				t.Fatalf("description %d, offer %d: seeded with its own edits: ok %v, %x %q, want %x %q", i, j, ok, e2, t2, edits, text)
			}
			for range 20 {
				for k := range seeds {
					seeds[k].cost = max(seeds[k].cost+r.IntN(21)-10, 0)
					seeds[k].base = uint64(r.IntN(baseProfile + len(avProfiles)))
					seeds[k].part = uint64(r.IntN(2 * len(parts)))
				}
				e3, t3, ok := searchEdits(nil, nil, parts, offer, nil, maxProfile, seeds)
				if ok && (!bytes.Equal(e3, edits) || !bytes.Equal(t3, text)) {
					t.Fatalf("description %d, offer %d: seeds %v: %x %q, want %x %q", i, j, seeds, e3, t3, edits, text)
				}
				if ok {
					kept++
				}
			}
		}
	}
	t.Logf("%d skeletons, %d random seedings ok", len(skels), kept)
}

// avTestSkeletons returns the skeleton parts of the A/V descriptions of
// testdata/av (at least 20).
func avTestSkeletons(t *testing.T) [][][]string {
	t.Helper()
	var skels [][][]string
	err := filepath.WalkDir(filepath.Join("..", "testdata", "av"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sdp") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if p, err := parseSDP(string(raw)); err == nil { // not every file is a valid description
			if s, ok := avExtract(p, &CandidatePolicy{}); ok {
				skels = append(skels, s.parts)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(skels) < 20 {
		t.Fatalf("only %d A/V skeletons in testdata/av", len(skels))
	}
	return skels
}
