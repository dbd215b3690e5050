package codec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"runtime"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec/internal/detflate"
	"github.com/peer-sdp/peer/vectors"
	"github.com/pion/sdp/v3"
)

// Fuzz targets of package codec: every decoder input is untrusted (SPEC.md
// §8, §11). Oracles:
//
//   - FuzzDecode: no panic; an error belongs to exactly one class; a code
//     that decodes re-encodes, with the keep-everything policy, to the same
//     bytes (canonical re-encode), its SDP parses with pion/sdp (compact
//     codes), an answer decodes against an offer iff it is bound to it, and
//     the text forms carry the code unchanged.
//   - FuzzParseText: no panic; an error belongs to exactly one class; a
//     text form that parses formats back to the same text.
//   - FuzzEncode: no panic; an error belongs to exactly one class; a
//     description that encodes decodes to an equivalent one (SPEC.md §3.6).

// keepAll is the policy under which decoding then encoding is the identity.
var keepAll = &EncOptions{Policy: CandidatePolicy{KeepComponent2: true}}

// errorClasses are the sentinels of SPEC.md §9.
var errorClasses = []error{ErrForeign, ErrMalformed, ErrNonCanonical, ErrUnsupported, ErrLimit, ErrBinding, ErrInvalidSDP, ErrNeedsOffer}

// checkOneClass fails unless err belongs to exactly one error class.
func checkOneClass(t testing.TB, err error) {
	t.Helper()
	n := 0
	for _, c := range errorClasses {
		if errors.Is(err, c) {
			n++
		}
	}
	if n != 1 || ClassName(err) == "" {
		t.Fatalf("error %q (%T) belongs to %d classes, ClassName %q", err, err, n, ClassName(err))
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q is not a *codec.Error", err)
	}
}

// bindingOffset returns the offset of the 4 binding bytes of a valid answer
// code: after the head, the header of the first byte string (the body of a
// compact code, the binding of a residual one).
func bindingOffset(code []byte) int {
	off := 1
	switch code[off] & 0x1f {
	case 24:
		off += 2
	case 25:
		off += 3
	default:
		off++
	}
	return off
}

// reencode encodes d, decoded from code, with the keep-everything policy.
// An answer is bound to fixture; its binding bytes are then replaced by
// those of code, since the offer is not known.
func reencode(t testing.TB, d Description, code, fixture []byte) ([]byte, error) {
	t.Helper()
	again, err := Encode(d, fixture, keepAll)
	if err != nil || d.Type != Answer {
		return again, err
	}
	if len(again) < 8 || len(code) < 8 {
		return again, nil
	}
	i, j := bindingOffset(again), bindingOffset(code)
	if i != j || !bytes.Equal(again[i:i+bindLen], bindingOf(fixture)) {
		t.Fatalf("binding of the re-encoded answer not found at offset %d", i)
	}
	copy(again[i:i+bindLen], code[j:j+bindLen])
	return again, nil
}

// fuzzOffer is a valid offer code answers are bound to in the fuzz targets.
var fuzzOffer = func() []byte {
	sdp := "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
		"a=fingerprint:sha-256 " + strings.TrimSuffix(strings.Repeat("AB:", 32), ":") + "\r\n" +
		"a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"
	code, err := Encode(Description{Type: Offer, SDP: sdp}, nil, nil)
	if err != nil {
		panic(err)
	}
	return code
}()

// corpusCodes returns the codes of the valid corpus descriptions (answers
// bound to fixture) and their SDP texts, malformed ones included.
func corpusCodes(t testing.TB, fixture []byte) (codes [][]byte, sdps []corpusEntry) {
	t.Helper()
	for _, e := range loadCorpus(t) {
		typ, _ := ParseType(e.typ)
		sdps = append(sdps, e)
		if code, err := Encode(Description{Type: typ, SDP: e.sdp}, fixture, nil); err == nil {
			codes = append(codes, code)
		}
	}
	return codes, sdps
}

