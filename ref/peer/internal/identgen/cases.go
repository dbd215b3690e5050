package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/fxamacker/cbor/v2"

	"github.com/peer-sdp/peer/codec"
)

var h = hex.EncodeToString

// t0 is the signing time of the signed codes: 2025-01-01T00:00:00Z.
const t0 = 1735689600

// identities: §2, the peer ID of a key, in full and short text form.
func (g *gen) identities() {
	idv := func(k ed25519.PrivateKey, desc string) vector {
		id := idOf(k)
		text := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(id))
		up := strings.ToUpper(text)
		return vector{Description: desc, Seed: h(k.Seed()), PublicKey: h(pub(k)), ID: h(id), IDText: text,
			IDShort: up[0:4] + "-" + up[4:8] + "-" + up[8:12] + "-" + up[12:16], Expect: "success"}
	}
	// RFC 8032 §7.1 TEST 1: a key other implementations already have.
	rfc, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	g.add("id_rfc8032_test1", idv(ed25519.NewKeyFromSeed(rfc), "The peer ID of the key of RFC 8032 §7.1 TEST 1: SHA-256 of the public key, its base32 text form and its short form."))
	for i := 1; i <= 3; i++ {
		n := fmt.Sprintf("id_random_%d", i)
		g.add(n, idv(key(rng(n)), "The peer ID of a key made from a random seed, in full and short text form."))
	}
}

// helloCase is one HELLO exchange: the signer (the sender of HELLO), its
// role, the connection's fingerprints and the receiver.
type helloCase struct {
	signer, receiver ed25519.PrivateKey
	role             int
	fpo, fpa         []byte
	addrs            []string
}

func newHello(name string, role int, naddrs int) *helloCase {
	r := rng(name)
	c := &helloCase{signer: key(r), receiver: key(r), role: role, fpo: randBytes(r, 32), fpa: randBytes(r, 32)}
	c.addrs = []string{}
	for range naddrs {
		c.addrs = append(c.addrs, fmt.Sprintf("192.0.2.%d:%d", 1+r.IntN(254), 1024+r.IntN(60000)))
	}
	return c
}

// vector returns the vector of the HELLO the signer sends after signing
// input (role, fpo, fpa); msg, when not nil, replaces the message.
func (c *helloCase) vector(desc, expect string, in []byte, msg []byte) vector {
	sig := ed25519.Sign(c.signer, in)
	if msg == nil {
		msg = enc(&helloMsg{Type: 0, Version: 1, Key: pub(c.signer), Sig: sig, Addrs: c.addrs})
	}
	v := vector{Description: desc, Seed: h(c.signer.Seed()), PublicKey: h(pub(c.signer)), ID: h(idOf(c.signer)),
		Role: ptr(c.role), FPOfferer: h(c.fpo), FPAnswerer: h(c.fpa), Addrs: c.addrs,
		SigningInput: h(in), Sig: h(sig), Message: h(msg), Context: "hello", OwnID: h(idOf(c.receiver)), Expect: expect}
	if expect == "success" {
		v.Decoded = &decoded{Type: 0, Version: ptr(1), Key: h(pub(c.signer)), Sig: h(sig), Addrs: c.addrs}
	}
	return v
}

func (c *helloCase) input() []byte { return helloInput(byte(c.role), c.fpo, c.fpa) }

func (c *helloCase) msg(version uint64, key, sig []byte, addrs any) []byte {
	return enc([]any{uint64(0), version, key, sig, addrs})
}

