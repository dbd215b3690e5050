package codec

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The decoder's speed-ups (profileBlocks, the renderer's plain checks,
// idTokens' scan) must not change what Decode accepts. TestAVDecodeMutants
// decodes every A/V code of testdata/av and testdata/corpus and many
// mutants of each, and checks each result against the check without seeds
// (the search as the encoder runs it): the same error class, or the same
// description. With PEER_DECDIFF_OUT set to a file, it also writes one
// line per mutant (its class and a digest of its description), so that
// two versions of the decoder are compared by diffing their files;
// PEER_DECDIFF_MUTANTS sets the number of mutants of each code.

// avCase is a code and the offer code its decoder holds (nil for none).
type avCase struct {
	name        string
	code, offer []byte
}

// avDiffCases returns the A/V codes of testdata/av (answers against their
// offer) and of testdata/corpus (answers against offerFixture, a compact
// offer), in a fixed order.
func avDiffCases(t *testing.T) []avCase {
	entries := loadAV(t)
	codes, offers := avCodes(t, entries)
	var out []avCase
	for _, e := range entries {
		out = append(out, avCase{"av/" + e.file, codes[e.file], offers[e.file]})
	}
	fixture := offerFixture(t)
	for _, e := range loadCorpus(t) {
		typ, _ := ParseType(e.typ)
		var offer []byte
		if typ == Answer {
			offer = fixture
		}
		code, err := Encode(Description{Type: typ, SDP: e.sdp}, offer, nil)
		if err == nil && (code[0] == headAVOffer || code[0] == headAVAnswer) {
			out = append(out, avCase{"corpus/" + e.file, code, offer})
		}
	}
	if len(out) < 150 {
		t.Fatalf("only %d A/V codes", len(out))
	}
	return out
}

// mutate returns a copy of code changed by one of: a byte flipped, a byte
// inserted or deleted, two bytes of the edits item swapped, or a byte of
// the edits item set (edits is where the edits item's bytes start and end
// in code, or nil).
func mutate(r *rand.Rand, code []byte, edits []int) []byte {
	c := bytes.Clone(code)
	at := r.IntN(len(c))
	if edits != nil && edits[1] > edits[0] && r.IntN(2) == 0 {
		at = edits[0] + r.IntN(edits[1]-edits[0])
		switch r.IntN(3) {
		case 0:
			b := edits[0] + r.IntN(edits[1]-edits[0])
			c[at], c[b] = c[b], c[at]
		case 1:
			c[at] = byte(r.IntN(256))
		default:
			c[at] ^= 1 << r.IntN(8)
		}
		return c
	}
	switch r.IntN(4) {
	case 0:
		return append(c[:at:at], c[at+1:]...)
	case 1:
		return append(append(c[:at:at], byte(r.IntN(256))), code[at:]...)
	case 2:
		c[at] = byte(r.IntN(256))
	default:
		c[at] ^= 1 << r.IntN(8)
	}
	return c
}

// editsRange returns where the edits item's bytes stand in a valid A/V
// code, or nil.
func editsRange(d *Decoder, code []byte) []int {
	m, err := d.readModel(code)
	if err != nil || m.av == nil || len(m.av.edits) == 0 {
		return nil
	}
	i := bytes.Index(code, m.av.edits)
	return []int{i, i + len(m.av.edits)}
}

// decodeUnseeded is decodeModel with checkAV's search not seeded.
func decodeUnseeded(d *Decoder, code []byte) (*model, error) {
	m, err := d.readModel(code)
	if err != nil || m.av == nil {
		return d.decodeModel(code)
	}
	m.av.seeds = nil
	if err := m.checkAV(code); err != nil {
		return nil, err
	}
	return m, nil
}

// resultLine is the class of err, or the description's digest.
func resultLine(desc Description, err error) string {
	if err != nil {
		return ClassName(err)
	}
	return fmt.Sprintf("ok %s %x", desc.Type, sha256.Sum256([]byte(desc.SDP)))
}

