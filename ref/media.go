package ref

import (
	"context"
	"fmt"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// maxWaitingTracks is how many remote tracks wait for AcceptTrack; the
// ones after are refused (their receiver stopped).
const maxWaitingTracks = 16

// RemoteTrack is a track the peer sends: pion's track, to read RTP from
// (ReadRTP, or Read into a buffer), and its receiver, for RTCP and
// statistics. Read it continuously: pion buffers a bounded amount (about
// 1 MB per track) and drops what does not fit.
type RemoteTrack struct {
	Track    *webrtc.TrackRemote
	Receiver *webrtc.RTPReceiver
}

// Kind is the track's kind: webrtc.RTPCodecTypeAudio or Video.
func (t RemoteTrack) Kind() webrtc.RTPCodecType { return t.Track.Kind() }

// AcceptTrack returns the next track the peer sends, once its first RTP
// packet has arrived (pion learns the payload type from it). Up to 16
// unaccepted tracks wait; more are refused (their receiver is stopped). It
// returns the connection's error when the connection ends, or ctx's.
func (c *Conn) AcceptTrack(ctx context.Context) (RemoteTrack, error) {
	select {
	case t := <-c.tracks:
		return t, nil
	case <-c.done:
		return RemoteTrack{}, c.Err()
	case <-ctx.Done():
		return RemoteTrack{}, ctx.Err()
	}
}

// WaitMedia blocks until ICE and DTLS are up, from when local tracks reach
// the peer (a little before WaitOpen returns: the default channel needs
// an SCTP handshake more), the connection ends (it returns Err) or ctx is
// done. Samples written before are lost.
func (c *Conn) WaitMedia(ctx context.Context) error { return c.waitFor(ctx, c.connected) }

// LocalTracks returns the senders of Config.Tracks, in order, for their
// parameters and statistics. Their RTCP is read (and discarded) by this
// package.
func (c *Conn) LocalTracks() []*webrtc.RTPSender {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*webrtc.RTPSender(nil), c.senders...)
}

// onTrack runs on pion's goroutine: it hands the track over without
// blocking.
func (c *Conn) onTrack(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	select {
	case c.tracks <- RemoteTrack{Track: t, Receiver: r}:
	default:
		_ = r.Stop()
	}
}

// addMedia adds Config.Tracks (and, on an offerer, Config.Receive's
// recvonly m-lines) to the pion connection, before its description is
// made. Each sender's RTCP is drained so that pion's interceptors work.
func (c *Conn) addMedia() error {
	for _, t := range c.s.Tracks {
		sender, err := c.pc.AddTrack(t)
		if err != nil {
			return fmt.Errorf("%w: track %q: %w", ErrMedia, t.ID(), err)
		}
		c.mu.Lock()
		c.senders = append(c.senders, sender)
		c.mu.Unlock()
		go drainRTCP(sender)
	}
	if c.role != roleOfferer {
		return nil
	}
	for _, k := range c.s.Receive {
		_, err := c.pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly})
		if err != nil {
			return fmt.Errorf("ref: %w", err)
		}
	}
	return nil
}

// drainRTCP reads a sender's RTCP until the sender stops.
func drainRTCP(s *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := s.Read(buf); err != nil {
			return
		}
	}
}

// checkTracksPlaced reports ErrMedia for an answerer's track that found no
// m-line in the offer: pion keeps it in a transceiver of its own, with no
// mid, that the answer leaves out.
func (c *Conn) checkTracksPlaced() error {
	for _, tr := range c.pc.GetTransceivers() {
		s := tr.Sender()
		if s == nil || s.Track() == nil {
			continue
		}
		if tr.Mid() == "" || tr.Direction() == webrtc.RTPTransceiverDirectionRecvonly || tr.Direction() == webrtc.RTPTransceiverDirectionInactive {
			return fmt.Errorf("%w: the offer has no m-line of kind %v left to receive track %q", ErrMedia, s.Track().Kind(), s.Track().ID())
		}
	}
	return nil
}

// hasMedia reports whether an SDP has audio or video m-lines.
func hasMedia(sdp string) bool {
	return strings.Contains(sdp, "\nm=audio ") || strings.Contains(sdp, "\nm=video ")
}

// codecKind is the kind of a MIME type (0 when neither audio nor video).
func codecKind(mime string) webrtc.RTPCodecType {
	typ, _, _ := strings.Cut(strings.ToLower(mime), "/")
	switch typ {
	case "audio":
		return webrtc.RTPCodecTypeAudio
	case "video":
		return webrtc.RTPCodecTypeVideo
	}
	return 0
}

// mediaEngine returns the codecs (Config.Codecs, or pion's defaults) and
// pion's default interceptors (NACK, RTCP reports, statistics, TWCC) of a
// connection that carries media.
func (s *settings) mediaEngine() (*webrtc.MediaEngine, *interceptor.Registry, error) {
	m := &webrtc.MediaEngine{}
	if len(s.Codecs) == 0 {
		if err := m.RegisterDefaultCodecs(); err != nil {
			return nil, nil, fmt.Errorf("ref: %w", err)
		}
	}
	for _, cp := range s.Codecs {
		if err := m.RegisterCodec(cp, codecKind(cp.MimeType)); err != nil {
			return nil, nil, fmt.Errorf("ref: Config.Codecs: %w", err)
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, nil, fmt.Errorf("ref: %w", err)
	}
	return m, ir, nil
}
