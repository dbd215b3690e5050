package peer

import (
	"bytes"
	"errors"

	"github.com/fxamacker/cbor/v2"
)

// Reconnect codes (IDENTITY.md §4): a compact code whose body ends with
// the SHA-256 digest of the author's certificate, minus that digest, with
// ext key −1 holding the first 4 bytes of the author's ID.

// extKnownPeer is the ext key (SPEC.md Appendix B.2) that marks a reconnect
// code and carries the author's ID hint. It is negative, a must-understand
// key: its core lacks the digest, so a decoder that does not know reconnect
// codes must refuse it (unsupported) rather than misread it.
const extKnownPeer = -1

// hintLen is the length of the ID hint in ext key −1.
const hintLen = 4

type codeParts struct {
	head uint64
	core []byte // the body (SPEC.md §4.2), which ends with the digest
	ext  map[int64]cbor.RawMessage
}

// splitCode splits a code into its CBOR items, strictly: each item
// canonical and of its type (head uint, body a byte string, ext a map with
// integer keys), and the code exactly their encoding (an
// empty ext map is not written), so that join rebuilds it byte for byte.
func splitCode(code []byte) (*codeParts, error) {
	var raw [3]cbor.RawMessage
	d := decMode.NewDecoder(bytes.NewReader(code))
	n := 0
	for ; n < len(raw) && d.NumBytesRead() < len(code); n++ {
		if err := d.Decode(&raw[n]); err != nil {
			return nil, err
		}
	}
	if n < 2 || d.NumBytesRead() != len(code) {
		return nil, errors.New("not a code of 2 or 3 items")
	}
	var p codeParts
	if err := unmarshal(raw[0], &p.head); err != nil {
		return nil, err
	}
	if err := unmarshal(raw[1], &p.core); err != nil {
		return nil, err
	}
	if n == 3 {
		if err := unmarshal(raw[2], &p.ext); err != nil {
			return nil, err
		}
	}
	if !bytes.Equal(p.join(), code) {
		return nil, errors.New("not canonical")
	}
	return &p, nil
}

// knownPeer returns the ID hint of a reconnect code's parts (ext key −1:
// a canonical byte string of hintLen bytes), or ok false.
func (p *codeParts) knownPeer() (hint []byte, ok bool) {
	raw, ok := p.ext[extKnownPeer]
	if !ok || unmarshal(raw, &hint) != nil || len(hint) != hintLen {
		return nil, false
	}
	return hint, true
}

func (p *codeParts) join() []byte {
	var b []byte
	b = append(b, marshal(p.head)...)
	b = append(b, marshal(p.core)...)
	if len(p.ext) > 0 {
		b = append(b, marshal(p.ext)...)
	}
	return b
}

// toReconnect turns a full compact code whose core carries fp into the
// reconnect code of author; ok is false when the code has no such form
// (residual form, other fingerprints, already extended).
func toReconnect(full []byte, author ID, fp [32]byte) ([]byte, bool) {
	p, err := splitCode(full)
	if err != nil || p.head >= 16 || len(p.core) < 32 || !bytes.Equal(p.core[len(p.core)-32:], fp[:]) {
		return nil, false
	}
	if _, ok := p.ext[1]; ok {
		return nil, false
	}
	if _, ok := p.ext[extKnownPeer]; ok {
		return nil, false
	}
	if p.ext == nil {
		p.ext = map[int64]cbor.RawMessage{}
	}
	p.core = p.core[:len(p.core)-32]
	p.ext[extKnownPeer] = marshal(author[:hintLen])
	out := p.join()
	if !bytes.Equal(fromParts(out, fp), full) {
		return nil, false
	}
	return out, true
}

// reconnectHint returns the ID hint of a reconnect code, or ok false for
// any other code. A reconnect code is read strictly (IDENTITY.md §4): a
// compact code (head below 16), canonical, whose ext has key −1 (a 4-byte
// byte string) and no key 1.
func reconnectHint(code []byte) (hint []byte, ok bool) {
	p, err := splitCode(code)
	if err != nil || p.head >= 16 {
		return nil, false
	}
	if _, one := p.ext[1]; one {
		return nil, false
	}
	return p.knownPeer()
}

// claimsKnownPeer reports whether code looks like a reconnect code (its
// last item is a map with key −1), however it is encoded: such a code
// that reconnectHint refuses is malformed, not a code for a SPEC.md
// decoder.
func claimsKnownPeer(code []byte) bool {
	d := decMode.NewDecoder(bytes.NewReader(code))
	var ext map[int64]cbor.RawMessage
	for d.NumBytesRead() < len(code) {
		var raw cbor.RawMessage
		if d.Decode(&raw) != nil {
			return false
		}
		ext = nil
		if cbor.Unmarshal(raw, &ext) != nil {
			ext = nil
		}
	}
	_, ok := ext[extKnownPeer]
	return ok
}

// fromParts rebuilds the full code of a reconnect code with the
// remembered digest fp; nil if code is not a reconnect code.
func fromParts(code []byte, fp [32]byte) []byte {
	if _, ok := reconnectHint(code); !ok {
		return nil
	}
	p, _ := splitCode(code)
	delete(p.ext, extKnownPeer)
	p.core = append(append([]byte(nil), p.core...), fp[:]...)
	return p.join()
}
