package ref

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pion/datachannel"
	"github.com/pion/sctp"
	"github.com/pion/webrtc/v4"
)

// Frame types (FRAMING.md).
const (
	frameData  = 0x00 // last (or only) fragment of a message
	frameMore  = 0x01 // a fragment; more of the same message follow
	frameEOS   = 0x02 // end of stream in the sender's direction
	frameClose = 0x03 // the sender closes the whole connection (default channel)

	frameIgnorable = 0x40 // types from here on are ignored when unknown

	inQueue   = 64      // frames received and not yet read
	highWater = 1 << 20 // Write blocks while more than this is unacknowledged
	lowWater  = 512 << 10
)

// ChannelOptions are the options of a channel created by OpenChannel. The
// zero value is ordered and reliable, like the default channel.
type ChannelOptions struct {
	// Unordered delivers messages as they arrive.
	Unordered bool
	// MaxRetransmits limits retransmissions (partial reliability, RFC 8831).
	MaxRetransmits *uint16
	// MaxPacketLifeTime limits retransmissions in milliseconds.
	MaxPacketLifeTime *uint16
	// Protocol is the sub-protocol name announced with the channel.
	Protocol string
}

type frame struct {
	typ  byte
	data []byte
}

// Channel is one data channel, usable as messages (Send, Receive) and as a
// byte stream (Read, Write: an io.ReadWriteCloser with backpressure and
// deadlines). Use one view per direction: Read and Receive on the same
// channel interleave unpredictably. Messages larger than the peer's
// max-message-size are fragmented (FRAMING.md); each direction ends
// separately with CloseWrite, after which the peer's Read and Receive
// return io.EOF.
//
// Send, Write and CloseWrite are safe to call concurrently with each other,
// as are Receive and Read; a message is never interleaved with another.
type Channel struct {
	c         *Conn
	dc        *webrtc.DataChannel
	isDefault bool
	reliable  bool

	openCh     chan struct{}
	rwc        datachannel.ReadWriteCloser
	frameLimit int // largest frame we send, header included

	in         chan frame
	readerDone chan struct{}
	readerOnce sync.Once
	startMu    sync.Mutex
	started    bool
	abandoned  bool
	readErr    error // set before readerDone closes

	closed    chan struct{}
	closeOnce sync.Once
	lowSig    chan struct{}

	wmu  sync.Mutex
	wEOS bool
	wErr error
	wbuf []byte
	rmu  sync.Mutex
	cur  []byte
	rEOS bool
	rdl  deadline
	wdl  deadline
}

func (c *Conn) newChannel(dc *webrtc.DataChannel, isDefault bool) *Channel {
	ch := &Channel{
		c: c, dc: dc, isDefault: isDefault,
		reliable:   dc.Ordered() && dc.MaxRetransmits() == nil && dc.MaxPacketLifeTime() == nil,
		openCh:     make(chan struct{}),
		in:         make(chan frame, inQueue),
		readerDone: make(chan struct{}),
		closed:     make(chan struct{}),
		lowSig:     make(chan struct{}, 1),
		rdl:        makeDeadline(),
		wdl:        makeDeadline(),
	}
	dc.SetBufferedAmountLowThreshold(lowWater)
	dc.OnBufferedAmountLow(func() {
		select {
		case ch.lowSig <- struct{}{}:
		default:
		}
	})
	dc.OnOpen(func() {
		rwc, err := dc.Detach()
		if err != nil {
			c.fail("open channel", err)
			return
		}
		ch.rwc = rwc
		ch.frameLimit = maxFrame
		if sctp := c.pc.SCTP(); sctp != nil {
			if m := int(sctp.GetCapabilities().MaxMessageSize); m > 1 && m < ch.frameLimit {
				ch.frameLimit = m
			}
		}
		ch.startMu.Lock()
		if ch.abandoned {
			ch.startMu.Unlock()
			return
		}
		ch.started = true
		ch.startMu.Unlock()
		close(ch.openCh)
		go ch.readLoop()
		if isDefault {
			c.markOpen()
		}
	})
	c.mu.Lock()
	c.channels = append(c.channels, ch)
	failed := c.err != nil
	c.mu.Unlock()
	if failed {
		ch.abandon()
	}
	return ch
}

