package peer

import (
	"context"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// answerOffer is the responder of an introduction (IDENTITY.md §6.2: via
// is the introducer, nonce the relay's) and of a direct reconnection (§7:
// via zero, nonce 0): it checks the signed offer (checkSigned with
// mayAccept), counts the handshake against MaxPeers, answers, replies
// with RELAY holding the signed answer (or REFUSE), and runs HELLO
// expecting the author.
func (p *Peer) answerOffer(ctx context.Context, sc *signedCode, via ID, nonce uint64, reply func([]byte) error) {
	op := "accept"
	if via != (ID{}) {
		op = "introduction"
	}
	author, ans, c, release, err := p.acceptSigned(ctx, sc, via)
	if err != nil {
		if author != (ID{}) {
			reply(marshal(&refuse{Type: msgRefuse, To: author[:], Nonce: nonce, Reason: refusalCode(err)}))
		}
		p.emit(Event{Type: Rejected, Peer: author, Err: &Error{ID: author, Op: op, Err: err}})
		return
	}
	defer release()
	if err := reply(marshal(&relay{Type: msgRelay, To: author[:], Nonce: nonce, Signed: *ans})); err != nil {
		c.Close()
		p.untrack(c)
		return
	}
	if _, err := p.establish(p.ctx, c, false, []ID{author}, origin{via: via}); err != nil && p.ctx.Err() == nil {
		p.emit(Event{Type: Rejected, Peer: author, Err: err})
	}
}

// acceptSigned checks a signed offer addressed to us and answers it. It
// returns the author, our signed answer, the connection (tracked) and the
// release of its place among the handshakes counted against MaxPeers.
func (p *Peer) acceptSigned(ctx context.Context, sc *signedCode, via ID) (ID, *signedCode, *ref.Conn, func(), error) {
	author, err := p.checkSigned(sc, kindOffer, func(author ID) error { return p.mayAccept(author, via) })
	if err != nil {
		return author, nil, nil, nil, err
	}
	release, err := p.reserveJoin(author)
	if err != nil {
		return author, nil, nil, nil, err
	}
	c, code, err := ref.Answer(ctx, p.signalledConfig(), sc.Code)
	if err != nil {
		release()
		return author, nil, nil, nil, err
	}
	if !p.track(c) {
		release()
		c.Close()
		return author, nil, nil, nil, ErrClosed
	}
	ans := p.id.signCode(kindAnswer, author, code, time.Now())
	return author, &ans, c, release, nil
}
