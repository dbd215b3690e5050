package peer

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Who reconnects (IDENTITY.md §8), within the retry budget of §5.

type attempt struct {
	done chan struct{}
	err  error
}

type retryState struct {
	next  time.Time
	delay time.Duration
	until time.Time // the end of the retry budget
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
		return &Error{ID: id, Op: "connect", Err: ErrNoRoute}
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return &Error{ID: id, Op: "connect", Err: fmt.Errorf("%w: %w", ErrNoRoute, errors.Join(errs...))}
}

func (p *Peer) connectVia(ctx context.Context, id, via ID) error {
	return p.connect(ctx, id, via)
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