// abandon ends the reader side of a channel whose connection ended: if the
// reader goroutine never started, readers must not wait for it.
func (ch *Channel) abandon() {
	ch.startMu.Lock()
	ch.abandoned = true
	started := ch.started
	ch.startMu.Unlock()
	if !started {
		ch.readerOnce.Do(func() { close(ch.readerDone) })
	}
}

func (ch *Channel) waitReader(d time.Duration) {
	ch.closeLocal()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch.readerDone:
	case <-t.C:
	}
}

func (ch *Channel) closeLocal() {
	ch.closeOnce.Do(func() { close(ch.closed) })
}

func (ch *Channel) readLoop() {
	defer ch.readerOnce.Do(func() { close(ch.readerDone) })
	buf := make([]byte, localMaxMessageSize)
	eos := false
	for {
		n, isString, err := ch.rwc.ReadDataChannel(buf)
		if errors.Is(err, io.ErrShortBuffer) {
			ch.protocolError(fmt.Sprintf("a frame over the advertised max-message-size (%d)", localMaxMessageSize))
			return
		}
		if err != nil {
			ch.readErr = err
			return
		}
		if isString || n == 0 {
			ch.protocolError("a text or empty message")
			return
		}
		switch t := buf[0]; {
		case eos && t != frameClose:
			// FRAMING.md §2: any frame but CLOSE, ignorable types
			// included, after the EOS of the same channel.
			ch.protocolError(fmt.Sprintf("a frame (type 0x%02x) after end-of-stream", t))
			return
		case t == frameData || t == frameMore:
			data := make([]byte, n-1)
			copy(data, buf[1:n])
			if !ch.push(frame{typ: t, data: data}) {
				return
			}
		case t == frameEOS:
			eos = true
			if !ch.push(frame{typ: t}) {
				return
			}
		case t == frameKeepalive:
			ch.c.keepalivesRecv.Add(1)
		case t == frameClose:
			if ch.isDefault {
				ch.c.fail("connection", ErrPeerClosed)
			}
		case t < frameIgnorable:
			ch.protocolError(fmt.Sprintf("unknown frame type 0x%02x", t))
			return
		}
	}
}

func (ch *Channel) protocolError(what string) {
	err := fmt.Errorf("%w: %s on channel %q", ErrProtocol, what, ch.dc.Label())
	ch.readErr = err
	ch.c.fail("receive", err)
}

func (ch *Channel) push(f frame) bool {
	select {
	case ch.in <- f:
		return true
	case <-ch.closed:
		return false
	}
}

// next returns the next received frame. Frames that arrived are always
// delivered before any end condition of the connection.
func (ch *Channel) next(ctx context.Context) (frame, error) {
	select {
	case f := <-ch.in:
		return f, nil
	default:
	}
	select {
	case f := <-ch.in:
		return f, nil
	case <-ch.readerDone:
		select {
		case f := <-ch.in:
			return f, nil
		default:
		}
		return frame{}, ch.endErr()
	case <-ch.closed:
		return frame{}, ch.c.wrap("receive", ErrClosed)
	case <-ctx.Done():
		return frame{}, ctx.Err()
	case <-ch.rdl.wait():
		return frame{}, ErrDeadline
	}
}

func (ch *Channel) endErr() error {
	if err := ch.c.Err(); err != nil {
		return err
	}
	if ch.readErr != nil && !errors.Is(ch.readErr, io.EOF) && !peerEnded(ch.readErr) {
		return ch.c.wrap("receive", ch.readErr)
	}
	return ch.c.wrap("receive", fmt.Errorf("%w: channel %q ended without end-of-stream", ErrPeerClosed, ch.dc.Label()))
}

// peerEnded reports whether a read error is the peer ending the SCTP
// association on purpose, not a lost path: an ABORT it sent (a browser's
// RTCPeerConnection.close() sends one), or its reset of the stream that
// arrived as the association ended (pion fails its reply to the reset).
// Both are a close without CLOSE (FRAMING.md §5), as the channel's close
// event is for a browser: a tab that closes often sends its CLOSE too
// late or not at all.
func peerEnded(err error) bool {
	return errors.Is(err, sctp.ErrChunk) || errors.Is(err, sctp.ErrResetPacketInStateNotExist)
}

