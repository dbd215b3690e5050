package peer

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Who reconnects (IDENTITY.md §8), within the retry budget of §5.

// redials are the attempts to reconnect (IDENTITY.md §5, §8): the one
// under way per ID, shared by concurrent callers; the peers the
// application disconnected, not dialled until it connects them; and each
// peer's retry budget.
type redials struct {
	mu      sync.Mutex
	dialing map[ID]*attempt
	paused  map[ID]bool
	backoff map[ID]*retryState
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

// pause stops the attempts to id until resume.
func (r *redials) pause(id ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paused == nil {
		r.paused = map[ID]bool{}
	}
	r.paused[id] = true
}

// resume lets id be dialled again, with a new retry budget.
func (r *redials) resume(id ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.paused, id)
	delete(r.backoff, id)
}

// renew gives id a new retry budget.
func (r *redials) renew(id ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.backoff, id)
}

// start returns the attempt under way to id, or registers a new one that
// the caller runs (mine) and ends with finish.
func (r *redials) start(id ID) (a *attempt, mine bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a := r.dialing[id]; a != nil {
		return a, false
	}
	if r.dialing == nil {
		r.dialing = map[ID]*attempt{}
	}
	a = &attempt{done: make(chan struct{})}
	r.dialing[id] = a
	return a, true
}

// finish ends the attempt a to id, whose err is set.
func (r *redials) finish(id ID, a *attempt) {
	r.mu.Lock()
	delete(r.dialing, id)
	r.mu.Unlock()
	close(a.done)
}

// due reports whether an attempt to id may start now, and schedules the
// next one with exponential backoff from first, doubling up to
// maxRetryInterval. The attempts of one retry budget end budget after the
// first (IDENTITY.md §5); a departure of the peer, or Connect, starts a
// new budget.
func (r *redials) due(id ID, now time.Time, first, budget time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paused[id] || r.dialing[id] != nil {
		return false
	}
	b := r.backoff[id]
	if b == nil {
		b = &retryState{delay: first, until: now.Add(budget)}
		if r.backoff == nil {
			r.backoff = map[ID]*retryState{}
		}
		r.backoff[id] = b
	} else if now.Before(b.next) || now.After(b.until) {
		return false
	} else {
		b.delay = min(2*b.delay, maxRetryInterval)
	}
	b.next = now.Add(b.delay)
	return true
}

// Connect connects to the peer id unless a session is connected: directly
// at an address it remembered (when the peer listens), else through each
// connected peer in turn as introducer. It returns when the session is
// connected. It returns an error wrapping ErrNoRoute when no path worked.
func (p *Peer) Connect(ctx context.Context, id ID) error {
	p.redial.resume(id)
	return p.connect(ctx, id, ID{})
}

// ConnectVia connects to id through the connected peer via, as
// introducer.
func (p *Peer) ConnectVia(ctx context.Context, id, via ID) error {
	return p.connect(ctx, id, via)
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
		a, mine := p.redial.start(id)
		p.mu.Unlock()
		if !mine {
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
		a.err = p.tryAll(ctx, id, only)
		p.redial.finish(id, a)
		return a.err
	}
}

// tryAll makes a new connection to id over the first path that works
// (only: through that introducer).
func (p *Peer) tryAll(ctx context.Context, id ID, only ID) error {
	return p.overPaths(ctx, id, only, "connect", func(pa path) error { return p.dialOver(ctx, id, pa) })
}

// supervise retries sessions that lost their connection and remembered
// peers when this side is the initiator (IDENTITY.md §8), and gives up
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
		// A failed write leaves the expired records in the file, and they
		// expire again at the next load: nothing is lost.
		_ = p.st.expire(now, live)
		for _, r := range p.st.List() {
			if _, ok := p.sessionState(r.ID); !ok {
				candidates[r.ID] = true
			}
		}
		for id := range candidates {
			if p.initiator(id) && len(p.paths(id, ID{})) > 0 && p.redial.due(id, now, p.cfg.RetryInterval, p.cfg.ReconnectTimeout) {
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

// initiator reports whether this side is the one that reconnects to id
// when they are apart (IDENTITY.md §8), and so restarts their connection
// (§8.2): the side that dials a remembered address of the other (if both
// listen, the lower ID); when neither does, the lower ID, through
// introducers. Each side decides on what it knows: it dials id when it
// remembers addresses of id; id dials it when it listens at announced
// addresses and id was paired by code, and so remembers them (§5: a peer
// met through an introduction keeps none).
func (p *Peer) initiator(id ID) bool {
	r, known := p.st.Get(id)
	weDial := len(r.Addrs) > 0
	theyDial := p.ln != nil && len(cleanAddrs(p.cfg.Advertise)) > 0 && known && r.Introducer == (ID{})
	if weDial == theyDial {
		return p.ID().Less(id)
	}
	return weDial
}
