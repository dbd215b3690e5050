package fuzz

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec"
	corpusdata "github.com/peer-sdp/peer/internal/corpus"
	"github.com/peer-sdp/peer/vectors"
	"github.com/pion/ice/v4"
	"github.com/pion/sdp/v3"
)

// offerSDP is the offer answers are bound to.
const offerSDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
	"a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\r\n" +
	"a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"

var offerCode = func() []byte {
	c, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: offerSDP}, nil, nil)
	if err != nil {
		panic(err)
	}
	return c
}()

// corpus returns the SDP texts of ../testdata/corpus and whether each is an
// answer.
func corpus(t testing.TB) (texts []string, answers []bool) {
	t.Helper()
	es, err := corpusdata.Load(filepath.Join("..", "testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		texts = append(texts, e.SDP)
		answers = append(answers, e.Answer())
	}
	if len(texts) < 100 {
		t.Fatalf("only %d corpus entries", len(texts))
	}
	return texts, answers
}

// vectorSDPs returns the vectors of vectors.FS that have an "sdp" field.
func vectorSDPs(t testing.TB) []struct{ Type, SDP string } {
	t.Helper()
	files, err := fs.Glob(vectors.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []struct{ Type, SDP string }
	for _, p := range files {
		b, err := fs.ReadFile(vectors.FS, p)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Type, SDP string }
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if v.SDP != "" {
			out = append(out, v)
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d vectors with an sdp field", len(out))
	}
	return out
}

// attrs returns the values of attribute name in d, session level first,
// then the media sections in order.
func attrs(d *sdp.SessionDescription, name string) []string {
	var out []string
	for _, a := range d.Attributes {
		if a.Key == name {
			out = append(out, a.Value)
		}
	}
	for _, m := range d.MediaDescriptions {
		for _, a := range m.Attributes {
			if a.Key == name {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// fingerprints returns the a=fingerprint values as "alg:hex", the algorithm
// and the hex digits in lower case, colons removed; ok is false when one
// is not "<alg> <XX:...>".
func fingerprints(d *sdp.SessionDescription) (out []string, ok bool) {
	for _, v := range attrs(d, "fingerprint") {
		alg, h, found := strings.Cut(v, " ")
		b, err := hex.DecodeString(strings.ReplaceAll(h, ":", ""))
		if !found || err != nil {
			return nil, false
		}
		out = append(out, strings.ToLower(alg)+":"+hex.EncodeToString(b))
	}
	return out, true
}

// tuple is what the differential compares of a candidate.
type tuple struct {
	transport string // udp, or tcp-<tcptype> (SPEC.md §3.4), as specFields reads the line
	address   string // as pion/ice reads it: IP addresses in RFC 5952 form, names as written
	port      int    // as pion/ice reads it
	typ       string // as pion/ice reads it
}

func (t tuple) String() string {
	return fmt.Sprintf("%s %s %d %s", t.transport, t.address, t.port, t.typ)
}

// specFields splits a candidate value into fields as SPEC.md §3.1 does: at
// runs of SP and TAB, and at nothing else.
func specFields(value string) []string {
	return strings.FieldsFunc(value, func(r rune) bool { return r == ' ' || r == '\t' })
}

// specTransport reads a candidate's transport as SPEC.md §3.4 rule 1 does:
// "udp", "tcp-active", "tcp-passive", "tcp-so", or "" for any other (the
// transport, the name tcptype and its value compared without case, the last
// tcptype pair deciding; a UDP candidate's tcptype ignored).
func specTransport(f []string) string {
	if len(f) < 8 {
		return ""
	}
	tcptype := ""
	for i := 8; i+1 < len(f); i += 2 {
		if strings.EqualFold(f[i], "tcptype") {
			tcptype = strings.ToLower(f[i+1])
		}
	}
	switch strings.ToLower(f[2]) {
	case "udp":
		return "udp"
	case "tcp":
		switch tcptype {
		case "active", "passive", "so":
			return "tcp-" + tcptype
		}
	}
	return ""
}

// pionTuple parses a candidate with pion/ice. The transport is the
// oracle's own reading of the line (specTransport): pion/ice gives every
// *.local host candidate a UDP network type, keeps a tcptype on a UDP
// candidate, and splits the line at single spaces, so that "tcptype  active"
// (two spaces) reads as no tcptype (see README.md).
func pionTuple(value string) (tuple, bool) {
	c, err := ice.UnmarshalCandidate(value)
	if err != nil {
		return tuple{}, false
	}
	addr := c.Address()
	if a, err := netip.ParseAddr(addr); err == nil {
		addr = a.String()
	}
	return tuple{specTransport(specFields(value)), addr, c.Port(), c.Type().String()}, true
}

// keptByDefault applies the default candidate policy of SPEC.md §3.4 to the
// raw a=candidate value: component 1, UDP or TCP with a tcptype of active,
// passive or so, type host, srflx, prflx or relay, a port other than 0
// unless TCP active.
func keptByDefault(value string) bool {
	f := specFields(value)
	if len(f) < 8 || f[1] != "1" {
		return false
	}
	switch strings.ToLower(f[7]) {
	case "host", "srflx", "prflx", "relay":
	default:
		return false
	}
	switch specTransport(f) {
	case "":
		return false
	case "tcp-active":
		return true
	}
	return f[5] != "0"
}

// candidateSet returns the pion/ice tuples of the candidates of d that keep
// selects; all is false when pion/ice rejects one of them.
func candidateSet(d *sdp.SessionDescription, keep func(string) bool) (set map[tuple]bool, all bool) {
	set, all = map[tuple]bool{}, true
	for _, v := range attrs(d, "candidate") {
		if !keep(v) {
			continue
		}
		t, ok := pionTuple(v)
		if !ok {
			all = false
			continue
		}
		set[t] = true
	}
	return set, all
}

func sortedTuples(m map[tuple]bool) []string {
	var out []string
	for t := range m {
		out = append(out, t.String())
	}
	slices.Sort(out)
	return out
}

// FuzzDifferential compares the codec with pion/sdp and pion/ice: for SDP
// text that both pion/sdp and the encoder accept, the decoded description
// carries the same ice-ufrag, ice-pwd and fingerprints as pion/sdp reads
// from the original, and, for compact codes, the same candidate tuples as
// pion/ice reads from the original candidates the default policy keeps.
func FuzzDifferential(f *testing.F) {
	texts, answers := corpus(f)
	for i, s := range texts {
		f.Add(s, answers[i])
	}
	for _, v := range vectorSDPs(f) {
		f.Add(v.SDP, v.Type == "answer")
	}
	f.Add(offerSDP, false)
	f.Fuzz(func(t *testing.T, text string, answer bool) {
		var orig sdp.SessionDescription
		if orig.UnmarshalString(text) != nil {
			return
		}
		in := codec.Description{Type: codec.Offer, SDP: text}
		if answer {
			in.Type = codec.Answer
		}
		code, err := codec.Encode(in, offerCode, nil)
		if err != nil {
			if codec.ClassName(err) == "" {
				t.Fatalf("encode error without a class: %v", err)
			}
			return
		}
		out, err := codec.Decode(code, &codec.DecOptions{Offer: offerCode})
		if err != nil {
			t.Fatalf("code %x does not decode: %v", code, err)
		}
		var dec sdp.SessionDescription
		if err := dec.UnmarshalString(out.SDP); err != nil {
			t.Fatalf("pion/sdp accepts the original but not the decoded description: %v\n%s", err, out.SDP)
		}
		for _, name := range []string{"ice-ufrag", "ice-pwd"} {
			if a, b := attrs(&orig, name), attrs(&dec, name); !slices.Equal(a, b) {
				t.Fatalf("%s: pion/sdp reads %q from the original, %q from the decoded description", name, a, b)
			}
		}
		fo, ok1 := fingerprints(&orig)
		fd, ok2 := fingerprints(&dec)
		compact := code[0] < 0x10 // a residual code carries the text itself
		if ok1 && ok2 && !slices.Equal(fo, fd) || compact && !ok2 {
			t.Fatalf("fingerprints: original %q, decoded %q", fo, fd)
		}
		if !compact {
			return
		}
		want, all := candidateSet(&orig, keptByDefault)
		got, _ := candidateSet(&dec, func(string) bool { return true })
		for tp := range want {
			if !got[tp] {
				t.Fatalf("candidate %v lost: want %q, got %q", tp, sortedTuples(want), sortedTuples(got))
			}
		}
		if all && len(got) != len(want) {
			t.Fatalf("candidates differ: want %q, got %q", sortedTuples(want), sortedTuples(got))
		}
	})
}

// TestCorpusDifferential checks that the corpus, which seeds
// FuzzDifferential (go test runs the oracle on every seed), exercises the
// candidate comparison: at least 40 descriptions take the compact form.
func TestCorpusDifferential(t *testing.T) {
	texts, answers := corpus(t)
	n := 0
	for i, s := range texts {
		var orig sdp.SessionDescription
		if orig.UnmarshalString(s) != nil {
			continue
		}
		in := codec.Description{Type: codec.Offer, SDP: s}
		if answers[i] {
			in.Type = codec.Answer
		}
		code, err := codec.Encode(in, offerCode, nil)
		if errors.Is(err, codec.ErrInvalidSDP) {
			continue
		}
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if code[0] < 0x10 {
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d corpus descriptions take the compact form", n)
	}
}
