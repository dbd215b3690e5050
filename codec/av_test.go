package codec

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// avEntry is one row of testdata/av/INDEX.tsv.
type avEntry struct {
	file, stack, typ, scenario, pair, batch, notes string
	sdp                                            string
}

func loadAV(t testing.TB) []avEntry {
	t.Helper()
	dir := filepath.Join("..", "testdata", "av")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []avEntry
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 14 {
			t.Fatalf("INDEX.tsv row with %d columns: %q", len(col), sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, col[0]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, avEntry{file: col[0], stack: col[1], typ: col[3], notes: col[8], scenario: col[9], pair: col[10], batch: col[13], sdp: string(b)})
	}
	if len(out) < 100 {
		t.Fatalf("only %d A/V entries loaded", len(out))
	}
	return out
}

// avCodes encodes every description of testdata/av, each answer bound to
// the code of its offer (the pair column), and returns the codes by file
// and the offer code of each answer.
func avCodes(t testing.TB, entries []avEntry) (codes, offers map[string][]byte) {
	t.Helper()
	codes, offers = map[string][]byte{}, map[string][]byte{}
	byFile := map[string]avEntry{}
	for _, e := range entries {
		byFile[e.file] = e
	}
	for _, pass := range []string{"offer", "answer"} {
		for _, e := range entries {
			if e.typ != pass {
				continue
			}
			typ, _ := ParseType(e.typ)
			var offer []byte
			if typ == Answer {
				offer = codes[e.pair]
				if offer == nil {
					t.Fatalf("%s: no code for its offer %s", e.file, e.pair)
				}
				offers[e.file] = offer
			}
			code, err := Encode(Description{Type: typ, SDP: e.sdp}, offer, nil)
			if err != nil {
				t.Fatalf("%s: encode: %v", e.file, err)
			}
			codes[e.file] = code
		}
	}
	return codes, offers
}

// TestAVRoundTrip encodes and decodes every description of testdata/av.
func TestAVRoundTrip(t *testing.T) {
	entries := loadAV(t)
	codes, offers := avCodes(t, entries)
	for _, e := range entries {
		code := codes[e.file]
		typ, _ := ParseType(e.typ)
		in := Description{Type: typ, SDP: e.sdp}
		out, err := Decode(code, &DecOptions{Offer: offers[e.file]})
		if err != nil {
			t.Errorf("%s: decode: %v", e.file, err)
			continue
		}
		if err := Equivalent(in, out, nil); err != nil {
			t.Errorf("%s: not equivalent: %v", e.file, err)
		}
		t.Logf("%-50s head %2d %5d -> %4d B", e.file, code[0], len(e.sdp), len(code))
	}
}
