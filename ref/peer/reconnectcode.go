package peer

import "github.com/peer-sdp/peer/codec"

// Reconnect codes (IDENTITY.md §4): a compact code whose body ends with
// the SHA-256 digest of the author's certificate, minus that digest, with
// ext key −1 holding the first 4 bytes of the author's ID. The codec
// knows the code's layout (codec.DetachDigest, codec.AttachDigest); this
// file knows the key and the hint.

// extKnownPeer is the ext key (SPEC.md Appendix B.2) that marks a reconnect
// code and carries the author's ID hint. It is negative, a must-understand
// key: its core lacks the digest, so a decoder that does not know reconnect
// codes must refuse it (unsupported) rather than misread it.
const extKnownPeer = -1

// hintLen is the length of the ID hint in ext key −1.
const hintLen = 4

// toReconnect turns a full compact code whose body ends with fp into the
// reconnect code of author; ok is false when the code has no such form
// (residual form, other fingerprints, already extended).
func toReconnect(full []byte, author ID, fp [32]byte) ([]byte, bool) {
	code, digest, ok := codec.DetachDigest(full, extKnownPeer, author[:hintLen])
	if !ok || digest != fp {
		return nil, false
	}
	return code, true
}

// reconnectHint returns the ID hint of a reconnect code, or ok false for
// any other code. A reconnect code is read strictly (IDENTITY.md §4,
// codec.AttachDigest): a canonical compact code whose ext has key −1 (a
// byte string of hintLen bytes) and no key 1.
func reconnectHint(code []byte) (hint []byte, ok bool) {
	hint, _, err := codec.AttachDigest(code, extKnownPeer, [32]byte{})
	if err != nil || len(hint) != hintLen {
		return nil, false
	}
	return hint, true
}

// claimsKnownPeer reports whether code looks like a reconnect code (its
// last item is a map with key −1), however it is encoded: such a code
// that reconnectHint refuses is malformed, not a code for a SPEC.md
// decoder.
func claimsKnownPeer(code []byte) bool { return codec.HasExtKey(code, extKnownPeer) }

// fromParts rebuilds the full code of a reconnect code with the
// remembered digest fp; nil if code is not a reconnect code.
func fromParts(code []byte, fp [32]byte) []byte {
	hint, full, err := codec.AttachDigest(code, extKnownPeer, fp)
	if err != nil || len(hint) != hintLen {
		return nil
	}
	return full
}
