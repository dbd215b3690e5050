package ref

import (
	"time"
)

// Keepalive (FRAMING.md §2, KEEPALIVE): while the connection is open and
// this side has sent nothing on it for keepaliveInterval, it sends one
// empty KEEPALIVE frame on the default channel, so that a peer that
// measures liveness by the frames it receives (a browser: Firefox's
// statistics count no ICE checks) hears a live but idle peer. One timer
// per connection; it stops at the connection's end and once this side's
// direction of the default channel ended (EOS, or a write that failed).

const (
	frameKeepalive    = 0x41 // empty; counts as traffic, otherwise ignored
	keepaliveInterval = 2 * time.Second
)

// noteSent records that a frame left on some channel of the connection.
func (c *Conn) noteSent() { c.lastSent.Store(time.Now().UnixNano()) }

// startKeepalive arms the keepalive timer; markOpen calls it with c.mu
// held. The first KEEPALIVE leaves at once (FRAMING.md: at open), so that
// the peer learns that this side sends them before it may need them.
func (c *Conn) startKeepalive() {
	c.kaTimer = time.AfterFunc(0, c.keepalive)
}

// keepalive runs on the timer: it sends KEEPALIVE if the connection was
// idle for keepaliveInterval (or nothing was sent yet) and re-arms the timer for the next moment the
// connection may have been idle that long.
func (c *Conn) keepalive() {
	idle := keepaliveInterval
	if last := c.lastSent.Load(); last != 0 {
		idle = time.Since(time.Unix(0, last))
	}
	if idle >= keepaliveInterval {
		if !c.def.sendKeepalive() {
			return
		}
		idle = 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.kaTimer != nil {
		c.kaTimer.Reset(keepaliveInterval - idle)
	}
}

// sendKeepalive sends one KEEPALIVE frame on ch unless a write is under
// way (it is traffic itself) or data waits in the send buffer. It returns
// false when keepalives must stop: ch's direction ended or the
// connection did.
func (ch *Channel) sendKeepalive() bool {
	if !ch.wmu.TryLock() {
		return true // a Send or Write holds it: traffic is flowing
	}
	defer ch.wmu.Unlock()
	if ch.wEOS || ch.wErr != nil || ch.c.Err() != nil {
		return false
	}
	if ch.dc.BufferedAmount() > 0 {
		return true
	}
	if _, err := ch.rwc.WriteDataChannel([]byte{frameKeepalive}, false); err != nil {
		return false
	}
	ch.c.noteSent()
	ch.c.keepalivesSent.Add(1)
	return true
}
