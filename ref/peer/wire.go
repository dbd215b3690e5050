package peer

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/peer-sdp/peer/ref"
)

// Message types on the default channel (IDENTITY.md §3, Appendix A).
const (
	msgHello  = 0
	msgData   = 1
	msgRelay  = 2
	msgRefuse = 3
	msgInvite = 4
)

// Version is the version of the identity protocol, carried in HELLO.
const Version = 1

// Signing contexts (IDENTITY.md §3.2, §6.1). Each is followed by a zero
// byte in the signing input.
const (
	ctxHello = "peer-sdp identity v1 hello"
	ctxCode  = "peer-sdp identity v1 signed code"
)

// Roles in the signing input of HELLO: the signer's role in the WebRTC
// connection.
const (
	roleOfferer  = 0
	roleAnswerer = 1
)

// Kinds of a signed code.
const (
	kindOffer  = 0
	kindAnswer = 1
)

// SignedCodeLifetime is how long a signed code is accepted after its
// timestamp (and how far in the future it may be).
const SignedCodeLifetime = 10 * time.Minute

// maxMessage bounds every message but data (a signed code is at most a
// few KiB; the codec's own limit is 32 KiB): IDENTITY.md §3.1.
const maxMessage = 40 << 10

// maxDataMessage bounds a data message, all of it (IDENTITY.md §3.1): the
// 16 MiB that ref reassembles by default (SPEC.md §13.3).
const maxDataMessage = 16 << 20

// dataHead is the length of a data message's head when its payload is
// 65536 bytes or more: array(2), type 1, byte string with a 4-byte length.
const dataHead = 1 + 1 + 5

// MaxDataSize is the largest payload Send carries: a data message of
// maxDataMessage bytes.
const MaxDataSize = maxDataMessage - dataHead

var (
	// encMode encodes a nil byte string or array as an empty one, never as
	// null: so a message holding null where Appendix A wants a byte string
	// or an array (which decodes to nil) does not re-encode to itself, and
	// unmarshal rejects it.
	encMode, _ = func() cbor.EncOptions {
		o := cbor.CoreDetEncOptions()
		o.NilContainers = cbor.NilContainerAsEmpty
		return o
	}().EncMode()
	decMode, _ = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  8,
		MaxArrayElements: 64,
		MaxMapPairs:      64,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
	}.DecMode()
)

// hello is HELLO: [0, version, public key, signature, [* address]].
type hello struct {
	_       struct{} `cbor:",toarray"`
	Type    uint64
	Version uint64
	Key     []byte
	Sig     []byte
	Addrs   []string
}

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

// relay is RELAY: [2, hops, recipient ID, nonce, signed code].
type relay struct {
	_      struct{} `cbor:",toarray"`
	Type   uint64
	Hops   uint64
	To     []byte
	Nonce  uint64
	Signed signedCode
}

// refuse is REFUSE: [3, hops, recipient ID, nonce, reason].
type refuse struct {
	_      struct{} `cbor:",toarray"`
	Type   uint64
	Hops   uint64
	To     []byte
	Nonce  uint64
	Reason uint64
}

// invite is INVITE: [4, peer ID].
type invite struct {
	_    struct{} `cbor:",toarray"`
	Type uint64
	Peer []byte
}

func marshal(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(err) // only fixed Go types are marshalled
	}
	return b
}

// cborHead parses the head of a CBOR data item at the start of b: its
// major type and argument, and its length; ok is false unless the head is
// complete, of definite length and in the shortest form (RFC 8949 §4.2.1).
func cborHead(b []byte) (major byte, arg uint64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, 0, false
	}
	major, info := b[0]>>5, b[0]&0x1f
	switch {
	case info < 24:
		return major, uint64(info), 1, true
	case info > 27:
		return 0, 0, 0, false
	}
	n = 1 << (info - 24) // 1, 2, 4 or 8 bytes
	if len(b) < 1+n {
		return 0, 0, 0, false
	}
	for _, c := range b[1 : 1+n] {
		arg = arg<<8 | uint64(c)
	}
	if (n == 1 && arg < 24) || (n > 1 && arg < 1<<(4*n)) {
		return 0, 0, 0, false // not the shortest form
	}
	return major, arg, 1 + n, true
}

