package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// Vectors that pin the corner cases SPEC.md settles in one sentence each:
// where two careful readings of the text could give different bytes or
// error classes.

func (g *gen) corners(b *baseCodes) {
	if g.err != nil {
		return
	}
	g.cornerText()
	g.cornerAddresses()
	g.cornerLines()
	g.cornerExt(b)
	g.cornerLimits(b)
	g.cornerDeflate()
	g.iceLite(b)
	g.decodeOK("bind_offer_with_offer", "compact_safari_offer decoded by a decoder that knows its own offer (compact_chrome_offer_mdns): an offer code decodes as usual, there is no binding to check (SPEC.md §7 step 9).",
		g.bin("compact_safari_offer"), g.bin("compact_chrome_offer_mdns"))
}

// cornerText pins SPEC.md §5.4: a binary code is recognised by its first
// byte before any trimming or link fragment is looked for.
func (g *gen) cornerText() {
	name := "text_binary_hash_link"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	// Every byte of the code below 0x80, so that the code is JSON text:
	// head 8 (max-message-size 65536), credentials whose 6-bit packing
	// has no high bit, a digest of printable characters other than '#',
	// and an IPv4 candidate whose address bytes spell "#P-A"
	// (35.80.45.65) on port 0x4041.
	d.ufrag, d.pwd, d.mms = lowICE(r, 4), lowICE(r, 24), "65536"
	var dg []string
	for i := 0; i < 32; i++ {
		c := byte(0x24 + r.IntN(0x7e-0x24))
		dg = append(dg, fmt.Sprintf("%02X", c))
	}
	d.fps = []string{"sha-256 " + strings.Join(dg, ":")}
	d.cands = []string{firefoxCand(0, "UDP", "35.80.45.65", 0x4041, "host")}
	bin := g.encode(name, "", codec.Offer, d.sdp(r), nil, nil)
	if bin == nil {
		return
	}
	for _, c := range bin {
		if c >= 0x80 {
			g.fail(name, "byte %#x of %x is not ASCII", c, bin)
			return
		}
	}
	if !bytes.Contains(bin, []byte("#P-A")) {
		g.fail(name, "code %x holds no #P-", bin)
		return
	}
	v := g.vecs[name]
	v.Description = "A binary code given as text whose candidate address bytes read \"#P-A\": a binary code is recognised by its first byte (0x08), before white space is trimmed or a link fragment looked for, so it is not misread as a link (SPEC.md §5.4 step 1)."
	v.SDP, v.Text = "", string(bin)
	g.vecs[name] = v

	chrome := g.bin("compact_chrome_offer_mdns")
	g.textFail("text_tab_before_qr", "compact_chrome_offer_mdns's qr form after a TAB: the first byte 0x09 is head 9, so the input is a binary code, and a malformed one (SPEC.md §5.4 step 1; TAB, LF, FF and CR are heads 9, 10, 12 and 13).",
		"\t"+codec.FormatText(chrome, codec.FormQR), "malformed")
	g.textFail("text_lf_before_link", "compact_chrome_offer_mdns's link form after an LF: the first byte 0x0a is head 10, so the input is a binary code, and a malformed one (SPEC.md §5.4 step 1).",
		"\n"+codec.FormatText(chrome, codec.FormLink), "malformed")

	// Base32 (SPEC.md §5.2, §5.4 step 4).
	link := codec.FormatText(chrome, codec.FormLink)
	body := link[len(codec.PrefixLink):]
	if len(body)%8 == 0 {
		g.fail("text_link_padding_bits", "link body of %d characters has no padding bits", len(body))
		return
	}
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", body[len(body)-1])
	g.textFail("text_link_padding_bits", "compact_chrome_offer_mdns's link form with the lowest padding bit of its last character set: Base32 that does not re-encode to itself.",
		link[:len(link)-1]+string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last|1]), "malformed")
	cut := len(body) - 1
	for cut%8 != 1 && cut%8 != 3 && cut%8 != 6 {
		cut--
	}
	g.textFail("text_link_impossible_length", fmt.Sprintf("compact_chrome_offer_mdns's link form cut to %d Base32 characters (%d mod 8), a length no byte string has.", cut, cut%8),
		codec.PrefixLink+body[:cut], "malformed")
}

// lowICE returns n ice-chars (n a multiple of 4) whose 6-bit packing has
// no byte of 0x80 or above: each group of four is drawn until its three
// bytes are.
func lowICE(r interface{ IntN(int) int }, n int) string {
	var out []byte
	for len(out) < n {
		g := pick(r.(*rand.Rand), iceChars, 4)
		if p := pack6(g); p[0] < 0x80 && p[1] < 0x80 && p[2] < 0x80 {
			out = append(out, g...)
		}
	}
	return string(out)
}

