// Command identgen writes the test vectors of IDENTITY.md (one JSON file per
// scenario, ref/peer/testdata/identity-vectors/<area>_<case>.json) from
// fixed-seed randomness. Run it from the repository root:
//
//	go run ./ref/peer/internal/identgen [-dir ref/peer/testdata/identity-vectors]
//
// It removes every *.json file in the directory and writes the vectors
// again; the output depends only on this program and the codec (which makes
// the SPEC.md codes the vectors carry), so a second run changes nothing.
// ref/peer's vector test runs it into a temporary directory and fails on any
// difference with the committed files.
//
// This program builds every signing input, signature and message from
// IDENTITY.md directly (its own CBOR types, its own byte concatenation), not
// from ref/peer: the vector test then checks ref/peer against it, so the two
// are independent readings of the document. IDENTITY.md Appendix C
// describes the fields and how to run a vector.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"flag"
	"fmt"
	"github.com/peer-sdp/peer/internal/jsonfiles"
	"math/rand/v2"
	"os"
)

func main() {
	dir := flag.String("dir", "ref/peer/testdata/identity-vectors", "directory the vectors are written to")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: identgen [-dir DIR]")
		os.Exit(2)
	}
	if err := generate(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "identgen:", err)
		os.Exit(1)
	}
}

// vector is one JSON file; IDENTITY.md Appendix C documents every field and
// which areas use it. Bytes are lower-case hex.
type vector struct {
	Description string `json:"description"`

	// The signer, author or owner of a key.
	Seed      string `json:"seed,omitempty"`
	PublicKey string `json:"public_key,omitempty"`
	ID        string `json:"id,omitempty"`
	IDText    string `json:"id_text,omitempty"`
	IDShort   string `json:"id_short,omitempty"`

	// HELLO (§3.2).
	Role       *int     `json:"role,omitempty"`
	FPOfferer  string   `json:"fp_offerer,omitempty"`
	FPAnswerer string   `json:"fp_answerer,omitempty"`
	Addrs      []string `json:"addrs,omitempty"`

	// Signed codes (§6.1).
	Kind       *int    `json:"kind,omitempty"`
	To         string  `json:"to,omitempty"`
	Time       *uint64 `json:"time,omitempty"`
	Code       string  `json:"code,omitempty"`
	SignedCode string  `json:"signed_code,omitempty"`

	SigningInput string `json:"signing_input,omitempty"`
	Sig          string `json:"sig,omitempty"`

	// Reconnect codes (§4).
	Fingerprint   string       `json:"fingerprint,omitempty"`
	Hint          string       `json:"hint,omitempty"`
	ReconnectCode string       `json:"reconnect_code,omitempty"`
	Remembered    []remembered `json:"remembered,omitempty"`

	// Messages (§3.3) and frames (§7).
	Message string   `json:"message,omitempty"`
	Decoded *decoded `json:"decoded,omitempty"`
	Frame   string   `json:"frame,omitempty"`

	// The receiver.
	Context    string `json:"context,omitempty"`
	OwnID      string `json:"own_id,omitempty"`
	ExpectID   string `json:"expect_id,omitempty"`
	ExpectKind *int   `json:"expect_kind,omitempty"`
	Now        *int64 `json:"now,omitempty"`

	Expect string `json:"expect"`
}

// remembered is one peer the receiver of a reconnect code remembers (§5).
type remembered struct {
	ID          string `json:"id"`
	Fingerprint string `json:"fingerprint"`
}

// decoded is the content of a message that decodes (§3.3, Appendix A).
type decoded struct {
	Type       int      `json:"type"`
	Version    *int     `json:"version,omitempty"`
	Key        string   `json:"key,omitempty"`
	Sig        string   `json:"sig,omitempty"`
	Addrs      []string `json:"addrs,omitempty"`
	Payload    *string  `json:"payload,omitempty"`
	Hops       *int     `json:"hops,omitempty"`
	To         string   `json:"to,omitempty"`
	Nonce      *uint64  `json:"nonce,omitempty"`
	SignedCode string   `json:"signed_code,omitempty"`
	Reason     *uint64  `json:"reason,omitempty"`
	Peer       string   `json:"peer,omitempty"`
}

// seed is the root of every vector's randomness.
const seed = "peer-sdp identity vectors v1"

// rng returns the random source of the vector named name: ChaCha8 keyed with
// SHA-256(seed "/" name), so that adding a vector changes no other one.
func rng(name string) *rand.Rand {
	return rand.New(rand.NewChaCha8(sha256.Sum256([]byte(seed + "/" + name))))
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// key returns an Ed25519 key made from a seed drawn from r (RFC 8032 §5.1.5).
func key(r *rand.Rand) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(randBytes(r, ed25519.SeedSize))
}

func pub(k ed25519.PrivateKey) []byte { return k.Public().(ed25519.PublicKey) }

func idOf(k ed25519.PrivateKey) []byte { s := sha256.Sum256(pub(k)); return s[:] }

func ptr[T any](v T) *T { return &v }

type gen struct {
	vecs map[string]vector
	err  error
}

func (g *gen) add(name string, v vector) {
	if g.err != nil {
		return
	}
	if _, dup := g.vecs[name]; dup {
		g.err = fmt.Errorf("vector %s defined twice", name)
		return
	}
	if v.Description == "" || v.Expect == "" {
		g.err = fmt.Errorf("vector %s without description or expect", name)
		return
	}
	g.vecs[name] = v
}

func (g *gen) fail(name string, format string, a ...any) {
	if g.err == nil {
		g.err = fmt.Errorf("%s: %s", name, fmt.Sprintf(format, a...))
	}
}

func generate(dir string) error {
	g := &gen{vecs: map[string]vector{}}
	g.identities()
	g.hellos()
	g.messages()
	g.signedCodes()
	g.reconnects()
	g.frames()
	g.refusals()
	if g.err != nil {
		return g.err
	}
	return jsonfiles.Replace(dir, g.vecs)
}
