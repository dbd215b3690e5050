package ref

import (
	"sync"
	"time"
)

// deadline is a resettable deadline whose wait channel closes when it
// passes (the pattern of net.Pipe).
type deadline struct {
	mu     *sync.Mutex
	timer  **time.Timer
	cancel *chan struct{}
}

func makeDeadline() deadline {
	c := make(chan struct{})
	var t *time.Timer
	return deadline{mu: new(sync.Mutex), timer: &t, cancel: &c}
}

func (d deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if *d.timer != nil && !(*d.timer).Stop() {
		<-*d.cancel // the timer fired: wait for the close
	}
	*d.timer = nil
	closed := isClosed(*d.cancel)
	if t.IsZero() {
		if closed {
			*d.cancel = make(chan struct{})
		}
		return
	}
	if dur := time.Until(t); dur > 0 {
		if closed {
			*d.cancel = make(chan struct{})
		}
		c := *d.cancel
		*d.timer = time.AfterFunc(dur, func() { close(c) })
		return
	}
	if !closed {
		close(*d.cancel)
	}
}

func (d deadline) wait() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return *d.cancel
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
