package ref

import (
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"
)

// A connection's state as pion reports it: open, ICE connected or not,
// the dead-peer deadline (Config.DeadPeerTimeout), failure and close.

func (c *Conn) markOpen() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isOpen {
		return
	}
	c.isOpen = true
	if c.timer != nil {
		c.timer.Stop()
	}
	close(c.opened)
	if c.err == nil {
		c.startKeepalive()
	}
}

func (c *Conn) onICEState(st webrtc.ICEConnectionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch st {
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		c.iceConnected = true
		if c.deadTimer != nil {
			c.deadTimer.Stop()
			c.deadTimer = nil
		}
		if c.restartTimer != nil {
			c.restartTimer.Stop()
			c.restartTimer = nil
		}
		if c.unreachClose {
			c.unreachable, c.unreachClose = make(chan struct{}), false
			close(c.reachable)
		}
		if c.restarting {
			c.restarting = false
			c.restarts++
			close(c.restartDone)
			c.restartDone = nil
		}
	case webrtc.ICEConnectionStateDisconnected:
		if c.deadTimer == nil && c.err == nil && !c.restarting {
			d := c.s.DeadPeerTimeout - iceDisconnected
			c.deadTimer = time.AfterFunc(d, c.deadline)
		}
	}
}

// deadline runs when the dead-peer deadline passes. A restartable
// connection then waits RestartTimeout for a restart to begin.
func (c *Conn) deadline() {
	err := fmt.Errorf("%w: nothing received for %v", ErrPeerUnreachable, c.s.DeadPeerTimeout)
	c.mu.Lock()
	if c.restarting || c.err != nil {
		c.mu.Unlock()
		return
	}
	if !c.s.RestartableICE {
		c.mu.Unlock()
		c.fail("connection", err)
		return
	}
	if !c.unreachClose {
		close(c.unreachable)
		c.unreachClose = true
		c.reachable = make(chan struct{})
	}
	if c.restartTimer == nil {
		c.restartTimer = time.AfterFunc(c.s.RestartTimeout, func() {
			c.fail("connection", fmt.Errorf("%w (and no ICE restart within %v)", err, c.s.RestartTimeout))
		})
	}
	c.mu.Unlock()
}

func (c *Conn) onState(st webrtc.PeerConnectionState) {
	switch st {
	case webrtc.PeerConnectionStateConnected:
		c.connectedOnce.Do(func() { close(c.connected) })
	case webrtc.PeerConnectionStateFailed:
		c.mu.Lock()
		ice, open := c.iceConnected, c.isOpen
		c.mu.Unlock()
		switch {
		case open:
			c.fail("connection", fmt.Errorf("%w: ICE failed", ErrPeerUnreachable))
		case ice:
			c.fail("connect", ErrDTLS)
		default:
			c.fail("connect", fmt.Errorf("%w: ICE failed", ErrConnect))
		}
	case webrtc.PeerConnectionStateClosed:
		// pion closes the connection on the peer's DTLS close_notify and
		// delivers each state on a goroutine of its own, so this Closed
		// may overtake the Failed of a handshake that failed here (the
		// peer closes when our alert ends its handshake). A close after
		// ICE connected and before DTLS did is a failed handshake.
		c.mu.Lock()
		ice := c.iceConnected
		c.mu.Unlock()
		select {
		case <-c.connected:
		default:
			if ice {
				c.fail("connect", ErrDTLS)
				return
			}
		}
		c.fail("connection", ErrPeerClosed)
	}
}
