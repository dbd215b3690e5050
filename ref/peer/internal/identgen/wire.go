package main

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/fxamacker/cbor/v2"

	"github.com/peer-sdp/peer/codec"
)

// The messages of IDENTITY.md Appendix A, encoded in core deterministic
// CBOR (RFC 8949 §4.2.1), as this program reads the document.

var encMode, _ = cbor.CoreDetEncOptions().EncMode()

func enc(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(err) // only the fixed types below are encoded
	}
	return b
}

type helloMsg struct {
	_       struct{} `cbor:",toarray"`
	Type    uint64
	Version uint64
	Key     []byte
	Sig     []byte
	Addrs   []string
}

type signedCode struct {
	_    struct{} `cbor:",toarray"`
	Kind uint64
	Key  []byte
	To   []byte
	Time uint64
	Code []byte
	Sig  []byte
}

type relayMsg struct {
	_      struct{} `cbor:",toarray"`
	Type   uint64
	Hops   uint64
	To     []byte
	Nonce  uint64
	Signed cbor.RawMessage
}

type refuseMsg struct {
	_      struct{} `cbor:",toarray"`
	Type   uint64
	Hops   uint64
	To     []byte
	Nonce  uint64
	Reason uint64
}

type inviteMsg struct {
	_    struct{} `cbor:",toarray"`
	Type uint64
	Peer []byte
}

type dataMsg struct {
	_       struct{} `cbor:",toarray"`
	Type    uint64
	Payload []byte
}

// helloInput is §3.2's signing input.
func helloInput(role byte, fpo, fpa []byte) []byte {
	b := []byte("peer-sdp identity v1 hello")
	b = append(b, 0x00, role)
	b = append(b, fpo...)
	return append(b, fpa...)
}

// codeInput is §6.1's signing input.
func codeInput(kind byte, key, to []byte, t uint64, code []byte) []byte {
	b := []byte("peer-sdp identity v1 signed code")
	b = append(b, 0x00, kind)
	b = append(b, key...)
	b = append(b, to...)
	b = binary.BigEndian.AppendUint64(b, t)
	return append(b, code...)
}

func sign(k ed25519.PrivateKey, kind byte, to []byte, t uint64, code []byte) (signedCode, []byte) {
	in := codeInput(kind, pub(k), to, t, code)
	return signedCode{Kind: uint64(kind), Key: pub(k), To: to, Time: t, Code: code, Sig: ed25519.Sign(k, in)}, in
}

// frame is §7's framing: a 2-byte big-endian length, then the message.
func frame(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)
}

// Synthetic SPEC.md codes: a pion-style data-channel offer or answer with
// one private IPv4 host candidate, every value drawn from the vector's
// generator.

const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func word(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

func fingerprintLine(fp []byte) string {
	s := "sha-256 "
	for i, c := range fp {
		if i > 0 {
			s += ":"
		}
		s += fmt.Sprintf("%02X", c)
	}
	return s
}

// sdp returns a data-channel description whose certificate digest is fp;
// setup is "actpass" for an offer, "active" for an answer.
func sdp(r *rand.Rand, fp []byte, setup, mid string) string {
	return fmt.Sprintf("v=0\r\no=- %d 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE %s\r\n"+
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"+
		"a=candidate:1 1 udp 2130706431 192.168.%d.%d %d typ host\r\na=end-of-candidates\r\n"+
		"a=ice-ufrag:%s\r\na=ice-pwd:%s\r\na=fingerprint:%s\r\na=setup:%s\r\na=mid:%s\r\n"+
		"a=sctp-port:5000\r\na=max-message-size:262144\r\n",
		r.Int64N(1<<62), mid, r.IntN(256), 2+r.IntN(253), 49152+r.IntN(16384),
		word(r, 16), word(r, 32), fingerprintLine(fp), setup, mid)
}

// codes returns an offer's code and an answer's code bound to it, and the
// certificate digests in them.
func codes(r *rand.Rand, mid string) (offer, answer, fpOffer, fpAnswer []byte) {
	fpOffer, fpAnswer = randBytes(r, 32), randBytes(r, 32)
	offer, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: sdp(r, fpOffer, "actpass", mid)}, nil, nil)
	if err != nil {
		panic(err)
	}
	answer, err = codec.Encode(codec.Description{Type: codec.Answer, SDP: sdp(r, fpAnswer, "active", mid)}, offer, nil)
	if err != nil {
		panic(err)
	}
	return offer, answer, fpOffer, fpAnswer
}
