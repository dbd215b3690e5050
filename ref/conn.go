package ref

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
)

// DefaultLabel is the label of the default channel: a negotiated data
// channel with id 0, ordered and reliable (FRAMING.md).
const DefaultLabel = "peer"

// DefaultChannelID is the SCTP stream id of the default channel.
const DefaultChannelID = 0

const (
	roleOfferer = iota
	roleAnswerer
)

// Conn is one WebRTC peer connection between two peers that exchanged
// codes. Create it with Offer (then Complete) or with Answer. All methods
// are safe for concurrent use.
type Conn struct {
	s         *settings
	id        string
	pc        *webrtc.PeerConnection
	role      int
	offerCode []byte // the offer's code (ours or the peer's)
	localCode []byte

	mu           sync.Mutex
	completed    bool
	iceConnected bool
	isOpen       bool
	err          error
	timer        *time.Timer  // offer expiry or connect deadline
	deadTimer    *time.Timer  // dead-peer deadline while ICE is disconnected
	kaTimer      *time.Timer  // keepalive (keepalive.go)
	lastSent     atomic.Int64 // UnixNano of the last frame sent
	// keepalivesSent and keepalivesRecv count KEEPALIVE frames (tests).
	keepalivesSent, keepalivesRecv atomic.Int64
	channels                       []*Channel
	senders                        []*webrtc.RTPSender // of Config.Tracks

	// ICE restart (Config.RestartableICE).
	rmu          sync.Mutex    // serialises restart operations
	restartOffer []byte        // our pending restart offer's code
	restarting   bool          // a restart is pending
	restarts     int           // restarts completed
	restartTimer *time.Timer   // restart deadline, or the hold after the dead-peer deadline
	restartDone  chan struct{} // closed when the pending restart connects
	unreachable  chan struct{} // closed at the dead-peer deadline
	reachable    chan struct{} // closed while unreachable is not
	unreachClose bool

	done   chan struct{}
	opened chan struct{}
	// connected is closed when ICE and DTLS are first up: media flows
	// from then, a little before the default channel opens.
	connected     chan struct{}
	connectedOnce sync.Once
	accept        chan *Channel
	tracks        chan RemoteTrack
	def           *Channel
	pcOnce        sync.Once
	pcClosed      chan struct{}
}

// Offer creates the offering side of a connection and returns it with its
// code. Gathering is non-trickle and bounded by Config.GatherTimeout (or
// ctx). The offer stays usable for Config.OfferTimeout: pass the answer's
// code to Complete before then. The connection must be closed with Close.
func Offer(ctx context.Context, cfg *Config) (*Conn, []byte, error) {
	c, err := newConn(cfg, roleOfferer, false)
	if err != nil {
		return nil, nil, err
	}
	code, err := c.offer(ctx)
	if err != nil {
		c.Close()
		return nil, nil, c.wrap("offer", err)
	}
	return c, code, nil
}

// Answer creates the answering side of a connection from the offer's code,
// however it arrived, and returns it with the answer's code, which is bound
// to the offer. ICE checks start at once; the offerer has
// Config.AnswerTimeout to apply the answer. A code that does not decode
// returns the codec's error class (codec.ErrForeign, codec.ErrMalformed,
// ...); an answer's code returns ErrCode.
func Answer(ctx context.Context, cfg *Config, offerCode []byte) (*Conn, []byte, error) {
	d, err := decodeAs(offerCode, codec.Offer, nil)
	if err != nil {
		return nil, nil, err
	}
	c, err := newConn(cfg, roleAnswerer, hasMedia(d.SDP))
	if err != nil {
		return nil, nil, err
	}
	code, err := c.answer(ctx, d.SDP, offerCode)
	if err != nil {
		c.Close()
		return nil, nil, c.wrap("answer", err)
	}
	return c, code, nil
}

// decodeAs decodes a code that must be of type want: an offer's code
// (offer nil), or an answer's code bound to offer. A code of the other
// type returns ErrCode.
func decodeAs(code []byte, want codec.Type, offer []byte) (codec.Description, error) {
	var opts *codec.DecOptions
	if offer != nil {
		opts = &codec.DecOptions{Offer: offer}
	}
	d, err := codec.Decode(code, opts)
	if err == nil && d.Type != want {
		err = fmt.Errorf("%w: an %v's code where an %v's was expected", ErrCode, d.Type, want)
	}
	return d, err
}

