package peer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// Introductions (IDENTITY.md §6): codes relayed by a common peer, and
// invitations to connect through it.

// testOnlyTamper, set by a test before it starts its peers, alters the
// codes that the introducer with ID via relays.
var testOnlyTamper func(via ID, code []byte) []byte

type relayResult struct {
	signed *signedCode
	err    error
}

// sendTo sends a control message to a connected peer.
func (p *Peer) sendTo(ctx context.Context, id ID, msg []byte) error {
	p.mu.Lock()
	s := p.sessions[id]
	var c *ref.Conn
	if s != nil {
		c = s.conn
	}
	p.mu.Unlock()
	if c == nil {
		return ErrNoRoute
	}
	return c.Channel().Send(ctx, msg)
}

// onRelay handles RELAY from the connected peer from.
func (p *Peer) onRelay(from ID, m *relay) {
	var to ID
	if len(m.To) != len(to) {
		return
	}
	copy(to[:], m.To)
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HandshakeTimeout)
	defer cancel()
	if to != p.ID() {
		// We are the introducer: forward once.
		if m.Hops != 0 {
			return
		}
		fwd := *m
		fwd.Hops = 1
		if testOnlyTamper != nil {
			fwd.Signed.Code = testOnlyTamper(p.ID(), slices.Clone(fwd.Signed.Code))
		}
		if err := p.sendTo(ctx, to, marshal(&fwd)); err != nil {
			p.sendTo(ctx, from, marshal(&refuse{Type: msgRefuse, Hops: 1, To: from[:], Nonce: m.Nonce, Reason: refuseNoRoute}))
		}
		return
	}
	if m.Hops != 1 {
		return
	}
	reply := func(msg []byte) error { return p.sendTo(ctx, from, msg) }
	if m.Type == msgRestart && m.Signed.Kind == kindOffer {
		p.answerRestart(ctx, &m.Signed, m.Nonce, reply)
		return
	}
	switch m.Signed.Kind {
	case kindAnswer:
		p.mu.Lock()
		w := p.pending[m.Nonce]
		p.mu.Unlock()
		if w != nil {
			select {
			case w <- relayResult{signed: &m.Signed}:
			default:
			}
		}
	case kindOffer:
		p.answerOffer(ctx, &m.Signed, from, m.Nonce, reply)
	}
}

// onRefuse handles REFUSE: forwarded by an introducer, or for us.
func (p *Peer) onRefuse(from ID, m *refuse) {
	var to ID
	if len(m.To) != len(to) {
		return
	}
	copy(to[:], m.To)
	if to != p.ID() {
		if m.Hops == 0 {
			fwd := *m
			fwd.Hops = 1
			p.goWork(sessionSource(from), func() {
				ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HandshakeTimeout)
				defer cancel()
				p.sendTo(ctx, to, marshal(&fwd))
			})
		}
		return
	}
	p.mu.Lock()
	w := p.pending[m.Nonce]
	p.mu.Unlock()
	if w != nil {
		select {
		case w <- relayResult{err: refusalErr(m.Reason)}:
		default:
		}
	}
}

// Introduce asks the connected peers a and b to connect to each other
// through this peer: the one with the lower ID receives an INVITE and
// sends its offer through us (IDENTITY.md §6). It returns once the
// invitation is sent; a and b then see Joined events.
func (p *Peer) Introduce(ctx context.Context, a, b ID) error {
	if a == b {
		return fmt.Errorf("peer: Introduce: same peer twice")
	}
	if b.Less(a) {
		a, b = b, a
	}
	if !p.Connected(b) {
		return &Error{ID: b, Op: "introduce", Err: ErrNoRoute}
	}
	if err := p.sendTo(ctx, a, marshal(&invite{Type: msgInvite, Peer: b[:]})); err != nil {
		return &Error{ID: a, Op: "introduce", Err: err}
	}
	return nil
}

// awaitRelay registers a waiter for the answer to a relayed message: the
// nonce to send, the channel the answer arrives on, and done, which
// unregisters it.
func (p *Peer) awaitRelay() (nonce uint64, w chan relayResult, done func()) {
	nonce = randUint64()
	w = make(chan relayResult, 1)
	p.mu.Lock()
	p.pending[nonce] = w
	p.mu.Unlock()
	return nonce, w, func() {
		p.mu.Lock()
		delete(p.pending, nonce)
		p.mu.Unlock()
	}
}

// introduced offers a connection to id through the introducer via.
func (p *Peer) introduced(ctx context.Context, id, via ID) error {
	wrap := func(err error) error {
		if p.ctx.Err() != nil {
			return ErrClosed
		}
		var pe *Error
		if errors.As(err, &pe) {
			return err
		}
		return &Error{ID: id, Op: "introduction via " + via.Short(), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*p.cfg.HandshakeTimeout)
	defer cancel()
	c, code, err := ref.Offer(ctx, p.signalledConfig())
	if err != nil {
		return wrap(err)
	}
	if !p.track(c) {
		c.Close()
		return ErrClosed
	}
	nonce, w, done := p.awaitRelay()
	defer done()
	fail := func(err error) error {
		c.Close()
		p.untrack(c)
		return wrap(err)
	}
	sc := p.id.signCode(kindOffer, id, code, time.Now())
	if err := p.sendTo(ctx, via, marshal(&relay{Type: msgRelay, To: id[:], Nonce: nonce, Signed: sc})); err != nil {
		return fail(err)
	}
	var res relayResult
	select {
	case res = <-w:
	case <-ctx.Done():
		return fail(ctx.Err())
	case <-p.ctx.Done():
		return fail(ErrClosed)
	}
	if res.err != nil {
		return fail(res.err)
	}
	if _, err := p.checkSigned(res.signed, kindAnswer, signedBy(id)); err != nil {
		return fail(err)
	}
	if err := c.Complete(ctx, res.signed.Code); err != nil {
		return fail(err)
	}
	_, err = p.establish(ctx, c, true, []ID{id}, origin{via: via})
	return err
}

func randUint64() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 1
}