// msgType returns the type of a channel message without decoding it all:
// the first element, an unsigned integer, of a non-empty array.
func msgType(b []byte) (uint64, error) {
	major, count, n, ok := cborHead(b)
	if !ok || major != 4 || count == 0 {
		return 0, fmt.Errorf("%w: not a message array", ErrProtocol)
	}
	major, t, _, ok := cborHead(b[n:])
	if !ok || major != 0 {
		return 0, fmt.Errorf("%w: the message type is not an unsigned integer", ErrProtocol)
	}
	return t, nil
}

// dataMessage is the data message [1, payload] (IDENTITY.md §3.3).
func dataMessage(payload []byte) []byte {
	b := []byte{0x82, msgData}
	b = appendHead(b, 2, uint64(len(payload)))
	return append(b, payload...)
}

// appendHead appends the shortest CBOR head of major type major and
// argument arg (RFC 8949 §4.2.1).
func appendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < 24:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|24, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), arg)
}

// parseData returns the payload of a data message, which it checks
// without copying it: a canonical [1, bstr] with nothing after it, of at
// most maxDataMessage bytes (ErrProtocol otherwise; over the size, the
// error also wraps ref.ErrMessageTooLarge, and the session goes on).
func parseData(b []byte) ([]byte, error) {
	if len(b) > maxDataMessage {
		return nil, fmt.Errorf("%w: %w: data message of %d bytes", ErrProtocol, ref.ErrMessageTooLarge, len(b))
	}
	major, count, n, ok := cborHead(b)
	if !ok || major != 4 || count != 2 || len(b) < n+1 || b[n] != msgData {
		return nil, fmt.Errorf("%w: not a data message", ErrProtocol)
	}
	major, size, h, ok := cborHead(b[n+1:])
	if !ok || major != 2 || size != uint64(len(b)-n-1-h) {
		return nil, fmt.Errorf("%w: a data message's payload is not one canonical byte string", ErrProtocol)
	}
	return b[n+1+h:], nil
}

// Appendix A's sizes and ranges, checked when a message is decoded: a
// message that breaks them is ErrProtocol.

func (s *signedCode) check() error {
	if s.Kind > kindAnswer || len(s.Key) != ed25519.PublicKeySize || len(s.To) != len(ID{}) || len(s.Sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed signed code", ErrProtocol)
	}
	return nil
}

func (m *relay) check() error {
	if m.Hops > 1 || len(m.To) != len(ID{}) {
		return fmt.Errorf("%w: malformed relay", ErrProtocol)
	}
	return m.Signed.check()
}

func (m *refuse) check() error {
	if m.Hops > 1 || len(m.To) != len(ID{}) {
		return fmt.Errorf("%w: malformed refuse", ErrProtocol)
	}
	return nil
}

func (m *invite) check() error {
	if len(m.Peer) != len(ID{}) {
		return fmt.Errorf("%w: malformed invite", ErrProtocol)
	}
	return nil
}

// decode decodes the message b into m (canonical CBOR, unmarshal) and
// checks Appendix A's sizes and ranges.
func decode(b []byte, m interface{ check() error }) error {
	if err := unmarshal(b, m); err != nil {
		return err
	}
	return m.check()
}

// checkUnknown checks a message of a type this package does not know
// before it is ignored (IDENTITY.md §3.1, §10): it must still be one
// canonical CBOR array of at most 40 KiB.
func checkUnknown(b []byte) error {
	var v []any
	return unmarshal(b, &v)
}

// unmarshal decodes b into v and requires the canonical encoding (and so
// no null in place of a byte string or an array: encMode).
func unmarshal(b []byte, v any) error {
	if len(b) > maxMessage {
		return fmt.Errorf("%w: message of %d bytes", ErrProtocol, len(b))
	}
	if err := decMode.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	if !bytes.Equal(marshal(v), b) {
		return fmt.Errorf("%w: not canonical CBOR", ErrProtocol)
	}
	return nil
}

