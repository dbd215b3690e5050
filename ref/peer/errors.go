package peer

import (
	"errors"
	"fmt"
)

// Error classes (IDENTITY.md §8). Every error this package reports wraps
// one of them (or a context error, or an error of package ref); test them
// with errors.Is.
var (
	// ErrInsecureFile reports an identity or store file that group or others
	// may read.
	ErrInsecureFile = errors.New("peer: file readable by others")
	// ErrBadStore reports a store file that is not a store OpenStore
	// writes (not JSON, another version, a record that is null or whose key
	// is not its ID's).
	ErrBadStore = errors.New("peer: store file invalid")
	// ErrAuth reports a failed identity handshake: a signature that does not
	// verify, a public key whose ID is not the expected one (an impostor with
	// a copied ID), or a malformed HELLO. The connection is closed.
	ErrAuth = errors.New("peer: identity authentication failed")
	// ErrTampered reports a relayed code whose author's signature does not
	// verify: the introducer (or anyone on the way) altered it.
	ErrTampered = errors.New("peer: relayed code altered (signature does not verify)")
	// ErrUnknownPeer reports an ID that is neither connected nor remembered,
	// or a reconnect code from a peer that is not remembered.
	ErrUnknownPeer = errors.New("peer: unknown peer")
	// ErrNoRoute reports that no introducer or remembered address could reach
	// the peer.
	ErrNoRoute = errors.New("peer: no path to the peer")
	// ErrRefused reports that the remote side refused an introduction or a
	// direct connection (IDENTITY.md §8 lists its reasons).
	ErrRefused = errors.New("peer: refused by the remote peer")
	// ErrTooManyPeers reports that Config.MaxPeers sessions exist.
	ErrTooManyPeers = errors.New("peer: too many peers")
	// ErrProtocol reports a message that breaks IDENTITY.md.
	ErrProtocol = errors.New("peer: protocol violation")
	// ErrClosed reports a call on a closed Peer.
	ErrClosed = errors.New("peer: closed")
	// ErrExpired reports a signed code older than SignedCodeLifetime.
	ErrExpired = errors.New("peer: signed code expired")
)

// Error is an error attributed to one remote peer: ID names it (zero
// when unknown), Op says what was happening ("hello", "introduce",
// "dial", "accept", "send"), Err wraps one of the classes above.
type Error struct {
	ID  ID
	Op  string
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var zero ID
	if e.ID == zero {
		return fmt.Sprintf("peer: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("peer %s: %s: %v", e.ID.Short(), e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Refuse reasons, carried by refuse messages (IDENTITY.md §8, Appendix B.3).
const (
	refuseNoRoute  = 1 // the introducer is not connected to the target
	refuseTampered = 2 // the target's check of the author's signature failed
	refuseUnknown  = 3 // a direct offer from a peer the listener does not remember
	refuseLimit    = 4 // MaxPeers reached
	refusePolicy   = 5 // introductions not accepted
	refuseFailed   = 6 // any other failure (bad code, expired)
)

// refusalErr is the error of a received refuse reason: exactly one class.
func refusalErr(code uint64) error {
	switch code {
	case refuseNoRoute:
		return ErrNoRoute
	case refuseTampered:
		return ErrTampered
	case refuseUnknown:
		return fmt.Errorf("%w: the remote peer does not remember us (reason %d)", ErrUnknownPeer, code)
	case refuseLimit:
		return fmt.Errorf("%w: the remote peer's session limit is reached (reason %d)", ErrTooManyPeers, code)
	default:
		return fmt.Errorf("%w (reason %d)", ErrRefused, code)
	}
}

// refusalCode is the refuse reason that reports err (one class each).
func refusalCode(err error) uint64 {
	switch {
	case errors.Is(err, ErrNoRoute):
		return refuseNoRoute
	case errors.Is(err, ErrTampered):
		return refuseTampered
	case errors.Is(err, ErrUnknownPeer):
		return refuseUnknown
	case errors.Is(err, ErrTooManyPeers):
		return refuseLimit
	case errors.Is(err, ErrRefused):
		return refusePolicy
	}
	return refuseFailed
}