func (g *gen) hellos() {
	c := newHello("hello_offerer", 0, 1)
	g.add("hello_offerer", c.vector("HELLO of the offerer (role 0) announcing one address; the receiver expects no particular ID.", "success", c.input(), nil))
	c = newHello("hello_answerer", 1, 0)
	g.add("hello_answerer", c.vector("HELLO of the answerer (role 1) with no address.", "success", c.input(), nil))
	c = newHello("hello_expected_id", 0, 2)
	v := c.vector("HELLO on a reconnection: the receiver expects the signer's ID (§3.2 step 2).", "success", c.input(), nil)
	v.ExpectID = v.ID
	g.add("hello_expected_id", v)
	c = newHello("hello_addrs_16", 1, 16)
	g.add("hello_addrs_16", c.vector("HELLO with 16 addresses, the most §3.2 step 1 allows.", "success", c.input(), nil))

	c = newHello("hello_bad_signature", 0, 0)
	sig := ed25519.Sign(c.signer, c.input())
	sig[10] ^= 0x01
	g.add("hello_bad_signature", c.vector("hello_offerer's construction with bit 0 of byte 10 of sig flipped: the signature does not verify (§3.2 step 4).", "auth", c.input(),
		c.msg(1, pub(c.signer), sig, c.addrs)))
	c = newHello("hello_fingerprints_swapped", 0, 0)
	g.add("hello_fingerprints_swapped", c.vector("The signer signed FP_answerer before FP_offerer (a relay swapped the certificates): the signature does not verify over the receiver's input.", "auth",
		helloInput(0, c.fpa, c.fpo), nil))
	c = newHello("hello_role_reflected", 1, 0)
	g.add("hello_role_reflected", c.vector("The answerer's HELLO was signed with role 0 (the offerer's own HELLO reflected back): the receiver builds the input with role 1 and the signature does not verify.", "auth",
		helloInput(0, c.fpo, c.fpa), nil))
	c = newHello("hello_wrong_id", 0, 0)
	v = c.vector("A valid HELLO, but the receiver expects another peer's ID (§3.2 step 2: an impostor with its own key).", "auth", c.input(), nil)
	v.ExpectID = h(idOf(key(rng("hello_wrong_id/expected"))))
	g.add("hello_wrong_id", v)
	c = newHello("hello_own_id", 0, 0)
	v = c.vector("A valid HELLO whose key has the receiver's own ID (§3.2 step 3).", "auth", c.input(), nil)
	v.OwnID = v.ID
	g.add("hello_own_id", v)
	c = newHello("hello_version_2", 0, 0)
	g.add("hello_version_2", c.vector("HELLO with version 2, correctly signed (§3.2 step 1, §10).", "auth", c.input(),
		c.msg(2, pub(c.signer), ed25519.Sign(c.signer, c.input()), c.addrs)))
	c = newHello("hello_key_31", 0, 0)
	g.add("hello_key_31", c.vector("HELLO whose key is the signer's key without its last byte (31 bytes, §3.2 step 1).", "auth", c.input(),
		c.msg(1, pub(c.signer)[:31], ed25519.Sign(c.signer, c.input()), c.addrs)))
	c = newHello("hello_sig_63", 0, 0)
	g.add("hello_sig_63", c.vector("HELLO whose sig lacks its last byte (63 bytes, §3.2 step 1).", "auth", c.input(),
		c.msg(1, pub(c.signer), ed25519.Sign(c.signer, c.input())[:63], c.addrs)))
	c = newHello("hello_addrs_17", 0, 17)
	g.add("hello_addrs_17", c.vector("HELLO with 17 addresses, one more than §3.2 step 1 allows.", "auth", c.input(), nil))
	c = newHello("hello_addr_bytes", 0, 0)
	g.add("hello_addr_bytes", c.vector("HELLO whose addrs holds a byte string instead of a text string (Appendix A).", "auth", c.input(),
		c.msg(1, pub(c.signer), ed25519.Sign(c.signer, c.input()), []any{[]byte("192.0.2.1:1")})))
	c = newHello("hello_addrs_null", 0, 0)
	g.add("hello_addrs_null", c.vector("HELLO whose addrs is null instead of an array (Appendix A), correctly signed.", "auth", c.input(),
		c.msg(1, pub(c.signer), ed25519.Sign(c.signer, c.input()), nil)))
	c = newHello("hello_extra_element", 0, 0)
	g.add("hello_extra_element", c.vector("HELLO with a sixth array element (0) after addrs (Appendix A).", "auth", c.input(),
		enc([]any{uint64(0), uint64(1), pub(c.signer), ed25519.Sign(c.signer, c.input()), c.addrs, uint64(0)})))

	c = newHello("hello_noncanonical_version", 0, 0)
	good := c.msg(1, pub(c.signer), ed25519.Sign(c.signer, c.input()), c.addrs)
	bad := append([]byte{good[0], good[1], 0x18, 0x01}, good[3:]...)
	g.add("hello_noncanonical_version", c.vector("A valid HELLO with version 1 encoded in two bytes (0x18 0x01): not core deterministic CBOR (§3.1).", "auth", c.input(), bad))
	c = newHello("hello_truncated", 0, 1)
	good = c.msg(1, pub(c.signer), ed25519.Sign(c.signer, c.input()), c.addrs)
	g.add("hello_truncated", c.vector("A valid HELLO without its last byte: malformed CBOR.", "auth", c.input(), good[:len(good)-1]))
	c = newHello("hello_trailing_byte", 0, 0)
	good = c.msg(1, pub(c.signer), ed25519.Sign(c.signer, c.input()), c.addrs)
	g.add("hello_trailing_byte", c.vector("A valid HELLO followed by one byte 0x00: a message is one CBOR array (§3.1).", "auth", c.input(), append(good, 0)))
	c = newHello("hello_first_data", 0, 0)
	g.add("hello_first_data", c.vector("The first message is data ([1, h'00']), not HELLO (§3.2).", "auth", c.input(), enc(&dataMsg{Type: 1, Payload: []byte{0}})))
	c = newHello("hello_first_unknown_type", 0, 0)
	g.add("hello_first_unknown_type", c.vector("The first message has the reserved type 22; it must be HELLO (§3.2), so it is not ignored.", "auth", c.input(), enc([]any{uint64(22)})))
}

