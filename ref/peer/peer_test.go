package peer

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/peer-sdp/peer/ref"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newTestPeer(t *testing.T, cfg *Config) *Peer {
	t.Helper()
	if cfg == nil {
		cfg = &Config{}
	}
	if cfg.Identity == nil {
		id, err := NewIdentity()
		if err != nil {
			t.Fatal(err)
		}
		cfg.Identity = id
	}
	if !cfg.Conn.Loopback && cfg.Conn.SettingEngine == nil {
		cfg.Conn.Loopback = true
	}
	if cfg.Conn.GatherTimeout == 0 {
		cfg.Conn.GatherTimeout = 500 * time.Millisecond
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// pairPeers pairs a (offerer) and b (answerer) by a code exchange.
func pairPeers(t *testing.T, a, b *Peer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pa, err := a.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Answer(ctx, pa.Code())
	if err != nil {
		t.Fatal(err)
	}
	if err := pa.Complete(ctx, pb.Code()); err != nil {
		t.Fatal(err)
	}
	ida, err := pa.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	idb, err := pb.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ida != b.ID() || idb != a.ID() {
		t.Fatalf("paired IDs %s %s, want %s %s", ida.Short(), idb.Short(), b.ID().Short(), a.ID().Short())
	}
}

// waitEvent waits for an event of type typ about id, failing after d.
func waitEvent(t *testing.T, p *Peer, typ EventType, id ID, d time.Duration) Event {
	t.Helper()
	e, ok := awaitEvent(t, p, typ, id, d)
	if !ok {
		t.Fatalf("%s: no %v event for %s within %v", p.ID().Short(), typ, id.Short(), d)
	}
	return e
}

// noEvent fails if p reports an event of typ about id within d.
func noEvent(t *testing.T, p *Peer, typ EventType, id ID, d time.Duration) {
	t.Helper()
	if e, ok := awaitEvent(t, p, typ, id, d); ok {
		t.Fatalf("%s: %v %s (%v)", p.ID().Short(), typ, id.Short(), e.Err)
	}
}

// awaitEvent returns the first event of type typ about id within d,
// logging the others; ok is false when none came (or Events closed).
func awaitEvent(t *testing.T, p *Peer, typ EventType, id ID, d time.Duration) (e Event, ok bool) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case e, open := <-p.Events():
			if !open {
				t.Logf("%s: events closed while waiting for %v", p.ID().Short(), typ)
				return Event{}, false
			}
			if e.Type == typ && e.Peer == id {
				return e, true
			}
			t.Logf("%s: event %v %s %v", p.ID().Short(), e.Type, e.Peer.Short(), e.Err)
		case <-deadline:
			return Event{}, false
		}
	}
}

// waitBoth waits until a and b have each reported typ about the other
// within d, and logs how long after since each did.
func waitBoth(t *testing.T, a, b *Peer, typ EventType, d time.Duration, since time.Time) {
	t.Helper()
	for _, p := range []*Peer{a, b} {
		other := a.ID()
		if p == a {
			other = b.ID()
		}
		e := waitEvent(t, p, typ, other, d)
		t.Logf("%s: %v %v after %v (%v)", p.ID().Short(), typ, other.Short(), time.Since(since).Round(time.Millisecond), e.Err)
	}
}

func exchange(t *testing.T, a, b *Peer, msg string) {
	t.Helper()
	defer func() {
		if t.Failed() {
			for _, p := range []*Peer{a, b} {
			drain:
				for {
					select {
					case e := <-p.Events():
						t.Logf("%s: pending event %v %s %v", p.ID().Short(), e.Type, e.Peer.Short(), e.Err)
					case <-time.After(500 * time.Millisecond):
						break drain
					}
				}
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Send(ctx, b.ID(), []byte(msg)); err != nil {
		t.Fatal(err)
	}
	m, err := b.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.From != a.ID() || string(m.Data) != msg {
		t.Fatalf("received %q from %s, want %q from %s", m.Data, m.From.Short(), msg, a.ID().Short())
	}
}

func TestPairAndMessage(t *testing.T) {
	a, b := newTestPeer(t, nil), newTestPeer(t, nil)
	pairPeers(t, a, b)
	waitEvent(t, a, Joined, b.ID(), 10*time.Second)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
	exchange(t, a, b, "hello b")
	exchange(t, b, a, "hello a")
	if r, ok := a.Store().Get(b.ID()); !ok || r.Fingerprint != b.Identity().Fingerprint() {
		t.Fatalf("a does not remember b's fingerprint: %+v %v", r, ok)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Broadcast(ctx, []byte("all")); err != nil {
		t.Fatal(err)
	}
	if m, err := b.Receive(ctx); err != nil || string(m.Data) != "all" {
		t.Fatalf("broadcast: %q %v", m.Data, err)
	}
	// Close is seen as Left by the other side.
	a.Close()
	e := waitEvent(t, b, Left, a.ID(), 10*time.Second)
	if !errors.Is(e.Err, ref.ErrPeerClosed) {
		t.Errorf("Left error %v, want ref.ErrPeerClosed", e.Err)
	}
}

// TestNewListenFailureLeaksNothing: New that cannot listen returns the
// error and leaves no goroutine behind (its event queue's was left).
func TestNewListenFailureLeaksNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	id, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(&Config{Identity: id, Listen: "256.0.0.1:1"}); err == nil {
		t.Fatal("New listened at 256.0.0.1")
	}
}
