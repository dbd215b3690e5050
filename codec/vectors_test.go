package codec_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/vectors"
)

// vector is one file of vectors/ (vectors/README.md describes the fields).
type vector struct {
	Description string `json:"description"`
	Type        string `json:"type"`
	SDP         string `json:"sdp"`
	Policy      *struct {
		MaxCandidates  int  `json:"max_candidates"`
		DropTCPActive  bool `json:"drop_tcp_active"`
		DropTCP        bool `json:"drop_tcp"`
		KeepComponent2 bool `json:"keep_component2"`
		DropIPv6       bool `json:"drop_ipv6"`
		DropMDNS       bool `json:"drop_mdns"`
		DropPrivate    bool `json:"drop_private"`
	} `json:"policy"`
	OfferBin   string `json:"offer_bin"`
	Bin        string `json:"bin"`
	Text       string `json:"text"`
	QR         string `json:"qr"`
	Link       string `json:"link"`
	DecodedSDP string `json:"decoded_sdp"`
	Limits     *struct {
		MaxCodeBytes  int `json:"max_code_bytes"`
		MaxSDPBytes   int `json:"max_sdp_bytes"`
		MaxCandidates int `json:"max_candidates"`
	} `json:"limits"`
	Expect string `json:"expect"`
}

var vectorName = regexp.MustCompile(`^[a-z0-9]+_[a-z0-9_]+\.json$`)

// loadVectors returns every vector of vectors.FS by file name, and fails if
// there are none: a move of the files must not silently skip conformance.
func loadVectors(t *testing.T) map[string]vector {
	t.Helper()
	names, err := fs.Glob(vectors.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no vectors loaded from vectors.FS")
	}
	out := map[string]vector{}
	for _, n := range names {
		b, err := fs.ReadFile(vectors.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var v vector
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[n] = v
	}
	return out
}

func TestVectorsLoad(t *testing.T) {
	vecs := loadVectors(t)
	neg := 0
	for _, v := range vecs {
		if v.Expect != "success" {
			neg++
		}
	}
	if len(vecs) < 45 || 3*neg < len(vecs) {
		t.Fatalf("%d vectors, %d negative: want at least 45, a third of them negative", len(vecs), neg)
	}
}

// hexField decodes a hex field, which must be lower case.
func hexField(t *testing.T, name, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || hex.EncodeToString(b) != s {
		t.Fatalf("%s is not lower-case hex: %q", name, s)
	}
	return b
}

// checkClass fails unless err belongs to the class named want, and to it
// only.
func checkClass(t *testing.T, what string, err error, want string) {
	t.Helper()
	class := codec.ClassByName(want)
	if !errors.Is(err, class) {
		t.Fatalf("%s: want class %s, got %v", what, want, err)
	}
	if got := codec.ClassName(err); got != want {
		t.Fatalf("%s: ClassName = %q, want %q", what, got, want)
	}
}

// TestVectors runs every vector both ways: encoding (sdp with policy and
// offer_bin must give bin, or fail with the class) and decoding (bin or text
// with offer_bin and limits must give decoded_sdp, or fail with the class),
// and checks the text forms.
func TestVectors(t *testing.T) {
	for name, v := range loadVectors(t) {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			runVector(t, name, v)
		})
	}
}

