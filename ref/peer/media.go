package peer

import (
	"context"

	"github.com/peer-sdp/peer/ref"
)

// Media (IDENTITY.md says nothing of it: it is this package's): the local
// tracks are Config.Conn.Tracks (with Config.Conn.Receive and Codecs), the
// template of every connection. So every connection of every session
// carries them: after a reconnect, on the new connection, with nothing to
// add again (pion's local tracks, such as webrtc.TrackLocalStaticSample,
// write to every connection they are bound to). An ICE restart keeps the
// connection, and its tracks go on. The peer's tracks of each new
// connection arrive through AcceptTrack again; those of the connection it
// replaced end (their reads return an error).
//
// A connection is refused (ref.ErrMedia) when the answerer sends a kind of
// track that the offer has no m-line for; since either peer may offer,
// give peers that send audio or video the same kinds in Tracks, or ask for
// the other's with Receive.

// maxWaitingTracks is how many remote tracks wait for AcceptTrack; the
// ones after are refused (their receiver stopped).
const maxWaitingTracks = 16

// Track is a track a peer sends on its session's current connection.
type Track struct {
	From ID
	ref.RemoteTrack
}

// AcceptTrack returns the next track a peer sends, once its first RTP
// packet has arrived. Up to 16 unaccepted tracks wait; more are refused.
// A reconnected session's tracks arrive again. It returns ErrClosed once
// the Peer is closed, or ctx's error.
func (p *Peer) AcceptTrack(ctx context.Context) (Track, error) {
	select {
	case t := <-p.tracks:
		return t, nil
	case <-p.ctx.Done():
		return Track{}, ErrClosed
	case <-ctx.Done():
		return Track{}, ctx.Err()
	}
}

// forwardTracks hands the tracks of c, the connection of session s, to
// AcceptTrack until c ends, without waiting for the application.
func (p *Peer) forwardTracks(s *session, c *ref.Conn) {
	defer p.wg.Done()
	for {
		t, err := c.AcceptTrack(p.ctx)
		if err != nil {
			return
		}
		select {
		case p.tracks <- Track{From: s.id, RemoteTrack: t}:
		default:
			_ = t.Receiver.Stop()
		}
	}
}