// messages: §3.3 and Appendix A, on a connection whose HELLO succeeded.
func (g *gen) messages() {
	r := rng("message")
	m := &messageCase{g: g}
	m.a, m.b = key(r), key(r)
	offer, _, _, _ := codes(r, "0")
	m.sc, _ = sign(m.a, 0, idOf(m.b), t0, offer)
	m.scb = enc(&m.sc)
	m.nonce = r.Uint64() >> 1
	m.payload = randBytes(r, 24)
	m.wellFormed()
	m.malformed()
}

// messageCase is what the message vectors share: two peers, a signed
// offer of a's for b, a nonce and a payload.
type messageCase struct {
	g       *gen
	a, b    ed25519.PrivateKey
	sc      signedCode
	scb     []byte
	nonce   uint64
	payload []byte
}

func (m *messageCase) add(name, desc, expect string, msg []byte, d *decoded) {
	m.g.add(name, vector{Description: desc, Message: h(msg), Decoded: d, Context: "session", Expect: expect})
}

// wellFormed: each message type, and the 40 KiB bound of §3.1.
func (m *messageCase) wellFormed() {
	a, b, scb, nonce, payload, add := m.a, m.b, m.scb, m.nonce, m.payload, m.add
	add("message_data", "A data message with a 24-byte payload.", "success", enc(&dataMsg{Type: 1, Payload: payload}),
		&decoded{Type: 1, Payload: ptr(h(payload))})
	add("message_data_empty", "A data message with an empty payload.", "success", enc(&dataMsg{Type: 1, Payload: []byte{}}),
		&decoded{Type: 1, Payload: ptr("")})
	add("message_relay", "A relay message as an introducer receives it (hops 0) carrying a signed offer.", "success",
		enc(&relayMsg{Type: 2, Hops: 0, To: idOf(b), Nonce: nonce, Signed: scb}),
		&decoded{Type: 2, Hops: ptr(0), To: h(idOf(b)), Nonce: ptr(nonce), SignedCode: h(scb)})
	add("message_refuse", "A refuse message (hops 1, reason 1).", "success",
		enc(&refuseMsg{Type: 3, Hops: 1, To: idOf(a), Nonce: nonce, Reason: 1}),
		&decoded{Type: 3, Hops: ptr(1), To: h(idOf(a)), Nonce: ptr(nonce), Reason: ptr(uint64(1))})
	add("message_invite", "An invite message.", "success", enc(&inviteMsg{Type: 4, Peer: idOf(b)}),
		&decoded{Type: 4, Peer: h(idOf(b))})
	big := make([]byte, 40960-5) // 0x82 0x01 0x59 len(2) payload: 40960 bytes in all
	add("message_data_40960", "A data message of 40 KiB (40960 bytes).", "success",
		enc(&dataMsg{Type: 1, Payload: big}), &decoded{Type: 1, Payload: ptr(h(big))})
	big = make([]byte, 40961-5)
	add("message_data_40961", "A data message of 40961 bytes: over the 40 KiB of the other messages, well within the 16 MiB of data (§3.1).", "success",
		enc(&dataMsg{Type: 1, Payload: big}), &decoded{Type: 1, Payload: ptr(h(big))})
	for _, n := range []int{40960, 40961} {
		expect, name := "ignored", fmt.Sprintf("message_type_24_%d", n)
		desc := "A message of the unknown type 24 of exactly 40 KiB: ignored (§3.1)."
		if n > 40960 {
			expect, desc = "protocol", "A message of the unknown type 24 of 40961 bytes: it exceeds 40 KiB (§3.1), which no type but data may."
		}
		add(name, desc, expect, enc([]any{uint64(24), make([]byte, n-6)}), nil) // 0x82 0x18 0x18 0x59 len(2)
	}
	relayOf := func(code []byte) []byte {
		sc, _ := sign(a, 0, idOf(b), t0, code)
		return enc(&relayMsg{Type: 2, Hops: 0, To: idOf(b), Nonce: nonce, Signed: enc(&sc)})
	}
	pad := 40961 - len(relayOf(make([]byte, 1000))) + 1000
	add("message_relay_40961", "A relay message of 40961 bytes (its code is zeros): it exceeds 40 KiB (§3.1).", "protocol",
		relayOf(make([]byte, pad)), nil)

}