// vectorFields returns the string values of the given field in every
// vector of vectors.FS (vectors/README.md) that has it.
func vectorFields(t testing.TB, field string) []string {
	t.Helper()
	files, err := fs.Glob(vectors.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range files {
		b, err := fs.ReadFile(vectors.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if s, ok := v[field].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// vectorCodes returns the "bin" field of every vector of vectors.FS, and
// fails if none loads.
func vectorCodes(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for _, h := range vectorFields(t, "bin") {
		code, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("vector bin %q: %v", clip(h), err)
		}
		out = append(out, code)
	}
	if len(out) < 40 {
		t.Fatalf("only %d vectors with a bin field in vectors.FS", len(out))
	}
	return out
}

// withoutUnknown returns the canonical code of the content of code minus
// the extension keys the decoder does not know and ignores (SPEC.md §10:
// greased and reserved keys), which Decode does not return: the code that
// Encode(Decode(code)) must give back.
func withoutUnknown(t testing.TB, code []byte) []byte {
	t.Helper()
	d := *defaultDecoder
	d.offer = fuzzOffer // A/V answers decode against it
	m, err := d.decodeModel(code)
	if err != nil {
		t.Fatalf("decodeModel fails on a code Decode accepts: %v", err)
	}
	if len(m.unknown) == 0 {
		return code
	}
	m.unknown = nil
	var res []byte
	switch {
	case m.av != nil:
		res = m.av.compress()
	case m.residual:
		res = detflate.Compress(nil, []byte(m.text), detflate.SDPDictionary)
	}
	return m.appendBinary(nil, res)
}

// canonicalParse returns code with the residual byte string of a residual
// code replaced by the specified compression of its text: the one part of
// a code a decoder does not check (SPEC.md §4.7).
func canonicalParse(t *testing.T, code []byte) []byte {
	if code[0] < headResidual {
		return code
	}
	d := *defaultDecoder
	d.offer = fuzzOffer // A/V answers decode against it
	m, err := d.readModel(code)
	if err != nil {
		t.Fatalf("readModel of a decoded code: %v", err)
	}
	if m.av != nil {
		return m.appendBinary(nil, m.av.compress())
	}
	return m.appendBinary(nil, detflate.Compress(nil, []byte(m.text), detflate.SDPDictionary))
}

func FuzzDecode(f *testing.F) {
	codes, _ := corpusCodes(f, fuzzOffer)
	for _, c := range codes {
		f.Add(c)
	}
	for _, c := range vectorCodes(f) {
		f.Add(c)
	}
	f.Add(fuzzOffer)
	f.Add([]byte{})
	f.Add([]byte{0x18, 0x20})
	for _, c := range avFuzzCodes(f) {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, code []byte) {
		d, err := Decode(code, nil)
		if errors.Is(err, ErrNeedsOffer) {
			// An A/V answer decodes only against its offer.
			d, err = Decode(code, &DecOptions{Offer: fuzzOffer})
		}
		if err != nil {
			checkOneClass(t, err)
			return
		}
		if d.Type != Offer && d.Type != Answer {
			t.Fatalf("decoded type %d", d.Type)
		}
		again, err := reencode(t, d, code, fuzzOffer)
		if err != nil {
			t.Fatalf("decoded description does not encode: %v\n%s", err, d.SDP)
		}
		if usesFewerProfiles(code) {
			// Canonical with the profiles up to the greatest it uses: an
			// encoder knowing every profile may code it otherwise, and
			// that code decodes to the same description.
			d2, err := Decode(again, &DecOptions{Offer: fuzzOffer})
			if err != nil || d2.SDP != d.SDP {
				t.Fatalf("Decode(Encode(Decode(x))) differs: %v", err)
			}
		} else if want := canonicalParse(t, withoutUnknown(t, code)); !bytes.Equal(again, want) {
			t.Fatalf("Encode(Decode(x)) != x (less ignored extension keys)\nx     %x\nagain %x\nsdp:\n%s", code, again, d.SDP)
		}
		// A compact code's SDP is rebuilt by the decoder: pion/sdp must
		// accept it. A residual code's SDP is its input, as valid as SPEC.md
		// §3.1 requires, which is laxer than pion/sdp in places (o= address
		// types, for one): see fuzz/README.md.
		var s sdp.SessionDescription
		if err := s.UnmarshalString(d.SDP); err != nil && code[0] < headResidual {
			t.Fatalf("pion/sdp rejects the decoded description: %v\n%s", err, d.SDP)
		}
		// An answer decodes against an offer iff it is bound to it.
		if d.Type == Answer {
			_, err := Decode(code, &DecOptions{Offer: fuzzOffer})
			i := bindingOffset(code)
			bound := bytes.Equal(code[i:i+bindLen], bindingOf(fuzzOffer))
			if bound && err != nil || !bound && !errors.Is(err, ErrBinding) {
				t.Fatalf("answer bound %v to the offer: decoding against it gives %v", bound, err)
			}
			if cb := CheckBinding(code, fuzzOffer); (cb == nil) != bound || cb != nil && !errors.Is(cb, ErrBinding) {
				t.Fatalf("answer bound %v to the offer: CheckBinding gives %v", bound, cb)
			}
		}
		// The text forms carry the code unchanged.
		for _, form := range []Form{FormQR, FormLink} {
			back, err := ParseText(FormatText(code, form))
			if err != nil || !bytes.Equal(back, code) {
				t.Fatalf("%v form does not carry the code: %v", form, err)
			}
		}
	})
}

func FuzzParseText(f *testing.F) {
	codes, _ := corpusCodes(f, fuzzOffer)
	for i, c := range codes {
		if i%4 == 0 {
			f.Add(FormatText(c, FormQR))
			f.Add(FormatText(c, FormLink))
			f.Add(" https://example.com/x#" + FormatText(c, FormLink) + "\n")
		}
	}
	for _, field := range []string{"text", "qr", "link"} {
		for _, s := range vectorFields(f, field) {
			f.Add(s)
		}
	}
	f.Add("")
	f.Add("P:")
	f.Add("P-")
	f.Add("P:GGW")
	f.Add("P-AA")
	f.Add("hello")
	f.Add("\x00\x01")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseText(s)
		if err != nil {
			checkOneClass(t, err)
			return
		}
		// SPEC.md §5.4 step 1: a first byte up to 0x18 makes a binary code.
		if s[0] <= maxHeadByte {
			if string(b) != s {
				t.Fatalf("binary form %q returned as %q", s, b)
			}
			return
		}
		t2 := strings.TrimSpace(s)
		if strings.IndexByte(t2, '#') >= 0 {
			return
		}
		switch {
		case strings.HasPrefix(t2, PrefixQR):
			if got := FormatText(b, FormQR); got != t2 {
				t.Fatalf("qr text %q parses to %x, which formats as %q", t2, b, got)
			}
		case strings.HasPrefix(t2, PrefixLink):
			if got := FormatText(b, FormLink); got != t2 {
				t.Fatalf("link text %q parses to %x, which formats as %q", t2, b, got)
			}
		default:
			if string(b) != s {
				t.Fatalf("binary form %q returned as %q", s, b)
			}
		}
	})
}

