package peer

import (
	"context"
	"fmt"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// ICE restart of a session's connection (IDENTITY.md §8.2). Connections
// whose codes never travel by hand (introductions, direct reconnection)
// are made with ref.Config.RestartableICE. When such a connection passes
// its dead-peer deadline, both sides report Reconnecting and the
// initiator (the side that would reconnect, IDENTITY.md §8) restarts ICE
// on it, carrying the signed restart codes over the direct path or
// through a common peer, again and again while the connection waits
// (ref.Config.RestartTimeout). If no restart connects, the connection
// ends and the session reconnects with a fresh connection as before.

const msgRestart = 5

// restartAttempt bounds how long one restart waits for ICE to connect
// before the next attempt (the path may come back later).
const restartAttempt = 3 * time.Second

// restartTimeout is the restart window of restartable connections.
func (p *Peer) restartTimeout() time.Duration {
	if d := p.cfg.Conn.RestartTimeout; d != 0 {
		return d
	}
	return ref.DefaultRestartTimeout
}

// watch follows connection c of session s: when it becomes unreachable,
// the session is Reconnecting and, on the initiator, restarted; when it
// is connected again, Reconnected.
func (p *Peer) watch(s *session, c *ref.Conn) {
	defer p.wg.Done()
	for until(p.ctx, c, c.Unreachable()) {
		// Reconnecting, unless the peer's restart offer came first.
		if ok, _ := p.markRestarting(s, c, "restarting ICE"); !ok {
			return
		}
		if p.initiator(s.id) {
			p.restartLoop(s.id, c)
		}
		// Wait until connected again (a restart, or the path by itself)
		// or the connection ends (then readLoop handles the loss).
		if !until(p.ctx, c, c.Reachable()) {
			return
		}
		p.reconnected(s, c)
	}
}

// until waits for ch and reports true, or false when c ends or ctx is
// done first.
func until[T any](ctx context.Context, c *ref.Conn, ch <-chan T) bool {
	select {
	case <-ch:
		return true
	case <-c.Done():
	case <-ctx.Done():
	}
	return false
}

// markRestarting puts session s, whose connection c is being restarted,
// in the Reconnecting state and reports it, with why, unless it is in
// that state already (first is false). ok is false when c is not s's
// connection any more.
func (p *Peer) markRestarting(s *session, c *ref.Conn, why string) (ok, first bool) {
	p.mu.Lock()
	if p.closed || p.sessions[s.id] != s || s.conn != c {
		p.mu.Unlock()
		return false, false
	}
	first = !s.restarting
	if first {
		s.restarting, s.lostAt = true, time.Now()
	}
	p.mu.Unlock()
	if first {
		p.emit(Event{Type: Reconnecting, Peer: s.id, Err: fmt.Errorf("%w: %s", ref.ErrPeerUnreachable, why)})
	}
	return true, first
}

// reconnected ends the Reconnecting state of session s, when c is still
// its connection: it wakes the waiters of s.up and reports Reconnected.
func (p *Peer) reconnected(s *session, c *ref.Conn) {
	p.mu.Lock()
	ok := !p.closed && p.sessions[s.id] == s && s.conn == c && s.restarting
	if ok {
		s.restarting, s.lostAt = false, time.Time{}
		close(s.up)
		s.up = make(chan struct{})
	}
	p.mu.Unlock()
	if ok {
		p.emit(Event{Type: Reconnected, Peer: s.id})
	}
}

// restartLoop restarts c until it connects or half the restart window has
// passed (the connection then ends within the window).
func (p *Peer) restartLoop(id ID, c *ref.Conn) {
	end := time.Now().Add(p.restartTimeout() / 2)
	for time.Now().Before(end) {
		err := p.restartOnce(id, c)
		if err == nil || c.Err() != nil || p.ctx.Err() != nil {
			return
		}
		select {
		case <-c.Unreachable():
		default:
			return // connected again by itself
		}
		if !until(p.ctx, c, time.After(p.cfg.RetryInterval)) {
			return
		}
	}
}

// restartOnce runs one restart of c, offered to id over the first path
// that carries it (IDENTITY.md §8.2: directly, else through a common
// peer), and waits a little for it to connect.
func (p *Peer) restartOnce(id ID, c *ref.Conn) error {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HandshakeTimeout)
	defer cancel()
	defer p.offeringRestart(id, c)()
	code, err := c.RestartOffer(ctx)
	if err != nil {
		return err
	}
	o := offer{
		typ:      msgRestart,
		code:     func(context.Context) ([]byte, error) { return code, nil },
		complete: c.CompleteRestart,
	}
	err = p.overPaths(ctx, id, ID{}, "restart", func(pa path) error { return p.initiate(ctx, pa, id, o) })
	if err != nil {
		return err
	}
	wctx, wcancel := context.WithTimeout(ctx, restartAttempt)
	defer wcancel()
	return c.WaitRestart(wctx)
}

// offeringRestart marks a restart offer of c to id as under way in id's
// session, until the function it returns is called.
func (p *Peer) offeringRestart(id ID, c *ref.Conn) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[id]
	if s == nil || s.conn != c {
		return func() {}
	}
	s.offering++
	return func() {
		p.mu.Lock()
		s.offering--
		p.mu.Unlock()
	}
}

// acceptRestart is the acceptor of a restart offer (RESTART, IDENTITY.md
// §8.2), on either path: the author must have a session, whose current
// connection the offer restarts.
func (p *Peer) acceptRestart(ctx context.Context, sc *signedCode, _ ID) (ID, []byte, func(sent bool), error) {
	var s *session
	var c *ref.Conn
	var crossed bool
	author, err := p.checkSigned(sc, kindOffer, func(author ID) error {
		p.mu.Lock()
		if s = p.sessions[author]; s != nil {
			c, crossed = s.conn, s.offering > 0
		}
		p.mu.Unlock()
		if c == nil {
			return fmt.Errorf("%w: no connection to restart", ErrRefused)
		}
		// Glare: restart offers crossed. The lower ID's wins, as a
		// connection's does (§8.1): the lower ID, with its own offer
		// under way, refuses the peer's; the higher ID answers it and
		// drops its own (ref.Conn.RestartAnswer rolls it back). Were
		// both to answer, each would end on the other's offer, with
		// different credentials on the two sides.
		if crossed && p.ID().Less(author) {
			return fmt.Errorf("%w: our restart offer crossed the peer's, and the lower ID's wins", ErrRefused)
		}
		return nil
	})
	if err != nil {
		return author, nil, nil, err
	}
	code, err := c.RestartAnswer(ctx, sc.Code)
	if err != nil {
		return author, nil, nil, err
	}
	p.followRestart(s, c)
	return author, code, nil, nil
}

// followRestart reports a restart the peer started: the peer may detect the
// loss (and send its restart offer) before this side's own dead-peer deadline,
// which a pending restart suspends, so the application would otherwise see
// neither Reconnecting nor Reconnected here. When the session is not already
// Reconnecting, it reports Reconnecting now and Reconnected once the restart
// connects; a restart that fails ends the connection, and the loss is handled
// as any other. It runs in a goroutine of the Peer's, so the one it starts
// is counted before Close waits.
func (p *Peer) followRestart(s *session, c *ref.Conn) {
	if ok, first := p.markRestarting(s, c, "the peer is restarting ICE"); !ok || !first {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		// Any restart of c that connects (the peer may retry with new
		// offers) brings the session back; when none does within the
		// restart window, c ends.
		if c.WaitRestart(p.ctx) == nil {
			p.reconnected(s, c)
		}
	}()
}