// runVector runs one vector as vectors/README.md says: the file's own
// checks, then encoding, the text input, decoding and the text forms. It
// is longer than 80 lines: it follows that procedure step by step, in its
// order, so that the two read side by side.
func runVector(t *testing.T, name string, v vector) {
	if !vectorName.MatchString(name) {
		t.Fatalf("file name %q is not <area>_<case>.json", name)
	}
	if v.Description == "" {
		t.Fatal("no description")
	}
	success := v.Expect == "success"
	if !success && codec.ClassByName(v.Expect) == nil {
		t.Fatalf("expect %q is neither success nor an error class", v.Expect)
	}
	if v.SDP == "" && v.Bin == "" && v.Text == "" {
		t.Fatal("no input: want sdp, bin or text")
	}
	offer := hexField(t, "offer_bin", v.OfferBin)
	bin := hexField(t, "bin", v.Bin)
	var typ codec.Type
	if v.Type != "" {
		var err error
		if typ, err = codec.ParseType(v.Type); err != nil {
			t.Fatal(err)
		}
	}
	if success && v.Bin == "" {
		t.Fatal("a positive vector needs bin")
	}

	// Encoding.
	if v.SDP != "" {
		if typ == 0 {
			t.Fatal("sdp without type")
		}
		opts := &codec.EncOptions{}
		if p := v.Policy; p != nil {
			opts.Policy = codec.CandidatePolicy{MaxCandidates: p.MaxCandidates, DropTCPActive: p.DropTCPActive, DropTCP: p.DropTCP,
				KeepComponent2: p.KeepComponent2, DropIPv6: p.DropIPv6, DropMDNS: p.DropMDNS, DropPrivate: p.DropPrivate}
		}
		got, err := codec.Encode(codec.Description{Type: typ, SDP: v.SDP}, offer, opts)
		if success {
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, bin) {
				t.Fatalf("encode:\n got %x\nwant %x", got, bin)
			}
		} else {
			checkClass(t, "encode", err, v.Expect)
			if v.Bin != "" || v.Text != "" {
				t.Fatal("a negative encoder vector has no bin or text")
			}
			return
		}
	}

	// The text input, if any, must carry bin (or fail).
	if v.Text != "" {
		got, err := codec.ParseText(v.Text)
		switch {
		case err != nil && success:
			t.Fatalf("ParseText: %v", err)
		case err != nil:
			checkClass(t, "ParseText", err, v.Expect)
			return
		case v.Bin != "" && !bytes.Equal(got, bin):
			t.Fatalf("ParseText:\n got %x\nwant %x", got, bin)
		case v.Bin == "":
			bin = got
		}
	}

	// Decoding.
	opts := &codec.DecOptions{Offer: offer}
	if l := v.Limits; l != nil {
		opts.MaxCodeBytes, opts.MaxSDPBytes, opts.MaxCandidates = l.MaxCodeBytes, l.MaxSDPBytes, l.MaxCandidates
	}
	d, err := codec.Decode(bin, opts)
	if !success {
		checkClass(t, "decode", err, v.Expect)
		if v.Expect == "binding" {
			checkClass(t, "CheckBinding", codec.CheckBinding(bin, offer), "binding")
		}
		return
	}
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if d.SDP != v.DecodedSDP {
		t.Fatalf("decode:\n got %q\nwant %q", d.SDP, v.DecodedSDP)
	}
	if d.Type != typ {
		t.Fatalf("decoded type %v, want %v", d.Type, typ)
	}
	if typ == codec.Answer {
		if err := codec.CheckBinding(bin, offer); err != nil {
			t.Fatalf("CheckBinding: %v", err)
		}
	}

	// Text forms.
	for _, f := range []struct {
		form codec.Form
		want string
	}{{codec.FormQR, v.QR}, {codec.FormLink, v.Link}} {
		if got := codec.FormatText(bin, f.form); got != f.want {
			t.Fatalf("FormatText(%v) = %q, want %q", f.form, got, f.want)
		}
		back, err := codec.ParseText(f.want)
		if err != nil || !bytes.Equal(back, bin) {
			t.Fatalf("ParseText(%q) = %x, %v; want %x", f.want, back, err, bin)
		}
	}
}

// TestVectorsRegenerate runs the generator into a temporary directory and
// fails on any difference with the committed vectors: they are never edited
// by hand, and they follow the codec.
func TestVectorsRegenerate(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(goBin, "run", "./vectors/internal/gen", "-dir", dir)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./vectors/internal/gen: %v\n%s", err, out)
	}
	fresh, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := fs.Glob(vectors.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range fresh {
		name := filepath.Base(f)
		seen[name] = true
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fs.ReadFile(vectors.FS, name)
		if err != nil {
			t.Errorf("%s: generated but not committed", name)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run go run ./vectors/internal/gen", name)
		}
	}
	for _, name := range committed {
		if !seen[name] {
			t.Errorf("%s: committed but no longer generated", name)
		}
	}
}