// fuzzPolicies are the candidate policies FuzzEncode picks from.
var fuzzPolicies = []CandidatePolicy{
	{},
	{KeepComponent2: true},
	{MaxCandidates: 2, DropTCPActive: true},
	{DropTCP: true, DropIPv6: true, DropMDNS: true},
	{DropPrivate: true, KeepComponent2: true},
}

func FuzzEncode(f *testing.F) {
	_, entries := corpusCodes(f, fuzzOffer)
	for i, e := range entries {
		f.Add(e.sdp, e.typ == "answer", uint8(i))
	}
	for i, s := range vectorFields(f, "sdp") {
		f.Add(s, i%2 == 1, uint8(i))
	}
	for i, e := range loadAV(f) {
		if i%5 == 0 {
			f.Add(e.sdp, e.typ == "answer", uint8(i))
		}
	}
	f.Add("", false, uint8(0))
	f.Add("v=0\no=- 0 0 IN IP4 x\ns=-\nt=0 0\n", false, uint8(0))
	f.Fuzz(func(t *testing.T, text string, answer bool, pol uint8) {
		in := Description{Type: Offer, SDP: text}
		if answer {
			in.Type = Answer
		}
		p := fuzzPolicies[int(pol)%len(fuzzPolicies)]
		code, err := Encode(in, fuzzOffer, &EncOptions{Policy: p})
		if err != nil {
			checkOneClass(t, err)
			return
		}
		out, err := Decode(code, &DecOptions{Offer: fuzzOffer})
		if err != nil {
			t.Fatalf("code %x of an accepted description does not decode: %v\n%q", code, err, text)
		}
		if err := Equivalent(in, out, &p); err != nil {
			t.Fatalf("decoded description is not equivalent: %v\nin  %q\nout %q", err, text, out.SDP)
		}
		again, err := Encode(in, fuzzOffer, &EncOptions{Policy: p})
		if err != nil || !bytes.Equal(again, code) {
			t.Fatalf("encoding twice differs: %x != %x (%v)", again, code, err)
		}
	})
}

