package peer

import (
	"fmt"
	"sync"
)

// Session events (IDENTITY.md §8): what a Peer reports to its
// application, delivered in order on a channel.

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
// rejected connection whose author is unknown). Err says why a session
// left, is reconnecting or a connection was rejected; on Joined and
// Reconnected it is nil unless the store file could not be written (an
// *Error of Op "remember"): the peer is remembered in memory all the
// same, and the next write that succeeds saves it.
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

// maxQueuedRejected bounds the Rejected events waiting to be read: other
// hosts and peers cause them, as many as they like; beyond it they are
// dropped (the other events are the sessions', bounded by them).
const maxQueuedRejected = 256

// queue is a FIFO of events delivered on a channel, unbounded except for
// Rejected events (maxQueuedRejected).
type queue struct {
	mu       sync.Mutex
	items    []Event
	rejected int // Rejected events not yet read: in items, or in hand in run
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
		q.mu.Unlock()
		select {
		case q.out <- e:
		case <-q.quit:
			return
		}
		if e.Type == Rejected {
			// Counted until read: the event in hand is unread too.
			q.mu.Lock()
			q.rejected--
			q.mu.Unlock()
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

func (p *Peer) emit(e Event) { p.events.push(e) }
