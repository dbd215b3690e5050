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
)

// The direct exchange (IDENTITY.md §7): over a TCP stream to a remembered
// listening address, the dialer sends one frame holding RELAY (hops 0,
// nonce 0; RESTART for an ICE restart, §8.2) with its signed offer; the
// listener answers with one frame holding the same type with its signed
// answer, or REFUSE. A frame is a 2-byte big-endian length and the
// message. directPath is the dialer's side (a path of exchange.go),
// serveDirect the listener's.

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
	p.respond(ctx, &m, ID{}, func(msg []byte) error {
		defer end()
		return writeFrame(nc, msg)
	})
}

// directPath is the direct exchange with a peer at addr (IDENTITY.md §7).
type directPath struct {
	p    *Peer
	addr string
}

func (d directPath) name() string   { return "dial " + d.addr }
func (d directPath) introducer() ID { return ID{} }

// open dials the stream; a failure is ErrNoRoute.
func (d directPath) open(ctx context.Context) (carrier, error) {
	nc, err := d.p.cfg.Dial(ctx, "tcp", d.addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRoute, err)
	}
	return &directStream{nc: nc, stop: context.AfterFunc(ctx, func() { nc.Close() })}, nil
}

// directStream is an open direct path: a stream that carries one frame
// each way.
type directStream struct {
	nc   net.Conn
	stop func() bool
}

// carry sends m in one frame and reads the reply's frame. A stream that
// breaks or ends before the reply is ErrNoRoute; one that ends inside a
// frame ErrProtocol.
func (d *directStream) carry(_ context.Context, m *relay) (*signedCode, error) {
	if err := writeFrame(d.nc, marshal(m)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRoute, err)
	}
	b, err := readFrame(d.nc)
	if err != nil {
		if !errors.Is(err, ErrProtocol) {
			err = fmt.Errorf("%w: %w", ErrNoRoute, err)
		}
		return nil, err
	}
	return parseReply(b, m.Type)
}

func (d *directStream) close() {
	d.stop()
	d.nc.Close()
}

// parseReply reads the reply to an offer of type typ (RELAY or RESTART):
// a message of the same type holding the signed answer, or REFUSE.
func parseReply(b []byte, typ uint64) (*signedCode, error) {
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
	case typ:
		var m relay
		if err := decode(b, &m); err != nil {
			return nil, err
		}
		return &m.Signed, nil
	}
	return nil, fmt.Errorf("%w: unexpected message %d", ErrProtocol, t)
}
