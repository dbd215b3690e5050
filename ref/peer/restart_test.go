package peer

import (
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
