package peer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

func TestLoadIdentity(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "id")
	a, err := LoadIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + ".cert"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	b, err := LoadIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID() != b.ID() || a.Fingerprint() != b.Fingerprint() {
		t.Fatal("reloaded identity differs")
	}
	if exp := b.Certificate().Expires(); time.Until(exp) < CertificateValidity-48*time.Hour {
		t.Errorf("certificate expires %v, want about %v from now", exp, CertificateValidity)
	}
	id, err := ParseID(a.ID().String())
	if err != nil || id != a.ID() {
		t.Fatalf("ParseID: %v", err)
	}
	if s := a.ID().Short(); len(s) != 19 || strings.Count(s, "-") != 3 || !strings.HasPrefix(strings.ToLower(strings.ReplaceAll(s, "-", "")), a.ID().String()[:16]) {
		t.Errorf("short form %q of %s", s, a.ID())
	}
	if len(a.ID().String()) != 52 {
		t.Errorf("ID %q is not 52 characters", a.ID())
	}
	os.Chmod(path, 0o644)
	if _, err := LoadIdentity(path); !errors.Is(err, ErrInsecureFile) {
		t.Fatalf("readable identity file: %v, want ErrInsecureFile", err)
	}
	st, err := OpenStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.update(a.ID(), func(r *Record) { r.PublicKey = a.PublicKey(); r.Addrs = []string{"127.0.0.1:1"} }); err != nil {
		t.Fatal(err)
	}
	st2, err := OpenStore(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := st2.Get(a.ID()); !ok || !ed25519.PublicKey(r.PublicKey).Equal(a.PublicKey()) || r.Addrs[0] != "127.0.0.1:1" {
		t.Fatalf("store round trip: %+v %v", r, ok)
	}
	os.Chmod(filepath.Join(dir, "store"), 0o640)
	if _, err := OpenStore(filepath.Join(dir, "store")); !errors.Is(err, ErrInsecureFile) {
		t.Fatalf("readable store: %v, want ErrInsecureFile", err)
	}
}

// TestCertificateRenewal: a certificate that expires within
// CertificateRenewBefore is replaced; the ID stays.
func TestCertificateRenewal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "id")
	a, err := LoadIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	old, err := newCertificateValid(CertificateRenewBefore - time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pemText, _ := old.PEM()
	if err := writePrivate(path+".cert", []byte(pemText), false); err != nil {
		t.Fatal(err)
	}
	b, err := LoadIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID() != a.ID() {
		t.Fatal("ID changed with the certificate")
	}
	if time.Until(b.Certificate().Expires()) < CertificateRenewBefore {
		t.Fatal("certificate not renewed")
	}
}

// formerPeers returns two peers that were paired and are no longer
// connected: each remembers the other.
func formerPeers(t *testing.T) (a, b *Peer) {
	t.Helper()
	a, b = newTestPeer(t, nil), newTestPeer(t, nil)
	pairPeers(t, a, b)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
	if err := a.Disconnect(b.ID()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, Left, a.ID(), 10*time.Second)
	return a, b
}

// TestReconnectCodeSize measures a first-contact code and the reconnect
// code of the same offer and answer, and connects with reconnect codes.
func TestReconnectCodeSize(t *testing.T) {
	a, b := formerPeers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pa, err := a.ReconnectOffer(ctx, b.ID())
	if err != nil {
		t.Fatal(err)
	}
	full := pa.c.Code()
	if _, ok := reconnectHint(pa.Code()); !ok {
		t.Fatal("ReconnectOffer made no reconnect code")
	}
	pb, err := b.Answer(ctx, pa.Code())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := reconnectHint(pb.Code()); !ok {
		t.Fatal("answer to a reconnect code is not one")
	}
	fullAns := pb.c.Code()
	t.Logf("offer: first-contact %d B (qr text %d chars), reconnect %d B (qr text %d chars)",
		len(full), len(codec.FormatText(full, codec.FormQR)), len(pa.Code()), len(codec.FormatText(pa.Code(), codec.FormQR)))
	t.Logf("answer: first-contact %d B, reconnect %d B", len(fullAns), len(pb.Code()))
	if len(pa.Code()) >= len(full) || len(pb.Code()) >= len(fullAns) {
		t.Fatal("reconnect code not smaller")
	}
	// A decoder that does not implement reconnect codes refuses them as
	// unsupported (a must-understand key), rather than misreading the core.
	if _, err := codec.Decode(pa.Code(), nil); !errors.Is(err, codec.ErrUnsupported) {
		t.Fatalf("generic decoder on a reconnect code: %v, want the unsupported class", err)
	}
	if err := pa.Complete(ctx, pb.Code()); err != nil {
		t.Fatal(err)
	}
	if id, err := pa.Wait(ctx); err != nil || id != b.ID() {
		t.Fatalf("reconnect code pairing: %v", err)
	}
	if _, err := pb.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	exchange(t, a, b, "back")

	// A reconnect code from a peer b does not remember.
	c := newTestPeer(t, nil)
	if _, err := c.Answer(ctx, pa.Code()); !errors.Is(err, ErrUnknownPeer) {
		t.Fatalf("unknown author: %v, want ErrUnknownPeer", err)
	}
}

