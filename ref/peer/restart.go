package peer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// ICE restart of a session's connection (IDENTITY.md §11). Connections
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

// signalledConfig is the configuration of connections whose codes travel
// over the network: restartable.
func (p *Peer) signalledConfig() *ref.Config {
	c := p.cfg.Conn
	c.RestartableICE = true
	return &c
}

// restartTimeout is the restart window of restartable connections.
func (p *Peer) restartTimeout() time.Duration {
	if d := p.cfg.Conn.RestartTimeout; d != 0 {
		return d
	}
	return ref.DefaultRestartTimeout
}

// restartInitiator reports whether this side restarts the connection to
// id: the side that dials it directly, else the lower ID.
func (p *Peer) restartInitiator(id ID) bool {
	r, _ := p.st.Get(id)
	if len(r.Addrs) > 0 {
		return p.ln == nil || p.ID().Less(id)
	}
	return p.ln == nil && p.ID().Less(id)
}

// watch follows connection c of session s: when it becomes unreachable,
// the session is Reconnecting and, on the initiator, restarted; when it
// is connected again, Reconnected.
func (p *Peer) watch(s *session, c *ref.Conn) {
	defer p.wg.Done()
	for {
		select {
		case <-c.Unreachable():
		case <-c.Done():
			return
		case <-p.ctx.Done():
			return
		}
		p.mu.Lock()
		if p.closed || p.sessions[s.id] != s || s.conn != c {
			p.mu.Unlock()
			return
		}
		already := s.restarting // the peer's restart offer came first
		s.restarting = true
		if !already {
			s.lostAt = time.Now()
		}
		p.mu.Unlock()
		if !already {
			p.emit(Event{Type: Reconnecting, Peer: s.id, Err: fmt.Errorf("%w: restarting ICE", ref.ErrPeerUnreachable)})
		}
		if p.restartInitiator(s.id) {
			p.restartLoop(s.id, c)
		}
		// Wait until connected again (a restart, or the path by itself)
		// or the connection ends (then readLoop handles the loss).
		select {
		case <-c.Reachable():
		case <-c.Done():
			return
		case <-p.ctx.Done():
			return
		}
		p.reconnected(s, c)
	}
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
		select {
		case <-time.After(p.cfg.RetryInterval):
		case <-c.Done():
			return
		case <-p.ctx.Done():
			return
		}
	}
}

// restartOnce runs one restart of c, signalled over a path to id.
func (p *Peer) restartOnce(id ID, c *ref.Conn) error {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HandshakeTimeout)
	defer cancel()
	code, err := c.RestartOffer(ctx)
	if err != nil {
		return err
	}
	sc := p.id.signCode(kindOffer, id, code, time.Now())
	ans, err := p.signalRestart(ctx, id, &sc)
	if err != nil {
		return err
	}
	if _, err := p.checkSigned(ans, kindAnswer, signedBy(id)); err != nil {
		return err
	}
	if err := c.CompleteRestart(ctx, ans.Code); err != nil {
		return err
	}
	wctx, wcancel := context.WithTimeout(ctx, restartAttempt)
	defer wcancel()
	return c.WaitRestart(wctx)
}

