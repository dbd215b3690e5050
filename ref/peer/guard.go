package peer

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"
)

// Defences against what other hosts and peers can make a peer spend
// (IDENTITY.md §9): each signed code is accepted once, and the work that
// others start (a direct stream, a relayed code, an invitation, a
// handshake that answers them) is bounded per source and in all. Every
// flow goes through checkSigned and goWork; none repeats them.

// Bounds of the work others start, and of the replay cache.
const (
	// maxPendingPerSource bounds the exchanges under way that one source
	// started: a connected peer (its relayed codes, invitations and
	// refusals to forward) or a host (its direct streams, §7).
	maxPendingPerSource = 4
	// maxPendingTotal bounds them for all sources together.
	maxPendingTotal = 32
	// replayCapacity bounds the signed codes remembered as accepted, and
	// replayPerAuthor those of one author: when either is reached, codes
	// (of that author) are refused as too-many until some expire.
	replayCapacity  = 4096
	replayPerAuthor = 256
)

// replayCache remembers the signed codes a peer accepted (IDENTITY.md §9:
// a signed code is accepted once) until they could no longer be accepted
// anyway: SignedCodeLifetime after their time, so at most twice the
// lifetime after they arrived (a code may be dated up to the lifetime
// ahead). Its size is bounded by replayCapacity and replayPerAuthor.
type replayCache struct {
	mu        sync.Mutex
	seen      map[[32]byte]replayEntry
	perAuthor map[ID]int
	sweepAt   time.Time
}

type replayEntry struct {
	until  time.Time
	author ID
}

// once records the signed code sc of author as accepted at now, or
// returns ErrExpired when it was accepted before, or ErrTooManyPeers when
// the cache is full (for the author or for all).
func (r *replayCache) once(sc *signedCode, author ID, now time.Time) error {
	var to ID
	copy(to[:], sc.To)
	key := sha256.Sum256(codeInput(byte(sc.Kind), sc.Key, to, sc.Time, sc.Code))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen, r.perAuthor = map[[32]byte]replayEntry{}, map[ID]int{}
	}
	if e, ok := r.seen[key]; ok && now.Before(e.until) {
		return fmt.Errorf("%w: the signed code was already accepted once", ErrExpired)
	}
	if now.After(r.sweepAt) || len(r.seen) >= replayCapacity || r.perAuthor[author] >= replayPerAuthor {
		r.sweep(now)
	}
	if len(r.seen) >= replayCapacity || r.perAuthor[author] >= replayPerAuthor {
		return fmt.Errorf("%w: too many signed codes accepted in %v", ErrTooManyPeers, SignedCodeLifetime)
	}
	// sc.Time is within the lifetime of now (verify), so it converts.
	r.seen[key] = replayEntry{until: time.Unix(int64(sc.Time), 0).Add(SignedCodeLifetime + time.Second), author: author}
	r.perAuthor[author]++
	return nil
}

// sweep forgets the codes that expired; it runs at most every few
// seconds unless the cache is full.
func (r *replayCache) sweep(now time.Time) {
	for k, e := range r.seen {
		if !now.Before(e.until) {
			delete(r.seen, k)
			if r.perAuthor[e.author]--; r.perAuthor[e.author] <= 0 {
				delete(r.perAuthor, e.author)
			}
		}
	}
	r.sweepAt = now.Add(10 * time.Second)
}

// checkSigned is the one check of a signed code this peer receives, of
// any kind and on any path (IDENTITY.md §6.1, §7, §8.2): verify it, apply
// the flow's policy to its author, then accept it once. The author is
// returned whenever the code names one, for the refusal.
func (p *Peer) checkSigned(sc *signedCode, kind byte, policy func(author ID) error) (ID, error) {
	now := time.Now()
	author, err := sc.verify(p.ID(), kind, now)
	if err != nil {
		return author, err
	}
	if policy != nil {
		if err := policy(author); err != nil {
			return author, err
		}
	}
	return author, p.replay.once(sc, author, now)
}

// signedBy is the policy of a signed answer: its author is the peer the
// offer went to.
func signedBy(id ID) func(ID) error {
	return func(author ID) error {
		if author != id {
			return fmt.Errorf("%w: the answer is signed by %s, not %s", ErrAuth, author.Short(), id.Short())
		}
		return nil
	}
}

// workLimit counts the exchanges under way that others started, per
// source and in all.
type workLimit struct {
	mu    sync.Mutex
	per   map[string]int
	total int
}

// take reserves one exchange for source, or returns false when the bound
// of the source or of all is reached (the caller then drops the request:
// spawning a goroutine per request is no bound). release gives it back.
func (w *workLimit) take(source string) (release func(), ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.per == nil {
		w.per = map[string]int{}
	}
	if w.per[source] >= maxPendingPerSource || w.total >= maxPendingTotal {
		return nil, false
	}
	w.per[source]++
	w.total++
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.per[source]--; w.per[source] == 0 {
				delete(w.per, source)
			}
			w.total--
		})
	}, true
}

// goWork runs f in a goroutine of the Peer when source may start one more
// exchange; it reports whether it did.
func (p *Peer) goWork(source string, f func()) bool {
	release, ok := p.work.take(source)
	if !ok {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer release()
		f()
	}()
	return true
}

func sessionSource(id ID) string { return "peer " + id.String() }

// reserveJoin counts a handshake that answers author against MaxPeers
// while it is under way (unless author has a session already): the
// sessions plus such handshakes never exceed MaxPeers. release ends it.
func (p *Peer) reserveJoin(author ID) (release func(), err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sessions[author] != nil {
		return func() {}, nil
	}
	if len(p.sessions)+p.joining >= p.cfg.MaxPeers {
		return nil, fmt.Errorf("%w: %d sessions and %d handshakes under way", ErrTooManyPeers, len(p.sessions), p.joining)
	}
	p.joining++
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			p.joining--
			p.mu.Unlock()
		})
	}, nil
}