// allocBytes returns the bytes fn allocates, the most over a few runs.
func allocBytes(fn func()) uint64 {
	var most uint64
	for range 3 {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		fn()
		runtime.ReadMemStats(&b)
		most = max(most, b.TotalAlloc-a.TotalAlloc)
	}
	return most
}

// TestDecodeMemoryBound decodes adversarial codes and checks that none
// makes the decoder allocate more than a few MB (SPEC.md §8 limits). It is
// longer than 80 lines: it builds each adversarial code by hand, then runs
// them as a list of cases.
func TestDecodeMemoryBound(t *testing.T) {
	const bound = 4 << 20
	head := func(h byte, items ...[]byte) []byte {
		code := []byte{h}
		for _, it := range items {
			code = append(code, it...)
		}
		return code
	}
	// A DEFLATE bomb: 4 MiB of one repeated line in a residual offer (fixed
	// Huffman codes compress at most about 160:1).
	bomb := detflate.Compress(nil, bytes.Repeat([]byte("a=x\n"), 1<<20), detflate.SDPDictionary)
	// 1000 candidates: an explicit IPv4 host, then references to it with
	// the next port (distinct candidates, a canonical code), and runs of
	// references with the same port (repeated candidates).
	refs := []byte{0x00, 10, 0, 0, 1, 0x13, 0x88}
	for range 999 {
		refs = append(refs, 0x0e, 0x00)
	}
	runs := []byte{0x00, 10, 0, 0, 1, 0x13, 0x88, 0x0d, 0x00}
	for range 500 {
		runs = append(runs, 0x0d, refRun, 2)
	}
	// 16 KiB of extra media lines.
	var lines []string
	for n := 0; n < 16<<10; n += 64 {
		lines = append(lines, "a="+strings.Repeat("x", 60))
	}
	extra := appendHead(nil, majArray, uint64(len(lines)))
	for _, l := range lines {
		extra = appendText(extra, l)
	}
	// The body (SPEC.md §4.2): length code 3 (ufrag 4, pwd 24), the packed
	// credentials, the records, the digest.
	creds := append([]byte{lengthCode(4, 24)}, appendPacked(nil, "abcd", false)...)
	creds = append(creds, appendPacked(nil, "0123456789abcdefghijklmn", false)...)
	compact := func(cands []byte, ext ...byte) []byte {
		body := append(append(bytes.Clone(creds), cands...), bytes.Repeat([]byte{0xab}, 32)...)
		return head(0x00, appendBytes(nil, body), ext)
	}
	// A/V codes: an offer's edits after 2000 more parts, each a COPY of the
	// 127-line profile 2; its text a DEFLATE bomb of the same 4 MiB.
	var avOffer []byte
	for _, c := range avFuzzCodes(t) {
		if c[0] == headAVOffer {
			avOffer = c
			break
		}
	}
	avItemsOf, offs, _, err := splitSequence(avOffer, avItems+1)
	if err != nil || avOffer[0] != headAVOffer {
		t.Fatalf("A/V fixture: %v", err)
	}
	avItemsOf, _ = withTextItem(avItemsOf, offs, len(avOffer))
	avWith := func(i int, item []byte) []byte {
		out := []byte{}
		for k, it := range avItemsOf {
			if k == i {
				it = item
			}
			if k == avItems-1 && len(it) == 1 && it[0] == majBytes<<5 {
				continue // no inserted line: no text item
			}
			out = append(out, it...)
		}
		return out
	}
	edits, _ := bytesItem(avItemsOf[5], 0, "")
	var copies []byte // the parts first: the end of the edits implies their last COPY END
	for range 2000 {
		copies = append(copies, baseProfile+2, 0xf8, 0x03, opEnd)
	}
	copies = append(copies, edits...)
	avBomb := detflate.Compress(nil, bytes.Repeat([]byte("a=x\n"), 1<<20), avDictBase())
	cases := []struct {
		name  string
		code  []byte
		opts  *DecOptions
		class error // nil: success
	}{
		{"A/V copies of a profile", avWith(5, appendBytes(nil, copies)), nil, ErrLimit},
		{"A/V deflate bomb", avWith(6, appendBytes(nil, avBomb)), nil, ErrLimit},
		{"deflate bomb", head(0x10, appendBytes(nil, bomb)), nil, ErrLimit},
		{"1000 references", compact(refs), nil, ErrLimit},
		{"1000 references, 1024 allowed", compact(refs), &DecOptions{MaxCandidates: MaxMaxCandidates, MaxSDPBytes: 1 << 20}, nil},
		{"500 runs, 1024 allowed", compact(runs), &DecOptions{MaxCandidates: MaxMaxCandidates}, ErrNonCanonical},
		{"16 KiB of extra lines", compact(nil, append(append([]byte{0xa1}, appendInt(nil, extMediaLines)...), extra...)...), nil, nil},
		{"32 KiB of zero bytes", make([]byte, DefaultMaxCodeBytes), nil, ErrMalformed},
	}
	if len(bomb) > DefaultMaxCodeBytes {
		t.Fatalf("bomb of %d bytes does not fit a code", len(bomb))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			n := allocBytes(func() { _, err = Decode(c.code, c.opts) })
			t.Logf("%d-byte code: %d bytes allocated, %v", len(c.code), n, err)
			switch {
			case c.class == nil && err != nil:
				t.Fatalf("want success, got %v", err)
			case c.class != nil && !errors.Is(err, c.class):
				t.Fatalf("want class %v, got %v", c.class, err)
			}
			if err != nil {
				checkOneClass(t, err)
			}
			if n > bound {
				t.Errorf("decoding allocated %d bytes, more than %d", n, bound)
			}
		})
	}
}

// avFuzzCodes returns codes of some A/V descriptions of testdata/av:
// offers, and answers bound to fuzzOffer.
func avFuzzCodes(t testing.TB) [][]byte {
	var out [][]byte
	for i, e := range loadAV(t) {
		if i%3 != 0 {
			continue
		}
		typ, _ := ParseType(e.typ)
		if code, err := Encode(Description{Type: typ, SDP: e.sdp}, fuzzOffer, nil); err == nil {
			out = append(out, code)
		}
	}
	return out
}

// usesFewerProfiles reports whether code is an A/V code whose greatest
// registry base is below the last profile and that the full encoder would
// code otherwise.
func usesFewerProfiles(code []byte) bool {
	if len(code) == 0 || code[0] != headAVOffer && code[0] != headAVAnswer {
		return false
	}
	d := *defaultDecoder
	d.offer = fuzzOffer
	m, err := d.decodeModel(code)
	if err != nil || m.av.profiles == len(avProfiles)-1 {
		return false
	}
	full := &avData{skel: m.av.skel, offer: m.av.offer}
	full.makeEdits(len(avProfiles) - 1)
	return !bytes.Equal(full.edits, m.av.edits)
}
