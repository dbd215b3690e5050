package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// personError is an error as a person reads it: what went wrong and what
// to do, in words, without the layers it passed through. It wraps the error
// it explains, so errors.Is still finds the class.
type personError struct {
	msg string
	err error
}

func (e *personError) Error() string { return e.msg }
func (e *personError) Unwrap() error { return e.err }

func explainf(err error, format string, a ...any) error {
	return &personError{msg: fmt.Sprintf(format, a...), err: err}
}

// codeClasses are the classes of a refused code (SPEC.md §9, and a code of
// the wrong kind).
var codeClasses = []error{codec.ErrForeign, codec.ErrMalformed, codec.ErrNonCanonical, codec.ErrUnsupported,
	codec.ErrLimit, codec.ErrBinding, codec.ErrInvalidSDP, ref.ErrCode}

// isCodeProblem reports whether err refuses a code (another code may do),
// rather than the connection or the command.
func isCodeProblem(err error) bool {
	for _, c := range codeClasses {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// describe explains why a code was refused. want names the code that was
// expected ("offer", "answer", or "" when either will do). Errors that do
// not refuse a code are returned unchanged.
func describe(err error, want string) error {
	switch {
	case errors.Is(err, codec.ErrForeign):
		return explainf(err, "this is not a peer code: copy the whole code (it starts with P- or P:) or the whole link")
	case errors.Is(err, codec.ErrMalformed):
		return explainf(err, "this code is damaged: part of it is missing or mistyped; copy or scan it again")
	case errors.Is(err, codec.ErrNonCanonical):
		return explainf(err, "this code was not written correctly (a non-canonical encoding), so it was refused; make it again")
	case errors.Is(err, codec.ErrUnsupported):
		return explainf(err, "this code uses a newer version of the format than this peer reads: update peer")
	case errors.Is(err, codec.ErrLimit):
		return explainf(err, "this code is larger than the limit this peer accepts (SPEC.md §8)")
	case errors.Is(err, codec.ErrBinding):
		return explainf(err, "this answer belongs to another offer: use the answer made for the offer shown here")
	case errors.Is(err, codec.ErrInvalidSDP):
		return explainf(err, "this code does not hold a usable WebRTC description")
	case errors.Is(err, codec.ErrNeedsOffer):
		return explainf(err, "this audio/video answer is coded against its offer: pass the offer's code with -offer CODE or -offer @FILE")
	case errors.Is(err, ref.ErrCode) && want == "answer":
		return explainf(err, "this is an offer's code, not an answer's: paste the code that the other side (peer answer, or the page) shows")
	case errors.Is(err, ref.ErrCode) && want == "offer":
		return explainf(err, "this is an answer's code, not an offer's: paste the code that the other side (peer offer, or the page) shows first")
	}
	return err
}

// explainConn explains why a connection failed or ended badly; other
// errors are returned unchanged.
func explainConn(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ref.ErrOfferExpired):
		return explainf(err, "the offer expired before its answer came (-wait): run the command again for a new offer")
	case errors.Is(err, ref.ErrConnect):
		return explainf(err, "no connection: the two sides found no network path to each other, or the other side did not use the answer in time "+
			"(are both on the same network? Without -ice no STUN or TURN server helps)")
	case errors.Is(err, ref.ErrDTLS):
		return explainf(err, "the connection was refused: the other side's certificate does not match the fingerprint its code carries "+
			"(the code was altered, or came from someone else)")
	case errors.Is(err, ref.ErrPeerClosed):
		return explainf(err, "the other side closed the connection before the end of what it sends, which may be incomplete")
	case errors.Is(err, ref.ErrPeerUnreachable):
		return explainf(err, "the other side stopped answering (it was stopped, or the network between you broke); what it sent may be incomplete")
	case errors.Is(err, ref.ErrMedia):
		return explainf(err, "the offer has no place for this side's -video or -audio: the offerer must send that kind of media "+
			"(its own -video or -audio) or ask for it (-record)")
	case errors.Is(err, ref.ErrProtocol):
		return explainf(err, "the other side broke the data-channel framing (FRAMING.md: %s), so the connection was closed", protocolDetail(err))
	}
	return err
}

// protocolDetail is what a framing error says the peer did.
func protocolDetail(err error) string {
	var ce *ref.ConnError
	s := err.Error()
	if errors.As(err, &ce) {
		s = ce.Err.Error()
	}
	if _, d, ok := strings.Cut(s, ref.ErrProtocol.Error()+": "); ok {
		return d
	}
	return s
}