func newConn(cfg *Config, role int, remoteMedia bool) (*Conn, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	ufrag, pwd := iceCredentials()
	connID := ufrag
	if s.RestartableICE {
		ufrag, pwd = "", "" // pion's own, which a restart replaces
	}
	api, err := s.api(ufrag, pwd, remoteMedia || len(s.Tracks) > 0 || (role == roleOfferer && len(s.Receive) > 0))
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(s.rtcConfig())
	if err != nil {
		return nil, fmt.Errorf("ref: %w", err)
	}
	c := &Conn{
		s: s, id: connID, pc: pc, role: role,
		done:        make(chan struct{}),
		opened:      make(chan struct{}),
		connected:   make(chan struct{}),
		accept:      make(chan *Channel, 16),
		tracks:      make(chan RemoteTrack, maxWaitingTracks),
		pcClosed:    make(chan struct{}),
		unreachable: make(chan struct{}),
		reachable:   closedChan(),
	}
	negotiated, id := true, uint16(DefaultChannelID)
	dc, err := pc.CreateDataChannel(DefaultLabel, &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("ref: %w", err)
	}
	c.def = c.newChannel(dc, true)
	pc.OnICEConnectionStateChange(c.onICEState)
	pc.OnConnectionStateChange(c.onState)
	if sctp := pc.SCTP(); sctp != nil && sctp.Transport() != nil {
		sctp.Transport().OnStateChange(func(st webrtc.DTLSTransportState) {
			if st == webrtc.DTLSTransportStateFailed {
				c.fail("connect", ErrDTLS)
			}
		})
	}
	pc.OnTrack(c.onTrack)
	if role == roleOfferer {
		if err := c.addMedia(); err != nil {
			pc.Close()
			return nil, err
		}
	}
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		ch := c.newChannel(dc, false)
		go func() {
			select {
			case <-ch.openCh:
				select {
				case c.accept <- ch:
				default:
					ch.Close()
				}
			case <-c.done:
			}
		}()
	})
	return c, nil
}

func (c *Conn) offer(ctx context.Context) ([]byte, error) {
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	sdp, err := c.setLocal(ctx, offer)
	if err != nil {
		return nil, err
	}
	code, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: sdp}, nil, &codec.EncOptions{Policy: c.s.Policy})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.offerCode, c.localCode = code, code
	if c.err == nil {
		c.timer = time.AfterFunc(c.s.OfferTimeout, func() {
			c.fail("offer", fmt.Errorf("%w (after %v)", ErrOfferExpired, c.s.OfferTimeout))
		})
	}
	c.mu.Unlock()
	return code, nil
}

func (c *Conn) answer(ctx context.Context, offerSDP string, offerCode []byte) ([]byte, error) {
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}); err != nil {
		return nil, fmt.Errorf("%w: %w", codec.ErrInvalidSDP, err)
	}
	c.mu.Lock()
	c.timer = time.AfterFunc(c.s.AnswerTimeout, func() {
		c.fail("connect", fmt.Errorf("%w within %v: the offerer did not apply the answer in time, or no candidate pair works", ErrConnect, c.s.AnswerTimeout))
	})
	c.completed = true
	c.mu.Unlock()
	if err := c.addMedia(); err != nil {
		return nil, err
	}
	answer, err := c.pc.CreateAnswer(nil)
	if err != nil {
		return nil, err
	}
	sdp, err := c.setLocal(ctx, answer)
	if err != nil {
		return nil, err
	}
	if err := c.checkTracksPlaced(); err != nil {
		return nil, err
	}
	code, err := codec.Encode(codec.Description{Type: codec.Answer, SDP: sdp}, offerCode, &codec.EncOptions{Policy: c.s.Policy})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.offerCode, c.localCode = offerCode, code
	c.mu.Unlock()
	return code, nil
}

// setLocal applies a local description and waits, bounded, for gathering.
func (c *Conn) setLocal(ctx context.Context, d webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(d); err != nil {
		return "", err
	}
	t := time.NewTimer(c.s.GatherTimeout)
	defer t.Stop()
	select {
	case <-gathered:
	case <-t.C:
	case <-ctx.Done():
		return "", ctx.Err()
	case <-c.done:
		return "", c.Err()
	}
	ld := c.pc.LocalDescription()
	if ld == nil {
		return "", errors.New("ref: no local description")
	}
	return ld.SDP, nil
}

