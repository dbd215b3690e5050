package peer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// The exchange of a signed offer and its signed answer, the one way codes
// travel over the network (IDENTITY.md §6.2, §7, §8.2): the initiator makes
// an offer (of a new connection, or of an ICE restart of a session's
// connection), signs it for the recipient and carries it over a path (a
// direct stream, §7, or a common peer, §6.2); the responder checks it,
// answers, signs the answer and replies over the same path, or refuses.
// initiate and respond are the two halves, whatever the path and the
// offer.

// A path carries signed offers to one peer and brings the replies back.
type path interface {
	// open readies the path for one exchange (a direct path dials its
	// stream). The carrier must be closed.
	open(ctx context.Context) (carrier, error)
	// name says what the path is, in errors: "dial ADDR", "introduction
	// via ID".
	name() string
	// introducer is the common peer of an introduction; zero for a
	// direct path.
	introducer() ID
}

// A carrier is an open path, for one exchange.
type carrier interface {
	// carry sends m (RELAY or RESTART, hops 0, holding a signed offer)
	// and returns the signed code of the reply, or the error of a REFUSE
	// (refusalErr).
	carry(ctx context.Context, m *relay) (*signedCode, error)
	// close ends the exchange. It may be called more than once.
	close()
}

// paths lists the paths to id in the order they are tried (IDENTITY.md
// §8): its remembered addresses (§7), then each connected peer as
// introducer (§6.2), the most recently connected first. With only set,
// the introducer only.
func (p *Peer) paths(id, only ID) []path {
	var out []path
	if only == (ID{}) {
		r, _ := p.st.Get(id)
		for _, addr := range r.Addrs {
			out = append(out, directPath{p: p, addr: addr})
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.order) - 1; i >= 0; i-- {
		v := p.order[i]
		if s := p.sessions[v]; v != id && s.live() && (only == (ID{}) || v == only) {
			out = append(out, introducerPath{p: p, via: v})
		}
	}
	return out
}

// overPaths runs f on the paths to id (paths) in turn until one succeeds.
// A tampered code or a failed authentication ends the attempt: it reports
// an attack, not a broken path. The error of several failed paths wraps
// ErrNoRoute and each of theirs; op names the attempt.
func (p *Peer) overPaths(ctx context.Context, id, only ID, op string, f func(path) error) error {
	var errs []error
	for _, pa := range p.paths(id, only) {
		err := f(pa)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrTampered) || errors.Is(err, ErrAuth) {
			break
		}
	}
	switch len(errs) {
	case 0:
		return &Error{ID: id, Op: op, Err: ErrNoRoute}
	case 1:
		return errs[0]
	}
	return &Error{ID: id, Op: op, Err: fmt.Errorf("%w: %w", ErrNoRoute, errors.Join(errs...))}
}

// An offer is what an initiator carries: a new connection's (RELAY) or an
// ICE restart's (RESTART, IDENTITY.md §8.2).
type offer struct {
	typ uint64
	// code makes the offer's code, once the path is open.
	code func(ctx context.Context) ([]byte, error)
	// complete applies the answer's code.
	complete func(ctx context.Context, answer []byte) error
}

// initiate is the initiator's half of an exchange with id over pa: open
// the path, make the offer, sign it for id, carry it, check the signed
// answer (its author must be id, and it is accepted once) and complete
// the offer with it. The path is closed when it returns.
func (p *Peer) initiate(ctx context.Context, pa path, id ID, o offer) error {
	ex, err := pa.open(ctx)
	if err != nil {
		return err
	}
	defer ex.close()
	code, err := o.code(ctx)
	if err != nil {
		return err
	}
	sc := p.id.signCode(kindOffer, id, code, time.Now())
	ans, err := ex.carry(ctx, &relay{Type: o.typ, To: id[:], Signed: sc})
	if err != nil {
		return err
	}
	if _, err := p.checkSigned(ans, kindAnswer, signedBy(id)); err != nil {
		return err
	}
	return o.complete(ctx, ans.Code)
}

