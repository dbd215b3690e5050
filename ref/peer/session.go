package peer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// Sessions and glare (IDENTITY.md §8): one session per remote ID; an
// authenticated connection joins it or replaces its transport.

type session struct {
	id       ID
	pub      ed25519.PublicKey
	conn     *ref.Conn
	lowOffer bool // the current connection was offered by the lower ID
	up       chan struct{}
	lostAt   time.Time
	// restarting: the connection is unreachable and kept for an ICE
	// restart (restart.go).
	restarting bool
	// offering counts this side's restart offers under way, from the
	// offer until its answer is applied (restartOnce): crossing restart
	// offers are decided by the IDs (acceptRestart).
	offering int
}

// live reports whether s has a connection that is not being restarted.
func (s *session) live() bool { return s != nil && s.conn != nil && !s.restarting }

// track registers a connection that is not yet part of a session, so that
// Close closes it. It returns false when the Peer is closed.
func (p *Peer) track(c *ref.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.stray[c] = true
	return true
}

// drop closes a connection that did not join a session.
func (p *Peer) drop(c *ref.Conn) {
	c.Close()
	p.untrack(c)
}

func (p *Peer) untrack(c *ref.Conn) {
	p.mu.Lock()
	delete(p.stray, c)
	p.mu.Unlock()
}

// attach makes c the connection of the session with id (creating it),
// unless a live connection that wins the glare rule exists, in which case c
// is closed. It records the peer in the store and emits the event.
func (p *Peer) attach(id ID, pub ed25519.PublicKey, addrs []string, c *ref.Conn, lowOffer bool, o origin) error {
	s, ev, old, err := p.join(id, pub, c, lowOffer)
	if err != nil || s == nil {
		c.Close()
		return err
	}
	if old != nil {
		// The peer may not have attached the new connection yet: closing
		// the old one at once would look like a departure to it.
		p.mu.Lock()
		p.stray[old] = true
		p.mu.Unlock()
		time.AfterFunc(2*time.Second, func() { p.drop(old) })
	}
	var stored error
	if err := p.remember(id, pub, addrs, c, o); err != nil {
		// In memory, the peer is remembered (the next write saves it);
		// the application learns that the file is not, on this
		// session's event (a replacement, which has none, reports it as
		// Reconnected).
		stored = &Error{ID: id, Op: "remember", Err: err}
		if ev < 0 {
			ev = Reconnected
		}
	}
	if ev > 0 {
		p.emit(Event{Type: ev, Peer: id, Err: stored})
	}
	go p.readLoop(s, c)
	go p.watch(s, c)
	go p.forwardTracks(s, c)
	return nil
}

// join makes c the connection of the session with id (IDENTITY.md §8),
// creating the session, and returns it with the event to report (none,
// -1, when c replaces a live connection) and the connection c replaces.
// s is nil when a live connection wins the glare rule over c.
func (p *Peer) join(id ID, pub ed25519.PublicKey, c *ref.Conn, lowOffer bool) (s *session, ev EventType, old *ref.Conn, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, 0, nil, ErrClosed
	}
	delete(p.stray, c)
	s = p.sessions[id]
	ev = Joined
	switch {
	case s == nil:
		if len(p.sessions) >= p.cfg.MaxPeers {
			return nil, 0, nil, ErrTooManyPeers
		}
		s = &session{id: id, pub: pub, up: make(chan struct{})}
		p.sessions[id] = s
		p.order = append(p.order, id)
	case s.conn != nil && s.conn.Err() == nil && s.lowOffer && !lowOffer:
		// Glare: the live connection offered by the lower ID wins.
		return nil, 0, nil, nil
	case s.conn != nil:
		old = s.conn
		ev = -1 // a replacement of a live connection: no event
		if s.restarting {
			ev = Reconnected
		}
	default:
		ev = Reconnected
	}
	s.conn, s.lowOffer, s.lostAt, s.restarting = c, lowOffer, time.Time{}, false
	close(s.up)
	s.up = make(chan struct{})
	p.redial.resume(id)
	p.wg.Add(3) // readLoop, watch, forwardTracks
	return s, ev, old, nil
}

