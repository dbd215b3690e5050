package main

import (
	"bytes"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// bin returns the code of the positive vector name.
func (g *gen) bin(name string) []byte {
	v, ok := g.vecs[name]
	if !ok || v.Bin == "" {
		g.fail(name, "needed by a negative vector but not generated")
		return nil
	}
	return mustHex(v.Bin)
}

// negatives defines the vectors that must fail. Most edit a positive code
// by hand following the layout of SPEC.md §4: head, core, candidates,
// extension map.
func (g *gen) negatives(b *baseCodes) {
	if g.err != nil {
		return
	}
	g.truncated()
	g.noncanonical(b)
	g.versions(b)
	g.badExtensions(b)
	g.overLimits(b)
	g.texts(b)
	g.bindings(b)
	g.invalidSDP(b)
	g.cborSubset(b)
}

func (g *gen) truncated() {
	code := g.bin("cands_srflx_relay")
	if code == nil {
		return
	}
	g.decodeFail("truncated_head_only", "cands_srflx_relay cut after its head: the body is missing.", "offer", code[:1], nil, nil, "malformed")
	g.decodeFail("truncated_core", "cands_srflx_relay cut inside the body byte string, in its credentials.", "offer", code[:12], nil, nil, "malformed")
	g.decodeFail("truncated_candidates", "cands_srflx_relay without its last three bytes, inside the body byte string (its digest).", "offer", code[:len(code)-3], nil, nil, "malformed")
	ext := g.bin("ext_mid_data")
	g.decodeFail("truncated_ext", "ext_mid_data without its last two bytes, inside the extension map.", "offer", ext[:len(ext)-2], nil, nil, "malformed")
	ans := g.bin("compact_chrome_answer_active")
	g.decodeFail("truncated_answer_binding", "compact_chrome_answer_active cut inside the binding at the start of its body.", "answer", ans[:5], g.bin("compact_chrome_offer_mdns"), nil, "malformed")
	items := items(code)
	body := content(items[1])
	short := join(items[0], bstr(body[:10]))
	g.decodeFail("truncated_core_content", "A well-formed code whose body byte string is too short for the credentials and digest.", "offer", short, nil, nil, "malformed")
	g.decodeFail("truncated_trailing_item", "compact_chrome_offer_mdns followed by an extension map and another item: nothing may follow the extension map.", "offer",
		join(g.bin("compact_chrome_offer_mdns"), []byte{0xa1, 0x18, 0x2a, 0x00, 0x00}), nil, nil, "malformed")
}

// noncanonical writes the vectors whose code is well-formed but not in
// canonical form (SPEC.md §7 step 8), each derived from a code of b. It
// is longer than 80 lines: a list of cases, one vector each.
func (g *gen) noncanonical(b *baseCodes) {
	chrome := b.chrome
	it := items(chrome)
	g.decodeFail("noncanon_head_long", "compact_chrome_offer_mdns with its head 0 written in two bytes (0x18 0x00).", "offer",
		join([]byte{0x18, 0x00}, chrome[1:]), nil, nil, "non-canonical")
	core := content(it[1])
	longCore := join([]byte{0x59, byte(len(core) >> 8), byte(len(core))}, core)
	g.decodeFail("noncanon_core_length_long", "compact_chrome_offer_mdns with the length of its body written in three bytes instead of two.", "offer",
		join(it[0], longCore), nil, nil, "non-canonical")

	u5 := items(g.bin("creds_6bit_ufrag5_pwd25"))
	// The body: credentials byte (length code 0), lengths 5 and 25, the
	// ufrag in 4 bytes (30 bits, 2 padding), the pwd in 19 (150 bits, 2).
	const lastUfrag, lastPwd = 3 + 4 - 1, 3 + 4 + 19 - 1
	c := bytes.Clone(content(u5[1]))
	if c[0] != 0 || c[1] != 5 || c[2] != 25 {
		g.fail("noncanon_ufrag_padding", "unexpected body %x", c)
		return
	}
	c[lastUfrag] |= 0x01
	g.decodeFail("noncanon_ufrag_padding", "creds_6bit_ufrag5_pwd25 with a padding bit of the packed ufrag set.", "offer", join(u5[0], bstr(c)), nil, nil, "non-canonical")
	c = bytes.Clone(content(u5[1]))
	c[lastPwd] |= 0x01
	g.decodeFail("noncanon_pwd_padding", "creds_6bit_ufrag5_pwd25 with a padding bit of the packed pwd set.", "offer", join(u5[0], bstr(c)), nil, nil, "non-canonical")
	// SPEC.md §7: a canonical fault is reported only at step 8, so a
	// structural fault found later in the code takes precedence.
	c = bytes.Clone(content(u5[1]))
	c[lastUfrag] |= 0x01
	g.decodeFail("precedence_padding_then_bad_ext", "creds_6bit_ufrag5_pwd25 with a padding bit of the packed ufrag set (non-canonical) and the integer 0 where its extension map may be (malformed): the structural fault wins.", "offer",
		join(u5[0], bstr(c), []byte{0x00}), nil, nil, "malformed")
	g.decodeFail("precedence_long_head_then_truncated", "compact_chrome_offer_mdns with its head written in two bytes (non-canonical) and its body cut short (malformed): the structural fault wins.", "offer",
		join([]byte{0x18, 0x00}, chrome[1:len(chrome)-3]), nil, nil, "malformed")

	ms := items(g.bin("ext_mid_and_sctp_port"))
	want := []byte{0xa2, 0x03, 0x64, 'd', 'a', 't', 'a', 0x04, 0x19, 0x13, 0x89}
	if !bytes.Equal(ms[2], want) {
		g.fail("noncanon_ext_unsorted", "unexpected map %x", ms[2])
		return
	}
	g.decodeFail("noncanon_ext_unsorted", "ext_mid_and_sctp_port with its extension keys in descending order (4 before 3).", "offer",
		join(ms[0], ms[1], []byte{0xa2, 0x04, 0x19, 0x13, 0x89, 0x03, 0x64, 'd', 'a', 't', 'a'}), nil, nil, "non-canonical")

	g.decodeFail("noncanon_unknown_key_value", "compact_chrome_offer_mdns with the grease key 0x0a0a whose value, 5, is written in two bytes (0x18 0x05).", "offer",
		join(chrome, []byte{0xa1, 0x19, 0x0a, 0x0a, 0x18, 0x05}), nil, nil, "non-canonical")
	g.decodeFail("noncanon_ext_empty", "compact_chrome_offer_mdns followed by an empty extension map, which the encoder omits.", "offer",
		join(chrome, []byte{0xa0}), nil, nil, "non-canonical")
	g.decodeFail("noncanon_ext_default_value", "compact_chrome_offer_mdns with head class 3 (head 12) and extension key 2 holding 262144, which is class 0 (head 0, no extension entry).", "offer",
		join([]byte{0x0c}, chrome[1:], []byte{0xa1, 0x02, 0x1a, 0x00, 0x04, 0x00, 0x00}), nil, nil, "non-canonical")
	g.decodeFail("ext_mms_without_class", "compact_chrome_offer_mdns (head 0, max-message-size class 0) with extension key 2 holding 1000: key 2 is present exactly when the head's class is 3.", "offer",
		join(chrome, []byte{0xa1, 0x02, 0x19, 0x03, 0xe8}), nil, nil, "malformed")
	g.decodeFail("ext_mms_class_without_key", "compact_chrome_offer_mdns with head 12 (max-message-size class 3) and no extension key 2.", "offer",
		join([]byte{0x0c}, chrome[1:]), nil, nil, "malformed")
	body := bytes.Clone(content(it[1]))
	if body[0] != 3 {
		g.fail("creds_reserved_length_code", "body %x does not start with length code 3", body)
		return
	}
	body[0] = 61
	g.decodeFail("creds_reserved_length_code", "compact_chrome_offer_mdns with the reserved length code 61 in its credentials byte (codes 1 to 60 stand for lengths).", "offer",
		join(it[0], bstr(body)), nil, nil, "malformed")
	written := join([]byte{0, 4, 24}, content(it[1])[1:])
	g.decodeFail("noncanon_creds_lengths_written", "compact_chrome_offer_mdns with its credential lengths 4 and 24 written out (length code 0) where length code 3 stands for them.", "offer",
		join(it[0], bstr(written)), nil, nil, "non-canonical")

	sha := items(g.bin("ext_fingerprint_sha384"))
	// The extension map is a1 01 81 82 03 58 30 <48 bytes>.
	e := sha[2]
	if len(e) != 3+2+2+48 || e[3] != 0x82 || e[4] != 0x03 {
		g.fail("noncanon_hash_by_name", "unexpected map %x", e)
		return
	}
	fp := e[len(e)-48:]
	named := join([]byte{0xa1, 0x01, 0x81, 0x82, 0x67}, []byte("sha-384"), bstr(fp))
	g.decodeFail("noncanon_hash_by_name", "ext_fingerprint_sha384 with its registered hash function given by name (\"sha-384\") instead of number 3.", "offer",
		join(sha[0], sha[1], named), nil, nil, "non-canonical")

	// A residual code for a description the compact form can carry.
	g.decodeFail("noncanon_residual_compactable", "A residual code (head 16) carrying compact_chrome_offer_mdns's SDP, which must use the compact form.", "offer",
		join([]byte{0x10}, bstr(flateRaw([]byte(normal(b.chromeSDP))))), nil, nil, "non-canonical")

	// A literal address where a reference to an earlier candidate is canonical.
	// Its body: credentials byte, 4 + 16 bytes of hex credentials, 21
	// bytes of records, the digest.
	ut := items(g.bin("cands_mdns_udp_tcp"))
	body = content(ut[1])
	head, cands, digest := body[:21], body[21:len(body)-32], body[len(body)-32:]
	if len(cands) != 21 || cands[0] != 0x08 || cands[19] != 0x1f || cands[20] != 0x00 {
		g.fail("noncanon_cand_literal", "unexpected candidates %x", cands)
		return
	}
	lit := join(cands[:19], []byte{0x1b}, cands[1:17])
	g.decodeFail("noncanon_cand_literal", "cands_mdns_udp_tcp with the TCP candidate's mDNS name written out (flags 0x1b) instead of as a reference to candidate 0.", "offer",
		join(ut[0], bstr(join(head, lit, digest))), nil, nil, "non-canonical")
	rep := join(cands[:19], []byte{0x0d, 0x00})
	g.decodeFail("noncanon_repeated_candidate", "cands_mdns_udp_tcp with its second candidate replaced by a repeat of the first (same address, port and transport).", "offer",
		join(ut[0], bstr(join(head, rep, digest))), nil, nil, "non-canonical")

	// Hex credentials packed with 6 bits per character and the hex flag clear.
	if d := b.firefoxDC; d != nil {
		ff := items(b.firefox)
		fbody := content(ff[1])
		// Credentials byte 0x80 | 26 (hex; ufrag 8, pwd 32), 4 + 16 bytes.
		if fbody[0] != 0x80|26 || len(ff) != 2 {
			g.fail("noncanon_creds_6bit_for_hex", "body %x has no hex flag", fbody)
			return
		}
		body6 := join([]byte{26}, pack6(d.ufrag), pack6(d.pwd), fbody[1+4+16:])
		g.decodeFail("noncanon_creds_6bit_for_hex", "compact_firefox_offer with its hex credentials packed with 6 bits per character and the hex flag of its credentials byte clear.", "offer",
			join(ff[0], bstr(body6)), nil, nil, "non-canonical")
	}
}

func (g *gen) versions(b *baseCodes) {
	rest := b.chrome[1:]
	g.decodeFail("version_head_32", "A head of 32 (0x18 0x20), a later version, followed by the items of compact_chrome_offer_mdns.", "", join([]byte{0x18, 0x20}, rest), nil, nil, "unsupported")
	g.decodeFail("version_head_20", "A head of 20, the first value after the heads of the audio/video form (reserved), followed by the items of compact_chrome_offer_mdns.", "", join([]byte{0x14}, rest), nil, nil, "unsupported")
	g.decodeFail("version_role_reserved", "A compact head with the reserved role 3.", "", join([]byte{0x03}, rest), nil, nil, "unsupported")
}

func (g *gen) badExtensions(b *baseCodes) {
	g.decodeFail("ext_must_understand", "compact_chrome_offer_mdns with the negative (must-understand) extension key -1, which version 1 does not define.", "offer",
		join(b.chrome, []byte{0xa1, 0x20, 0x00}), nil, nil, "unsupported")
	g.decodeFail("ext_duplicate_key", "compact_chrome_offer_mdns with an extension map that has key 3 twice.", "offer",
		join(b.chrome, []byte{0xa2, 0x03, 0x64, 'd', 'a', 't', 'a', 0x03, 0x64, 'd', 'a', 't', 'a'}), nil, nil, "malformed")
	sha := items(g.bin("ext_fingerprint_sha384"))
	e := sha[2]
	bad := join([]byte{0xa1, 0x01, 0x81, 0x82, 0x03}, bstr(e[len(e)-32:]))
	g.decodeFail("ext_fingerprint_length", "ext_fingerprint_sha384 with a 32-byte digest for SHA-384 (48 bytes) in extension key 1.", "offer",
		join(sha[0], sha[1], bad), nil, nil, "malformed")
	g.decodeFail("ext_bad_value_type", "compact_chrome_offer_mdns with extension key 4 (sctp-port) holding a text string.", "offer",
		join(b.chrome, []byte{0xa1, 0x04, 0x64, '5', '0', '0', '1'}), nil, nil, "malformed")
}

func (g *gen) overLimits(b *baseCodes) {
	sr := g.bin("cands_srflx_relay")
	g.decodeFail("limit_code_bytes", "cands_srflx_relay decoded with max_code_bytes 64, less than its length.", "offer", sr, nil, &limits{MaxCodeBytes: 64}, "limit")
	g.decodeFail("limit_candidates", "cands_srflx_relay (four candidates) decoded with max_candidates 3.", "offer", sr, nil, &limits{MaxCandidates: 3}, "limit")
	g.decodeFail("limit_sdp_bytes", "residual_av_offer decoded with max_sdp_bytes 1024, less than its decompressed text.", "offer", b.residual, nil, &limits{MaxSDPBytes: 1024}, "limit")
	bomb := flateRaw([]byte(strings.Repeat("a=x\n", 64<<10)))
	g.decodeFail("limit_residual_bomb", "A residual code whose DEFLATE stream of a few hundred bytes expands to 256 KiB, over the default SDP limit.", "offer",
		join([]byte{0x10}, bstr(bomb)), nil, nil, "limit")
}

func (g *gen) texts(b *baseCodes) {
	chrome := b.chrome
	qr := codec.FormatText(chrome, codec.FormQR)
	link := codec.FormatText(chrome, codec.FormLink)
	g.textFail("text_foreign_url", "A URL without a code in its fragment.", "https://example.org/call#room-42", "foreign")
	g.textFail("text_foreign_words", "Random text that is not a code.", "let's meet at noon", "foreign")
	g.textFail("text_foreign_json", "A JSON session description, which is not a code.", `{"type":"offer","sdp":"v=0\r\n"}`, "foreign")
	badQR := qr[:5] + "a" + qr[6:]
	g.textFail("text_qr_bad_char", "compact_chrome_offer_mdns's qr form with a lower-case letter, outside the Base45 alphabet.", badQR, "malformed")
	body := len(qr) - len(codec.PrefixQR)
	cut := body - (body+2)%3 // the largest length < body that is 1 mod 3
	if cut == body {
		cut -= 3
	}
	g.textFail("text_qr_truncated", "compact_chrome_offer_mdns's qr form cut to a length of 1 mod 3 after the prefix.", qr[:len(codec.PrefixQR)+cut], "malformed")
	g.textFail("text_qr_overflow", "A qr form whose three-character Base45 group has a value over 65535.", "P:"+strings.Repeat("0", 3*4)+":::", "malformed")
	g.textFail("text_link_lowercase", "compact_chrome_offer_mdns's link form in lower-case Base32.", "P-"+strings.ToLower(link[2:]), "malformed")
	g.textFail("text_link_padding", "compact_chrome_offer_mdns's link form followed by a Base32 padding character, which the link form never has.", link+"=", "malformed")

	// Positive text vectors: whole links and white space.
	if v, ok := g.vecs["compact_chrome_offer_mdns"]; ok {
		v.Description = "A whole link (a URL whose fragment is the link form) carries compact_chrome_offer_mdns."
		v.Text = codec.Link("https://example.org/p?x=1#old", chrome)
		v.SDP, v.Type = "", "offer"
		g.add("text_whole_link", v)
		v.Description = "The qr form with white space around it (as a scanner may return it) carries compact_chrome_offer_mdns."
		v.Text = "  " + qr + "\r\n"
		g.add("text_qr_white_space", v)
	}
}

func (g *gen) bindings(b *baseCodes) {
	g.decodeFail("bind_other_offer", "compact_chrome_answer_active checked against compact_safari_offer instead of the offer it answers.", "answer",
		b.chromeAnswer, b.safari, nil, "binding")
	r := rng("bind_encode_no_offer")
	d := newDC(r, "chrome", "active")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	s := d.sdp(r)
	g.encodeFail("bind_encode_no_offer", "An answer encoded without the code of its offer.", codec.Answer, s, nil, "binding")
	g.encodeFail("bind_encode_answer_as_offer", "An answer encoded with an answer's code (compact_chrome_answer_active) as its offer.", codec.Answer, s, b.chromeAnswer, "binding")
}

func (g *gen) invalidSDP(b *baseCodes) {
	s := b.chromeSDP
	g.encodeFail("sdp_missing_v", "compact_chrome_offer_mdns's SDP without its v=0 line.", codec.Offer, strings.Replace(s, "v=0\r\n", "", 1), nil, "invalid-sdp")
	g.encodeFail("sdp_bad_c_address", "A c= line whose address is neither an IP address nor a domain name.", codec.Offer,
		strings.Replace(s, "c=IN IP4 0.0.0.0", "c=IN IP4 999.1.1.1:80", 1), nil, "invalid-sdp")
	g.encodeFail("sdp_bundle_unknown_mid", "A BUNDLE group naming a mid that no media section has.", codec.Offer,
		strings.Replace(s, "a=group:BUNDLE 0", "a=group:BUNDLE 0 1", 1), nil, "invalid-sdp")
	g.encodeFail("sdp_line_without_equals", "A line that is not of the form <type>=<value>.", codec.Offer,
		strings.Replace(s, "a=setup:actpass", "setup actpass", 1), nil, "invalid-sdp")
	g.encodeFail("sdp_missing_t", "A description without its t= line.", codec.Offer, strings.Replace(s, "t=0 0\r\n", "", 1), nil, "invalid-sdp")
}