// malformed: messages that break Appendix A or its encoding, and the
// reserved and unknown types that are ignored.
func (m *messageCase) malformed() {
	a, b, sc, scb, nonce, payload, add, g := m.a, m.b, m.sc, m.scb, m.nonce, m.payload, m.add, m.g
	add("message_type_20", "A message of the reserved type 20 with one more element: ignored (§3.1, §10).", "ignored", enc([]any{uint64(20), uint64(0)}), nil)
	add("message_type_23", "A message of the reserved type 23 alone: ignored.", "ignored", enc([]any{uint64(23)}), nil)
	add("message_type_24", "A message of type 24 (the first type encoded in two bytes), unknown: ignored (§3.1 'MUST ignore a message whose type they do not know').", "ignored", enc([]any{uint64(24), []byte{1}}), nil)
	add("message_second_hello", "A HELLO after the handshake (§3.3).", "protocol",
		enc(&helloMsg{Type: 0, Version: 1, Key: pub(a), Sig: make([]byte, 64), Addrs: []string{}}), nil)
	add("message_empty", "A message of zero bytes.", "protocol", []byte{}, nil)
	add("message_not_array", "A CBOR map {0: 1} instead of an array.", "protocol", []byte{0xa1, 0x00, 0x01}, nil)
	add("message_type_negative", "An array whose first element is −1, not a message type.", "protocol", []byte{0x81, 0x20}, nil)
	d := enc(&dataMsg{Type: 1, Payload: payload})
	add("message_data_truncated", "message_data without its last byte.", "protocol", d[:len(d)-1], nil)
	add("message_data_trailing", "message_data followed by 0x00.", "protocol", append(append([]byte{}, d...), 0), nil)
	add("message_data_indefinite", "message_data's array in indefinite-length encoding (0x9f ... 0xff).", "protocol",
		append(append([]byte{0x9f}, d[1:]...), 0xff), nil)
	add("message_data_long_length", "message_data with the payload length 24 in three bytes (0x59 0x00 0x18) instead of two: not canonical.", "protocol",
		append([]byte{0x82, 0x01, 0x59, 0x00, 0x18}, payload...), nil)
	add("message_data_tagged", "message_data with its payload under tag 24 (encoded CBOR): tags are not in Appendix A.", "protocol",
		append([]byte{0x82, 0x01, 0xd8, 0x18, 0x58, 0x18}, payload...), nil)
	add("message_data_text", "A data message whose payload is a text string.", "protocol", enc([]any{uint64(1), "hi"}), nil)
	add("message_data_null", "A data message whose payload is null ([1, null]): Appendix A requires a byte string.", "protocol", []byte{0x82, 0x01, 0xf6}, nil)
	add("message_data_no_payload", "A data message without its payload ([1]).", "protocol", []byte{0x81, 0x01}, nil)
	rl := enc(&relayMsg{Type: 2, Hops: 0, To: idOf(b), Nonce: 5, Signed: scb})
	i := bytes.Index(rl, []byte{0x05, 0x86})
	if i < 0 {
		g.fail("message_relay_long_nonce", "nonce not found")
		return
	}
	add("message_relay_long_nonce", "A relay with nonce 5 encoded in two bytes (0x18 0x05): not canonical.", "protocol",
		append(append(append([]byte{}, rl[:i]...), 0x18), rl[i:]...), nil)
	add("message_relay_hops_2", "A relay with hops 2 (Appendix A: hops is 0 or 1).", "protocol",
		enc(&relayMsg{Type: 2, Hops: 2, To: idOf(b), Nonce: nonce, Signed: scb}), nil)
	add("message_relay_to_31", "A relay whose to has 31 bytes (Appendix A: peer-id is 32 bytes).", "protocol",
		enc(&relayMsg{Type: 2, Hops: 0, To: idOf(b)[:31], Nonce: nonce, Signed: scb}), nil)
	add("message_relay_kind_2", "A relay whose signed code has kind 2 (Appendix A: kind is 0 or 1).", "protocol",
		enc(&relayMsg{Type: 2, Hops: 1, To: idOf(b), Nonce: nonce, Signed: enc(&signedCode{Kind: 2, Key: sc.Key, To: sc.To, Time: sc.Time, Code: sc.Code, Sig: sc.Sig})}), nil)
	add("message_relay_no_signed_code", "A relay with four elements (no signed code).", "protocol",
		enc([]any{uint64(2), uint64(0), idOf(b), nonce}), nil)
	add("message_refuse_to_31", "A refuse whose to has 31 bytes (Appendix A: peer-id is 32 bytes).", "protocol",
		enc(&refuseMsg{Type: 3, Hops: 1, To: idOf(a)[:31], Nonce: nonce, Reason: 1}), nil)
	add("message_invite_31", "An invite whose peer has 31 bytes.", "protocol", enc(&inviteMsg{Type: 4, Peer: idOf(b)[:31]}), nil)
	add("message_invite_extra", "An invite with a third element.", "protocol", enc([]any{uint64(4), idOf(b), uint64(0)}), nil)
}