// cornerAddresses pins SPEC.md §3.2, §3.4 and §4.5 on candidates.
func (g *gen) cornerAddresses() {
	name := "cands_ipv4_mapped"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", "::FFFF:192.0.2.7", d.mport, "host"),
		chromeCand(r, 1, "tcp", "::ffff:c000:207", 9, "host"),
		chromeCand(r, 1, "udp", "192.0.2.7", d.mport+1, "host"),
	}
	g.encode(name, "An IPv4-mapped IPv6 address is an IPv6 address: 16 bytes, canonical text ::ffff:192.0.2.7 (RFC 5952 §5) whatever its spelling, so the TCP candidate refers to the UDP one, and the plain IPv4 192.0.2.7 is another address.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_named_run"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	n1, n2 := "peer-"+hexString(r, 6)+".example.net", "peer-"+hexString(r, 6)+".example.net"
	d.cands = []string{
		chromeCand(r, 1, "udp", n1, d.mport, "host"), chromeCand(r, 1, "udp", n2, d.mport+1, "host"),
		chromeCand(r, 1, "tcp", n1, 9, "host"), chromeCand(r, 1, "tcp", n2, 9, "host"),
	}
	g.encode(name, "Two candidates whose addresses are names are written out (extended records); the two TCP-active candidates that repeat them are one run record, with no extended byte: only a name written out needs one (SPEC.md §4.5 rules 3 and 4).", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_component3_kept"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 := privateIPv4(r)
	d.cands = []string{chromeCand(r, 1, "udp", v4, d.mport, "host"), chromeCand(r, 2, "udp", v4, d.mport+1, "host"), chromeCand(r, 3, "udp", v4, d.mport+2, "host")}
	g.encode(name, "The policy keep_component2 keeps every component from 2 to 16, here 2 and 3 (SPEC.md §3.4 rule 2).", codec.Offer, d.sdp(r), &policy{KeepComponent2: true}, nil)

	name = "cands_tcptype_case"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 = privateIPv4(r)
	d.cands = []string{
		fmt.Sprintf("%d 1 TCP 1518280447 %s %d typ host TcpType PASSIVE", foundation(r), v4, port(r)),
		fmt.Sprintf("%d 1 tcp 1518280447 %s %d typ host", foundation(r), v4, port(r)),
		fmt.Sprintf("%d 1 udp 2122260223 %s %d typ host tcptype active", foundation(r), v4, d.mport),
	}
	g.encode(name, "The tcptype pair's name and value are compared without case (TcpType PASSIVE is TCP passive); a TCP candidate without a tcptype is dropped; a tcptype on a UDP candidate is ignored (SPEC.md §3.4 rule 1).", codec.Offer, d.sdp(r), nil, nil)

	name = "policy_drop_private_prefixes"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	for _, a := range []string{"10.1.2.3", "172.16.5.4", "192.168.1.2", "127.0.0.1", "169.254.3.4", "::1", "fd00::2", "fe80::1", "::ffff:192.168.7.8",
		"100.64.1.2", "0.0.0.0", "fec0::1", "2001:db8::1"} {
		d.cands = append(d.cands, chromeCand(r, 1, "udp", a, d.mport, "host"))
	}
	d.cands = append(d.cands, chromeCand(r, 1, "udp", "10.9.8.7", d.mport, "srflx"))
	g.encode(name, "The policy drop_private drops host candidates in 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, ::1, fc00::/7, fe80::/10 and IPv4-mapped addresses in those; it keeps 100.64/10, 0.0.0.0, fec0::/10, global addresses and every candidate that is not a host candidate (SPEC.md §3.4 rule 3).", codec.Offer, d.sdp(r), &policy{DropPrivate: true}, nil)
}

// cornerLines pins SPEC.md §3.1 and §3.3 on lines and fields.
func (g *gen) cornerLines() {
	name := "sdp_bundle_fields"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	s := strings.Replace(d.sdp(r), "a=group:BUNDLE 0", "a=group:BUNDLE\t 0", 1)
	g.encode(name, "a=group:BUNDLE is matched by its fields: \"BUNDLE<TAB><SP>0\" names the one mid and is implied, not an extra line (SPEC.md §3.3).", codec.Offer, s, nil, nil)

	name = "av_setup_upper_case"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.setup = "ACTPASS"
	g.encode(name, "a=setup is compared exactly: ACTPASS is not actpass, so the description is not eligible for the compact data-channel form (SPEC.md §3.3 rule 4) and travels in the A/V form, its a=setup line as text.", codec.Offer, d.sdp(r), nil, nil)

	for _, c := range []struct{ name, port, desc string }{
		{"av_mline_port_leading_zero", "09", "An m= port written with a leading zero (09) is valid SDP but not eligible for the compact data-channel form (SPEC.md §3.3 rule 1): it travels in the A/V form, the port as text."},
		{"av_mline_port_zeros", "00", "An m= port of 00 is port 0, a rejected section, however it is written: not eligible for the compact data-channel form (SPEC.md §3.3 rule 1); it travels in the A/V form."},
	} {
		r := rng(c.name)
		d := newDC(r, "chrome", "actpass")
		s := strings.Replace(d.sdp(r), "m=application 9 ", "m=application "+c.port+" ", 1)
		g.encode(c.name, c.desc, codec.Offer, s, nil, nil)
	}
	name = "av_legacy_port_leading_zero"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.legacy, d.streams, d.mms, d.sctpPort = true, 1024, "", "05000"
	g.encode(name, "A legacy m= line whose SCTP port has a leading zero (05000, with a=sctpmap:05000) is not eligible for the compact data-channel form (SPEC.md §3.3 rule 7); it travels in the A/V form.", codec.Offer, d.sdp(r), nil, nil)

	chrome := g.sdpOf("compact_chrome_offer_mdns")
	g.encodeFail("sdp_s_not_third", "An s= line after an i= line: s= must be the third line (SPEC.md §3.1 rule 3).", codec.Offer,
		strings.Replace(chrome, "s=-\r\n", "i=x\r\ns=-\r\n", 1), nil, "invalid-sdp")
	g.encodeFail("sdp_second_o", "A second o= line at the session level (SPEC.md §3.1 rule 3: o= is the second line and no other).", codec.Offer,
		strings.Replace(chrome, "t=0 0\r\n", "t=0 0\r\no=- 2 2 IN IP4 127.0.0.1\r\n", 1), nil, "invalid-sdp")
}

// sdpOf returns the SDP of the positive vector name.
func (g *gen) sdpOf(name string) string {
	v, ok := g.vecs[name]
	if !ok || v.SDP == "" {
		g.fail(name, "needed by a corner-case vector but not generated")
	}
	return v.SDP
}

// cornerExt pins SPEC.md §4.4 and §7 step 6 on extension values.
func (g *gen) cornerExt(b *baseCodes) {
	chrome := b.chrome
	it := items(chrome)
	noDigest := join(it[0], bstr(content(it[1])[:len(content(it[1]))-32]))
	fp := func(alg []byte, n int) []byte { return join([]byte{0x82}, alg, bstr(bytes.Repeat([]byte{0xab}, n))) }
	for _, c := range []struct {
		name, desc string
		ext        []byte
		class      string
	}{
		{"ext_hash_name_not_token", "Extension key 1 with a hash function name that is not a token (\"sha 256\").", join([]byte{0xa1, 0x01, 0x81}, fp(tstr("sha 256"), 32)), "malformed"},
		{"ext_hash_name_upper_case", "Extension key 1 with an unregistered hash function name in upper case (\"BLAKE2B\"): names are lower case.", join([]byte{0xa1, 0x01, 0x81}, fp(tstr("BLAKE2B"), 32)), "malformed"},
		{"ext_hash_name_registered_wrong_length", "Extension key 1 with the registered name \"sha-384\" (non-canonical: it has number 3) and a 32-byte digest (malformed): the structural fault wins.", join([]byte{0xa1, 0x01, 0x81}, fp(tstr("sha-384"), 32)), "malformed"},
		{"ext_fingerprints_empty", "Extension key 1 holding an empty array.", []byte{0xa1, 0x01, 0x80}, "malformed"},
		{"ext_session_lines_empty", "Extension key 6 holding an empty array.", join(noDigestFP(), []byte{0x06, 0x80}), "malformed"},
		{"ext_media_lines_empty", "Extension key 7 holding an empty array.", join(noDigestFP(), []byte{0x07, 0x80}), "malformed"},
		{"ext_fingerprints_nine", "Extension key 1 holding nine items, the ninth not a fingerprint: more than 8 is decided from the array header, before the items are checked (limit).",
			join([]byte{0xa1, 0x01, 0x89}, bytes.Repeat(fp([]byte{0x02}, 32), 8), []byte{0x00}), "limit"},
		{"ext_bundle_fields_extra_line", "Extension key 6 holding \"a=group:BUNDLE\\t0\" with the default mid \"0\": the line is implied (matched by fields), so no encoder writes it as an extra line.",
			join(noDigestFP(), []byte{0x06, 0x81}, tstr("a=group:BUNDLE\t0")), "malformed"},
	} {
		ext := c.ext
		if ext[0] != 0xa1 {
			ext = join([]byte{0xa2}, ext)
		}
		g.decodeFail(c.name, c.desc+" The code is compact_chrome_offer_mdns with its digest moved to extension key 1 where needed.", "offer", join(noDigest, ext), nil, nil, c.class)
	}
}

// noDigestFP is the extension key 1 entry of compact_chrome_offer_mdns's
// digest bytes' stand-in: one SHA-256 fingerprint by number, for codes
// whose core lost its digest.
func noDigestFP() []byte {
	return join([]byte{0x01, 0x81, 0x82, 0x02}, bstr(bytes.Repeat([]byte{0xab}, 32)))
}

// cornerLimits pins SPEC.md §7 step 6 and §8 on sizes: bytes, not
// characters, and the order of the checks.
func (g *gen) cornerLimits(b *baseCodes) {
	lim := &limits{MaxSDPBytes: 1024}
	wide := "a=x:" + strings.Repeat("\u00e9", 600) // 604 characters, 1204 bytes
	text := "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\n" + wide
	g.decodeFail("limit_residual_utf8", "A residual code whose text has 663 characters but 1263 bytes, decoded with max_sdp_bytes 1024: SDP sizes are counted in bytes (SPEC.md §8).", "offer",
		join([]byte{0x10}, bstr(flateDict([]byte(text), 9))), nil, lim, "limit")

	it := items(b.chrome)
	short := join(it[0], bstr(content(it[1])[:10]))
	g.decodeFail("ext_lines_bytes_before_core", "compact_chrome_offer_mdns with its body cut to 10 bytes (malformed) and extension key 7 holding one line of 604 characters, 1204 bytes, decoded with max_sdp_bytes 1024: the extra lines' total, in bytes, is over the limit and is checked before the body's length (SPEC.md §7 step 6).", "offer",
		join(short, []byte{0xa1, 0x07, 0x81}, tstr(wide)), nil, lim, "limit")
	long := "a=x:" + strings.Repeat("y", 1100)
	g.decodeFail("ext_types_before_total", "compact_chrome_offer_mdns with extension key 6 holding a line of 1104 bytes (over max_sdp_bytes 1024) and key 7 holding the integer 5: every key's type is checked, in wire order, before the extra lines' total (SPEC.md §7 step 6).", "offer",
		join(b.chrome, []byte{0xa2, 0x06, 0x81}, tstr(long), []byte{0x07, 0x05}), nil, lim, "malformed")

	r := rng("sdp_over_limit_utf8")
	d := newDC(r, "chrome", "actpass")
	d.mediaExtra = []string{"a=x-note:" + strings.Repeat("\u00e9", 32768)}
	g.encodeFail("sdp_over_limit_utf8", "A description of about 33,600 characters but 66,300 bytes: over the encoder's default SDP limit of 65536, counted in bytes (SPEC.md §8).", codec.Offer, d.sdp(r), nil, "limit")
}

// cornerDeflate pins SPEC.md §4.7 steps 1 and 3 and §4.7 a: a 258-byte
// match, a dynamic block with one distance code, and a size tie between
// the fixed and the dynamic block. codec/internal/detflate's
// TestVectorBlocks checks that each vector has the property its name says.
func (g *gen) cornerDeflate() {
	name := "residual_match_258"
	r := rng(name)
	line := letters(r, 300)
	g.encode(name, "A residual offer with two attributes sharing 300 characters: the repeat is a match of 258 (symbol 285) followed by a shorter one (SPEC.md §4.7 step 3).", codec.Offer,
		fmt.Sprintf("v=0\r\no=- %d 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=x:%s\r\na=y:%s\r\n", sessionID(r), line, line), nil, nil)

	name = "residual_one_distance_code"
	r = rng(name)
	g.encode(name, "A residual offer whose only matches (from the preset dictionary) share one distance code, in a dynamic block: the distance alphabet gets a second code of frequency 0 and both have length 1 (SPEC.md §4.7 a).", codec.Offer,
		"v=0\r\no=- 0 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=Q 1 R "+freshTrigrams(r, "QXZJKWV", 300)+"\r\n", nil, nil)

	// Found by js/test/differential.test.js (PEER_DIFF_N=300
	// PEER_DIFF_SEED=11), a mutation of a residual vector on which the
	// JavaScript inflater once disagreed with the Go one.
	incomplete, _ := hex.DecodeString("1058e8ed9a4d4bc43010867f51219964f2f1deda2645f1aae279dc15dc83170ff6e79bae160a2b6af73cf7e785509881" +
		"676656b762f6149d8fbe899bcdd185b6f7dc655bbb4c6bbbb40ed4a6a17f2fae7f28ba8df1066667239b4bf3350739e4" +
		"172f9d5096ce274b9da4643aca91599e8f22c7f86dbe5f2fb94250b7753ecb9c37b57e7ae3f8d03fa6f07aaaef1fd3fd" +
		"d34cb7e34db9dbd5036a85c960c650401654312690832f300e95e00a1ca1cfe807448392102670c6302d116f176068f1" +
		"bcc4630b8eb013d2886a10c22f2de6dfc7006b1f35e7fb90f379c8e59729a490420a29a490420a29b4429f")
	g.decodeFail("residual_incomplete_code", "A residual offer code whose dynamic block's distance code is incomplete (its code lengths leave codes unused, and it has more than one code): an invalid DEFLATE stream, as zlib and Go's compress/flate decide, although the codes the block uses decode to a valid description (SPEC.md §4.7).", "offer",
		incomplete, nil, nil, "malformed")

	name = "residual_tie_fixed_dynamic"
	r = rng(fmt.Sprintf("%s/%d", name, tieAttempt))
	g.encode(name, "A residual offer whose fixed and dynamic blocks have the same number of bytes: the fixed block is written (SPEC.md §4.7 step 1).", codec.Offer,
		"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=x:"+pick(r, "QXZJKWV", 40)+"\r\n", nil, nil)
}

// tieAttempt is the first attempt whose text gives equal block sizes
// (found by trying 0, 1, 2... and checked by TestVectorBlocks).
const tieAttempt = 12

// freshTrigrams returns up to n characters of alphabet in which no three
// consecutive characters occur twice or occur in the preset dictionary:
// text that DEFLATE finds no match in.
func freshTrigrams(r interface{ IntN(int) int }, alphabet string, n int) string {
	dict := codec.ResidualDictionary()
	used := map[string]bool{}
	var out []byte
	for len(out) < n {
		ok := false
		for try := 0; try < 20 && !ok; try++ {
			next := append(bytes.Clone(out), alphabet[r.IntN(len(alphabet))])
			if len(next) >= 3 {
				tri := string(next[len(next)-3:])
				if used[tri] || bytes.Contains(dict, []byte(tri)) {
					continue
				}
				used[tri] = true
			}
			out, ok = next, true
		}
		if !ok {
			break
		}
	}
	return string(out)
}

// iceLite pins the ICE-lite flag of the credentials byte (SPEC.md §3.3,
// §4.3).
func (g *gen) iceLite(b *baseCodes) {
	name := "compact_pion_answer_ice_lite"
	r := rng(name)
	d := newDC(r, "pion", "active")
	d.sessExtra = []string{"a=ice-lite"}
	d.mms = "1073741823"
	p := port(r)
	d.cands = []string{pionCand(r, publicIPv4(r), p, "host"), pionCand(r, ipv6(r), p+1, "host")}
	g.encode(name, "A pion ICE-lite answer (SettingEngine.SetLite): the session-level a=ice-lite is bit 6 of the credentials byte, max-message-size 1073741823 is head class 1, so the code is its floor plus 10 bytes.", codec.Answer, d.sdp(r), nil, g.bin("compact_pion_offer"))

	name = "ext_ice_lite_media_level"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	d.mediaExtra = []string{"a=ice-lite"}
	g.encode(name, "a=ice-lite in the media section (where RFC 8839 does not put it) is an extra media line, not the flag.", codec.Offer, d.sdp(r), nil, nil)

	name = "av_ice_lite_twice"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.sessExtra = []string{"a=ice-lite", "a=ice-lite"}
	g.encode(name, "Two session-level a=ice-lite lines: the flag of the compact data-channel form cannot say so, and the description travels in the A/V form, both lines as skeleton text.", codec.Offer, d.sdp(r), nil, nil)

	g.decodeFail("ext_ice_lite_extra_line", "compact_chrome_offer_mdns with \"a=ice-lite\" as an extra session line in extension key 6: the line is the ICE-lite flag, which no encoder writes as an extra line.", "offer",
		join(b.chrome, []byte{0xa1, 0x06, 0x81}, tstr("a=ice-lite")), nil, nil, "malformed")
}
