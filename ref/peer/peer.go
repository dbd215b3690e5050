// Package peer is the high-level peer of IDENTITY.md: a stable,
// authenticated identity across reconnects and sessions with many peers,
// built on the two-peer connections of package ref.
//
// A Peer has an Identity (an Ed25519 key; its ID is the SHA-256 of the
// public key) and a Store of remembered peers. It pairs with a new peer by
// a code exchange (Offer, Answer, Pairing.Complete); every connection then
// starts with the identity handshake (HELLO), in which each side signs both
// DTLS fingerprints with its identity key. Afterwards it reconnects to a
// remembered peer without a code whenever a path exists: directly to an
// address where the other peer listens (Config.Listen), or through any
// connected common peer (an introduction, Connect and Introduce), whose
// relayed codes are signed by their authors. For a manual exchange with a
// remembered peer, ReconnectOffer makes a code about 25 bytes smaller than a
// first-contact code.
//
// There is one session per remote ID. When its transport is lost, the
// session reconnects by itself and the application sees Reconnecting then
// Reconnected events for the same ID, never a second session; when both
// sides connect at once, the connection offered by the lower ID wins.
// A connection made by an introduction or a direct reconnection is first
// restored by an ICE restart (IDENTITY.md §11; same connection and
// channels), signalled over the same paths; a fresh connection follows
// when no restart connects within ref.Config.RestartTimeout.
//
// Events and messages are delivered on channels the application reads
// (Events, Receive); no user code runs on pion's goroutines.
//
// # Limits
//
// Config.MaxPeers sessions (default DefaultMaxPeers); a data message's
// payload is at most MaxDataSize (16 MiB minus its 7-byte head; the
// default channel reassembles up to ref.Config.MaxMessageSize, which
// should stay at its default of 16 MiB); control messages at most 40 KiB;
// signed codes are accepted for SignedCodeLifetime.
//
// # Security
//
// A session's remote ID is authenticated by the HELLO signature over both
// DTLS fingerprints: an impostor that copies an ID without its key fails
// with ErrAuth, and an introducer that alters a relayed code is detected
// with ErrTampered. An introducer learns who connects to whom and the
// candidates' addresses. Every signed code is accepted once (a replay is
// ErrExpired); the work other hosts and peers can start is bounded per
// source and in all, and handshakes answering them count against
// MaxPeers; strangers are accepted only through introducers the user
// paired with by code (Config.Introductions), and only such chosen peers'
// addresses are remembered and dialled, at most 4 each, within a retry
// budget of ReconnectTimeout. See IDENTITY.md §5 and §9.
package peer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// Defaults of Config.
const (
	DefaultMaxPeers         = 64
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultReconnectTimeout = 5 * time.Minute
	DefaultRetryInterval    = time.Second
	maxRetryInterval        = 30 * time.Second
)

// Config configures a Peer.
type Config struct {
	// Identity is the peer's identity (LoadIdentity). Required.
	Identity *Identity
	// Store remembers peers. Default: an in-memory store.
	Store *Store
	// Conn is the template of every connection; its Certificate is replaced
	// by the identity's.
	Conn ref.Config
	// MaxPeers limits the sessions (connected or reconnecting). Default
	// DefaultMaxPeers; range 1–4096.
	MaxPeers int
	// Listen, when set, is a TCP address ("host:port") where the peer accepts
	// direct reconnections from remembered peers (IDENTITY.md §7).
	Listen string
	// Advertise are the addresses announced to peers for direct
	// reconnection. Default: the listening address when its host is
	// specified, else that port on every non-link-local interface address.
	Advertise []string
	// Dial opens the direct-reconnection stream. Default: a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// HandshakeTimeout bounds connecting plus HELLO, and each relayed or
	// direct code exchange. Default DefaultHandshakeTimeout; range 1 s–10 min.
	HandshakeTimeout time.Duration
	// ReconnectTimeout is how long a session may stay Reconnecting before
	// it is given up (Left), and the retry budget of a remembered peer
	// without a session: it is dialled only within ReconnectTimeout of New,
	// of its last departure or of a call of Connect (IDENTITY.md §5).
	// Default DefaultReconnectTimeout; range 1 s–24 h.
	ReconnectTimeout time.Duration
	// RetryInterval is the first delay between reconnection attempts; it
	// doubles up to 30 s. Default DefaultRetryInterval; range 10 ms–30 s.
	RetryInterval time.Duration
	// Introductions says which connected peers may introduce a peer that
	// is not remembered (a stranger). Default IntroductionsFromChosen.
	Introductions IntroductionPolicy

	// tamper, in tests, alters codes this peer relays as an introducer.
	tamper func([]byte) []byte
}

