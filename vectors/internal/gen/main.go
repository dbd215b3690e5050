// Command gen writes the conformance vectors of vectors/ (one JSON file per
// scenario) from fixed-seed randomness and the reference codec. Run it from
// the repository root:
//
//	go run ./vectors/internal/gen [-v] [-dir vectors]
//
// It removes every *.json file in the directory and writes the vectors
// again; the output depends only on this program and the codec, so a second
// run changes nothing. The conformance test in codec/ runs it into a
// temporary directory and fails on any difference with the committed files.
//
// Every vector is checked against the codec while it is generated: a
// positive vector must encode, decode and round-trip to an equivalent
// description, and a negative one must fail with exactly its class.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"github.com/peer-sdp/peer/internal/jsonfiles"
	"math/rand/v2"
	"os"
)

var verbose = flag.Bool("v", false, "print the error of each negative vector")

func main() {
	dir := flag.String("dir", "vectors", "directory the vectors are written to")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen [-v] [-dir vectors]")
		os.Exit(2)
	}
	if err := generate(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// vector is one JSON file; vectors/README.md documents every field.
type vector struct {
	Description string  `json:"description"`
	Type        string  `json:"type,omitempty"`
	SDP         string  `json:"sdp,omitempty"`
	Policy      *policy `json:"policy,omitempty"`
	OfferBin    string  `json:"offer_bin,omitempty"`
	Bin         string  `json:"bin,omitempty"`
	Text        string  `json:"text,omitempty"`
	QR          string  `json:"qr,omitempty"`
	Link        string  `json:"link,omitempty"`
	Limits      *limits `json:"limits,omitempty"`
	DecodedSDP  string  `json:"decoded_sdp,omitempty"`
	Expect      string  `json:"expect"`
}

// policy mirrors codec.CandidatePolicy; absent fields take their zero value.
type policy struct {
	MaxCandidates  int  `json:"max_candidates,omitempty"`
	DropTCPActive  bool `json:"drop_tcp_active,omitempty"`
	DropTCP        bool `json:"drop_tcp,omitempty"`
	KeepComponent2 bool `json:"keep_component2,omitempty"`
	DropIPv6       bool `json:"drop_ipv6,omitempty"`
	DropMDNS       bool `json:"drop_mdns,omitempty"`
	DropPrivate    bool `json:"drop_private,omitempty"`
}

// limits mirrors the limits of codec.DecOptions; absent fields take the
// default.
type limits struct {
	MaxCodeBytes  int `json:"max_code_bytes,omitempty"`
	MaxSDPBytes   int `json:"max_sdp_bytes,omitempty"`
	MaxCandidates int `json:"max_candidates,omitempty"`
}

// seed is the root of every vector's randomness.
const seed = "peer-sdp vectors v1"

// gen collects the vectors.
type gen struct {
	vecs map[string]vector
	err  error
}

// rng returns the random source of the vector named name: ChaCha8 keyed with
// SHA-256(seed "/" name), so that adding a vector changes no other one.
func rng(name string) *rand.Rand {
	return rand.New(rand.NewChaCha8(sha256.Sum256([]byte(seed + "/" + name))))
}

func (g *gen) add(name string, v vector) {
	if g.err != nil {
		return
	}
	if _, dup := g.vecs[name]; dup {
		g.err = fmt.Errorf("vector %s defined twice", name)
		return
	}
	g.vecs[name] = v
}

func (g *gen) fail(name string, format string, a ...any) {
	if g.err == nil {
		g.err = fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...))
	}
}

// generate writes every vector into dir.
func generate(dir string) error {
	g := &gen{vecs: map[string]vector{}}
	g.all()
	if g.err != nil {
		return g.err
	}
	return jsonfiles.Replace(dir, g.vecs)
}
