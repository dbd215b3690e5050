package peer

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// Attacks on ref/peer by another host, a replayer of captured codes and
// hostile peers (IDENTITY.md §9). Each was reproduced on the code before
// its defence; the resources they make a peer spend are measured in file
// descriptors and goroutines of this process (the attacker's own
// goroutines included: the floods of TestDirectOfferFlood run 100 client
// goroutines of the test).

// recorder is a Config.Dial that keeps the bytes each dialled stream
// carried out: what a host on the path of the direct exchange (§7, plain
// TCP) captures.
type recorder struct {
	mu      sync.Mutex
	streams [][]byte
}

func (r *recorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams = append(r.streams, nil)
	return &recConn{Conn: c, r: r, i: len(r.streams) - 1}, nil
}

// frames returns the first frame of every stream, oldest first.
func (r *recorder) frames() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, s := range r.streams {
		if len(s) >= 2 && len(s) >= 2+int(s[0])<<8|int(s[1]) {
			out = append(out, s[:2+int(s[0])<<8|int(s[1])])
		}
	}
	return out
}

type recConn struct {
	net.Conn
	r *recorder
	i int
}

func (c *recConn) Write(b []byte) (int, error) {
	c.r.mu.Lock()
	c.r.streams[c.i] = append(c.r.streams[c.i], b...)
	c.r.mu.Unlock()
	return c.Conn.Write(b)
}

// sendFrame sends one §7 stream holding frame to addr and returns the
// message of the listener's reply (nil if it closed without one).
func sendFrame(addr string, frame []byte) ([]byte, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write(frame); err != nil {
		return nil, err
	}
	return readFrame(c)
}

// directPeers returns a listening peer a and a peer b that remembers it,
// connected by a direct reconnection (§7: restartable ICE), b's streams
// recorded by rec.
func directPeers(t *testing.T, acfg, bcfg *Config) (a, b *Peer, rec *recorder) {
	t.Helper()
	rec = &recorder{}
	acfg.Listen = "127.0.0.1:0"
	bcfg.Dial = rec.dial
	a, b = newTestPeer(t, acfg), newTestPeer(t, bcfg)
	pairPeers(t, b, a)
	waitEvent(t, a, Joined, b.ID(), 10*time.Second)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
	redial(t, a, b)
	return a, b, rec
}