func TestAVDecodeMutants(t *testing.T) {
	mutants := 60
	if testing.Short() {
		mutants = 10
	}
	if n, err := strconv.Atoi(os.Getenv("PEER_DECDIFF_MUTANTS")); err == nil && n > 0 {
		mutants = n // more, for a comparison of two versions
	}
	r := rand.New(rand.NewPCG(1, 2))
	var out strings.Builder
	accepted, total := 0, 0
	for _, c := range avDiffCases(t) {
		d, err := DecOptions{Offer: c.offer}.Decoder()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		edits := editsRange(d, c.code)
		for k := -1; k < mutants; k++ {
			code := c.code
			if k >= 0 {
				code = mutate(r, c.code, edits)
			}
			desc, err := d.Decode(code)
			if k < 0 && err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			m, refErr := decodeUnseeded(d, code)
			m2, err2 := d.decodeModel(code)
			switch {
			case (err2 == nil) != (refErr == nil):
				t.Errorf("%s mutant %d: decodes with %v, without seeds %v", c.name, k, err2, refErr)
			case err2 != nil && ClassName(err2) != ClassName(refErr):
				t.Errorf("%s mutant %d: class %s, without seeds %s", c.name, k, ClassName(err2), ClassName(refErr))
			case err2 == nil && m.av != nil && m.av.sdp != m2.av.sdp:
				t.Errorf("%s mutant %d: another description without seeds", c.name, k)
			}
			if err == nil {
				accepted++
			}
			total++
			fmt.Fprintf(&out, "%s %d %s\n", c.name, k, resultLine(desc, err))
		}
	}
	t.Logf("%d codes decoded, %d accepted", total, accepted)
	if path := os.Getenv("PEER_DECDIFF_OUT"); path != "" {
		if err := os.WriteFile(filepath.Clean(path), []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzAVDecodeSeeded checks, on any code, that the seeded check decides as
// the check without seeds: the same class, or the same description.
func FuzzAVDecodeSeeded(f *testing.F) {
	for _, c := range avFuzzCodes(f) {
		f.Add(c)
	}
	fuzzSeeded(f, fuzzOffer)
}

// FuzzAVAnswerSeeded is FuzzAVDecodeSeeded for answers to an A/V offer
// whose video part is a renumbered profile (Chromium 143's, batch11),
// which RENUMBER AS OFFER reads: seeded with every answer of testdata/av
// coded against it.
func FuzzAVAnswerSeeded(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "av", "batch11", "chromium-avdata-offer-to-pion.sdp"))
	if err != nil {
		f.Fatal(err)
	}
	offer, err := Encode(Description{Type: Offer, SDP: string(b)}, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	asOffer := 0
	for i, e := range loadAV(f) {
		if e.typ != "answer" || i%2 != 0 {
			continue
		}
		if code, err := Encode(Description{Type: Answer, SDP: e.sdp}, offer, nil); err == nil {
			f.Add(code)
			if bytes.Contains(code, []byte{permValue, renumberOfferCode}) {
				asOffer++
			}
		}
	}
	if asOffer < 10 {
		f.Fatalf("only %d seeds renumbered as the offer", asOffer)
	}
	fuzzSeeded(f, offer)
}

// fuzzSeeded runs the check of FuzzAVDecodeSeeded with answers bound to
// offer.
func fuzzSeeded(f *testing.F, offer []byte) {
	d, err := DecOptions{Offer: offer}.Decoder()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code []byte) {
		m, err := d.decodeModel(code)
		ref, refErr := decodeUnseeded(d, code)
		switch {
		case (err == nil) != (refErr == nil) || err != nil && ClassName(err) != ClassName(refErr):
			t.Fatalf("decodes with %v, without seeds %v", err, refErr)
		case err == nil && m.av != nil && m.av.sdp != ref.av.sdp:
			t.Fatalf("another description without seeds")
		}
	})
}
