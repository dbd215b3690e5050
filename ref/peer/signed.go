package peer

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Signed codes (IDENTITY.md §6.1): a code signed by its author for one
// recipient, the unit that introductions (§6), direct reconnections (§7)
// and ICE restarts (§8.2) carry.

// Kinds of a signed code.
const (
	kindOffer  = 0
	kindAnswer = 1
)

// SignedCodeLifetime is how long a signed code is accepted after its
// timestamp (and how far in the future it may be).
const SignedCodeLifetime = 10 * time.Minute

// signedCode is a code signed by its author, the body of RELAY and of the
// direct exchange: [kind, author key, recipient ID, time, code, signature].
type signedCode struct {
	_    struct{} `cbor:",toarray"`
	Kind uint64
	Key  []byte
	To   []byte
	Time uint64
	Code []byte
	Sig  []byte
}

func (s *signedCode) check() error {
	if s.Kind > kindAnswer || len(s.Key) != ed25519.PublicKeySize || len(s.To) != len(ID{}) || len(s.Sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed signed code", ErrProtocol)
	}
	return nil
}

// codeInput is the signing input of a signed code (IDENTITY.md §6.1):
// context ‖ 0x00 ‖ kind ‖ author key ‖ recipient ID ‖ time (8 bytes,
// big-endian) ‖ code.
func codeInput(kind byte, key []byte, to ID, t uint64, code []byte) []byte {
	b := make([]byte, 0, len(ctxCode)+2+32+32+8+len(code))
	b = append(b, ctxCode...)
	b = append(b, 0, kind)
	b = append(b, key...)
	b = append(b, to[:]...)
	b = binary.BigEndian.AppendUint64(b, t)
	return append(b, code...)
}

func (i *Identity) signCode(kind byte, to ID, code []byte, now time.Time) signedCode {
	t := uint64(now.Unix())
	key := []byte(i.PublicKey())
	return signedCode{Kind: uint64(kind), Key: key, To: to[:], Time: t, Code: code,
		Sig: i.sign(codeInput(kind, key, to, t, code))}
}

// verify checks a signed code addressed to me, of kind, and returns its
// author. A bad signature is ErrTampered; a stale one ErrExpired. The
// author (the ID of key, not yet authenticated when err is not nil) is
// returned whenever key has 32 bytes, so that the recipient can send the
// refuse of IDENTITY.md §6.2 step 3 for any failure.
func (s *signedCode) verify(me ID, kind byte, now time.Time) (ID, error) {
	var author ID
	if len(s.Key) == ed25519.PublicKeySize {
		author = IDOf(s.Key)
	}
	if err := s.check(); err != nil {
		return author, err
	}
	if s.Kind != uint64(kind) {
		return author, fmt.Errorf("%w: signed code of kind %d, want %d", ErrProtocol, s.Kind, kind)
	}
	var to ID
	copy(to[:], s.To)
	if to != me {
		return author, fmt.Errorf("%w: signed code addressed to %s", ErrProtocol, to.Short())
	}
	if !ed25519.Verify(s.Key, codeInput(kind, s.Key, to, s.Time, s.Code), s.Sig) {
		return author, ErrTampered
	}
	if !fresh(s.Time, now.Unix()) {
		return author, fmt.Errorf("%w (signed at %d, now %d)", ErrExpired, s.Time, now.Unix())
	}
	return author, nil
}

// fresh reports whether the time t of a signed code (any uint64) is
// within SignedCodeLifetime of the clock now (IDENTITY.md §6.1), without
// truncating or overflowing either.
func fresh(t uint64, now int64) bool {
	if t > math.MaxInt64 {
		return false
	}
	var d uint64 // |t − now|, exact: it is below 2^64
	if int64(t) > now {
		d = t - uint64(now)
	} else {
		d = uint64(now) - t
	}
	return d <= uint64(SignedCodeLifetime/time.Second)
}