// Complete applies the answer's code to an offerer's connection; ICE checks
// start then. It does not wait for the connection: use WaitOpen. An answer
// bound to another offer returns codec.ErrBinding; other codes that do not
// decode return the codec's error class; an offer's code returns ErrCode.
// After an error the connection stays usable for the right answer.
func (c *Conn) Complete(ctx context.Context, answerCode []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.role != roleOfferer || c.completed {
		c.mu.Unlock()
		return c.wrap("complete", ErrState)
	}
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return err
	}
	offerCode := c.offerCode
	c.mu.Unlock()
	d, err := decodeAs(answerCode, codec.Answer, offerCode)
	if err != nil {
		return c.wrap("complete", err)
	}
	c.mu.Lock()
	if c.completed {
		c.mu.Unlock()
		return c.wrap("complete", ErrState)
	}
	c.completed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = time.AfterFunc(c.s.ConnectTimeout, func() {
		c.fail("connect", fmt.Errorf("%w within %v: no candidate pair works (without ICE servers, only peers on the same network connect)", ErrConnect, c.s.ConnectTimeout))
	})
	c.mu.Unlock()
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: d.SDP}); err != nil {
		err = fmt.Errorf("%w: %w", codec.ErrInvalidSDP, err)
		c.fail("complete", err)
		return c.wrap("complete", err)
	}
	return nil
}

// WaitOpen blocks until the default channel is open (the connection is
// established), the connection ends (it returns Err) or ctx is done.
func (c *Conn) WaitOpen(ctx context.Context) error { return c.waitFor(ctx, c.opened) }

