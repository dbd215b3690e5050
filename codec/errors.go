package codec

import (
	"errors"
	"fmt"
)

// Error classes (SPEC.md §9). Every error returned by this package wraps
// exactly one of them; test with errors.Is.
var (
	// ErrForeign: the input is not a code of this format (no known prefix and
	// not a binary code). SPEC.md §9 "foreign".
	ErrForeign = errors.New("codec: not a peer code")
	// ErrMalformed: the input claims to be a code but is truncated, is not
	// well-formed CBOR or text encoding, or breaks a structural rule of the
	// format (wrong field type, bad length, invalid packed value).
	// SPEC.md §9 "malformed".
	ErrMalformed = errors.New("codec: malformed code")
	// ErrNonCanonical: the code is well-formed but is not the canonical
	// encoding of its content (SPEC.md §7). SPEC.md §9 "non-canonical".
	ErrNonCanonical = errors.New("codec: non-canonical code")
	// ErrUnsupported: the code uses a version, form, or must-understand extension
	// this decoder does not implement. SPEC.md §9 "unsupported".
	ErrUnsupported = errors.New("codec: unsupported version or extension")
	// ErrLimit: the input or its decoded content exceeds a decoder or encoder
	// limit (SPEC.md §8). SPEC.md §9 "limit".
	ErrLimit = errors.New("codec: limit exceeded")
	// ErrBinding: an answer's code is bound to another offer than the one it
	// was checked against (SPEC.md §6). SPEC.md §9 "binding".
	ErrBinding = errors.New("codec: answer belongs to another offer")
	// ErrInvalidSDP: the session description given to the encoder is not a valid
	// SDP (SPEC.md §3.1), or a type/setup combination is impossible.
	// SPEC.md §9 "invalid-sdp".
	ErrInvalidSDP = errors.New("codec: invalid session description")
	// ErrNeedsOffer: an answer in the compact audio/video form was decoded
	// without the code of its offer (DecOptions.Offer), which it is coded
	// against. SPEC.md §9 "needs-offer".
	ErrNeedsOffer = errors.New("codec: the answer needs the code of its offer")
)

// classes lists every error class, in SPEC.md order; vectors name them by
// these names.
var classes = []struct {
	name string
	err  error
}{
	{"foreign", ErrForeign},
	{"malformed", ErrMalformed},
	{"non-canonical", ErrNonCanonical},
	{"unsupported", ErrUnsupported},
	{"limit", ErrLimit},
	{"binding", ErrBinding},
	{"invalid-sdp", ErrInvalidSDP},
	{"needs-offer", ErrNeedsOffer},
}

// ClassName returns the SPEC.md name of the error class err belongs to
// ("malformed", "limit", ...), or "" when err is nil or belongs to no class.
func ClassName(err error) string {
	if err == nil {
		return ""
	}
	for _, c := range classes {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return ""
}

// ClassByName returns the sentinel error of the class named name, or nil.
func ClassByName(name string) error {
	for _, c := range classes {
		if c.name == name {
			return c.err
		}
	}
	return nil
}

// Error is the detailed error returned by the encoder and decoder. It
// unwraps to its class (one of the Err* sentinels).
type Error struct {
	Class  error  // one of ErrForeign, ErrMalformed, ...
	Offset int    // decoding: the byte offset in the code; -1 if unknown or when encoding
	Line   int    // encoding: the 1-based number of the offending SDP line; 0 if unknown or when decoding
	Field  string // the field concerned ("head", "body", "candidates", "ext 3", "line"), may be empty
	Msg    string // what is wrong
}

func (e *Error) Error() string {
	s := e.Class.Error() + ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Msg
	if e.Offset >= 0 {
		s += fmt.Sprintf(" (at %d)", e.Offset)
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s
}

// ErrUnknownForm is returned by ParseForm for a name that is not a text
// form; it is not a class of SPEC.md §9 (no code is involved).
var ErrUnknownForm = errors.New("codec: unknown text form")

// Unwrap returns the error class.
func (e *Error) Unwrap() error { return e.Class }

func errf(class error, off int, field, format string, a ...any) *Error {
	return &Error{Class: class, Offset: off, Field: field, Msg: fmt.Sprintf(format, a...)}
}