// checkHello is the receiving half of HELLO (IDENTITY.md §3.2): b is the
// first message of a connection, from the peer of role peerRole. Every
// failure, a message that is not a well-formed HELLO included, is ErrAuth
// (and only ErrAuth). expect, when not empty, lists the IDs the peer may
// have (§3.2 step 2; more than one only for a reconnect code whose hint
// several remembered peers share, §4). id is the ID of the key when it is
// known, else the expected ID when there is one, else zero.
func checkHello(b []byte, peerRole byte, offFP, ansFP [32]byte, own ID, expect []ID) (*hello, ID, error) {
	var zero ID
	if len(expect) == 1 {
		zero = expect[0]
	}
	var rh hello
	if t, err := msgType(b); err != nil || t != msgHello {
		return nil, zero, fmt.Errorf("%w: first message is not HELLO", ErrAuth)
	}
	if err := unmarshal(b, &rh); err != nil {
		// %v, not %w: a malformed HELLO is auth, not also protocol.
		return nil, zero, fmt.Errorf("%w: malformed HELLO: %v", ErrAuth, err)
	}
	if rh.Version != Version {
		return nil, zero, fmt.Errorf("%w: HELLO version %d", ErrAuth, rh.Version)
	}
	if len(rh.Key) != ed25519.PublicKeySize || len(rh.Sig) != ed25519.SignatureSize || len(rh.Addrs) > 16 {
		return nil, zero, fmt.Errorf("%w: malformed HELLO", ErrAuth)
	}
	id := IDOf(rh.Key)
	if len(expect) > 0 && !slices.Contains(expect, id) {
		return nil, zero, fmt.Errorf("%w: the peer's key has ID %s, not the expected %s", ErrAuth, id.Short(), expect[0].Short())
	}
	if id == own {
		return nil, id, fmt.Errorf("%w: the peer claims our own ID", ErrAuth)
	}
	if !ed25519.Verify(rh.Key, helloInput(peerRole, offFP, ansFP), rh.Sig) {
		return nil, id, fmt.Errorf("%w: HELLO signature does not verify (key or fingerprints differ)", ErrAuth)
	}
	return &rh, id, nil
}

// helloInput is the signing input of HELLO (IDENTITY.md §3.2):
// context ‖ 0x00 ‖ role ‖ offerer's fingerprint ‖ answerer's fingerprint.
func helloInput(role byte, offererFP, answererFP [32]byte) []byte {
	b := make([]byte, 0, len(ctxHello)+2+64)
	b = append(b, ctxHello...)
	b = append(b, 0, role)
	b = append(b, offererFP[:]...)
	return append(b, answererFP[:]...)
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
		Sig: i.Sign(codeInput(kind, key, to, t, code))}
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

// Reconnect codes (IDENTITY.md §4): a compact code whose body ends with
// the SHA-256 digest of the author's certificate, minus that digest, with
// ext key −1 holding the first 4 bytes of the author's ID.

// ExtKnownPeer is the ext key (SPEC.md Appendix B.2) that marks a reconnect
// code and carries the author's ID hint. It is negative, a must-understand
// key: its core lacks the digest, so a decoder that does not know reconnect
// codes must refuse it (unsupported) rather than misread it.
const ExtKnownPeer = -1

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
	raw, ok := p.ext[ExtKnownPeer]
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
	if _, ok := p.ext[ExtKnownPeer]; ok {
		return nil, false
	}
	if p.ext == nil {
		p.ext = map[int64]cbor.RawMessage{}
	}
	p.core = p.core[:len(p.core)-32]
	p.ext[ExtKnownPeer] = marshal(author[:hintLen])
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
	_, ok := ext[ExtKnownPeer]
	return ok
}

// fromParts rebuilds the full code of a reconnect code with the
// remembered digest fp; nil if code is not a reconnect code.
func fromParts(code []byte, fp [32]byte) []byte {
	if _, ok := reconnectHint(code); !ok {
		return nil
	}
	p, _ := splitCode(code)
	delete(p.ext, ExtKnownPeer)
	p.core = append(append([]byte(nil), p.core...), fp[:]...)
	return p.join()
}
