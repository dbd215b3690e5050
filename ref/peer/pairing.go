package peer

import (
	"context"
	"fmt"
	"sync"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// Pairing is a connection made by a manual code exchange: a first-contact
// pairing (Offer, Answer) or a reconnect code for a remembered peer
// (ReconnectOffer). Its connection joins a session once the identity
// handshake succeeds (Wait).
type Pairing struct {
	p       *Peer
	c       *ref.Conn
	code    []byte
	offerer bool
	expect  []ID     // the IDs HELLO may authenticate (any when empty)
	fp      [32]byte // the expected peer's remembered fingerprint

	once sync.Once
	done chan struct{}
	id   ID
	err  error
}

// Code returns this side's code (binary; format it with
// codec.FormatText).
func (pr *Pairing) Code() []byte { return pr.code }

// Offer starts a first-contact pairing and returns it with its offer's
// code, which is an ordinary code of SPEC.md (the identity costs it no
// byte).
func (p *Peer) Offer(ctx context.Context) (*Pairing, error) {
	c, code, err := ref.Offer(ctx, p.connConfig())
	if err != nil {
		return nil, err
	}
	if !p.track(c) {
		c.Close()
		return nil, ErrClosed
	}
	return &Pairing{p: p, c: c, code: code, offerer: true, done: make(chan struct{})}, nil
}

// ReconnectOffer starts a pairing with the remembered peer id with a
// reconnect code (IDENTITY.md §4): the offer's code without the
// certificate digest, which id remembers, and with ext key −1. When the
// code cannot take that form (a certificate renewed since id saw it), the
// code is a full one. The answer (either form) must come from id.
func (p *Peer) ReconnectOffer(ctx context.Context, id ID) (*Pairing, error) {
	r, ok := p.st.Get(id)
	if !ok {
		return nil, &Error{ID: id, Op: "reconnect offer", Err: ErrUnknownPeer}
	}
	pr, err := p.Offer(ctx)
	if err != nil {
		return nil, err
	}
	pr.expect, pr.fp = []ID{id}, r.Fingerprint
	pr.code = p.reconnectForm(pr.code, pr.expect)
	return pr, nil
}

// Answer answers an offer's code (first-contact or reconnect) and returns
// the pairing with the answer's code. A reconnect code from a peer that is
// not remembered is ErrUnknownPeer; a code that does not decode returns
// the codec's error class.
func (p *Peer) Answer(ctx context.Context, offerCode []byte) (*Pairing, error) {
	pr := &Pairing{p: p, done: make(chan struct{})}
	hint, ok := reconnectHint(offerCode)
	if !ok && claimsKnownPeer(offerCode) {
		return nil, fmt.Errorf("%w: not a canonical reconnect code (IDENTITY.md §4)", codec.ErrMalformed)
	}
	var c *ref.Conn
	var code []byte
	var err error
	if ok {
		c, code, pr.fp, pr.expect, err = p.answerReconnect(ctx, offerCode, hint)
	} else {
		c, code, err = ref.Answer(ctx, p.connConfig(), offerCode)
	}
	if err != nil {
		return nil, err
	}
	if !p.track(c) {
		c.Close()
		return nil, ErrClosed
	}
	pr.c, pr.code = c, code
	if len(pr.expect) > 0 {
		pr.code = p.reconnectForm(code, pr.expect)
	}
	pr.start()
	return pr, nil
}

// Complete applies the answer's code to an offering pairing; the
// connection then proceeds in the background (Wait). Errors are those of
// ref.Conn.Complete, plus ErrUnknownPeer for a reconnect answer to a
// first-contact offer.
func (pr *Pairing) Complete(ctx context.Context, answerCode []byte) error {
	if !pr.offerer {
		return fmt.Errorf("%w: Complete on an answering pairing", ref.ErrState)
	}
	full := answerCode
	_, ok := reconnectHint(answerCode)
	if !ok && claimsKnownPeer(answerCode) {
		return fmt.Errorf("%w: not a canonical reconnect code (IDENTITY.md §4)", codec.ErrMalformed)
	}
	if ok {
		if len(pr.expect) == 0 {
			return &Error{Op: "complete", Err: fmt.Errorf("%w: a reconnect answer to a first-contact offer", ErrUnknownPeer)}
		}
		if full = fromParts(answerCode, pr.fp); full == nil {
			return fmt.Errorf("%w: bad reconnect code", codec.ErrMalformed)
		}
	}
	if err := pr.c.Complete(ctx, full); err != nil {
		return err
	}
	pr.start()
	return nil
}

func (pr *Pairing) start() {
	pr.once.Do(func() {
		p := pr.p
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer close(pr.done)
			pr.id, pr.err = p.establish(p.ctx, pr.c, pr.offerer, pr.expect, origin{byCode: true})
			if pr.err != nil && p.ctx.Err() == nil {
				p.emit(Event{Type: Rejected, Peer: pr.id, Err: pr.err})
			}
		}()
	})
}

// Wait blocks until the pairing's connection is authenticated and in a
// session, and returns the remote ID; or the error (ErrAuth for a failed
// identity handshake, a ref error for a failed connection), or ctx's.
// Call it after Complete (offerer) or Answer (answerer).
func (pr *Pairing) Wait(ctx context.Context) (ID, error) {
	select {
	case <-pr.done:
		return pr.id, pr.err
	case <-ctx.Done():
		return ID{}, ctx.Err()
	}
}

// Close abandons a pairing that has not completed. It is harmless after
// it completed.
func (pr *Pairing) Close() {
	select {
	case <-pr.done:
		return
	default:
	}
	pr.p.mu.Lock()
	tracked := pr.p.stray[pr.c]
	pr.p.mu.Unlock()
	if tracked {
		pr.p.drop(pr.c)
	}
}