// dialOver makes a new connection to id over pa (IDENTITY.md §6.2, §7)
// and runs HELLO on it.
func (p *Peer) dialOver(ctx context.Context, id ID, pa path) error {
	ctx, cancel := context.WithTimeout(ctx, 2*p.cfg.HandshakeTimeout)
	defer cancel()
	var c *ref.Conn
	err := p.initiate(ctx, pa, id, offer{
		typ: msgRelay,
		code: func(ctx context.Context) ([]byte, error) {
			var code []byte
			var err error
			if c, code, err = ref.Offer(ctx, p.signalledConfig()); err == nil && !p.track(c) {
				c.Close()
				c, err = nil, ErrClosed
			}
			return code, err
		},
		complete: func(ctx context.Context, answer []byte) error { return c.Complete(ctx, answer) },
	})
	if err != nil {
		if c != nil {
			p.drop(c)
		}
		return p.failed(id, pa.name(), err)
	}
	_, err = p.establish(ctx, c, true, []ID{id}, origin{via: pa.introducer()})
	return err
}

// signalledConfig is the configuration of connections whose codes travel
// over the network: restartable (IDENTITY.md §8.2).
func (p *Peer) signalledConfig() *ref.Config {
	c := p.cfg.Conn
	c.RestartableICE = true
	return &c
}

// respond is the responder's half of every exchange (IDENTITY.md §6.2
// step 3, §7, §8.2): m came over a path from the introducer via (zero for
// a direct stream), and reply sends the one reply back the same way. The
// offer is checked and answered by the acceptor of its type; the answer
// is signed for its author, or a refusal names the author when the code
// does.
func (p *Peer) respond(ctx context.Context, m *relay, via ID, reply func([]byte) error) {
	accept := p.acceptConnection
	if m.Type == msgRestart {
		accept = p.acceptRestart
	}
	author, code, then, err := accept(ctx, &m.Signed, via)
	if err != nil {
		if author != (ID{}) {
			reply(marshal(&refuse{Type: msgRefuse, To: author[:], Nonce: m.Nonce, Reason: refusalCode(err)}))
		}
		if m.Type == msgRelay { // a refused restart is the session's affair
			op := "accept"
			if via != (ID{}) {
				op = "introduction"
			}
			p.emit(Event{Type: Rejected, Peer: author, Err: &Error{ID: author, Op: op, Err: err}})
		}
		return
	}
	ans := p.id.signCode(kindAnswer, author, code, time.Now())
	sent := reply(marshal(&relay{Type: m.Type, To: author[:], Nonce: m.Nonce, Signed: ans})) == nil
	if then != nil {
		then(sent)
	}
}

// acceptConnection is the acceptor of an offer of a new connection
// (RELAY): the author must be remembered, or a stranger whom via may
// introduce (mayAccept); the handshake counts against MaxPeers while it
// runs. Once the answer is sent, the connection runs HELLO expecting the
// author.
func (p *Peer) acceptConnection(ctx context.Context, sc *signedCode, via ID) (ID, []byte, func(sent bool), error) {
	author, err := p.checkSigned(sc, kindOffer, func(author ID) error { return p.mayAccept(author, via) })
	if err != nil {
		return author, nil, nil, err
	}
	release, err := p.reserveJoin(author)
	if err != nil {
		return author, nil, nil, err
	}
	c, code, err := ref.Answer(ctx, p.signalledConfig(), sc.Code)
	if err == nil && !p.track(c) {
		c.Close()
		err = ErrClosed
	}
	if err != nil {
		release()
		return author, nil, nil, err
	}
	return author, code, func(sent bool) {
		defer release()
		if !sent {
			p.drop(c)
			return
		}
		if _, err := p.establish(p.ctx, c, false, []ID{author}, origin{via: via}); err != nil && p.ctx.Err() == nil {
			p.emit(Event{Type: Rejected, Peer: author, Err: err})
		}
	}, nil
}

// failed attributes err, the failure of an exchange with id, to id and
// op, unless it is attributed already: ErrClosed once the Peer is
// closed, else an *Error.
func (p *Peer) failed(id ID, op string, err error) error {
	if p.ctx.Err() != nil {
		return ErrClosed
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	return &Error{ID: id, Op: op, Err: err}
}
