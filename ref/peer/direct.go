package peer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
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
		if !p.goWork(hostSource(nc.RemoteAddr()), func() { p.serveDirect(nc) }) {
			nc.Close() // this host, or all, already hold their streams
		}
	}
}

// hostSource names the host at the other end of a direct stream, the
// source of its work (guard.go).
func hostSource(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return "host " + t.IP.String()
	}
	return "host " + a.String()
}

// serveDirect answers one direct exchange.
func (p *Peer) serveDirect(nc net.Conn) {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.HandshakeTimeout)
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	end := sync.OnceFunc(func() { stop(); cancel(); nc.Close() })
	defer end()
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
		return
	}
	// One reply, then the stream closes (IDENTITY.md §7).
	reply := func(msg []byte) error {
		defer end()
		return writeFrame(nc, msg)
	}
	if m.Type == msgRestart {
		// An ICE restart of the session's connection (IDENTITY.md §11).
		p.answerRestart(ctx, &m.Signed, 0, reply)
		return
	}
	p.answerOffer(ctx, &m.Signed, ID{}, 0, reply)
}

// dialDirect runs the direct exchange with id at addr, then connects.
func (p *Peer) dialDirect(ctx context.Context, id ID, addr string) error {
	wrap := func(err error) error {
		if p.ctx.Err() != nil {
			return ErrClosed
		}
		var pe *Error
		if errors.As(err, &pe) {
			return err
		}
		return &Error{ID: id, Op: "dial " + addr, Err: err}
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
	if _, err := p.checkSigned(&m.Signed, kindAnswer, signedBy(id)); err != nil {
		return fail(err)
	}
	if err := c.Complete(ctx, m.Signed.Code); err != nil {
		return fail(err)
	}
	stop()
	nc.Close()
	_, err = p.establish(ctx, c, true, []ID{id}, origin{})
	return err
}