// EventType says what happened to a session.
type EventType int

// Event types.
const (
	// Joined: a session with this ID is established (first authenticated
	// connection, or a return after Left).
	Joined EventType = iota + 1
	// Left: the session ended: the peer closed it, Disconnect was called, or
	// reconnection was given up after Config.ReconnectTimeout.
	Left
	// Reconnecting: the session's transport was lost; it is being restored.
	Reconnecting
	// Reconnected: the session has a new transport (same ID, same session).
	Reconnected
	// Rejected: an incoming connection or introduction was refused; Err says
	// why (ErrAuth, ErrTampered, ErrTooManyPeers, ...).
	Rejected
)

func (t EventType) String() string {
	switch t {
	case Joined:
		return "joined"
	case Left:
		return "left"
	case Reconnecting:
		return "reconnecting"
	case Reconnected:
		return "reconnected"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// Event is a change of a session. Peer is the remote ID (zero for a
// rejected connection whose author is unknown).
type Event struct {
	Type EventType
	Peer ID
	Err  error
}

// Message is a message received from a peer.
type Message struct {
	From ID
	Data []byte
}

// Peer is a local peer with sessions to many remote peers. All methods
// are safe for concurrent use.
type Peer struct {
	cfg Config
	id  *Identity
	st  *Store
	ln  net.Listener

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	events *queue
	msgs   chan Message

	mu       sync.Mutex
	closed   bool
	sessions map[ID]*session
	order    []ID // attach order, for choosing introducers
	dialing  map[ID]*attempt
	pending  map[uint64]chan relayResult
	paused   map[ID]bool
	backoff  map[ID]*retryState
	stray    map[*ref.Conn]bool // connections not (yet) in a session
	joining  int                // handshakes answering others, for MaxPeers (guard.go)

	replay replayCache // signed codes accepted (guard.go)
	work   workLimit   // exchanges others started (guard.go)
}

type session struct {
	id       ID
	pub      ed25519.PublicKey
	conn     *ref.Conn
	lowOffer bool // the current connection was offered by the lower ID
	up       chan struct{}
	lostAt   time.Time
	// restarting: the connection is unreachable and kept for an ICE
	// restart (restart.go).
	restarting bool
}

type attempt struct {
	done chan struct{}
	err  error
}

type retryState struct {
	next  time.Time
	delay time.Duration
	until time.Time // the end of the retry budget
}

type relayResult struct {
	signed *signedCode
	err    error
}

// New starts a Peer. It listens at Config.Listen when set, and starts
// reconnecting to remembered peers at once.
func New(cfg *Config) (*Peer, error) {
	if cfg == nil || cfg.Identity == nil {
		return nil, errors.New("peer: Config.Identity is required")
	}
	c := *cfg
	if c.MaxPeers == 0 {
		c.MaxPeers = DefaultMaxPeers
	}
	if c.MaxPeers < 1 || c.MaxPeers > 4096 {
		return nil, fmt.Errorf("peer: Config.MaxPeers %d out of range [1, 4096]", c.MaxPeers)
	}
	for _, d := range []struct {
		d          *time.Duration
		def, lo, h time.Duration
		name       string
	}{
		{&c.HandshakeTimeout, DefaultHandshakeTimeout, time.Second, 10 * time.Minute, "HandshakeTimeout"},
		{&c.ReconnectTimeout, DefaultReconnectTimeout, time.Second, 24 * time.Hour, "ReconnectTimeout"},
		{&c.RetryInterval, DefaultRetryInterval, 10 * time.Millisecond, maxRetryInterval, "RetryInterval"},
	} {
		if *d.d == 0 {
			*d.d = d.def
		}
		if *d.d < d.lo || *d.d > d.h {
			return nil, fmt.Errorf("peer: Config.%s %v out of range [%v, %v]", d.name, *d.d, d.lo, d.h)
		}
	}
	if c.Store == nil {
		c.Store, _ = OpenStore("")
	}
	if c.Dial == nil {
		var d net.Dialer
		c.Dial = d.DialContext
	}
	c.Conn.Certificate = c.Identity.Certificate()
	p := &Peer{
		cfg: c, id: c.Identity, st: c.Store,
		events:   newQueue(),
		msgs:     make(chan Message, 64),
		sessions: map[ID]*session{},
		dialing:  map[ID]*attempt{},
		pending:  map[uint64]chan relayResult{},
		paused:   map[ID]bool{},
		backoff:  map[ID]*retryState{},
		stray:    map[*ref.Conn]bool{},
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if c.Listen != "" {
		ln, err := net.Listen("tcp", c.Listen)
		if err != nil {
			p.cancel()
			return nil, fmt.Errorf("peer: %w", err)
		}
		p.ln = ln
		if len(p.cfg.Advertise) == 0 {
			p.cfg.Advertise = advertised(ln.Addr().(*net.TCPAddr))
		}
		p.wg.Add(1)
		go p.acceptLoop()
	}
	p.wg.Add(1)
	go p.supervise()
	return p, nil
}

// advertised lists the addresses of a listener for peers.
func advertised(a *net.TCPAddr) []string {
	if !a.IP.IsUnspecified() {
		return []string{a.String()}
	}
	var out []string
	addrs, _ := net.InterfaceAddrs()
	for _, ad := range addrs {
		ipn, ok := ad.(*net.IPNet)
		if !ok || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		out = append(out, net.JoinHostPort(ipn.IP.String(), fmt.Sprint(a.Port)))
	}
	return out
}

// ID returns the local peer's ID.
func (p *Peer) ID() ID { return p.id.ID() }

// Identity returns the local identity.
func (p *Peer) Identity() *Identity { return p.id }

// Store returns the store of remembered peers.
func (p *Peer) Store() *Store { return p.st }

// Addr returns the direct-reconnection listener's address, or nil.
func (p *Peer) Addr() net.Addr {
	if p.ln == nil {
		return nil
	}
	return p.ln.Addr()
}

// Events returns the channel of session events. It is closed by Close.
// Events queue without bound until read.
func (p *Peer) Events() <-chan Event { return p.events.out }

// Done is closed when the Peer is closed.
func (p *Peer) Done() <-chan struct{} { return p.ctx.Done() }

// Err returns ErrClosed after Close, else nil.
func (p *Peer) Err() error {
	if p.ctx.Err() != nil {
		return ErrClosed
	}
	return nil
}

// Receive returns the next message from any peer, or ctx's error, or
// ErrClosed.
func (p *Peer) Receive(ctx context.Context) (Message, error) {
	select {
	case m := <-p.msgs:
		return m, nil
	case <-ctx.Done():
		return Message{}, ctx.Err()
	case <-p.ctx.Done():
		return Message{}, ErrClosed
	}
}

// Peers returns the IDs of the sessions (connected or reconnecting), in
// the order they joined.
func (p *Peer) Peers() []ID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.order)
}

// Connected reports whether the session with id has a live connection.
func (p *Peer) Connected(id ID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[id]
	return s != nil && s.conn != nil && !s.restarting
}

// Send sends data to the peer id as one message, of at most MaxDataSize
// bytes (ref.ErrMessageTooLarge otherwise). While the session is
// reconnecting it waits for it (or ctx). A peer without a session is
// ErrUnknownPeer.
func (p *Peer) Send(ctx context.Context, id ID, data []byte) error {
	if len(data) > MaxDataSize {
		return &PeerError{ID: id, Op: "send", Err: tooLarge(len(data))}
	}
	msg := dataMessage(data)
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		s := p.sessions[id]
		if s == nil {
			p.mu.Unlock()
			return &PeerError{ID: id, Op: "send", Err: ErrUnknownPeer}
		}
		c, up := s.conn, s.up
		p.mu.Unlock()
		if c == nil {
			select {
			case <-up:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-p.ctx.Done():
				return ErrClosed
			}
		}
		err := c.Channel().Send(ctx, msg)
		if err == nil || ctx.Err() != nil {
			return err
		}
		select { // the connection ended: wait for the next one
		case <-c.Done():
		default:
			return &PeerError{ID: id, Op: "send", Err: err}
		}
	}
}