// Label returns the channel's label.
func (ch *Channel) Label() string { return ch.dc.Label() }

// DataChannel returns the underlying pion data channel (detached: use the
// Channel's methods to send and receive).
func (ch *Channel) DataChannel() *webrtc.DataChannel { return ch.dc }

// Receive returns the next whole message. It returns io.EOF once the peer
// ended its direction (CloseWrite), the connection's error once it ended,
// ErrMessageTooLarge for a message over Config.MaxMessageSize (discarded),
// or ctx's error.
func (ch *Channel) Receive(ctx context.Context) ([]byte, error) {
	ch.rmu.Lock()
	defer ch.rmu.Unlock()
	if ch.rEOS {
		return nil, io.EOF
	}
	var msg []byte
	tooLarge := false
	if len(ch.cur) > 0 { // left by Read: the rest of a frame
		msg = append(msg, ch.cur...)
		ch.cur = nil
	}
	for {
		f, err := ch.next(ctx)
		if err != nil {
			if msg != nil {
				ch.cur = msg // keep the partial message for the next call
			}
			return nil, err
		}
		if f.typ == frameEOS {
			ch.rEOS = true
			return nil, io.EOF
		}
		if !tooLarge && len(msg)+len(f.data) > ch.c.s.MaxMessageSize {
			tooLarge, msg = true, nil
		}
		if !tooLarge {
			msg = append(msg, f.data...)
		}
		if f.typ == frameData {
			if tooLarge {
				return nil, ch.c.wrap("receive", ErrMessageTooLarge)
			}
			if msg == nil {
				msg = []byte{}
			}
			return msg, nil
		}
	}
}

// Read reads bytes of the stream: the payloads of the peer's messages,
// concatenated. It returns io.EOF after the peer's end-of-stream, and
// ErrDeadline after the read deadline.
func (ch *Channel) Read(p []byte) (int, error) {
	ch.rmu.Lock()
	defer ch.rmu.Unlock()
	for len(ch.cur) == 0 {
		if ch.rEOS {
			return 0, io.EOF
		}
		if len(p) == 0 {
			return 0, nil
		}
		f, err := ch.next(context.Background())
		if err != nil {
			return 0, err
		}
		if f.typ == frameEOS {
			ch.rEOS = true
			return 0, io.EOF
		}
		ch.cur = f.data
	}
	n := copy(p, ch.cur)
	ch.cur = ch.cur[n:]
	return n, nil
}

// Send sends p as one message, fragmented to the peer's max-message-size.
// It blocks while the send buffer is full, until ctx is done or the write
// deadline passes. On a channel that is not ordered and reliable, p must
// fit one frame (ErrMessageTooLarge otherwise).
func (ch *Channel) Send(ctx context.Context, p []byte) error {
	return ch.send(ctx, p)
}