// signedCase is one signed code sent by author to recipient.
type signedCase struct {
	author, recipient ed25519.PrivateKey
	offer, answer     []byte
	nonce             uint64
}

func newSigned(name string) *signedCase {
	r := rng(name)
	c := &signedCase{author: key(r), recipient: key(r)}
	c.offer, c.answer, _, _ = codes(r, "0")
	c.nonce = r.Uint64() >> 1
	return c
}

// vector describes the signed code sc (made from signing input in) as its
// recipient receives it inside a relay (hops 1) from an introducer.
func (c *signedCase) vector(desc, expect string, sc signedCode, in []byte, expectKind int, now int64) vector {
	scb := enc(&sc)
	msg := enc(&relayMsg{Type: 2, Hops: 1, To: idOf(c.recipient), Nonce: c.nonce, Signed: scb})
	return vector{Description: desc, Seed: h(c.author.Seed()), PublicKey: h(pub(c.author)), ID: h(idOf(c.author)),
		Kind: ptr(int(sc.Kind)), To: h(sc.To), Time: ptr(sc.Time), Code: h(sc.Code), SigningInput: h(in), Sig: h(sc.Sig),
		SignedCode: h(scb), Message: h(msg),
		Decoded: &decoded{Type: 2, Hops: ptr(1), To: h(idOf(c.recipient)), Nonce: ptr(c.nonce), SignedCode: h(scb)},
		Context: "introduction", OwnID: h(idOf(c.recipient)), ExpectKind: ptr(expectKind), Now: ptr(now), Expect: expect}
}

// signedSpec is how a vector's signed code is made: c's offer (kind 0)
// or answer (kind 1), signed for to (the recipient when nil) with time
// tm, then altered by alter when it is not nil.
type signedSpec struct {
	kind  byte
	to    []byte
	tm    uint64
	alter func(*signedCode)
}

// signedVector is the vector of case name: the signed code of s, received
// at now by a recipient that expects kind expectKind.
func signedVector(name, desc, expect string, s signedSpec, expectKind int, now int64) vector {
	c := newSigned(name)
	code, to := c.offer, s.to
	if s.kind == 1 {
		code = c.answer
	}
	if to == nil {
		to = idOf(c.recipient)
	}
	sc, in := sign(c.author, s.kind, to, s.tm, code)
	if s.alter != nil {
		s.alter(&sc)
	}
	return c.vector(desc, expect, sc, in, expectKind, now)
}

