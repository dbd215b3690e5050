package peer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

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
	if m.Signed.Kind == kindAnswer {
		p.replies.deliver(m.Nonce, relayResult{signed: &m.Signed})
		return
	}
	p.respond(ctx, m, from, func(msg []byte) error { return p.sendTo(ctx, from, msg) })
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
	p.replies.deliver(m.Nonce, relayResult{err: refusalErr(m.Reason)})
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

// introducerPath is an introduction through the connected peer via
// (IDENTITY.md §6.2): the offer goes to via, which forwards it; the reply
// comes back the same way, matched by its nonce.
type introducerPath struct {
	p   *Peer
	via ID
}

func (ip introducerPath) name() string   { return "introduction via " + ip.via.Short() }
func (ip introducerPath) introducer() ID { return ip.via }

func (ip introducerPath) open(context.Context) (carrier, error) { return ip, nil }
func (ip introducerPath) close()                                {}

// carry sends m to the introducer with a fresh nonce and waits for the
// reply that the introducer forwards with the same nonce.
func (ip introducerPath) carry(ctx context.Context, m *relay) (*signedCode, error) {
	p := ip.p
	nonce, w, done := p.replies.await()
	defer done()
	fwd := *m
	fwd.Nonce = nonce
	if err := p.sendTo(ctx, ip.via, marshal(&fwd)); err != nil {
		return nil, err
	}
	select {
	case res := <-w:
		return res.signed, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.ctx.Done():
		return nil, ErrClosed
	}
}

// replyWaiters are the exchanges waiting for a reply through an
// introducer, by nonce.
type replyWaiters struct {
	mu sync.Mutex
	m  map[uint64]chan relayResult
}

// await registers a waiter: the nonce to send, the channel the reply
// arrives on, and done, which unregisters it.
func (r *replyWaiters) await() (nonce uint64, w chan relayResult, done func()) {
	nonce = randUint64()
	w = make(chan relayResult, 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[uint64]chan relayResult{}
	}
	r.m[nonce] = w
	return nonce, w, func() {
		r.mu.Lock()
		delete(r.m, nonce)
		r.mu.Unlock()
	}
}

// deliver hands res to the waiter of nonce, if any still waits; a second
// reply is dropped.
func (r *replyWaiters) deliver(nonce uint64, res relayResult) {
	r.mu.Lock()
	w := r.m[nonce]
	r.mu.Unlock()
	if w != nil {
		select {
		case w <- res:
		default:
		}
	}
}

func randUint64() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 1
}