// remember records an authenticated connection to id in the store
// (IDENTITY.md §5), and returns the error of writing the file.
func (p *Peer) remember(id ID, pub ed25519.PublicKey, addrs []string, c *ref.Conn, o origin) error {
	now := time.Now()
	return p.st.update(id, func(r *Record) {
		r.remember(o, addrs)
		r.PublicKey = pub
		if rc := c.RemoteCertificate(); rc != nil {
			r.Fingerprint = sha256Sum(rc)
		}
		r.SentFingerprint = p.id.Fingerprint()
		if r.Paired.IsZero() {
			r.Paired = now
		}
		r.LastSeen = now
	})
}

func (p *Peer) removeLocked(s *session) {
	if p.sessions[s.id] != s {
		return
	}
	delete(p.sessions, s.id)
	p.order = slices.DeleteFunc(p.order, func(x ID) bool { return x == s.id })
}

// readLoop reads c's messages until it ends, then handles the loss.
func (p *Peer) readLoop(s *session, c *ref.Conn) {
	defer p.wg.Done()
	ch := c.Channel()
	for {
		b, err := ch.Receive(p.ctx)
		if errors.Is(err, ref.ErrMessageTooLarge) {
			// Discarded by ref (FRAMING.md §3): over Conn.MaxMessageSize.
			p.emit(Event{Type: Rejected, Peer: s.id, Err: &Error{ID: s.id, Op: "receive", Err: err}})
			continue
		}
		if err != nil {
			if err == io.EOF {
				c.Close()
				err = ref.ErrPeerClosed
			} else if c.Err() != nil {
				err = c.Err()
			}
			p.lost(s, c, err)
			return
		}
		if err := p.handle(s, c, b); err != nil {
			c.Close()
			p.lost(s, c, err)
			return
		}
	}
}

// lost handles the end of connection c of session s.
func (p *Peer) lost(s *session, c *ref.Conn, err error) {
	p.mu.Lock()
	if p.closed || p.sessions[s.id] != s || s.conn != c {
		p.mu.Unlock()
		return
	}
	s.conn = nil
	p.redial.renew(s.id)
	if errors.Is(err, ref.ErrPeerClosed) {
		p.removeLocked(s)
		p.mu.Unlock()
		p.emit(Event{Type: Left, Peer: s.id, Err: err})
		return
	}
	if s.restarting {
		// Reconnecting was reported when the restart began.
		s.restarting = false
		p.mu.Unlock()
		return
	}
	s.lostAt = time.Now()
	p.mu.Unlock()
	p.emit(Event{Type: Reconnecting, Peer: s.id, Err: err})
}

// handle processes one message of an established connection.
func (p *Peer) handle(s *session, c *ref.Conn, b []byte) error {
	t, err := msgType(b)
	if err != nil {
		return err
	}
	switch t {
	case msgData:
		data, err := parseData(b)
		if errors.Is(err, ref.ErrMessageTooLarge) {
			// Discarded; the session goes on (IDENTITY.md §3.1).
			p.emit(Event{Type: Rejected, Peer: s.id, Err: &Error{ID: s.id, Op: "receive", Err: err}})
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case p.msgs <- Message{From: s.id, Data: data}:
		case <-c.Done():
		case <-p.ctx.Done():
		}
	case msgRelay, msgRestart:
		var m relay
		if err := decode(b, &m); err != nil {
			return err
		}
		// Beyond the bound of the work this peer started, dropped.
		p.goWork(sessionSource(s.id), func() { p.onRelay(s.id, &m) })
	case msgRefuse:
		var m refuse
		if err := decode(b, &m); err != nil {
			return err
		}
		p.onRefuse(s.id, &m)
	case msgInvite:
		var m invite
		if err := decode(b, &m); err != nil {
			return err
		}
		var target ID
		copy(target[:], m.Peer)
		if target == p.ID() || p.Connected(target) || p.mayAccept(target, s.id) != nil {
			return nil // ignored: a stranger this introducer may not introduce
		}
		p.goWork(sessionSource(s.id), func() {
			ctx, cancel := context.WithTimeout(p.ctx, 2*p.cfg.HandshakeTimeout)
			defer cancel()
			if err := p.connect(ctx, target, s.id); err != nil && p.ctx.Err() == nil {
				p.emit(Event{Type: Rejected, Peer: target, Err: err})
			}
		})
	case msgHello:
		return fmt.Errorf("%w: second HELLO", ErrProtocol)
	default:
		// Unknown types are ignored (IDENTITY.md §3.1, §10), once the
		// message is known to be canonical CBOR.
		return checkUnknown(b)
	}
	return nil
}

func (p *Peer) sessionState(id ID) (connected, exists bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[id]
	return s != nil && s.conn != nil, s != nil
}
