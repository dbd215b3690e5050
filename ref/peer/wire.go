package peer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

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

// Signing contexts (IDENTITY.md §3.2, §6.1). Each is followed by a zero
// byte in the signing input.
const (
	ctxHello = "peer-sdp identity v1 hello"
	ctxCode  = "peer-sdp identity v1 signed code"
)

// maxMessage bounds every message but data (a signed code is at most a
// few KiB; the codec's own limit is 32 KiB): IDENTITY.md §3.1.
const maxMessage = 40 << 10

// maxDataMessage bounds a data message, all of it (IDENTITY.md §3.1): the
// 16 MiB that ref reassembles by default (FRAMING.md §3).
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
