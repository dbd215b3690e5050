package peer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// The direct exchange (IDENTITY.md §7): over a TCP stream to a remembered
// listening address, the dialer sends one frame holding RELAY (hops 0,
// nonce 0) with its signed offer; the listener answers with one frame
// holding RELAY with its signed answer, or REFUSE. A frame is a 2-byte
// big-endian length and the message.

func writeFrame(w io.Writer, msg []byte) error {
	if len(msg) > 0xffff {
		return fmt.Errorf("%w: frame of %d bytes", ErrProtocol, len(msg))
	}
	_, err := w.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...))
	return err
}

// readFrame reads one frame. A stream that ends before the frame's first
// byte returns io.EOF (no class: the caller's, such as ErrNoRoute for the
// dialer); one that ends inside the frame is ErrProtocol (IDENTITY.md §7).
// Other I/O errors are returned as they are.
func readFrame(r io.Reader) ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, frameErr(err)
	}
	b := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, frameErr(err)
	}
	return b, nil
}

func frameErr(err error) error {
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: the stream ends inside a frame", ErrProtocol)
	}
	return err
}

func (p *Peer) acceptLoop() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			select {
			case <-time.After(100 * time.Millisecond):
			case <-p.ctx.Done():
				return
			}
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serveDirect(nc)
		}()
	}
}

// serveDirect answers one direct exchange.
func (p *Peer) serveDirect(nc net.Conn) {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HandshakeTimeout)
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(p.cfg.HandshakeTimeout))
	b, err := readFrame(nc)
	var m relay
	if err == nil {
		if t, e := msgType(b); e != nil || (t != msgRelay && t != msgRestart) {
			err = fmt.Errorf("%w: not RELAY", ErrProtocol)
		} else {
			err = decode(b, &m)
		}
	}
	if err != nil {
		stop()
		cancel()
		nc.Close()
		return
	}
	if m.Type == msgRestart {
		// An ICE restart of the session's connection (IDENTITY.md §11).
		author, ans, err := p.answerRestart(ctx, &m.Signed)
		if err == nil {
			writeFrame(nc, marshal(&relay{Type: msgRestart, To: author[:], Signed: *ans}))
		} else if author != (ID{}) {
			writeFrame(nc, marshal(&refuse{Type: msgRefuse, To: author[:], Reason: refusalCode(err)}))
		}
		stop()
		cancel()
		nc.Close()
		return
	}
	author, ans, c, err := p.acceptSigned(ctx, &m.Signed, false)
	if err != nil {
		if author != (ID{}) {
			writeFrame(nc, marshal(&refuse{Type: msgRefuse, To: author[:], Reason: refusalCode(err)}))
		}
		stop()
		cancel()
		nc.Close()
		p.emit(Event{Type: Rejected, Peer: author, Err: &PeerError{ID: author, Op: "accept", Err: err}})
		return
	}
	err = writeFrame(nc, marshal(&relay{Type: msgRelay, To: author[:], Signed: *ans}))
	stop()
	cancel()
	nc.Close()
	if err != nil {
		c.Close()
		p.untrack(c)
		return
	}
	if _, err := p.establish(p.ctx, c, false, []ID{author}); err != nil && p.ctx.Err() == nil {
		p.emit(Event{Type: Rejected, Peer: author, Err: err})
	}
}

// dialDirect runs the direct exchange with id at addr, then connects.
func (p *Peer) dialDirect(ctx context.Context, id ID, addr string) error {
	wrap := func(err error) error {
		if p.ctx.Err() != nil {
			return ErrClosed
		}
		var pe *PeerError
		if errors.As(err, &pe) {
			return err
		}
		return &PeerError{ID: id, Op: "dial " + addr, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*p.cfg.HandshakeTimeout)
	defer cancel()
	nc, err := p.cfg.Dial(ctx, "tcp", addr)
	if err != nil {
		return wrap(fmt.Errorf("%w: %w", ErrNoRoute, err))
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	defer nc.Close()
	c, code, err := ref.Offer(ctx, p.signalledConfig())
	if err != nil {
		return wrap(err)
	}
	if !p.track(c) {
		c.Close()
		return ErrClosed
	}
	fail := func(err error) error {
		c.Close()
		p.untrack(c)
		return wrap(err)
	}
	sc := p.id.signCode(kindOffer, id, code, time.Now())
	if err := writeFrame(nc, marshal(&relay{Type: msgRelay, To: id[:], Signed: sc})); err != nil {
		return fail(fmt.Errorf("%w: %w", ErrNoRoute, err))
	}
	b, err := readFrame(nc)
	if err != nil {
		if !errors.Is(err, ErrProtocol) {
			err = fmt.Errorf("%w: %w", ErrNoRoute, err)
		}
		return fail(err)
	}
	t, err := msgType(b)
	if err != nil {
		return fail(err)
	}
	switch t {
	case msgRefuse:
		var m refuse
		if err := decode(b, &m); err != nil {
			return fail(err)
		}
		return fail(refusalErr(m.Reason))
	case msgRelay:
	default:
		return fail(fmt.Errorf("%w: unexpected message %d", ErrProtocol, t))
	}
	var m relay
	if err := decode(b, &m); err != nil {
		return fail(err)
	}
	author, err := m.Signed.verify(p.ID(), kindAnswer, time.Now())
	if err != nil {
		return fail(err)
	}
	if author != id {
		return fail(fmt.Errorf("%w: the answer at %s is signed by %s, not %s", ErrAuth, addr, author.Short(), id.Short()))
	}
	if err := c.Complete(ctx, m.Signed.Code); err != nil {
		return fail(err)
	}
	stop()
	nc.Close()
	_, err = p.establish(ctx, c, true, []ID{id})
	return err
}