func tooLarge(n int) error {
	return fmt.Errorf("%w: %d bytes, at most MaxDataSize (%d)", ref.ErrMessageTooLarge, n, MaxDataSize)
}

// Broadcast sends data to every connected peer and returns the errors
// joined (nil when all succeeded). It does not wait for reconnecting ones.
func (p *Peer) Broadcast(ctx context.Context, data []byte) error {
	if len(data) > MaxDataSize {
		return &PeerError{Op: "broadcast", Err: tooLarge(len(data))}
	}
	msg := dataMessage(data)
	p.mu.Lock()
	var conns []*ref.Conn
	var ids []ID
	for _, id := range p.order {
		if s := p.sessions[id]; s.conn != nil {
			conns, ids = append(conns, s.conn), append(ids, id)
		}
	}
	p.mu.Unlock()
	var errs []error
	for i, c := range conns {
		if err := c.Channel().Send(ctx, msg); err != nil {
			errs = append(errs, &PeerError{ID: ids[i], Op: "send", Err: err})
		}
	}
	return errors.Join(errs...)
}

// Disconnect ends the session with id (Left) and stops reconnecting to it
// until Connect is called.
func (p *Peer) Disconnect(id ID) error {
	p.mu.Lock()
	s := p.sessions[id]
	p.paused[id] = true
	var c *ref.Conn
	if s != nil {
		c = s.conn
		p.removeLocked(s)
	}
	p.mu.Unlock()
	if s == nil {
		return &PeerError{ID: id, Op: "disconnect", Err: ErrUnknownPeer}
	}
	if c != nil {
		c.Close()
	}
	p.emit(Event{Type: Left, Peer: id})
	return nil
}