func (g *gen) signedCodes() {
	offer := func(name, desc, expect string, tm uint64, now int64, alter func(*signedCode)) {
		g.add(name, signedVector(name, desc, expect, signedSpec{tm: tm, alter: alter}, 0, now))
	}
	offer("signed_offer", "A signed offer for the recipient, received 30 s after it was signed.", "success", t0, t0+30, nil)
	v := signedVector("signed_answer", "A signed answer from the peer the recipient sent its offer to (expect_id).", "success", signedSpec{kind: 1, tm: t0}, 1, t0+2)
	v.ExpectID = v.ID
	g.add("signed_answer", v)

	offer("signed_age_600", "A signed offer received exactly 10 minutes (600 s) after its time: still within 10 minutes (§6.1).", "success", t0, t0+600, nil)
	offer("signed_ahead_600", "A signed offer whose time is 600 s ahead of the recipient's clock: within 10 minutes.", "success", t0, t0-600, nil)
	offer("signed_time_zero", "A signed offer with time 0 (the recipient's clock is 500 s): time is an unsigned integer of 8 bytes in the signing input.", "success", 0, 500, nil)

	offer("signed_expired", "A signed offer received 601 s after its time (§6.1).", "expired", t0, t0+601, nil)
	offer("signed_future", "A signed offer whose time is 601 s ahead of the recipient's clock (§6.1: within 10 minutes of its clock).", "expired", t0, t0-601, nil)
	offer("signed_time_2_62", "A signed offer, correctly signed, whose time is 2^62 + the recipient's clock: far from it.", "expired", 1<<62+t0, t0, nil)
	offer("signed_time_max", "A signed offer, correctly signed, with time 2^64−1.", "expired", 1<<64-1, t0, nil)

	offer("signed_tampered_code", "The introducer flipped bit 0 of the code's last byte after signing; signing_input is what the author signed.", "tampered", t0, t0+30,
		func(sc *signedCode) { sc.Code = append([]byte{}, sc.Code...); sc.Code[len(sc.Code)-1] ^= 0x01 })
	offer("signed_tampered_time", "time increased by one after signing.", "tampered", t0, t0+30, func(sc *signedCode) { sc.Time++ })
	offer("signed_tampered_key", "key replaced by another peer's public key, sig kept: the signature does not verify under key.", "tampered", t0, t0+30,
		func(sc *signedCode) { sc.Key = pub(key(rng("signed_tampered_key/other"))) })
	offer("signed_tampered_and_expired", "A bad signature and an expired time: §6.1 checks the signature first.", "tampered", t0, t0+3600,
		func(sc *signedCode) { sc.Sig = append([]byte{}, sc.Sig...); sc.Sig[0] ^= 0x80 })

	other := idOf(key(rng("signed_wrong_to/other")))
	g.add("signed_wrong_to", signedVector("signed_wrong_to", "A signed offer addressed to another peer (to ≠ the recipient's ID), correctly signed (§6.1).", "protocol",
		signedSpec{to: other, tm: t0}, 0, t0+30))
	g.add("signed_wrong_to_and_tampered", signedVector("signed_wrong_to_and_tampered", "Addressed to another peer and tampered: §6.1 checks to first.", "protocol",
		signedSpec{to: other, tm: t0, alter: func(sc *signedCode) { sc.Time++ }}, 0, t0+30))
	v = signedVector("signed_answer_wrong_author", "A valid signed answer whose author is not the peer the offer was sent to (expect_id, §6.1).", "auth", signedSpec{kind: 1, tm: t0}, 1, t0+2)
	v.ExpectID = h(idOf(key(rng("signed_answer_wrong_author/expected"))))
	g.add("signed_answer_wrong_author", v)
	g.add("signed_kind_mismatch", signedVector("signed_kind_mismatch", "A valid signed answer where the recipient expects an offer (expect_kind 0).", "protocol", signedSpec{kind: 1, tm: t0}, 0, t0+2))
	offer("signed_key_31", "key cut to 31 bytes (Appendix A: 32).", "protocol", t0, t0+30, func(sc *signedCode) { sc.Key = sc.Key[:31] })
	offer("signed_sig_63", "sig cut to 63 bytes (Appendix A: 64).", "protocol", t0, t0+30, func(sc *signedCode) { sc.Sig = sc.Sig[:63] })
}

// Reconnect codes (§4), built by this program from the CBOR sequence.

type codeSeq struct {
	head, core cbor.RawMessage // core: the body (SPEC.md §4.2)
	ext        map[int64]cbor.RawMessage
}

func parseSeq(code []byte) (*codeSeq, error) {
	d := cbor.NewDecoder(bytes.NewReader(code))
	var s codeSeq
	for _, p := range []*cbor.RawMessage{&s.head, &s.core} {
		if err := d.Decode(p); err != nil {
			return nil, err
		}
	}
	if d.NumBytesRead() < len(code) {
		if err := d.Decode(&s.ext); err != nil {
			return nil, err
		}
	}
	if d.NumBytesRead() != len(code) {
		return nil, errors.New("trailing bytes")
	}
	return &s, nil
}

