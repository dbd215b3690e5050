package peer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/peer-sdp/peer/ref"
)

func sessionConn(p *Peer, id ID) *ref.Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.sessions[id]; s != nil {
		return s.conn
	}
	return nil
}

// TestNetworkCutICERestart: two peers whose connection was made by direct
// reconnection (restartable ICE) lose their UDP path past the dead-peer
// deadline while the direct-reconnection stream still works; the path
// comes back a few seconds later and the session is restored by an ICE
// restart of the same connection (same *ref.Conn, Restarts counted),
// with Reconnecting then Reconnected events and one session each.
func TestNetworkCutICERestart(t *testing.T) {
	cut, ca, cb := cuttableNet(t)
	a := newTestPeer(t, &Config{Conn: ca, Listen: "127.0.0.1:0", RetryInterval: 500 * time.Millisecond})
	b := newTestPeer(t, &Config{Conn: cb, RetryInterval: 500 * time.Millisecond})
	pairPeers(t, b, a)
	waitEvent(t, a, Joined, b.ID(), 10*time.Second)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
	// Replace the code-paired connection with a direct one.
	redial(t, a, b)
	exchange(t, a, b, "before")
	ac, bc := sessionConn(a, b.ID()), sessionConn(b, a.ID())
	if ac == nil || bc == nil {
		t.Fatal("no connections")
	}

	cut.Store(true)
	start := time.Now()
	waitBoth(t, a, b, Reconnecting, 20*time.Second, start)
	time.Sleep(8*time.Second - time.Since(start))
	cut.Store(false)
	back := time.Now()
	waitBoth(t, a, b, Reconnected, 20*time.Second, back)
	if sessionConn(a, b.ID()) != ac || sessionConn(b, a.ID()) != bc {
		t.Fatal("the session has a new connection: not restored by an ICE restart")
	}
	if ac.Restarts() < 1 || bc.Restarts() < 1 {
		t.Fatalf("restarts: %d, %d", ac.Restarts(), bc.Restarts())
	}
	t.Logf("ICE restarts: %d", bc.Restarts())
	exchange(t, a, b, "after")
	exchange(t, b, a, "and back")
	if len(a.Peers()) != 1 || len(b.Peers()) != 1 {
		t.Fatalf("sessions: a %d, b %d; want 1 each", len(a.Peers()), len(b.Peers()))
	}
}

// setOffering marks p's session with id as offering a restart (n > 0) or
// not, as restartOnce does while its offer is under way.
func setOffering(p *Peer, id ID, n int) {
	p.mu.Lock()
	p.sessions[id].offering = n
	p.mu.Unlock()
}

// TestCrossingRestarts holds IDENTITY.md §8.2's glare rule against ref/peer:
// when restart offers cross, the lower ID's wins. A side whose own restart
// offer is under way refuses the peer's (ErrRefused, reason 5) when it has
// the lower ID, and answers it when it has the higher ID. The crossing is
// made deterministic by marking a side as offering (restartOnce's mark):
// The higher ID's case runs first: pion cannot roll back a local offer, so
// a ref/peer whose restart offer is pending (here, after the refusal) cannot
// answer one (restart.go), which this does not test.
func TestCrossingRestarts(t *testing.T) {
	a := newTestPeer(t, &Config{Listen: "127.0.0.1:0"})
	b := newTestPeer(t, &Config{Listen: "127.0.0.1:0"})
	pairPeers(t, b, a)
	waitEvent(t, a, Joined, b.ID(), 10*time.Second)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
	redial(t, a, b)
	lower, higher := a, b
	if b.ID().Less(a.ID()) {
		lower, higher = b, a
	}
	lc, hc := sessionConn(lower, higher.ID()), sessionConn(higher, lower.ID())
	if lc == nil || hc == nil {
		t.Fatal("no connections")
	}

	// The higher ID offering: the lower ID's offer is answered and connects.
	setOffering(higher, lower.ID(), 1)
	if err := lower.restartOnce(higher.ID(), lc); err != nil {
		t.Fatalf("the lower ID's crossing offer: %v", err)
	}
	setOffering(higher, lower.ID(), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, c := range []*ref.Conn{lc, hc} {
		if err := c.WaitRestart(ctx); err != nil {
			t.Fatalf("the lower ID's restart did not connect: %v", err)
		}
	}
	if sessionConn(lower, higher.ID()) != lc || sessionConn(higher, lower.ID()) != hc {
		t.Fatal("the session has a new connection")
	}
	if lc.Restarts() < 1 || hc.Restarts() < 1 {
		t.Fatalf("restarts: %d, %d", lc.Restarts(), hc.Restarts())
	}
	exchange(t, a, b, "after the restart")
	exchange(t, b, a, "and back")

	// The lower ID offering: the higher ID's offer is refused.
	setOffering(lower, higher.ID(), 1)
	err := higher.restartOnce(lower.ID(), hc)
	if !errors.Is(err, ErrRefused) || refusalCode(err) != refusePolicy {
		t.Fatalf("the higher ID's crossing offer: %v; want refused, reason 5", err)
	}
	setOffering(lower, higher.ID(), 0)
}