// Close closes every connection and the listener, waits for the Peer's
// goroutines and closes Events. It is idempotent.
func (p *Peer) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.wg.Wait()
		return nil
	}
	p.closed = true
	var conns []*ref.Conn
	for _, s := range p.sessions {
		if s.conn != nil {
			conns = append(conns, s.conn)
		}
	}
	for c := range p.stray {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	p.cancel()
	if p.ln != nil {
		p.ln.Close()
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() { defer wg.Done(); c.Close() }()
	}
	wg.Wait()
	p.wg.Wait()
	p.events.close()
	return nil
}

func (p *Peer) emit(e Event) { p.events.push(e) }

// connConfig returns the ref configuration of a new connection.
func (p *Peer) connConfig() *ref.Config {
	c := p.cfg.Conn
	return &c
}

// track registers a connection that is not yet part of a session, so that
// Close closes it. It returns false when the Peer is closed.
func (p *Peer) track(c *ref.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.stray[c] = true
	return true
}

func (p *Peer) untrack(c *ref.Conn) {
	p.mu.Lock()
	delete(p.stray, c)
	p.mu.Unlock()
}

// establish waits for c to open, runs the identity handshake and attaches
// the connection to the session of the authenticated ID. expect, when not
// nil, is the ID the connection must reach (ErrAuth otherwise). On error c
// is closed.
func (p *Peer) establish(ctx context.Context, c *ref.Conn, offerer bool, expect []ID, o origin) (ID, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.HandshakeTimeout)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()
	id, pub, addrs, err := p.handshake(ctx, c, offerer, expect)
	if err != nil {
		c.Close()
		p.untrack(c)
		var zero ID
		if len(expect) == 1 {
			zero = expect[0]
		}
		if id == (ID{}) {
			id = zero
		}
		if p.ctx.Err() != nil {
			return id, ErrClosed
		}
		return id, &PeerError{ID: id, Op: "hello", Err: err}
	}
	lowOffer := offerer == p.ID().Less(id)
	if err := p.attach(id, pub, addrs, c, lowOffer, o); err != nil {
		return id, &PeerError{ID: id, Op: "hello", Err: err}
	}
	return id, nil
}