// signalRestart carries a signed restart offer to id, directly or through
// a connected common peer, and returns the signed answer.
func (p *Peer) signalRestart(ctx context.Context, id ID, sc *signedCode) (*signedCode, error) {
	var errs []error
	r, _ := p.st.Get(id)
	for _, addr := range r.Addrs {
		ans, err := p.restartDirect(ctx, id, addr, sc)
		if err == nil {
			return ans, nil
		}
		errs = append(errs, err)
	}
	p.mu.Lock()
	var vias []ID
	for i := len(p.order) - 1; i >= 0; i-- {
		v := p.order[i]
		if s := p.sessions[v]; v != id && s.conn != nil && !s.restarting {
			vias = append(vias, v)
		}
	}
	p.mu.Unlock()
	for _, v := range vias {
		ans, err := p.restartVia(ctx, id, v, sc)
		if err == nil {
			return ans, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, ErrNoRoute
	}
	return nil, fmt.Errorf("%w: %w", ErrNoRoute, errors.Join(errs...))
}

func (p *Peer) restartDirect(ctx context.Context, id ID, addr string, sc *signedCode) (*signedCode, error) {
	nc, err := p.cfg.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	defer nc.Close()
	if err := writeFrame(nc, marshal(&relay{Type: msgRestart, To: id[:], Signed: *sc})); err != nil {
		return nil, err
	}
	b, err := readFrame(nc)
	if err != nil {
		return nil, err
	}
	return restartReply(b)
}

// restartReply parses the reply to a restart offer: RESTART with the
// signed answer, or REFUSE.
func restartReply(b []byte) (*signedCode, error) {
	t, err := msgType(b)
	if err != nil {
		return nil, err
	}
	switch t {
	case msgRefuse:
		var m refuse
		if err := decode(b, &m); err != nil {
			return nil, err
		}
		return nil, refusalErr(m.Reason)
	case msgRestart:
		var m relay
		if err := decode(b, &m); err != nil {
			return nil, err
		}
		return &m.Signed, nil
	}
	return nil, fmt.Errorf("%w: unexpected message %d", ErrProtocol, t)
}

func (p *Peer) restartVia(ctx context.Context, id, via ID, sc *signedCode) (*signedCode, error) {
	nonce, w, done := p.awaitRelay()
	defer done()
	if err := p.sendTo(ctx, via, marshal(&relay{Type: msgRestart, To: id[:], Nonce: nonce, Signed: *sc})); err != nil {
		return nil, err
	}
	select {
	case res := <-w:
		return res.signed, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// answerRestart is the responder of a restart (IDENTITY.md §11), on
// either path: it checks the signed restart offer (the author must have a
// session), applies it to the current connection of the author's session
// and replies with RESTART holding its signed answer, or REFUSE.
func (p *Peer) answerRestart(ctx context.Context, sc *signedCode, nonce uint64, reply func([]byte) error) {
	var c *ref.Conn
	author, err := p.checkSigned(sc, kindOffer, func(author ID) error {
		p.mu.Lock()
		if s := p.sessions[author]; s != nil {
			c = s.conn
		}
		p.mu.Unlock()
		if c == nil {
			return fmt.Errorf("%w: no connection to restart", ErrRefused)
		}
		return nil
	})
	var code []byte
	if err == nil {
		if code, err = c.RestartAnswer(ctx, sc.Code); err == nil {
			p.followRestart(author, c)
		}
	}
	if err != nil {
		if author != (ID{}) {
			reply(marshal(&refuse{Type: msgRefuse, To: author[:], Nonce: nonce, Reason: refusalCode(err)}))
		}
		return
	}
	ans := p.id.signCode(kindAnswer, author, code, time.Now())
	reply(marshal(&relay{Type: msgRestart, To: author[:], Nonce: nonce, Signed: ans}))
}

// followRestart reports a restart the peer started: the peer may detect the
// loss (and send its restart offer) before this side's own dead-peer deadline,
// which a pending restart suspends, so the application would otherwise see
// neither Reconnecting nor Reconnected here. When the session is not already
// Reconnecting, it reports Reconnecting now and Reconnected once the restart
// connects; a restart that fails ends the connection, and the loss is handled
// as any other.
func (p *Peer) followRestart(id ID, c *ref.Conn) {
	p.mu.Lock()
	s := p.sessions[id]
	if p.closed || s == nil || s.conn != c || s.restarting {
		p.mu.Unlock()
		return
	}
	s.restarting, s.lostAt = true, time.Now()
	p.wg.Add(1)
	p.mu.Unlock()
	p.emit(Event{Type: Reconnecting, Peer: id, Err: fmt.Errorf("%w: the peer is restarting ICE", ref.ErrPeerUnreachable)})
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
