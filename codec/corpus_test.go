package codec

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/internal/qrsize"
	"github.com/pion/sdp/v3"

	corpusdata "github.com/peer-sdp/peer/internal/corpus"
)

// corpusEntry is one row of testdata/corpus/INDEX.tsv.
type corpusEntry struct {
	file, stack, typ, media, notes string
	sdp                            string
}

func (e corpusEntry) malformed() bool { return strings.Contains(e.notes, "MALFORMED") }

// overFloorBudget is the most bytes a compact data-channel code may take
// over its floor: 12, 18 for the legacy a=sctpmap form (its stream count and
// usually a non-default mid), and 8 for offers of Chromium and Firefox.
func overFloorBudget(stack string, answer bool, m *model) int {
	switch {
	case m.legacy:
		return 18
	case !answer && chromiumOrFirefox[stack]:
		return 8
	}
	return 12
}

// chromiumOrFirefox are the stacks (corpus and testdata/stacks names) whose
// offers have the 8-byte budget.
var chromiumOrFirefox = map[string]bool{"chrome": true, "chromium": true, "firefox": true}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	dir := filepath.Join("..", "testdata", "corpus")
	es, err := corpusdata.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusEntry
	for _, e := range es {
		out = append(out, corpusEntry{file: e.File, stack: e.Col["stack"], typ: e.Type(), media: e.Col["media"], notes: e.Col["notes"], sdp: e.SDP})
	}
	if len(out) < 100 {
		t.Fatalf("only %d corpus entries loaded", len(out))
	}
	return out
}

// offerFixture is a valid offer code that corpus answers are bound to.
func offerFixture(t testing.TB) []byte {
	t.Helper()
	for _, e := range loadCorpus(t) {
		if e.file == "chrome-datachannel-offer-04.sdp" {
			code, err := Encode(Description{Type: Offer, SDP: e.sdp}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
	}
	t.Fatal("fixture offer missing")
	return nil
}

// floor is the byte floor of a data-channel description (FIELD.md): the
// packed credentials, the fingerprint bytes, and address bytes + 2 for each
// kept candidate.
func floor(m *model) int {
	hex := credsHex(m.ufrag, m.pwd)
	n := packedLen(len(m.ufrag), hex) + packedLen(len(m.pwd), hex)
	for _, fp := range m.fps {
		n += len(fp.val)
	}
	for _, c := range m.cands {
		switch c.kind {
		case addrIPv4:
			n += 4 + 2
		case addrIPv6, addrMDNS:
			n += 16 + 2
		default:
			n += len(c.addr) + 2
		}
	}
	return n
}

func TestCorpus(t *testing.T) {
	offer := offerFixture(t)
	var compact, residual, av int
	avOver := map[string][]int{} // stack: bytes over the floor of each A/V code
	for _, e := range loadCorpus(t) {
		t.Run(e.file, func(t *testing.T) {
			typ, err := ParseType(e.typ)
			if err != nil {
				t.Fatal(err)
			}
			in := Description{Type: typ, SDP: e.sdp}
			code, err := Encode(in, offer, nil)
			if e.malformed() {
				if !errors.Is(err, ErrInvalidSDP) {
					t.Fatalf("MALFORMED entry: got %v, want the invalid-sdp class", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			out, err := Decode(code, &DecOptions{Offer: offer})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if err := Equivalent(in, out, nil); err != nil {
				t.Fatalf("not equivalent: %v\n%s", err, out.SDP)
			}
			// pion/sdp must accept what we produce, with the same ICE
			// credentials as the original.
			var pd sdp.SessionDescription
			if err := pd.UnmarshalString(out.SDP); err != nil {
				t.Fatalf("pion/sdp rejects the decoded description: %v", err)
			}
			var po sdp.SessionDescription
			if po.UnmarshalString(e.sdp) == nil {
				if a, b := iceOf(&po), iceOf(&pd); a != b {
					t.Fatalf("ICE credentials %q became %q", a, b)
				}
			}
			if code[0] == headAVOffer || code[0] == headAVAnswer {
				av++
				fl, res := avFloor(t, e.sdp), residualSize(t, in, offer)
				t.Logf("A/V form: %d bytes = A/V floor %d + %d; residual form %d", len(code), fl, len(code)-fl, res)
				avOver[e.stack] = append(avOver[e.stack], len(code)-fl)
				if len(code) > res {
					t.Errorf("%d bytes, more than the residual form (%d)", len(code), res)
				}
				return
			}
			if code[0] >= headResidual {
				residual++
				return
			}
			compact++
			checkOverFloor(t, e.stack, typ == Answer, e.sdp, code, 6)
		})
	}
	t.Logf("compact %d (each with a size budget), A/V %d, residual %d", compact, av, residual)
	stacks := make([]string, 0, len(avOver))
	for s := range avOver {
		stacks = append(stacks, s)
	}
	sort.Strings(stacks)
	for _, s := range stacks {
		t.Logf("A/V codes of %s: bytes over the floor %v", s, avOver[s])
	}
	if compact < 40 || av+residual < 40 {
		t.Errorf("expected at least 40 compact and 40 other codes, got compact %d, A/V %d, residual %d", compact, av, residual)
	}
}

// checkOverFloor logs a compact code's size over its floor and fails when
// it is over its budget (overFloorBudget) or its qr form needs a QR code
// above version qrMax at level L (0: not checked).
func checkOverFloor(t *testing.T, stack string, answer bool, sdp string, code []byte, qrMax int) (over int) {
	t.Helper()
	p, _ := parseSDP(sdp)
	m, _ := compactModel(p, answer, &CandidatePolicy{})
	fl := floor(m)
	qr := FormatText(code, FormQR)
	v := qrsize.Version(qr, qrsize.L)
	t.Logf("%d bytes, floor %d (+%d), qr form %d chars, QR version %d-L", len(code), fl, len(code)-fl, len(qr), v)
	if budget := overFloorBudget(stack, answer, m); len(code) > fl+budget {
		t.Errorf("%d bytes is more than %d over the floor of %d", len(code), budget, fl)
	}
	if qrMax > 0 && v > qrMax {
		t.Errorf("qr form needs QR version %d at level L, want at most %d", v, qrMax)
	}
	return len(code) - fl
}

// iceOf returns the first ice-ufrag and ice-pwd of a description, at any
// level, as pion/sdp parsed them.
func iceOf(d *sdp.SessionDescription) string {
	find := func(name string) string {
		if v, ok := d.Attribute(name); ok {
			return v
		}
		for _, m := range d.MediaDescriptions {
			if v, ok := m.Attribute(name); ok {
				return v
			}
		}
		return ""
	}
	return find("ice-ufrag") + " " + find("ice-pwd")
}

// TestChromiumOneMDNS checks the README's headline budget on a description made
// by Chromium 156 with one mDNS candidate: at most 84 bytes, and the qr form
// within QR version 5 at level L (and M).
func TestChromiumOneMDNS(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "generated", "chromium156-datachannel-offer-mdns.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := Encode(Description{Type: Offer, SDP: string(b)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	qr := FormatText(code, FormQR)
	vl, vm := qrsize.Version(qr, qrsize.L), qrsize.Version(qr, qrsize.M)
	t.Logf("%d bytes; qr form %d characters: QR %d-L, %d-M", len(code), len(qr), vl, vm)
	if len(code) > 84 || vl > 5 || vm > 5 {
		t.Errorf("%d bytes (want <= 84), QR %d-L %d-M (want <= 5)", len(code), vl, vm)
	}
}
