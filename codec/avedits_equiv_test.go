package codec

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// plainEdits is appendEdits without its speed-ups: every base diffed in
// tie-break order (the empty base, the offer's parts, the earlier parts,
// the profiles), the first of least cost kept, ids made afresh.
func plainEdits(dst, text []byte, parts, offer [][]string, offerMaps []*numMap, maxProfile int) ([]byte, []byte) {
	reg := profileIndex()
	in := newInterner(reg)
	var bases []baseIndex
	var nums [][2]uint64
	var texts [][]string // each base's lines, for its renamed variant
	for k, p := range offer {
		b := newBaseIndex(in.ids(nil, p))
		b.setBlocks(p)
		bases = append(bases, b)
		nums = append(nums, [2]uint64{baseOffer, 2 * uint64(k)})
		texts = append(texts, p)
	}
	for x, s := range parts {
		sid := in.ids(nil, s)
		pg, _ := newPartGen(nil, s, sid, x, &in, offer)
		best := diffOps(nil, sid, &emptyBase, pg)
		bestBase, bestCost := [2]uint64{}, editCost(s, best, 1)
		var bestRename []byte
		for k := range bases {
			baseLen := varintLen(nums[k][0]) + varintLen(nums[k][1])
			ops := diffOps(nil, sid, &bases[k], pg)
			if c := editCost(s, ops, baseLen); c < bestCost {
				best, bestBase, bestCost, bestRename = ops, nums[k], c, nil
			}
			// The same base renamed, right after it in tie-break order.
			if _, refMissing := plainMissing(s, sid, bases[k].has, lineRefs(nil, s), 1<<30); !refMissing {
				continue
			}
			if from, to, payload, ok := renameFor(texts[k], s); ok {
				lines := renameTokens(texts[k], from, to)
				b := newBaseIndex(in.ids(nil, lines))
				b.setBlocks(lines)
				ops := diffOps(nil, sid, &b, pg)
				if c := editCost(s, ops, baseLen+len(payload)); c < bestCost {
					best, bestBase, bestCost, bestRename = ops, [2]uint64{nums[k][0], nums[k][1] + 1}, c, payload
				}
			}
		}
		best, bestBase, _, bestRename = plainProfiles(&in, s, sid, pg, maxProfile, offerMap(offerMaps, x), best, bestBase, bestCost, bestRename)
		if x < len(parts)-1 {
			// Earlier parts go after the offer's parts and before the
			// profiles in tie-break order, as bases does.
			b := newBaseIndex(sid)
			b.setBlocks(s)
			bases = append(bases, b)
			nums = append(nums, [2]uint64{baseOwn, 2 * uint64(x)})
			texts = append(texts, s)
		}
		dst, text = appendPart(dst, text, s, bestBase, bestRename, best)
		if x == len(parts)-1 && best[len(best)-1].kind == opCopyEnd {
			dst = dst[:len(dst)-1] // implied by the end of the edits
		}
	}
	return dst, text
}

// plainProfiles is plainEdits' search of the profiles 0 to maxProfile for
// part s, each diffed, then renumbered, then renumbered as the offer (mo,
// nil when none), starting from the best so far.
func plainProfiles(in *interner, s []string, sid []int32, pg *partGen, maxProfile int, mo *numMap, best []avOp, bestBase [2]uint64, bestCost int, bestRename []byte) ([]avOp, [2]uint64, int, []byte) {
	reg := profileIndex()
	try := func(k int, lines []string, payload []byte) {
		b := newBaseIndex(in.ids(nil, lines))
		b.setBlocks(lines)
		ops := diffOps(nil, sid, &b, pg)
		if c := editCost(s, ops, varintLen(baseProfile+uint64(k))+renumberWeight*len(payload)); c < bestCost {
			best, bestBase, bestCost, bestRename = ops, [2]uint64{baseProfile + uint64(k), 0}, c, payload
		}
	}
	low := -1 // the least renumberBound of the profiles so far
	for k := range reg.profiles[:min(maxProfile+1, len(reg.profiles))] {
		ops := diffOps(nil, sid, &reg.profiles[k], pg)
		if c := editCost(s, ops, varintLen(baseProfile+uint64(k))); c < bestCost {
			best, bestBase, bestCost, bestRename = ops, [2]uint64{baseProfile + uint64(k), 0}, c, nil
		}
		// The profile renumbered, right after it, when it has a
		// renumbered variant; then renumbered as the offer.
		if b := renumberBound(s, avProfiles[k]); low >= 0 && b >= low {
			continue
		} else {
			low = b
		}
		if m := newNumMap(); renumberFor(m, profileKeys(), k, profileKeys().partThings(new(numberedScratch), nil, s, nil)) {
			try(k, renumber(avProfiles[k], m), appendRenumber(nil, m))
		}
		if mo != nil && renumbersProfile(mo, k) {
			try(k, renumber(avProfiles[k], mo), []byte{permValue, renumberOfferCode})
		}
	}
	return best, bestBase, bestCost, bestRename
}

