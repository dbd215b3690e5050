package peer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// filePeer starts a peer whose identity and store live in dir/name.*,
// sending tracks on its connections.
func filePeer(t *testing.T, dir, name, listen string, tracks ...webrtc.TrackLocal) *Peer {
	t.Helper()
	id, err := LoadIdentity(filepath.Join(dir, name+".key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(filepath.Join(dir, name+".store"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Identity: id, Store: st, Listen: listen}
	cfg.Conn.Tracks = tracks
	return newTestPeer(t, cfg)
}

// TestRestartReconnectsDirect: both processes restart (new Peers from the
// same files); the ID is kept and the remembered peer reconnects by
// itself, with no new code, at the address where the other listens.
func TestRestartReconnectsDirect(t *testing.T) {

	dir := t.TempDir()
	addr := freeAddr(t)
	a := filePeer(t, dir, "a", addr)
	b := filePeer(t, dir, "b", "")
	aID, bID := a.ID(), b.ID()
	pairPeers(t, b, a)
	waitEvent(t, b, Joined, aID, 10*time.Second)
	if r, _ := b.Store().Get(aID); len(r.Addrs) != 1 || r.Addrs[0] != addr {
		t.Fatalf("b remembers a at %v, want %s", r.Addrs, addr)
	}
	a.Close()
	b.Close()

	start := time.Now()
	a = filePeer(t, dir, "a", addr)
	b = filePeer(t, dir, "b", "")
	if a.ID() != aID || b.ID() != bID {
		t.Fatal("IDs changed across the restart")
	}
	waitEvent(t, b, Joined, aID, 20*time.Second)
	waitEvent(t, a, Joined, bID, 20*time.Second)
	t.Logf("reconnected after restart in %v", time.Since(start))
	exchange(t, b, a, "after restart")
	exchange(t, a, b, "and back")

	// Only a restarts: b (still running) gets Left, then reconnects.
	a.Close()
	waitEvent(t, b, Left, aID, 10*time.Second)
	a = filePeer(t, dir, "a", addr)
	waitEvent(t, b, Joined, aID, 40*time.Second)
	waitEvent(t, a, Joined, bID, 10*time.Second)
	exchange(t, a, b, "again")
	if n := len(b.Peers()); n != 1 {
		t.Fatalf("b has %d sessions, want 1", n)
	}
}

// impostorKey is a private key that presents pub but signs with key's
// seed (ed25519.Sign takes the public half as stored): an impostor's key,
// whose signatures do not verify under pub.
func impostorKey(key ed25519.PrivateKey, pub ed25519.PublicKey) ed25519.PrivateKey {
	return append(append(ed25519.PrivateKey(nil), key.Seed()...), pub...)
}

// TestImpostor: a peer that copies a remembered peer's ID (and even its
// public key) without its private key is rejected with ErrAuth.
func TestImpostor(t *testing.T) {
	a, b := newTestPeer(t, nil), newTestPeer(t, nil)
	pairPeers(t, a, b)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)

	for _, tc := range []struct {
		name  string
		claim bool
	}{{"own key", false}, {"copied public key", true}} {
		t.Run(tc.name, func(t *testing.T) {
			mi, err := NewIdentity()
			if err != nil {
				t.Fatal(err)
			}
			if tc.claim {
				mi.key = impostorKey(mi.key, a.Identity().PublicKey())
			}
			mi.id = a.ID() // the copied ID
			m := newTestPeer(t, &Config{Identity: mi})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// b expects a and offers; the impostor answers with a full code.
			pb, err := b.ReconnectOffer(ctx, a.ID())
			if err != nil {
				t.Fatal(err)
			}
			full := fromParts(pb.Code(), b.Identity().Fingerprint())
			pm, err := m.Answer(ctx, full)
			if err != nil {
				t.Fatal(err)
			}
			if err := pb.Complete(ctx, pm.Code()); err != nil {
				t.Fatal(err)
			}
			_, err = pb.Wait(ctx)
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("impostor: %v, want ErrAuth", err)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.ID != a.ID() {
				t.Fatalf("error %v not attributed to the claimed ID", err)
			}
			t.Logf("rejected: %v", err)
			if !b.Connected(a.ID()) {
				t.Fatal("the real session was disturbed")
			}
		})
	}

	// Direct path: an offer signed by another key under a's public key.
	addr := freeAddr(t)
	c := newTestPeer(t, &Config{Listen: addr})
	pairPeers(t, a, c)
	mi, _ := NewIdentity()
	mi.key = impostorKey(mi.key, a.Identity().PublicKey())
	m := newTestPeer(t, &Config{Identity: mi})
	m.st.update(c.ID(), func(r *Record) { r.PublicKey = c.Identity().PublicKey(); r.Addrs = []string{addr} })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := m.Connect(ctx, c.ID())
	if !errors.Is(err, ErrTampered) {
		t.Fatalf("direct impostor: %v, want ErrTampered", err)
	}
	e := waitEvent(t, c, Rejected, a.ID(), 10*time.Second)
	if !errors.Is(e.Err, ErrTampered) {
		t.Fatalf("listener's event: %v", e.Err)
	}
}

// TestIntroducerTamper: an introducer that alters a relayed code is
// detected by the recipient (ErrTampered) and the author learns it.
func TestIntroducerTamper(t *testing.T) {
	ai, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	testOnlyTamper = func(via ID, b []byte) []byte {
		if via == ai.ID() {
			b[len(b)-1] ^= 1
		}
		return b
	}
	t.Cleanup(func() { testOnlyTamper = nil }) // after the peers close
	a := newTestPeer(t, &Config{Identity: ai})
	b, c := newTestPeer(t, nil), newTestPeer(t, nil)
	pairPeers(t, a, b)
	pairPeers(t, a, c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = b.ConnectVia(ctx, c.ID(), a.ID())
	if !errors.Is(err, ErrTampered) {
		t.Fatalf("tampered introduction: %v, want ErrTampered", err)
	}
	e := waitEvent(t, c, Rejected, b.ID(), 10*time.Second)
	if !errors.Is(e.Err, ErrTampered) {
		t.Fatalf("recipient's event: %v", e.Err)
	}
	if c.Connected(b.ID()) || b.Connected(c.ID()) {
		t.Fatal("connected despite tampering")
	}
}

// TestIntroductionsChain: a introduces b and c; then b introduces c to d,
// whom only b knows.
func TestIntroductionsChain(t *testing.T) {
	// c and d accept strangers from b, whom c met through a.
	fromAny := func() *Peer { return newTestPeer(t, &Config{Introductions: IntroductionsFromAny}) }
	a, b, c, d := newTestPeer(t, nil), newTestPeer(t, nil), fromAny(), fromAny()
	pairPeers(t, a, b)
	pairPeers(t, a, c)
	pairPeers(t, b, d)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Introduce(ctx, b.ID(), c.ID()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, Joined, c.ID(), 20*time.Second)
	waitEvent(t, c, Joined, b.ID(), 20*time.Second)
	exchange(t, b, c, "introduced")
	if err := b.Introduce(ctx, c.ID(), d.ID()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, d, Joined, c.ID(), 20*time.Second)
	exchange(t, d, c, "chained")
	// Connect finds an introducer by itself.
	if err := a.Connect(ctx, d.ID()); err != nil {
		t.Fatal(err)
	}
	exchange(t, a, d, "found a path")
}

// TestIntroductionsFromChosenOnly: by default (IntroductionsFromChosen) a
// peer accepts a stranger only through an introducer it paired with by
// code: b, whom c met through a, cannot introduce d to c (refused), while
// a can introduce d.
func TestIntroductionsFromChosenOnly(t *testing.T) {
	a, b, c, d := newTestPeer(t, nil), newTestPeer(t, nil), newTestPeer(t, nil), newTestPeer(t, nil)
	pairPeers(t, a, b)
	pairPeers(t, a, c)
	pairPeers(t, b, d)
	pairPeers(t, a, d)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := b.ConnectVia(ctx, c.ID(), a.ID()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, c, Joined, b.ID(), 20*time.Second)
	if r, _ := c.Store().Get(b.ID()); r.Introducer != a.ID() || len(r.Addrs) != 0 {
		t.Fatalf("c remembers b as introduced by %s with %d addresses, want by a with none", r.Introducer.Short(), len(r.Addrs))
	}
	err := d.ConnectVia(ctx, c.ID(), b.ID())
	if cl := classesOf(err); len(cl) != 1 || cl[0] != "refused" {
		t.Fatalf("d introduced by b: %v (classes %v), want refused only", err, cl)
	}
	if err := d.ConnectVia(ctx, c.ID(), a.ID()); err != nil {
		t.Fatalf("d introduced by a: %v", err)
	}
	exchange(t, d, c, "through a")
}

// TestIntroductionPolicyRefused: a recipient that refuses introductions
// from peers it does not remember sends refuse with reason 5 (IDENTITY.md
// §6.2 step 3), which the author reports as refused, and only refused.
func TestIntroductionPolicyRefused(t *testing.T) {
	a, b := newTestPeer(t, nil), newTestPeer(t, nil)
	c := newTestPeer(t, &Config{Introductions: IntroductionsRefused})
	pairPeers(t, a, b)
	pairPeers(t, a, c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := b.ConnectVia(ctx, c.ID(), a.ID())
	if c := classesOf(err); len(c) != 1 || c[0] != "refused" {
		t.Fatalf("introduction refused by policy: %v (classes %v), want refused only", err, c)
	}
	e := waitEvent(t, c, Rejected, b.ID(), 10*time.Second)
	if !errors.Is(e.Err, ErrRefused) || refusalCode(e.Err) != refusePolicy {
		t.Fatalf("recipient's event: %v (reason %d)", e.Err, refusalCode(e.Err))
	}
}

// TestSignedCodeRefuseAuthor: a signed code addressed to someone else
// still names its author, so that the recipient can refuse it (reason 6,
// §6.2 step 3).
func TestSignedCodeRefuseAuthor(t *testing.T) {
	a, _ := NewIdentity()
	me, other := ID{1}, ID{2}
	now := time.Now()
	sc := a.signCode(kindOffer, other, []byte{0}, now)
	author, err := sc.verify(me, kindOffer, now)
	if author != a.ID() || !errors.Is(err, ErrProtocol) || refusalCode(err) != refuseFailed {
		t.Fatalf("verify = %s, %v (reason %d); want the author, protocol, reason 6", author.Short(), err, refusalCode(err))
	}
}