// handshake is the HELLO exchange (IDENTITY.md §3).
func (p *Peer) handshake(ctx context.Context, c *ref.Conn, offerer bool, expect []ID) (ID, ed25519.PublicKey, []string, error) {
	if err := c.WaitOpen(ctx); err != nil {
		return ID{}, nil, nil, err
	}
	rc := c.RemoteCertificate()
	if rc == nil {
		return ID{}, nil, nil, fmt.Errorf("%w: no remote certificate", ErrAuth)
	}
	remoteFP := sha256Sum(rc)
	localFP := p.id.Fingerprint()
	offFP, ansFP, role, peerRole := localFP, remoteFP, byte(roleOfferer), byte(roleAnswerer)
	if !offerer {
		offFP, ansFP, role, peerRole = remoteFP, localFP, roleAnswerer, roleOfferer
	}
	h := hello{Type: msgHello, Version: Version, Key: p.id.PublicKey(),
		Sig: p.id.Sign(helloInput(role, offFP, ansFP)), Addrs: p.cfg.Advertise}
	if h.Addrs == nil {
		h.Addrs = []string{}
	}
	if err := c.Channel().Send(ctx, marshal(&h)); err != nil {
		return ID{}, nil, nil, err
	}
	b, err := c.Channel().Receive(ctx)
	if err != nil {
		return ID{}, nil, nil, err
	}
	rh, id, err := checkHello(b, peerRole, offFP, ansFP, p.ID(), expect)
	if err != nil {
		return id, nil, nil, err
	}
	return id, ed25519.PublicKey(rh.Key), rh.Addrs, nil
}

// attach makes c the connection of the session with id (creating it),
// unless a live connection that wins the glare rule exists, in which case c
// is closed. It records the peer in the store and emits the event.
func (p *Peer) attach(id ID, pub ed25519.PublicKey, addrs []string, c *ref.Conn, lowOffer bool, o origin) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.Close()
		return ErrClosed
	}
	delete(p.stray, c)
	s := p.sessions[id]
	ev := Joined
	var old *ref.Conn
	switch {
	case s == nil:
		if len(p.sessions) >= p.cfg.MaxPeers {
			p.mu.Unlock()
			c.Close()
			return ErrTooManyPeers
		}
		s = &session{id: id, pub: pub, up: make(chan struct{})}
		p.sessions[id] = s
		p.order = append(p.order, id)
	case s.conn != nil && s.conn.Err() == nil && s.lowOffer && !lowOffer:
		// Glare: the live connection offered by the lower ID wins.
		p.mu.Unlock()
		c.Close()
		return nil
	case s.conn != nil:
		old = s.conn
		ev = -1 // a replacement of a live connection: no event
		if s.restarting {
			ev = Reconnected
		}
	default:
		ev = Reconnected
	}
	s.conn, s.lowOffer, s.lostAt, s.restarting = c, lowOffer, time.Time{}, false
	close(s.up)
	s.up = make(chan struct{})
	delete(p.paused, id)
	delete(p.backoff, id)
	p.wg.Add(2)
	p.mu.Unlock()
	if old != nil {
		// The peer may not have attached the new connection yet: closing
		// the old one at once would look like a departure to it.
		p.mu.Lock()
		p.stray[old] = true
		p.mu.Unlock()
		time.AfterFunc(2*time.Second, func() { old.Close(); p.untrack(old) })
	}
	now := time.Now()
	p.st.update(id, func(r *Record) {
		r.remember(o, addrs)
		r.PublicKey = pub
		if rc := c.RemoteCertificate(); rc != nil {
			r.Fingerprint = sha256Sum(rc)
		}
		r.SentFingerprint = p.id.Fingerprint()
		if r.Paired.IsZero() {
			r.Paired = now
		}
		r.LastSeen = now
	})
	if ev > 0 {
		p.emit(Event{Type: ev, Peer: id})
	}
	go p.readLoop(s, c)
	go p.watch(s, c)
	return nil
}