// TestAppendEditsPlain checks that appendEdits, with its pruning, try
// order and offer cache, gives the bytes of plainEdits for every A/V
// description of testdata/av alone and against each of a few others as
// offer, with every profile and with none.
func TestAppendEditsPlain(t *testing.T) {
	skels := avTestSkeletons(t)
	// Descriptions of more than 65 parts (more than an A/V code holds),
	// for the bases past the 64th: the parts of the corpus in turn, and
	// 66 one-line parts and then a media part twice, the second time less
	// its second line, so that its best base is part 66.
	var long, late [][]string
	for k := 0; len(long) < 70; k++ {
		long = append(long, skels[k%len(skels)]...)
	}
	for k := range 66 {
		late = append(late, []string{"a=x-filler:" + strconv.Itoa(k)})
	}
	media := skels[0][len(skels[0])-1]
	late = append(late, media, append(media[:1:1], media[2:]...))
	skels = append(skels, long, late)
	renumbered, asOffer := 0, 0
	// Descriptions of other stack versions, which renumbered profiles
	// code: the corpus's, and testdata/av's offers with their numbers
	// rotated (rotateNumbers).
	for _, sdp := range renumberedInputs(t) {
		if p, err := parseSDP(sdp); err == nil {
			if sk, ok := avExtract(p, &CandidatePolicy{}); ok {
				skels = append(skels, sk.parts)
			}
		}
	}
	n := 0
	for i, parts := range skels {
		for _, j := range []int{-1, i, (i + 1) % len(skels), (i + 7) % len(skels), (i * 13) % len(skels)} {
			var offer [][]string
			var maps []*numMap
			if j >= 0 {
				offer, maps = skels[j], offerMapsFor(t, skels[j])
			}
			for _, maxProfile := range []int{len(avProfiles) - 1, 3, -1} {
				e1, t1, _ := searchEdits(nil, nil, parts, offer, maps, maxProfile, nil)
				e2, t2 := plainEdits(nil, nil, parts, offer, maps, maxProfile)
				if !bytes.Equal(e1, e2) || !bytes.Equal(t1, t2) {
					t.Fatalf("description %d, offer %d, profiles to %d: edits %x text %q, plainly %x %q", i, j, maxProfile, e1, t1, e2, t2)
				}
				if bytes.Contains(e1, []byte{permValue, renumberCode}) {
					renumbered++
				}
				if bytes.Contains(e1, []byte{permValue, renumberOfferCode}) {
					asOffer++
				}
				n++
			}
		}
	}
	t.Logf("%d codings of %d skeletons compared, %d with a renumbered profile, %d renumbered as the offer", n, len(skels), renumbered, asOffer)
	if renumbered < 50 || asOffer < 10 {
		t.Errorf("only %d codings with a renumbered profile, %d renumbered as the offer", renumbered, asOffer)
	}
}

// offerMapsFor returns the renumbering of each part of the offer code of
// skeleton parts (offerMapsOf), as its encoder codes them.
func offerMapsFor(t *testing.T, parts [][]string) []*numMap {
	t.Helper()
	edits, text := appendEdits(nil, nil, parts, nil, len(avProfiles)-1)
	var lines []string
	if len(text) > 0 {
		lines = strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	}
	var seeds []editSeed
	if _, _, err := applyEdits(edits, lines, nil, nil, false, MaxMaxSDPBytes, 0, &seeds); err != nil {
		t.Fatal(err)
	}
	return offerMapsOf(seeds)
}

// TestDiffWithinCost checks that the cost partCoder.diff makes of
// diffWithin's inserted bytes and opsLen is editCost's, for every part of
// testdata/av against every profile.
func TestDiffWithinCost(t *testing.T) {
	reg := profileIndex()
	for _, sk := range avTestSkeletons(t) {
		in := newInterner(reg)
		for x, s := range sk {
			sid := in.ids(nil, s)
			pg, _ := newPartGen(nil, s, sid, x, &in, nil)
			for k := range reg.profiles {
				ops, inserted, ok := diffWithin(nil, sid, s, &reg.profiles[k], pg, 1<<30)
				if got, want := inserted+opsLen(ops), editCost(s, ops, 0); !ok || got != want {
					t.Fatalf("part %d, profile %d: inserted + opsLen = %d, editCost %d (ok %v)", x, k, got, want, ok)
				}
			}
		}
	}
}

// renumberBound is the bound of AVFORM §14.5 that decides which profiles
// have a renumbered variant, plainly: the bytes (each with its LF) of the
// lines of s without a number that p lacks, and of those with numbers
// whose shape no line of p has.
func renumberBound(s, p []string) int {
	has, shapes := map[string]bool{}, map[string]bool{}
	for _, l := range p {
		has[l] = true
		if toks := numTokens(nil, l); len(toks) > 0 {
			shapes[string(shapeText(nil, l, toks))] = true
		}
	}
	b := 0
	for _, l := range s {
		toks := numTokens(nil, l)
		if len(toks) == 0 && !has[l] || len(toks) > 0 && !shapes[string(shapeText(nil, l, toks))] {
			b += len(l) + 1
		}
	}
	return b
}

// renumberedInputs returns the A/V descriptions of the corpus and the
// batch1 offers of testdata/av with their numbers rotated.
func renumberedInputs(t *testing.T) []string {
	var out []string
	for _, e := range loadCorpus(t) {
		if e.media != "datachannel" {
			out = append(out, e.sdp)
		}
	}
	for _, e := range loadAV(t) {
		if e.typ == "offer" && e.batch == "batch1" {
			rot, _ := rotateNumbers(e.sdp)
			out = append(out, rot)
		}
	}
	return out
}