func BenchmarkCodeSize(b *testing.B) {
	pa, err := NewIdentity()
	if err != nil {
		b.Fatal(err)
	}
	p, err := New(&Config{Identity: pa, Conn: ref.Config{Loopback: true}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	var full, rc int
	for i := 0; i < b.N; i++ {
		pr, err := p.Offer(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		r, ok := toReconnect(pr.Code(), p.ID(), p.id.Fingerprint())
		if !ok {
			b.Fatal("no reconnect form")
		}
		full, rc = len(pr.Code()), len(r)
		pr.Close()
	}
	b.ReportMetric(float64(full), "first-contact-B")
	b.ReportMetric(float64(rc), "reconnect-B")
}

// codeParts are the items of a code as this test reads them (with the
// CBOR library, not with the codec), to build variants of a reconnect
// code.
type codeParts struct {
	head uint64
	core []byte // the body (SPEC.md §4.2), which ends with the digest
	ext  map[int64]cbor.RawMessage
}

// splitCode splits a code into its CBOR items, strictly: each item
// canonical and of its type (head uint, body a byte string, ext a map with
// integer keys), and the code exactly their encoding (an
// empty ext map is not written), so that join rebuilds it byte for byte.
func splitCode(code []byte) (*codeParts, error) {
	var raw [3]cbor.RawMessage
	d := decMode.NewDecoder(bytes.NewReader(code))
	n := 0
	for ; n < len(raw) && d.NumBytesRead() < len(code); n++ {
		if err := d.Decode(&raw[n]); err != nil {
			return nil, err
		}
	}
	if n < 2 || d.NumBytesRead() != len(code) {
		return nil, errors.New("not a code of 2 or 3 items")
	}
	var p codeParts
	if err := unmarshal(raw[0], &p.head); err != nil {
		return nil, err
	}
	if err := unmarshal(raw[1], &p.core); err != nil {
		return nil, err
	}
	if n == 3 {
		if err := unmarshal(raw[2], &p.ext); err != nil {
			return nil, err
		}
	}
	if !bytes.Equal(p.join(), code) {
		return nil, errors.New("not canonical")
	}
	return &p, nil
}

func (p *codeParts) join() []byte {
	var b []byte
	b = append(b, marshal(p.head)...)
	b = append(b, marshal(p.core)...)
	if len(p.ext) > 0 {
		b = append(b, marshal(p.ext)...)
	}
	return b
}

// TestReconnectCodeStrict: a reconnect code is read strictly (IDENTITY.md
// §4): any item that is not canonical or not of its type makes it
// malformed, never normalised into a full code.
func TestReconnectCodeStrict(t *testing.T) {
	vs := loadIdentityVectors(t)
	rc := unhex(t, vs["reconnect_offer"].ReconnectCode)
	p, err := splitCode(rc)
	if err != nil {
		t.Fatal(err)
	}
	withExt := func(k int64, raw []byte) []byte {
		q := *p
		q.ext = map[int64]cbor.RawMessage{}
		for kk, v := range p.ext {
			q.ext[kk] = v
		}
		q.ext[k] = raw
		return q.join()
	}
	bad := map[string][]byte{
		"head in two bytes": append([]byte{0x18, rc[0]}, rc[1:]...),
		"hint as text":      withExt(extKnownPeer, marshal("abcd")),
		"hint null":         withExt(extKnownPeer, []byte{0xf6}),
		"hint of 5 bytes":   withExt(extKnownPeer, marshal([]byte{1, 2, 3, 4, 5})),
		"ext key 1":         withExt(1, marshal([]byte{1})),
		"trailing byte":     append(slices.Clone(rc), 0),
	}
	peer := newTestPeer(t, nil)
	for name, b := range bad {
		if _, ok := reconnectHint(b); ok {
			t.Errorf("%s: %x is read as a reconnect code", name, b)
		}
		if fromParts(b, [32]byte{}) != nil {
			t.Errorf("%s: %x rebuilds a full code", name, b)
		}
		if name == "trailing byte" {
			continue
		}
		if !claimsKnownPeer(b) {
			t.Errorf("%s: claimsKnownPeer false", name)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := peer.Answer(ctx, b); !errors.Is(err, codec.ErrMalformed) {
			t.Errorf("%s: Answer = %v, want malformed", name, err)
		}
		cancel()
	}
	if _, ok := reconnectHint(rc); !ok {
		t.Fatal("the vector's reconnect code is not read")
	}
}

// TestReconnectHintCollision: remembered peers that share the author's
// 4-byte hint (IDENTITY.md §4, "trying each on a collision"). The answerer
// tries the candidates' digests, most recently seen first, and the HELLO
// may authenticate any candidate that remembered the digest answered.
func TestReconnectHintCollision(t *testing.T) {
	a, b := formerPeers(t)
	rec, _ := b.Store().Get(a.ID())
	// f collides with a's hint and remembered a's digest, seen more
	// recently than a; g collides with another digest, seen long ago.
	f, g := a.ID(), a.ID()
	f[31]++
	g[30]++
	b.st.update(f, func(r *Record) { r.Fingerprint = rec.Fingerprint; r.LastSeen = time.Now().Add(time.Hour) })
	b.st.update(g, func(r *Record) { r.Fingerprint = [32]byte{9}; r.LastSeen = time.Unix(1, 0) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pa, err := a.ReconnectOffer(ctx, b.ID())
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Answer(ctx, pa.Code())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pb.expect, a.ID()) || !slices.Contains(pb.expect, f) || slices.Contains(pb.expect, g) {
		t.Fatalf("answerer expects %v, want a and f", pb.expect)
	}
	if err := pa.Complete(ctx, pb.Code()); err != nil {
		t.Fatal(err)
	}
	if id, err := pb.Wait(ctx); err != nil || id != a.ID() {
		t.Fatalf("answerer: %s, %v", id.Short(), err)
	}
	if id, err := pa.Wait(ctx); err != nil || id != b.ID() {
		t.Fatalf("offerer: %s, %v", id.Short(), err)
	}
	exchange(t, a, b, "collision")
}