func (p *Peer) removeLocked(s *session) {
	if p.sessions[s.id] != s {
		return
	}
	delete(p.sessions, s.id)
	p.order = slices.DeleteFunc(p.order, func(x ID) bool { return x == s.id })
}

// readLoop reads c's messages until it ends, then handles the loss.
func (p *Peer) readLoop(s *session, c *ref.Conn) {
	defer p.wg.Done()
	ch := c.Channel()
	for {
		b, err := ch.Receive(p.ctx)
		if errors.Is(err, ref.ErrMessageTooLarge) {
			// Discarded by ref (SPEC.md §13.3): over Conn.MaxMessageSize.
			p.emit(Event{Type: Rejected, Peer: s.id, Err: &PeerError{ID: s.id, Op: "receive", Err: err}})
			continue
		}
		if err != nil {
			if err == io.EOF {
				c.Close()
				err = ref.ErrPeerClosed
			} else if c.Err() != nil {
				err = c.Err()
			}
			p.lost(s, c, err)
			return
		}
		if err := p.handle(s, c, b); err != nil {
			c.Close()
			p.lost(s, c, err)
			return
		}
	}
}

// lost handles the end of connection c of session s.
func (p *Peer) lost(s *session, c *ref.Conn, err error) {
	p.mu.Lock()
	if p.closed || p.sessions[s.id] != s || s.conn != c {
		p.mu.Unlock()
		return
	}
	s.conn = nil
	delete(p.backoff, s.id) // a new retry budget
	if errors.Is(err, ref.ErrPeerClosed) {
		p.removeLocked(s)
		p.mu.Unlock()
		p.emit(Event{Type: Left, Peer: s.id, Err: err})
		return
	}
	if s.restarting {
		// Reconnecting was reported when the restart began.
		s.restarting = false
		p.mu.Unlock()
		return
	}
	s.lostAt = time.Now()
	p.mu.Unlock()
	p.emit(Event{Type: Reconnecting, Peer: s.id, Err: err})
}

// handle processes one message of an established connection.
func (p *Peer) handle(s *session, c *ref.Conn, b []byte) error {
	t, err := msgType(b)
	if err != nil {
		return err
	}
	switch t {
	case msgData:
		data, err := parseData(b)
		if errors.Is(err, ref.ErrMessageTooLarge) {
			// Discarded; the session goes on (IDENTITY.md §3.1).
			p.emit(Event{Type: Rejected, Peer: s.id, Err: &PeerError{ID: s.id, Op: "receive", Err: err}})
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case p.msgs <- Message{From: s.id, Data: data}:
		case <-c.Done():
		case <-p.ctx.Done():
		}
	case msgRelay, msgRestart:
		var m relay
		if err := decode(b, &m); err != nil {
			return err
		}
		// Beyond the bound of the work this peer started, dropped.
		p.goWork(sessionSource(s.id), func() { p.onRelay(s.id, &m) })
	case msgRefuse:
		var m refuse
		if err := decode(b, &m); err != nil {
			return err
		}
		p.onRefuse(s.id, &m)
	case msgInvite:
		var m invite
		if err := decode(b, &m); err != nil {
			return err
		}
		var target ID
		copy(target[:], m.Peer)
		if target == p.ID() || p.Connected(target) || p.mayAccept(target, s.id) != nil {
			return nil // ignored: a stranger this introducer may not introduce
		}
		p.goWork(sessionSource(s.id), func() {
			ctx, cancel := context.WithTimeout(p.ctx, 2*p.cfg.HandshakeTimeout)
			defer cancel()
			if err := p.connectVia(ctx, target, s.id); err != nil && p.ctx.Err() == nil {
				p.emit(Event{Type: Rejected, Peer: target, Err: err})
			}
		})
	case msgHello:
		return fmt.Errorf("%w: second HELLO", ErrProtocol)
	default:
		// Unknown types are ignored (IDENTITY.md §3.1, §10), once the
		// message is known to be canonical CBOR.
		return checkUnknown(b)
	}
	return nil
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
		if p.cfg.tamper != nil {
			fwd.Signed.Code = p.cfg.tamper(slices.Clone(fwd.Signed.Code))
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
		return &PeerError{ID: b, Op: "introduce", Err: ErrNoRoute}
	}
	if err := p.sendTo(ctx, a, marshal(&invite{Type: msgInvite, Peer: b[:]})); err != nil {
		return &PeerError{ID: a, Op: "introduce", Err: err}
	}
	return nil
}

