package codec

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/internal/qrsize"
	"github.com/pion/sdp/v3"
)

// corpusEntry is one row of testdata/corpus/INDEX.tsv.
type corpusEntry struct {
	file, stack, typ, media, notes string
	sdp                            string
}

func (e corpusEntry) malformed() bool { return strings.Contains(e.notes, "MALFORMED") }

// browserStacks are the stacks whose data-channel descriptions have a size
// budget (issue 2): browsers and pion.
var browserStacks = map[string]bool{"chrome": true, "edge": true, "opera": true, "firefox": true, "safari": true, "arc": true, "pion": true}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	dir := filepath.Join("..", "testdata", "corpus")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 9 {
			t.Fatalf("INDEX.tsv row with %d columns: %q", len(col), sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, col[0]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusEntry{file: col[0], stack: col[1], typ: col[3], media: col[4], notes: col[8], sdp: string(b)})
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
	var compact, residual, budgeted int
	for _, e := range loadCorpus(t) {
		t.Run(e.file, func(t *testing.T) {
			typ, err := ParseType(e.typ)
			if err != nil {
				t.Fatal(err)
			}
			in := Description{Type: typ, SDP: e.sdp}
			code, err := Encode(in, offer, nil)
			if e.malformed() {
				if !errors.Is(err, ErrSDP) {
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
			if code[0] >= headResidual {
				residual++
				return
			}
			compact++
			p, _ := parseSDP(e.sdp)
			m, _ := compactModel(p, typ == Answer, &CandidatePolicy{})
			fl := floor(m)
			qr := FormatText(code, FormQR)
			v := qrsize.Version(qr, qrsize.L)
			t.Logf("%d bytes, floor %d (+%d), qr form %d chars, QR version %d-L", len(code), fl, len(code)-fl, len(qr), v)
			if browserStacks[e.stack] && e.media == "datachannel" {
				budgeted++
				// The legacy DTLS/SCTP form (a=sctpmap, browsers before
				// 2019) costs its stream count and usually a non-default
				// mid on top: SPEC.md §4.6 allows it 18 bytes.
				budget := 12
				if m.legacy {
					budget = 18
				}
				if len(code) > fl+budget {
					t.Errorf("%d bytes is more than %d over the floor of %d", len(code), budget, fl)
				}
				if v > 6 {
					t.Errorf("qr form needs QR version %d at level L, want at most 6", v)
				}
			}
		})
	}
	t.Logf("compact %d, residual %d, with a size budget %d", compact, residual, budgeted)
	if compact < 40 || residual < 40 || budgeted < 40 {
		t.Errorf("expected at least 40 of each kind, got compact %d residual %d budgeted %d", compact, residual, budgeted)
	}
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

// TestChromiumOneMDNS checks issue 2's headline budget on a description made
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