func (s *codeSeq) bytes() []byte {
	b := append(append([]byte{}, s.head...), s.core...)
	if len(s.ext) > 0 {
		b = append(b, enc(s.ext)...)
	}
	return b
}

// reconnect applies §4 steps 1-3 to the full code c of the author with
// certificate digest fp.
func reconnect(c []byte, author, fp []byte) ([]byte, error) {
	s, err := parseSeq(c)
	if err != nil {
		return nil, err
	}
	var head uint64
	var core []byte
	if cbor.Unmarshal(s.head, &head) != nil || head >= 16 || cbor.Unmarshal(s.core, &core) != nil {
		return nil, errors.New("not a compact code")
	}
	if len(core) < 32 || !bytes.Equal(core[len(core)-32:], fp) || s.ext[1] != nil || s.ext[-1] != nil {
		return nil, errors.New("no reconnect form")
	}
	s.core = enc(core[:len(core)-32])
	if s.ext == nil {
		s.ext = map[int64]cbor.RawMessage{}
	}
	s.ext[-1] = enc(author[:4])
	return s.bytes(), nil
}

func (g *gen) reconnects() {
	one := func(name, desc string, kind string, mid string) {
		r := rng(name)
		a := key(r)
		offer, answer, fpo, fpa := codes(r, mid)
		c, fp := offer, fpo
		if kind == "answer" {
			c, fp = answer, fpa
		}
		rc, err := reconnect(c, idOf(a), fp)
		if err != nil {
			g.fail(name, "%v", err)
			return
		}
		// Self-checks: C decodes; the reconnect code is refused by a
		// SPEC.md decoder with unsupported (a must-understand key).
		if _, err := codec.Decode(c, nil); err != nil {
			g.fail(name, "C does not decode: %v", err)
		}
		if _, err := codec.Decode(rc, nil); !errors.Is(err, codec.ErrUnsupported) {
			g.fail(name, "reconnect code decodes with %v, want unsupported", err)
		}
		g.add(name, vector{Description: desc, Seed: h(a.Seed()), PublicKey: h(pub(a)), ID: h(idOf(a)),
			Code: h(c), Fingerprint: h(fp), Hint: h(idOf(a)[:4]), ReconnectCode: h(rc), Expect: "success"})
	}
	one("reconnect_offer", "An offer's code without ext (mid \"0\"): the digest leaves the body and an ext map {−1: hint} is created.", "offer", "0")
	one("reconnect_answer", "An answer's code (bound to its offer) in reconnect form.", "answer", "0")
	one("reconnect_offer_ext", "An offer's code whose ext already holds key 3 (mid \"data\"): key −1 sorts after it (0x20 > 0x03, RFC 8949 §4.2.1).", "offer", "data")

	name := "reconnect_unknown_author"
	r := rng(name)
	a, other := key(r), key(r)
	offer, _, fpo, _ := codes(r, "0")
	rc, err := reconnect(offer, idOf(a), fpo)
	if err != nil {
		g.fail(name, "%v", err)
		return
	}
	g.add(name, vector{Description: "A reconnect offer whose hint matches no remembered peer (the recipient remembers one other peer).",
		ReconnectCode: h(rc), Hint: h(idOf(a)[:4]),
		Remembered: []remembered{{ID: h(idOf(other)), Fingerprint: h(randBytes(r, 32))}}, Expect: "unknown-peer"})
}