// Connect connects to the peer id unless a session is connected: directly
// at an address it remembered (when the peer listens), else through each
// connected peer in turn as introducer. It returns when the session is
// connected. It returns an error wrapping ErrNoRoute when no path worked.
func (p *Peer) Connect(ctx context.Context, id ID) error {
	p.mu.Lock()
	delete(p.paused, id)
	delete(p.backoff, id) // a new retry budget
	p.mu.Unlock()
	return p.connect(ctx, id, ID{})
}

// ConnectVia connects to id through the connected peer via, as
// introducer.
func (p *Peer) ConnectVia(ctx context.Context, id, via ID) error {
	return p.connectVia(ctx, id, via)
}

// connect runs one attempt per ID at a time; concurrent callers share it.
func (p *Peer) connect(ctx context.Context, id ID, only ID) error {
	if id == p.ID() {
		return fmt.Errorf("peer: Connect: own ID")
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		if s := p.sessions[id]; s != nil && s.conn != nil && s.conn.Err() == nil {
			p.mu.Unlock()
			return nil
		}
		if a := p.dialing[id]; a != nil {
			p.mu.Unlock()
			select {
			case <-a.done:
				if a.err != nil {
					return a.err
				}
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		a := &attempt{done: make(chan struct{})}
		p.dialing[id] = a
		p.mu.Unlock()
		a.err = p.tryAll(ctx, id, only)
		p.mu.Lock()
		delete(p.dialing, id)
		p.mu.Unlock()
		close(a.done)
		return a.err
	}
}

func (p *Peer) tryAll(ctx context.Context, id ID, only ID) error {
	var errs []error
	if only == (ID{}) {
		if r, ok := p.st.Get(id); ok {
			for _, addr := range r.Addrs {
				err := p.dialDirect(ctx, id, addr)
				if err == nil {
					return nil
				}
				errs = append(errs, err)
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
	}
	p.mu.Lock()
	var vias []ID
	for i := len(p.order) - 1; i >= 0; i-- {
		v := p.order[i]
		if v != id && p.sessions[v].conn != nil && (only == (ID{}) || v == only) {
			vias = append(vias, v)
		}
	}
	p.mu.Unlock()
	for _, v := range vias {
		err := p.introduced(ctx, id, v)
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
	if len(errs) == 0 {
		return &PeerError{ID: id, Op: "connect", Err: ErrNoRoute}
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return &PeerError{ID: id, Op: "connect", Err: fmt.Errorf("%w: %w", ErrNoRoute, errors.Join(errs...))}
}

func (p *Peer) connectVia(ctx context.Context, id, via ID) error {
	return p.connect(ctx, id, via)
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
		var pe *PeerError
		if errors.As(err, &pe) {
			return err
		}
		return &PeerError{ID: id, Op: "introduction via " + via.Short(), Err: err}
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

// supervise retries sessions that lost their connection and remembered
// peers this side is responsible for dialing (IDENTITY.md §7), and gives up
// sessions after ReconnectTimeout.
func (p *Peer) supervise() {
	defer p.wg.Done()
	t := time.NewTicker(p.cfg.RetryInterval / 2)
	defer t.Stop()
	first := true
	for {
		if !first {
			select {
			case <-p.ctx.Done():
				return
			case <-t.C:
			}
		}
		first = false
		now := time.Now()
		var giveUp []ID
		var dial []ID
		p.mu.Lock()
		for id, s := range p.sessions {
			if s.conn == nil && now.Sub(s.lostAt) > p.cfg.ReconnectTimeout {
				p.removeLocked(s)
				giveUp = append(giveUp, id)
			}
		}
		candidates := map[ID]bool{}
		for id, s := range p.sessions {
			if s.conn == nil {
				candidates[id] = true
			}
		}
		live := make(map[ID]bool, len(p.sessions))
		for id := range p.sessions {
			live[id] = true
		}
		p.mu.Unlock()
		p.st.expire(now, live)
		for _, r := range p.st.List() {
			if _, ok := p.sessionState(r.ID); !ok {
				candidates[r.ID] = true
			}
		}
		for id := range candidates {
			if p.responsible(id) && p.due(id, now) {
				dial = append(dial, id)
			}
		}
		for _, id := range giveUp {
			p.emit(Event{Type: Left, Peer: id, Err: fmt.Errorf("%w: gave up after %v", ErrNoRoute, p.cfg.ReconnectTimeout)})
		}
		for _, id := range dial {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				ctx, cancel := context.WithTimeout(p.ctx, 3*p.cfg.HandshakeTimeout)
				defer cancel()
				p.connect(ctx, id, ID{})
			}()
		}
	}
}

func (p *Peer) sessionState(id ID) (connected, exists bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[id]
	return s != nil && s.conn != nil, s != nil
}

// due reports whether an attempt to id may start now, and schedules the
// next one with exponential backoff. The attempts of one retry budget end
// ReconnectTimeout after the first (IDENTITY.md §5); a departure of the
// peer, or Connect, starts a new budget.
func (p *Peer) due(id ID, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused[id] || p.dialing[id] != nil {
		return false
	}
	b := p.backoff[id]
	if b == nil {
		b = &retryState{delay: p.cfg.RetryInterval, until: now.Add(p.cfg.ReconnectTimeout)}
		p.backoff[id] = b
	} else if now.Before(b.next) || now.After(b.until) {
		return false
	} else {
		b.delay = min(2*b.delay, maxRetryInterval)
	}
	b.next = now.Add(b.delay)
	return true
}

// responsible reports whether this side dials id when they are apart
// (IDENTITY.md §7): directly when id listens at a remembered address and
// we do not listen or have the lower ID; through introducers when we have
// the lower ID and some other peer is connected.
func (p *Peer) responsible(id ID) bool {
	r, _ := p.st.Get(id)
	if len(r.Addrs) > 0 && (p.ln == nil || p.ID().Less(id)) {
		return true
	}
	if !p.ID().Less(id) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for v, s := range p.sessions {
		if v != id && s.conn != nil {
			return true
		}
	}
	return false
}

func sha256Sum(b []byte) [32]byte { return IDOf(b) }

// maxQueuedRejected bounds the Rejected events waiting to be read: other
// hosts and peers cause them, as many as they like; beyond it they are
// dropped (the other events are the sessions', bounded by them).
const maxQueuedRejected = 256

// queue is a FIFO of events delivered on a channel, unbounded except for
// Rejected events (maxQueuedRejected).
type queue struct {
	mu       sync.Mutex
	items    []Event
	rejected int // Rejected events in items
	wake     chan struct{}
	out      chan Event
	quit     chan struct{}
	done     chan struct{}
	closed   bool
}

func newQueue() *queue {
	q := &queue{wake: make(chan struct{}, 1), out: make(chan Event), quit: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

func (q *queue) push(e Event) {
	q.mu.Lock()
	switch {
	case q.closed:
	case e.Type != Rejected:
		q.items = append(q.items, e)
	case q.rejected < maxQueuedRejected:
		q.items = append(q.items, e)
		q.rejected++
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) run() {
	defer close(q.done)
	defer close(q.out)
	for {
		q.mu.Lock()
		if len(q.items) == 0 {
			q.mu.Unlock()
			select {
			case <-q.wake:
				continue
			case <-q.quit:
				return
			}
		}
		e := q.items[0]
		q.items = q.items[1:]
		if e.Type == Rejected {
			q.rejected--
		}
		q.mu.Unlock()
		select {
		case q.out <- e:
		case <-q.quit:
			return
		}
	}
}

// close stops the queue (undelivered events are dropped) and closes out.
func (q *queue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.mu.Unlock()
	close(q.quit)
	<-q.done
}