// Write sends p as a message (see Send) and returns len(p) or an error; it
// honours the write deadline.
func (ch *Channel) Write(p []byte) (int, error) {
	if err := ch.send(context.Background(), p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (ch *Channel) waitOpen(ctx context.Context, dl <-chan struct{}) error {
	select {
	case <-ch.openCh:
		return nil
	default:
	}
	select {
	case <-ch.openCh:
		return nil
	case <-ch.c.done:
		return ch.c.Err()
	case <-ch.closed:
		return ch.c.wrap("send", ErrClosed)
	case <-ctx.Done():
		return ctx.Err()
	case <-dl:
		return ErrDeadline
	}
}

func (ch *Channel) send(ctx context.Context, p []byte) error {
	dl := ch.wdl.wait()
	if err := ch.waitOpen(ctx, dl); err != nil {
		return err
	}
	ch.wmu.Lock()
	defer ch.wmu.Unlock()
	if ch.wEOS {
		return ch.c.wrap("send", ErrWriteClosed)
	}
	if ch.wErr != nil {
		return ch.wErr
	}
	room := ch.frameLimit - 1
	if !ch.reliable && len(p) > room {
		return ch.c.wrap("send", ErrMessageTooLarge)
	}
	if ch.wbuf == nil {
		ch.wbuf = make([]byte, ch.frameLimit)
	}
	first := true
	for first || len(p) > 0 {
		n := min(len(p), room)
		typ := byte(frameMore)
		if n == len(p) {
			typ = frameData
		}
		if err := ch.waitBuffer(ctx, dl); err != nil {
			if !first {
				// Half a message went out: the rest of the direction would
				// be garbled, so it is closed.
				ch.wErr = ch.c.wrap("send", fmt.Errorf("%w: a message was cut by %v", ErrWriteClosed, err))
			}
			return err
		}
		ch.wbuf[0] = typ
		copy(ch.wbuf[1:], p[:n])
		if _, err := ch.rwc.WriteDataChannel(ch.wbuf[:1+n], false); err != nil {
			if cerr := ch.c.Err(); cerr != nil {
				return cerr
			}
			return ch.c.wrap("send", err)
		}
		ch.c.noteSent()
		p = p[n:]
		first = false
	}
	return nil
}

func (ch *Channel) waitBuffer(ctx context.Context, dl <-chan struct{}) error {
	for ch.dc.BufferedAmount() > highWater {
		select {
		case <-ch.lowSig:
		case <-ch.c.done:
			return ch.c.Err()
		case <-ch.closed:
			return ch.c.wrap("send", ErrClosed)
		case <-ctx.Done():
			return ctx.Err()
		case <-dl:
			return ErrDeadline
		}
	}
	return nil
}

// CloseWrite ends this side's direction with the in-band end-of-stream
// frame: the peer's Read and Receive return io.EOF after the data sent
// before it. Later writes fail with ErrWriteClosed. It is idempotent.
func (ch *Channel) CloseWrite() error {
	if err := ch.waitOpen(context.Background(), ch.wdl.wait()); err != nil {
		return err
	}
	ch.wmu.Lock()
	defer ch.wmu.Unlock()
	if ch.wEOS {
		return nil
	}
	ch.wEOS = true
	if _, err := ch.rwc.WriteDataChannel([]byte{frameEOS}, false); err != nil {
		return ch.c.wrap("close write", err)
	}
	ch.c.noteSent()
	return nil
}

// Flush waits until everything sent on the channel has been acknowledged
// by the peer's SCTP stack, or ctx is done.
func (ch *Channel) Flush(ctx context.Context) error {
	select {
	case <-ch.openCh:
	default:
		return nil
	}
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for ch.dc.BufferedAmount() > 0 {
		select {
		case <-t.C:
		case <-ch.c.pcClosed:
			return ch.c.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close ends this side's direction (CloseWrite) and stops reading; later
// calls return ErrClosed. On a channel other than the default one it also
// closes the data channel itself (an SCTP stream reset). It does not close
// the connection.
func (ch *Channel) Close() error {
	ch.closeLocal() // first: a Write blocked on a full buffer returns
	select {
	case <-ch.openCh:
		ch.CloseWrite()
	default:
	}
	if !ch.isDefault {
		return ch.dc.Close()
	}
	return nil
}

// sendClose sends the CLOSE frame on the default channel, best effort, and
// waits briefly (30 ms at most) until it is acknowledged.
func (ch *Channel) sendClose() {
	select {
	case <-ch.openCh:
	default:
		return
	}
	// Under wmu: no KEEPALIVE follows the CLOSE (a Send waiting for
	// buffer space has returned: the connection's done is closed).
	ch.wmu.Lock()
	_, err := ch.rwc.WriteDataChannel([]byte{frameClose}, false)
	ch.wmu.Unlock()
	if err != nil {
		return
	}
	// Give the frame a moment to leave (an acknowledgement may be delayed
	// by up to 200 ms by the peer's SCTP; the DTLS close_notify that
	// follows is the other signal the peer gets).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	ch.Flush(ctx)
}

// SetDeadline sets the read and write deadlines (net.Conn semantics: a zero
// time means none; a past deadline makes blocked calls return ErrDeadline).
func (ch *Channel) SetDeadline(t time.Time) error {
	ch.rdl.set(t)
	ch.wdl.set(t)
	return nil
}

// SetReadDeadline sets the deadline of Read and Receive.
func (ch *Channel) SetReadDeadline(t time.Time) error { ch.rdl.set(t); return nil }

// SetWriteDeadline sets the deadline of Write, Send and CloseWrite.
func (ch *Channel) SetWriteDeadline(t time.Time) error { ch.wdl.set(t); return nil }
