package ref

import (
	"errors"
	"fmt"
	"os"
)

// Error classes. Every error that a Conn or a Channel reports wraps exactly
// one of them (or a context error, or a codec sentinel for a bad code); test
// them with errors.Is.
var (
	// ErrClosed reports that the connection or channel was closed locally.
	ErrClosed = errors.New("ref: closed")
	// ErrPeerClosed reports that the peer closed the connection: it sent the
	// in-band CLOSE frame (FRAMING.md) or ended its DTLS association.
	ErrPeerClosed = errors.New("ref: closed by the peer")
	// ErrPeerUnreachable reports that an established connection received
	// nothing from the peer for longer than the dead-peer deadline
	// (Config.DeadPeerTimeout): the peer was killed or the path broke.
	ErrPeerUnreachable = errors.New("ref: peer unreachable")
	// ErrConnect reports that ICE found no working candidate pair before the
	// connect deadline, or that ICE failed while connecting.
	ErrConnect = errors.New("ref: no connection")
	// ErrDTLS reports that ICE connected but the DTLS handshake failed: most
	// often the peer's certificate does not match the fingerprint carried by
	// its code.
	ErrDTLS = errors.New("ref: DTLS handshake failed (a certificate does not match the fingerprint its code carries)")
	// ErrOfferExpired reports that an offer waited longer than
	// Config.OfferTimeout for its answer.
	ErrOfferExpired = errors.New("ref: offer expired before its answer arrived")
	// ErrState reports a call at the wrong time, such as Complete on an
	// answerer or twice on the same offerer.
	ErrState = errors.New("ref: call not allowed in this state")
	// ErrNotRestartable reports an ICE restart asked of a connection made
	// without Config.RestartableICE: its short ICE credentials are fixed
	// for its life, and a restart needs new ones.
	ErrNotRestartable = errors.New("ref: ICE restart needs Config.RestartableICE (this connection's short ICE credentials are fixed)")
	// ErrCode reports a code of the wrong type (an answer where an offer is
	// expected, or the reverse). Codes that do not decode report the codec's
	// sentinel errors (codec.ErrBinding, codec.ErrForeign, ...) instead.
	ErrCode = errors.New("ref: wrong kind of code")
	// ErrMedia reports a local track (Config.Tracks) that the description
	// cannot hold: an answerer's track for which the offer has no unused
	// m-line of its kind that can receive, or a track with no codec in
	// common with the peer.
	ErrMedia = errors.New("ref: a local track has no place in the session")
	// ErrMessageTooLarge reports a message over the limit: on Send, larger
	// than one frame on a channel that is not ordered and reliable; on
	// Receive, a reassembled message over Config.MaxMessageSize (that
	// message is discarded, the next ones are delivered).
	ErrMessageTooLarge = errors.New("ref: message too large")
	// ErrProtocol reports a frame that breaks FRAMING.md (a text message, an
	// empty message, an unknown must-understand frame type, data after
	// end-of-stream, a frame over the advertised max-message-size). The
	// connection is closed.
	ErrProtocol = errors.New("ref: framing protocol violation")
	// ErrWriteClosed reports a write after CloseWrite.
	ErrWriteClosed = errors.New("ref: write after end of stream")
	// ErrDeadline reports that a Read or Write deadline passed. It matches
	// os.ErrDeadlineExceeded with errors.Is and is a net.Error with
	// Timeout() true, so net-style code recognises it.
	ErrDeadline = errDeadline{}
)

type errDeadline struct{}

func (errDeadline) Error() string   { return "ref: i/o deadline exceeded" }
func (errDeadline) Timeout() bool   { return true }
func (errDeadline) Temporary() bool { return true }
func (errDeadline) Is(t error) bool { return t == os.ErrDeadlineExceeded }

// ConnError is an error attributed to one connection: ID names the
// connection (its local ICE username fragment, which also appears in its
// code), Op says what was happening ("offer", "answer", "complete",
// "connect", "send", "receive", "close"), and Err is the cause, which wraps
// one of the error classes above.
type ConnError struct {
	ID  string
	Op  string
	Err error
}

// Error implements error.
func (e *ConnError) Error() string {
	return fmt.Sprintf("ref: connection %s: %s: %s", e.ID, e.Op, trimPrefix(e.Err.Error()))
}

// Unwrap returns the cause.
func (e *ConnError) Unwrap() error { return e.Err }

func trimPrefix(s string) string {
	if len(s) > 5 && s[:5] == "ref: " {
		return s[5:]
	}
	return s
}