// redial replaces the connection of b (the dialler) and a (listening),
// made from codes, with a direct one (§7), whose ICE restarts.
func redial(t *testing.T, a, b *Peer) {
	t.Helper()
	if err := b.Disconnect(a.ID()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Left, b.ID(), 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := b.Connect(ctx, a.ID()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Joined, b.ID(), 10*time.Second)
	waitEvent(t, b, Joined, a.ID(), 10*time.Second)
}

func idBytes(id ID) []byte { return id[:] }

// TestRestartReplay: a signed restart offer captured on the direct path
// and replayed to the listener within its validity used to make it
// restart ICE on its healthy connection with credentials nobody uses:
// Reconnecting at once, the connection torn down at the end of the
// restart window. A signed code is accepted once (IDENTITY.md §9): the
// replay is refused as expired and the session does not notice.
func TestRestartReplay(t *testing.T) {
	a, b, rec := directPeers(t, &Config{}, &Config{})
	ac, bc := sessionConn(a, b.ID()), sessionConn(b, a.ID())
	if err := b.restartOnce(a.ID(), bc); err != nil {
		t.Fatalf("the legitimate restart: %v", err)
	}
	waitEvent(t, a, Reconnected, b.ID(), 20*time.Second) // a follows b's restart
	frames := rec.frames()
	restart := frames[len(frames)-1]
	if tp, _ := msgType(restart[2:]); tp != msgRestart {
		t.Fatalf("the last captured frame is of type %d, not RESTART", tp)
	}
	exchange(t, a, b, "after the restart")

	reply, err := sendFrame(a.Addr().String(), restart)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	tp, _ := msgType(reply)
	var m refuse
	if tp != msgRefuse || decode(reply, &m) != nil || !errors.Is(refusalErr(m.Reason), ErrRefused) {
		t.Fatalf("the replayed restart offer got a reply of type %d, want refuse", tp)
	}
	noEvent(t, a, Reconnecting, b.ID(), 10*time.Second)
	if sessionConn(a, b.ID()) != ac || ac.Err() != nil {
		t.Fatal("a's connection was replaced or ended by the replay")
	}
	exchange(t, b, a, "after the replay")
}

// usage is what a peer spends, sampled: open file descriptors, goroutines
// and connections not in a session (handshakes under way).
type usage struct{ fds, goroutines, pending int }

func measure(p *Peer) usage {
	fds, _ := os.ReadDir("/proc/self/fd")
	p.mu.Lock()
	n := len(p.stray)
	p.mu.Unlock()
	return usage{len(fds), runtime.NumGoroutine(), n}
}

// peakDuring samples p's usage every 20 ms while f runs and for settle
// after, and returns the largest values seen.
func peakDuring(p *Peer, settle time.Duration, f func()) usage {
	var peak usage
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			u := measure(p)
			peak = usage{max(peak.fds, u.fds), max(peak.goroutines, u.goroutines), max(peak.pending, u.pending)}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	time.Sleep(settle)
	close(stop)
	<-done
	return peak
}

// TestDirectOfferFlood: 100 replays of one captured direct offer used to
// make the listener answer each with a new PeerConnection (measured
// before the fix: fds 13 -> 114, goroutines 37 -> 637). Now a replay is refused
// (accepted once), and even 100 distinct valid offers (a hostile
// remembered peer, or 100 captured codes) hold at most
// maxPendingPerSource handshakes at once.
func TestDirectOfferFlood(t *testing.T) {
	a, b, rec := directPeers(t, &Config{}, &Config{})
	frames := rec.frames()
	offer := frames[len(frames)-1]
	var m relay
	if tp, _ := msgType(offer[2:]); tp != msgRelay || decode(offer[2:], &m) != nil {
		t.Fatal("the captured frame is not the direct offer")
	}
	// flood sends the frames at once, each on its stream, and counts the
	// answers (RELAY): the streams beyond the bound of one host are
	// closed unread, the others get REFUSE or RELAY.
	flood := func(frames [][]byte) (answered int) {
		var wg sync.WaitGroup
		var n atomic.Int32
		for _, f := range frames {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if reply, err := sendFrame(a.Addr().String(), f); err == nil {
					if tp, _ := msgType(reply); tp == msgRelay {
						n.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		return int(n.Load())
	}
	before := measure(a)
	var answered int
	peak := peakDuring(a, 2*time.Second, func() {
		replays := make([][]byte, 100)
		for i := range replays {
			replays[i] = offer
		}
		answered = flood(replays)
	})
	t.Logf("100 replays: before %+v, peak %+v, %d answered", before, peak, answered)
	if peak.pending > 0 || answered > 0 {
		t.Fatalf("replays made %d connections and got %d answers; want none", peak.pending, answered)
	}

	// Distinct valid offers from b's key (times a second apart).
	var distinct [][]byte
	for i := range 100 {
		sc := b.id.signCode(kindOffer, a.ID(), m.Signed.Code, time.Now().Add(time.Duration(i-100)*time.Second))
		msg := marshal(&relay{Type: msgRelay, To: idBytes(a.ID()), Signed: sc})
		distinct = append(distinct, append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...))
	}
	before = measure(a)
	peak = peakDuring(a, 2*time.Second, func() { answered = flood(distinct) })
	t.Logf("100 distinct offers: before %+v, peak %+v, %d answered", before, peak, answered)
	if peak.pending > maxPendingPerSource {
		t.Fatalf("%d handshakes at once from one host, want at most %d", peak.pending, maxPendingPerSource)
	}
	if g := peak.goroutines - before.goroutines; g > 300 {
		t.Fatalf("goroutines %d -> %d", before.goroutines, peak.goroutines)
	}
	if !a.Connected(b.ID()) {
		t.Fatal("the real session was disturbed")
	}
	exchange(t, b, a, "after the flood")
}

// TestRelayFloodFreshKeys: one connected peer m sends 100 relayed offers
// signed by 100 fresh keys. They used to create 100 stray
// PeerConnections, MaxPeers 2 notwithstanding. Now handshakes under way
// count against MaxPeers, and one source holds at most
// maxPendingPerSource of them.
func TestRelayFloodFreshKeys(t *testing.T) {
	v := newTestPeer(t, &Config{MaxPeers: 2})
	m := newTestPeer(t, nil)
	pairPeers(t, m, v)
	waitEvent(t, v, Joined, m.ID(), 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, code, err := ref.Offer(ctx, m.signalledConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := measure(v)
	peak := peakDuring(v, 3*time.Second, func() {
		for i := range 100 {
			k, err := NewIdentity()
			if err != nil {
				t.Error(err)
				return
			}
			sc := k.signCode(kindOffer, v.ID(), code, time.Now())
			msg := marshal(&relay{Type: msgRelay, Hops: 1, To: idBytes(v.ID()), Nonce: uint64(i + 1), Signed: sc})
			if err := m.sendTo(ctx, v.ID(), msg); err != nil {
				t.Error(err)
				return
			}
		}
	})
	t.Logf("100 relayed offers by fresh keys: before %+v, peak %+v", before, peak)
	if peak.pending > 1 {
		t.Fatalf("%d handshakes at once with MaxPeers 2 and one session, want at most 1", peak.pending)
	}
	if g := peak.goroutines - before.goroutines; g > 100 {
		t.Fatalf("goroutines %d -> %d", before.goroutines, peak.goroutines)
	}
	if n := len(v.Peers()); n > 2 {
		t.Fatalf("%d sessions with MaxPeers 2", n)
	}
	exchange(t, m, v, "after the flood")
}

// counter is a set of TCP listeners on loopback that count the
// connections they accept and close them at once.
type counter struct {
	n     atomic.Int64
	addrs []string
}

func newCounter(t *testing.T, k int) *counter {
	t.Helper()
	c := &counter{}
	for range k {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c.addrs = append(c.addrs, l.Addr().String())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				nc, err := l.Accept()
				if err != nil {
					return
				}
				c.n.Add(1)
				nc.Close()
			}
		}()
		t.Cleanup(func() { l.Close(); <-done })
	}
	return c
}

// TestIntroducedStrangersNotDialled: a peer m introduces five fresh
// identities to the victim v, each announcing 16 addresses, then they
// leave. v used to remember every address and dial them all, forever
// (measured before the fix: 880 TCP connections in 20 s). A peer introduced by
// another is remembered without addresses (IDENTITY.md §5): v dials
// none of them.
func TestIntroducedStrangersNotDialled(t *testing.T) {
	v := newTestPeer(t, &Config{RetryInterval: 500 * time.Millisecond})
	// m pairs with each stranger by code, so it would dial their addresses
	// itself: only v's connections are counted.
	m := newTestPeer(t, &Config{Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("m does not dial")
	}})
	pairPeers(t, m, v)
	waitEvent(t, v, Joined, m.ID(), 10*time.Second)
	cnt := newCounter(t, 16)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for range 5 {
		f := newTestPeer(t, &Config{Advertise: cnt.addrs})
		pairPeers(t, f, m)
		if err := f.ConnectVia(ctx, v.ID(), m.ID()); err != nil {
			t.Fatal(err)
		}
		waitEvent(t, v, Joined, f.ID(), 10*time.Second)
		if r, _ := v.Store().Get(f.ID()); len(r.Addrs) != 0 {
			t.Errorf("v remembers %d addresses of an introduced peer", len(r.Addrs))
		}
		f.Close()
		waitEvent(t, v, Left, f.ID(), 10*time.Second)
	}
	time.Sleep(20 * time.Second)
	t.Logf("connections to the strangers' addresses in 20 s: %d", cnt.n.Load())
	if n := cnt.n.Load(); n != 0 {
		t.Fatalf("v opened %d connections to addresses announced by introduced peers", n)
	}
}

// TestRetryBudget: a peer the user paired with announces 16 addresses and
// leaves. Its partner keeps maxAddrs of them and dials them only within
// ReconnectTimeout after it left; then it stops until the peer comes back
// or the application calls Connect.
func TestRetryBudget(t *testing.T) {
	const budget = 6 * time.Second
	v := newTestPeer(t, &Config{RetryInterval: 500 * time.Millisecond, ReconnectTimeout: budget})
	cnt := newCounter(t, 16)
	c := newTestPeer(t, &Config{Advertise: cnt.addrs})
	pairPeers(t, v, c)
	waitEvent(t, v, Joined, c.ID(), 10*time.Second)
	if r, _ := v.Store().Get(c.ID()); len(r.Addrs) != maxAddrs {
		t.Fatalf("v remembers %d addresses, want %d", len(r.Addrs), maxAddrs)
	}
	c.Close()
	waitEvent(t, v, Left, c.ID(), 10*time.Second)
	left := time.Now()
	time.Sleep(budget + 4*time.Second - time.Since(left))
	during := cnt.n.Load()
	time.Sleep(6 * time.Second)
	after := cnt.n.Load() - during
	// Attempts back off from RetryInterval doubling: at most
	// 1 + log2(budget/RetryInterval) + 1 of them in the budget.
	bound := int64(maxAddrs * 6)
	t.Logf("connections: %d within the budget (bound %d), %d in the 6 s after it", during, bound, after)
	if during == 0 || during > bound {
		t.Fatalf("%d connections within the budget, want 1 to %d", during, bound)
	}
	if after != 0 {
		t.Fatalf("%d connections after the budget ended", after)
	}
}

// TestRejectedEventsBounded: Rejected events, which others cause at will,
// wait at most maxQueuedRejected at a time for an application that does
// not read them; the session events behind them are kept.
func TestRejectedEventsBounded(t *testing.T) {
	q := newQueue()
	defer q.close()
	for range 10 * maxQueuedRejected {
		q.push(Event{Type: Rejected})
	}
	q.push(Event{Type: Joined})
	rejected := 0
	for e := range q.out {
		if e.Type == Joined {
			break
		}
		rejected++
	}
	if rejected != maxQueuedRejected {
		t.Fatalf("%d Rejected events kept, want %d", rejected, maxQueuedRejected)
	}
	q.push(Event{Type: Rejected}) // room again once read
	if e := <-q.out; e.Type != Rejected {
		t.Fatalf("event %v after the queue drained", e.Type)
	}
}

// TestReplayCache: a signed code is accepted once while it could be
// accepted at all; the cache forgets it after that, and holds at most
// replayPerAuthor codes of one author and replayCapacity in all, refusing
// (too-many) rather than forgetting a code that is still valid.
func TestReplayCache(t *testing.T) {
	k, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code := func(i int, author ID) (*signedCode, ID) {
		sc := k.signCode(kindOffer, ID{9}, []byte{byte(i), byte(i >> 8)}, now)
		return &sc, author
	}
	var r replayCache
	sc, a := code(0, k.ID())
	if err := r.once(sc, a, now); err != nil {
		t.Fatal(err)
	}
	if err := r.once(sc, a, now.Add(SignedCodeLifetime)); !errors.Is(err, ErrExpired) {
		t.Fatalf("the same code again within its lifetime: %v, want ErrExpired", err)
	}
	later := now.Add(SignedCodeLifetime + 2*time.Second)
	if err := r.once(sc, a, later); err != nil {
		t.Fatalf("after its lifetime (when verify refuses it anyway): %v", err)
	}
	r = replayCache{}
	for i := range replayPerAuthor {
		sc, a := code(i, k.ID())
		if err := r.once(sc, a, now); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
	}
	sc, a = code(replayPerAuthor, k.ID())
	if err := r.once(sc, a, now); !errors.Is(err, ErrTooManyPeers) {
		t.Fatalf("one code over the author's bound: %v, want ErrTooManyPeers", err)
	}
	if err := r.once(sc, a, later); err != nil {
		t.Fatalf("once the author's codes expired: %v", err)
	}
	r = replayCache{}
	for i := range replayCapacity {
		sc, _ := code(i, k.ID())
		if err := r.once(sc, ID{byte(i), byte(i >> 8)}, now); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
	}
	sc, _ = code(replayCapacity, k.ID())
	if err := r.once(sc, ID{1, 2, 3}, now); !errors.Is(err, ErrTooManyPeers) {
		t.Fatalf("one code over the capacity: %v, want ErrTooManyPeers", err)
	}
	if len(r.seen) > replayCapacity {
		t.Fatalf("%d codes held", len(r.seen))
	}
}
