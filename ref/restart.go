package ref

import (
	"context"
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
)

// ICE restart (RFC 8445 section 2.4) of an open Config.RestartableICE
// connection: either side calls RestartOffer and carries the code to the
// other side's RestartAnswer, whose code goes back to CompleteRestart,
// over any channel but this connection's path. The Conn, its channels and
// the DTLS and SCTP associations stay; only the ICE credentials and
// candidates are new. The codes are ordinary codes (an answer's code is
// bound to its restart offer).
//
// From RestartOffer or RestartAnswer until ICE connects again, the
// dead-peer deadline is suspended; the restart must connect within
// Config.RestartTimeout, else the Conn ends with ErrPeerUnreachable. A
// new RestartOffer replaces a pending one (its answer is no longer
// accepted). A connection made without RestartableICE returns
// ErrNotRestartable.

// Unreachable returns a channel closed when the dead-peer deadline
// (Config.DeadPeerTimeout) of a Config.RestartableICE connection has
// passed: instead of ending at once, the connection then waits
// Config.RestartTimeout for a restart to begin (or for the path to come
// back by itself), then ends with ErrPeerUnreachable. After it is
// connected again, Unreachable returns a new channel. For a connection
// without RestartableICE, the channel is never closed.
func (c *Conn) Unreachable() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unreachable
}

// Reachable is Unreachable's counterpart: it returns a channel that is
// closed while the connection is reachable. From the dead-peer deadline
// (when Unreachable's channel closes) it returns a new channel, which
// closes when ICE connects again (a restart, or the path by itself).
// Together they let a caller follow a restartable connection's path by
// waiting on channels, without polling. Neither closes when the
// connection ends: wait on Done too.
func (c *Conn) Reachable() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reachable
}

// closedChan returns a closed channel.
func closedChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// Restarts returns the number of ICE restarts that have connected.
func (c *Conn) Restarts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.restarts
}

// RestartOffer starts an ICE restart and returns the restart offer's
// code, for the peer's RestartAnswer. Gathering is bounded as for Offer.
func (c *Conn) RestartOffer(ctx context.Context) ([]byte, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	code, err := c.restartOfferLocked(ctx)
	if err != nil {
		return nil, c.wrap("restart offer", err)
	}
	return code, nil
}

func (c *Conn) restartOfferLocked(ctx context.Context) ([]byte, error) {
	if err := c.restartable(ctx); err != nil {
		return nil, err
	}
	if c.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		// An earlier restart offer that was never answered.
		if err := c.pc.SetLocalDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback}); err != nil {
			return nil, err
		}
	}
	c.beginRestart()
	offer, err := c.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
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
	c.restartOffer = code
	c.mu.Unlock()
	return code, nil
}

// RestartAnswer applies the peer's restart offer and returns the answer's
// code, for the peer's CompleteRestart. ICE checks start at once.
func (c *Conn) RestartAnswer(ctx context.Context, offerCode []byte) ([]byte, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	code, err := c.restartAnswerLocked(ctx, offerCode)
	if err != nil {
		return nil, c.wrap("restart answer", err)
	}
	return code, nil
}

func (c *Conn) restartAnswerLocked(ctx context.Context, offerCode []byte) ([]byte, error) {
	if err := c.restartable(ctx); err != nil {
		return nil, err
	}
	d, err := decodeAs(offerCode, codec.Offer, nil)
	if err != nil {
		return nil, err
	}
	if c.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		// Glare: the peer's restart offer wins over ours (the caller
		// decides which to accept). pion v4 cannot roll back a local
		// offer (SetLocalDescription refuses the rollback type), so
		// this returns an error: while its own restart offer is
		// pending, a Conn cannot answer one (ref/peer's glare rule lets
		// the lower ID's offer win, which a higher-ID ref/peer cannot
		// follow; IDENTITY.md §8.2).
		if err := c.pc.SetLocalDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback}); err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.restartOffer = nil
		c.mu.Unlock()
	}
	c.beginRestart()
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: d.SDP}); err != nil {
		return nil, fmt.Errorf("%w: %w", codec.ErrInvalidSDP, err)
	}
	answer, err := c.pc.CreateAnswer(nil)
	if err != nil {
		return nil, err
	}
	sdp, err := c.setLocal(ctx, answer)
	if err != nil {
		return nil, err
	}
	return codec.Encode(codec.Description{Type: codec.Answer, SDP: sdp}, offerCode, &codec.EncOptions{Policy: c.s.Policy})
}

// CompleteRestart applies the answer's code to the pending restart offer;
// ICE checks start then. It does not wait: use WaitRestart. An answer
// bound to another offer returns codec.ErrBinding.
func (c *Conn) CompleteRestart(ctx context.Context, answerCode []byte) error {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if err := c.completeRestartLocked(ctx, answerCode); err != nil {
		return c.wrap("complete restart", err)
	}
	return nil
}

func (c *Conn) completeRestartLocked(ctx context.Context, answerCode []byte) error {
	if err := c.restartable(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	offerCode := c.restartOffer
	c.mu.Unlock()
	if offerCode == nil || c.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		return ErrState
	}
	d, err := decodeAs(answerCode, codec.Answer, offerCode)
	if err != nil {
		return err
	}
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: d.SDP}); err != nil {
		return fmt.Errorf("%w: %w", codec.ErrInvalidSDP, err)
	}
	c.mu.Lock()
	c.restartOffer = nil
	c.mu.Unlock()
	return nil
}

// WaitRestart blocks until the pending restart has connected (nil at once
// when none is pending), the connection ends (Err) or ctx is done.
func (c *Conn) WaitRestart(ctx context.Context) error {
	c.mu.Lock()
	done, err := c.restartDone, c.err
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-c.done:
		return c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Conn) restartable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !c.s.RestartableICE {
		return ErrNotRestartable
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if !c.isOpen {
		return fmt.Errorf("%w: ICE restart before the connection opened", ErrState)
	}
	return nil
}

// beginRestart suspends the dead-peer deadline and arms the restart's.
func (c *Conn) beginRestart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadTimer != nil {
		c.deadTimer.Stop()
		c.deadTimer = nil
	}
	if c.restartTimer != nil {
		c.restartTimer.Stop()
	}
	if !c.restarting {
		c.restarting = true
		c.restartDone = make(chan struct{})
	}
	d := c.s.RestartTimeout
	c.restartTimer = time.AfterFunc(d, func() {
		c.fail("restart", fmt.Errorf("%w: the ICE restart did not connect within %v", ErrPeerUnreachable, d))
	})
}
