package peer

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

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

// reconnectForm returns code as a reconnect code when every peer of ids
// remembers our certificate (IDENTITY.md §4: it is the one we presented
// to each last, SentFingerprint), else code as it is.
func (p *Peer) reconnectForm(code []byte, ids []ID) []byte {
	for _, id := range ids {
		if r, _ := p.st.Get(id); r.SentFingerprint != p.id.Fingerprint() {
			return code
		}
	}
	if rc, ok := toReconnect(code, p.ID(), p.id.Fingerprint()); ok {
		return rc
	}
	return code
}

// answerReconnect answers the reconnect code rc, whose author's ID starts
// with hint (IDENTITY.md §4): the remembered peers whose IDs start with
// it, most recently seen first, are the candidates; each distinct digest
// among theirs rebuilds one full code, tried in turn, and the first that
// ref answers is the offer. It returns the connection, the answer's
// code, the digest of the offer answered and the candidates that
// remembered it, whom HELLO may authenticate.
func (p *Peer) answerReconnect(ctx context.Context, rc, hint []byte) (c *ref.Conn, code []byte, fp [32]byte, expect []ID, err error) {
	var cands []Record
	for _, rec := range p.st.List() {
		if bytes.Equal(rec.ID[:hintLen], hint) {
			cands = append(cands, rec)
		}
	}
	if len(cands) == 0 {
		return nil, nil, fp, nil, &Error{Op: "answer", Err: fmt.Errorf("%w: reconnect code from an unknown peer (hint %x)", ErrUnknownPeer, hint)}
	}
	slices.SortStableFunc(cands, func(a, b Record) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	tried := map[[32]byte]bool{}
	for _, cand := range cands {
		if tried[cand.Fingerprint] {
			continue
		}
		tried[cand.Fingerprint] = true
		if c, code, err = ref.Answer(ctx, p.connConfig(), fromParts(rc, cand.Fingerprint)); err == nil {
			for _, r := range cands {
				if r.Fingerprint == cand.Fingerprint {
					expect = append(expect, r.ID)
				}
			}
			return c, code, cand.Fingerprint, expect, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, nil, fp, nil, err
}
