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
// restored by an ICE restart (IDENTITY.md §8.2; same connection and
// channels), signalled over the same paths; a fresh connection follows
// when no restart connects within ref.Config.RestartTimeout.
//
// Audio and video: Config.Conn.Tracks (ref.Config) go on every connection
// of every session, so a reconnected session sends them again with nothing
// added again, and an ICE restart keeps them going; the peers' tracks
// arrive through AcceptTrack, again after each reconnect (media.go).
//
// Events and messages are delivered on channels the application reads
// (Events, Receive, AcceptTrack); no user code runs on pion's goroutines.
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

//go:generate go run -C ../.. ./ref/peer/internal/identgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"

	"github.com/peer-sdp/peer/ref"
)

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
	tracks chan Track // the peers' media tracks (media.go)

	// mu guards the sessions: closed, sessions (and their fields), order,
	// stray and joining. The other parts below have their own locks.
	mu       sync.Mutex
	closed   bool
	sessions map[ID]*session
	order    []ID               // attach order, for choosing introducers
	stray    map[*ref.Conn]bool // connections not (yet) in a session
	joining  int                // handshakes answering others, for MaxPeers (guard.go)

	redial  redials      // attempts to reconnect (redial.go)
	replies replyWaiters // exchanges through introducers (introduce.go)
	replay  replayCache  // signed codes accepted (guard.go)
	work    workLimit    // exchanges others started (guard.go)
}

// New starts a Peer. It listens at Config.Listen when set, and starts
// reconnecting to remembered peers at once.
func New(cfg *Config) (*Peer, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Peer{
		cfg: c, id: c.Identity, st: c.Store,
		events:   newQueue(),
		msgs:     make(chan Message, 64),
		tracks:   make(chan Track, maxWaitingTracks),
		sessions: map[ID]*session{},
		stray:    map[*ref.Conn]bool{},
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if c.Listen != "" {
		ln, err := net.Listen("tcp", c.Listen)
		if err != nil {
			p.cancel()
			p.events.close()
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
	return p.sessions[id].live()
}

// Send sends data to the peer id as one message, of at most MaxDataSize
// bytes (ref.ErrMessageTooLarge otherwise). While the session is
// reconnecting it waits for it (or ctx). A peer without a session is
// ErrUnknownPeer.
func (p *Peer) Send(ctx context.Context, id ID, data []byte) error {
	if len(data) > MaxDataSize {
		return &Error{ID: id, Op: "send", Err: tooLarge(len(data))}
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
			return &Error{ID: id, Op: "send", Err: ErrUnknownPeer}
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
			return &Error{ID: id, Op: "send", Err: err}
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
		return &Error{Op: "broadcast", Err: tooLarge(len(data))}
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
			errs = append(errs, &Error{ID: ids[i], Op: "send", Err: err})
		}
	}
	return errors.Join(errs...)
}

// Disconnect ends the session with id (Left) and stops reconnecting to it
// until Connect is called.
func (p *Peer) Disconnect(id ID) error {
	p.mu.Lock()
	s := p.sessions[id]
	p.redial.pause(id)
	var c *ref.Conn
	if s != nil {
		c = s.conn
		p.removeLocked(s)
	}
	p.mu.Unlock()
	if s == nil {
		return &Error{ID: id, Op: "disconnect", Err: ErrUnknownPeer}
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

// connConfig returns the ref configuration of a new connection.
func (p *Peer) connConfig() *ref.Config {
	c := p.cfg.Conn
	return &c
}