// frames: §7, the direct exchange over a TCP stream.
func (g *gen) frames() {
	r := rng("frame")
	dialer, listener := key(r), key(r)
	offer, answer, _, _ := codes(r, "0")
	so, ino := sign(dialer, 0, idOf(listener), t0, offer)
	sa, ina := sign(listener, 1, idOf(dialer), t0+1, answer)
	msgO := enc(&relayMsg{Type: 2, Hops: 0, To: idOf(listener), Nonce: 0, Signed: enc(&so)})
	msgA := enc(&relayMsg{Type: 2, Hops: 0, To: idOf(dialer), Nonce: 0, Signed: enc(&sa)})
	base := func(desc string, k ed25519.PrivateKey, sc signedCode, in []byte) vector {
		return vector{Description: desc, Seed: h(k.Seed()), PublicKey: h(pub(k)), ID: h(idOf(k)), Kind: ptr(int(sc.Kind)),
			To: h(sc.To), Time: ptr(sc.Time), Code: h(sc.Code), SigningInput: h(in), Sig: h(sc.Sig), SignedCode: h(enc(&sc)), Expect: "success"}
	}
	v := base("The dialer's frame: relay with hops 0, nonce 0, to the listener, and the dialer's signed offer; the listener verifies it.", dialer, so, ino)
	v.Message, v.Frame, v.Context, v.OwnID, v.ExpectKind, v.Now = h(msgO), h(frame(msgO)), "direct-listener", h(idOf(listener)), ptr(0), ptr(int64(t0+5))
	v.Decoded = &decoded{Type: 2, Hops: ptr(0), To: h(idOf(listener)), Nonce: ptr(uint64(0)), SignedCode: h(enc(&so))}
	g.add("frame_direct_offer", v)
	v = base("The listener's reply frame: relay with its signed answer; the dialer verifies it and expects the listener's ID.", listener, sa, ina)
	v.Message, v.Frame, v.Context, v.OwnID, v.ExpectID, v.ExpectKind, v.Now = h(msgA), h(frame(msgA)), "direct-dialer", h(idOf(dialer)), h(idOf(listener)), ptr(1), ptr(int64(t0+5))
	v.Decoded = &decoded{Type: 2, Hops: ptr(0), To: h(idOf(dialer)), Nonce: ptr(uint64(0)), SignedCode: h(enc(&sa))}
	g.add("frame_direct_answer", v)

	ref := enc(&refuseMsg{Type: 3, Hops: 0, To: idOf(dialer), Nonce: 0, Reason: 3})
	g.add("frame_direct_refuse", vector{Description: "The listener's reply frame: refuse with reason 3 (it does not remember the dialer, §7).",
		Message: h(ref), Frame: h(frame(ref)), Context: "direct-dialer", OwnID: h(idOf(dialer)), ExpectID: h(idOf(listener)),
		Decoded: &decoded{Type: 3, Hops: ptr(0), To: h(idOf(dialer)), Nonce: ptr(uint64(0)), Reason: ptr(uint64(3))}, Expect: "unknown-peer"})
	inv := enc(&inviteMsg{Type: 4, Peer: idOf(dialer)})
	g.add("frame_direct_not_relay", vector{Description: "A dialer's frame holding invite instead of relay (§7: the dialer sends relay).",
		Message: h(inv), Frame: h(frame(inv)), Context: "direct-listener", OwnID: h(idOf(listener)), ExpectKind: ptr(0), Now: ptr(int64(t0 + 5)), Expect: "protocol"})
	cut := frame(msgO)
	g.add("frame_direct_cut", vector{Description: "frame_direct_offer cut 10 bytes before its end: the stream ends inside the frame (§7).",
		Frame: h(cut[:len(cut)-10]), Context: "direct-listener", OwnID: h(idOf(listener)), ExpectKind: ptr(0), Now: ptr(int64(t0 + 5)), Expect: "protocol"})
	short := frame(msgO)
	short[1]--
	g.add("frame_direct_short_length", vector{Description: "frame_direct_offer with a length one less than the message: the listener reads the message without its last byte.",
		Frame: h(short), Context: "direct-listener", OwnID: h(idOf(listener)), ExpectKind: ptr(0), Now: ptr(int64(t0 + 5)), Expect: "protocol"})
}

// refusals: §8, the class a received refuse reason reports.
func (g *gen) refusals() {
	r := rng("refuse")
	me := idOf(key(r))
	nonce := r.Uint64() >> 1
	classes := []string{"refused", "no-route", "tampered", "unknown-peer", "too-many", "refused", "refused", "refused"}
	what := []string{"0 (unassigned: unknown reasons are refused)", "1 (no-route)", "2 (tampered)", "3 (unknown-peer)",
		"4 (too-many)", "5 (refused)", "6 (other: no class of its own, reported as refused)", "7 (unassigned)"}
	for reason, class := range classes {
		msg := enc(&refuseMsg{Type: 3, Hops: 1, To: me, Nonce: nonce, Reason: uint64(reason)})
		g.add(fmt.Sprintf("refuse_reason_%d", reason), vector{
			Description: "A refuse for the receiver's pending nonce, forwarded by its introducer, with reason " + what[reason] + ".",
			Message:     h(msg), Context: "refuse-received", OwnID: h(me),
			Decoded: &decoded{Type: 3, Hops: ptr(1), To: h(me), Nonce: ptr(nonce), Reason: ptr(uint64(reason))}, Expect: class})
	}
}