// waitFor blocks until reached is closed (nil), the connection ends (Err)
// or ctx is done. A step reached before the end counts even when both are
// seen at once.
func (c *Conn) waitFor(ctx context.Context, reached <-chan struct{}) error {
	select {
	case <-reached:
		return nil
	default:
	}
	select {
	case <-reached:
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Code returns this side's code: the offer's for an offerer, the answer's
// for an answerer.
func (c *Conn) Code() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.localCode
}

// ID identifies the connection in errors: the local ICE username fragment
// (4 characters), which its code also carries. A Config.RestartableICE
// connection, whose ufrag changes at each restart, has a random ID of the
// same form instead.
func (c *Conn) ID() string { return c.id }

// Done returns a channel closed when the connection has ended: closed by
// either side, failed, or its peer unreachable. Err then says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns nil while the connection lives, then a *ConnError that wraps
// ErrClosed (Close was called), ErrPeerClosed, ErrPeerUnreachable,
// ErrConnect, ErrDTLS, ErrOfferExpired or ErrProtocol.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Channel returns the default channel (label DefaultLabel, ordered,
// reliable). It exists from the start; its calls block until it opens.
func (c *Conn) Channel() *Channel { return c.def }

// OpenChannel creates another data channel with the given label and
// options, announced in-band (DCEP, RFC 8832), and waits until it is open.
func (c *Conn) OpenChannel(ctx context.Context, label string, opts *ChannelOptions) (*Channel, error) {
	var o ChannelOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxRetransmits != nil && o.MaxPacketLifeTime != nil {
		return nil, fmt.Errorf("ref: ChannelOptions: MaxRetransmits and MaxPacketLifeTime are exclusive")
	}
	ordered := !o.Unordered
	init := &webrtc.DataChannelInit{Ordered: &ordered, MaxRetransmits: o.MaxRetransmits, MaxPacketLifeTime: o.MaxPacketLifeTime, Protocol: &o.Protocol}
	if err := c.Err(); err != nil {
		return nil, err
	}
	dc, err := c.pc.CreateDataChannel(label, init)
	if err != nil {
		return nil, c.wrap("open channel", err)
	}
	ch := c.newChannel(dc, false)
	select {
	case <-ch.openCh:
		return ch, nil
	case <-c.done:
		return nil, c.Err()
	case <-ctx.Done():
		ch.Close()
		return nil, ctx.Err()
	}
}

// AcceptChannel returns the next channel the peer opened (other than the
// default channel). Up to 16 unaccepted channels wait; more are refused.
func (c *Conn) AcceptChannel(ctx context.Context) (*Channel, error) {
	select {
	case ch := <-c.accept:
		return ch, nil
	case <-c.done:
		return nil, c.Err()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// PeerConnection returns the underlying pion connection, for layers that
// need more (media, renegotiation, statistics). Do not replace its event
// handlers (OnConnectionStateChange, OnICEConnectionStateChange,
// OnDataChannel, OnTrack): this package uses them.
func (c *Conn) PeerConnection() *webrtc.PeerConnection { return c.pc }

// LocalFingerprints returns the fingerprints of the local DTLS certificate,
// the ones this side's code carries.
func (c *Conn) LocalFingerprints() []webrtc.DTLSFingerprint {
	certs := c.pc.GetConfiguration().Certificates
	if len(certs) == 0 {
		return nil
	}
	fps, err := certs[0].GetFingerprints()
	if err != nil {
		return nil
	}
	return fps
}

// RemoteFingerprints returns the fingerprints the peer's code carried
// (its a=fingerprint lines, RFC 8122); DTLS checks the peer's certificate
// against them. Nil before the remote description is set.
func (c *Conn) RemoteFingerprints() []webrtc.DTLSFingerprint {
	rd := c.pc.RemoteDescription()
	if rd == nil {
		return nil
	}
	var fps []webrtc.DTLSFingerprint
	for _, line := range strings.Split(rd.SDP, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "a=fingerprint:"); ok {
			if alg, val, ok := strings.Cut(v, " "); ok {
				fps = append(fps, webrtc.DTLSFingerprint{Algorithm: alg, Value: strings.ToLower(val)})
			}
		}
	}
	return fps
}

// RemoteCertificate returns the DER certificate the peer presented in the
// DTLS handshake, or nil before the connection is established.
func (c *Conn) RemoteCertificate() []byte {
	sctp := c.pc.SCTP()
	if sctp == nil || sctp.Transport() == nil {
		return nil
	}
	return sctp.Transport().GetRemoteCertificate()
}

// Shutdown ends the connection gracefully: it waits until every channel's
// sent data has been acknowledged by the peer (or ctx is done), then
// closes like Close. It returns ctx's error if the data did not drain, and
// the connection's error if the peer broke the framing (ErrProtocol), even
// after the application read every stream to its end: a frame after an
// end-of-stream arrives when the reader has already seen io.EOF.
func (c *Conn) Shutdown(ctx context.Context) error {
	var err error
	for _, ch := range c.channelList() {
		if e := ch.Flush(ctx); e != nil && ctx.Err() != nil {
			err = ctx.Err()
			break
		}
	}
	c.Close()
	if cerr := c.Err(); errors.Is(cerr, ErrProtocol) {
		return cerr
	}
	return err
}

// Close ends the connection at once: it sends the in-band CLOSE frame on
// the default channel (the peer sees it well within 1 s), closes the pion
// connection (DTLS close_notify, which the peer also detects) and waits for
// this package's goroutines to end. Data not yet acknowledged by the peer
// may be lost: use Shutdown to drain first. Close is idempotent and
// returns nil.
func (c *Conn) Close() error {
	first := c.Err() == nil
	c.fail("close", ErrClosed)
	if first {
		c.def.sendClose()
	}
	c.closePC()
	for _, ch := range c.channelList() {
		ch.waitReader(5 * time.Second)
	}
	return nil
}

func (c *Conn) channelList() []*Channel {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Channel(nil), c.channels...)
}

func (c *Conn) closePC() {
	c.pcOnce.Do(func() {
		c.pc.GracefulClose() // also waits for pion's goroutines
		close(c.pcClosed)
	})
	<-c.pcClosed
}

// wrap attributes err to this connection.
func (c *Conn) wrap(op string, err error) error {
	var ce *ConnError
	if errors.As(err, &ce) {
		return err
	}
	return &ConnError{ID: c.id, Op: op, Err: err}
}

// fail ends the connection with err (the first cause wins) and closes the
// pion connection in the background. It never blocks.
func (c *Conn) fail(op string, err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = c.wrap(op, err)
	if c.timer != nil {
		c.timer.Stop()
	}
	if c.deadTimer != nil {
		c.deadTimer.Stop()
	}
	if c.kaTimer != nil {
		c.kaTimer.Stop()
	}
	if c.restartTimer != nil {
		c.restartTimer.Stop()
	}
	chs := append([]*Channel(nil), c.channels...)
	close(c.done)
	c.mu.Unlock()
	for _, ch := range chs {
		ch.abandon()
	}
	if !errors.Is(err, ErrClosed) {
		go c.closePC()
	}
}
