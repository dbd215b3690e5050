package main

import (
	"bytes"
	"compress/flate"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// The scenarios. Each vector takes its randomness from rng(name); codes
// other vectors build on are kept in local variables.

// all defines every vector.
func (g *gen) all() {
	offers := g.compact()
	g.candidates()
	g.credentials()
	g.extensions()
	g.residual(offers)
	g.policies()
	g.sdpInput()
	g.negatives(offers)
	g.corners(offers)
	g.av(offers)
	g.avMore(offers)
}

// baseCodes are codes the negative vectors start from.
type baseCodes struct {
	chrome, chromeAnswer, safari, firefox []byte
	firefoxDC                             *dc
	chromeSDP                             string
	residual                              []byte
}

// compact writes the vectors of the compact form (SPEC.md §4.2–§4.6) and
// returns the codes later cases build on. It is longer than 80 lines: it is
// a list of cases, one vector each, read top to bottom like the vector
// list of vectors/README.md.
func (g *gen) compact() *baseCodes {
	b := &baseCodes{}

	name := "compact_chrome_offer_mdns"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	b.chromeSDP = d.sdp(r)
	b.chrome = g.encode(name, "A Chrome data-channel offer with one mDNS host candidate, the smallest typical code.", codec.Offer, b.chromeSDP, nil, nil)

	name = "compact_chrome_answer_active"
	r = rng(name)
	d = newDC(r, "chrome", "active")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	b.chromeAnswer = g.encode(name, "A Chrome data-channel answer (setup active) with one mDNS candidate, bound to compact_chrome_offer_mdns.", codec.Answer, d.sdp(r), nil, b.chrome)

	name = "compact_chrome_answer_passive"
	r = rng(name)
	d = newDC(r, "chrome", "passive")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", publicIPv4(r), d.mport, "host")}
	g.encode(name, "A data-channel answer with setup passive and an IPv4 host candidate, bound to compact_chrome_offer_mdns.", codec.Answer, d.sdp(r), nil, b.chrome)

	name = "compact_firefox_offer"
	r = rng(name)
	d = newDC(r, "firefox", "actpass")
	d.mport = port(r)
	a1, a2, pub := mdns(r), mdns(r), publicIPv4(r)
	d.caddr = pub
	d.cands = []string{
		firefoxCand(0, "UDP", a1, d.mport, "host"),
		firefoxCand(3, "UDP", a2, d.mport+1, "host"),
		firefoxCand(6, "TCP", a1, 9, "host"),
		firefoxCand(7, "TCP", a2, 9, "host"),
		firefoxCand(2, "UDP", pub, d.mport, "srflx"),
	}
	b.firefoxDC = d
	b.firefox = g.encode(name, "A Firefox data-channel offer: hex credentials, session-level fingerprint, max-message-size 1073741823, two mDNS names each used by a UDP and a TCP-active candidate, and a server-reflexive candidate.", codec.Offer, d.sdp(r), nil, nil)

	name = "compact_firefox_answer"
	r = rng(name)
	d = newDC(r, "firefox", "active")
	d.mport = port(r)
	a1 = mdns(r)
	d.cands = []string{firefoxCand(0, "UDP", a1, d.mport, "host"), firefoxCand(6, "TCP", a1, 9, "host")}
	g.encode(name, "A Firefox data-channel answer (setup active, hex credentials), bound to compact_firefox_offer.", codec.Answer, d.sdp(r), nil, b.firefox)

	name = "compact_safari_offer"
	r = rng(name)
	d = newDC(r, "safari", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host"), chromeCand(r, 1, "udp", publicIPv4(r), d.mport, "srflx")}
	b.safari = g.encode(name, "A Safari data-channel offer with an mDNS host candidate and a server-reflexive candidate on the same port.", codec.Offer, d.sdp(r), nil, nil)

	name = "compact_safari_answer"
	r = rng(name)
	d = newDC(r, "safari", "active")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host"), chromeCand(r, 1, "udp", publicIPv4(r), d.mport, "srflx")}
	d.mediaExtra = nil
	g.encode(name, "A Safari data-channel answer with an mDNS host and a server-reflexive candidate, bound to compact_safari_offer.", codec.Answer, d.sdp(r), nil, b.safari)

	name = "compact_pion_offer"
	r = rng(name)
	d = newDC(r, "pion", "actpass")
	p := port(r)
	pub = publicIPv4(r)
	d.cands = []string{pionCand(r, privateIPv4(r), p, "host"), pionCand(r, privateIPv4(r), p+1, "host"), pionCand(r, pub, p+2, "srflx")}
	pionOffer := g.encode(name, "A pion data-channel offer: 16-letter ufrag, 32-letter pwd, two private IPv4 host candidates on consecutive ports and a server-reflexive candidate.", codec.Offer, d.sdp(r), nil, nil)

	name = "compact_pion_answer"
	r = rng(name)
	d = newDC(r, "pion", "active")
	p = port(r)
	d.cands = []string{pionCand(r, privateIPv4(r), p, "host")}
	g.encode(name, "A pion data-channel answer (setup active) with one host candidate, bound to compact_pion_offer.", codec.Answer, d.sdp(r), nil, pionOffer)

	name = "compact_no_candidates"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	g.encode(name, "A data-channel offer made before ICE gathering (trickle ICE): the candidate record list is empty.", codec.Offer, d.sdp(r), nil, nil)

	name = "sdp_legacy_sctpmap"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.legacy, d.streams, d.mms = true, 1024, ""
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", privateIPv4(r), d.mport, "host")}
	g.encode(name, "A legacy data-channel offer (m=application DTLS/SCTP 5000 with a=sctpmap:5000 webrtc-datachannel 1024).", codec.Offer, d.sdp(r), nil, nil)

	name = "sdp_lf_line_endings"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	g.encode(name, "A data-channel offer whose input uses LF line endings and a blank line; the encoder normalises the lines first.", codec.Offer, strings.ReplaceAll(d.sdp(r), "\r\n", "\n")+"\n", nil, nil)
	return b
}

// candidates writes the vectors of candidate records (SPEC.md §4.5). It
// is longer than 80 lines: a list of cases, one vector each.
func (g *gen) candidates() {
	name := "cands_ipv4_ipv6"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4, v6 := privateIPv4(r), ipv6(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", v4, d.mport, "host"),
		chromeCand(r, 1, "udp", v6, d.mport+1, "host"),
		chromeCand(r, 1, "udp", publicIPv4(r), d.mport, "srflx"),
		chromeCand(r, 1, "udp", ipv6(r), d.mport+1, "srflx"),
	}
	g.encode(name, "An offer with IPv4 and IPv6 host candidates and a server-reflexive candidate of each family.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_tcp_active_run"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4, v6 = privateIPv4(r), ipv6(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", v4, d.mport, "host"),
		chromeCand(r, 1, "udp", v6, d.mport+1, "host"),
		chromeCand(r, 1, "tcp", v4, 9, "host"),
		chromeCand(r, 1, "tcp", v6, 9, "host"),
	}
	g.encode(name, "A Chrome offer whose TCP-active candidates repeat the addresses of its UDP candidates in order: one run record refers to both.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_mdns_udp_tcp"
	r = rng(name)
	d = newDC(r, "firefox", "actpass")
	d.mport = port(r)
	a := mdns(r)
	d.cands = []string{firefoxCand(0, "UDP", a, d.mport, "host"), firefoxCand(6, "TCP", a, 9, "host")}
	g.encode(name, "A Firefox offer with one mDNS name used by a UDP and a TCP-active candidate: the second refers to the first.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_srflx_relay"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", mdns(r), d.mport, "host"),
		chromeCand(r, 1, "udp", publicIPv4(r), d.mport, "srflx"),
		chromeCand(r, 1, "udp", publicIPv4(r), port(r), "prflx"),
		chromeCand(r, 1, "udp", publicIPv4(r), port(r), "relay"),
	}
	g.encode(name, "An offer with host, server-reflexive, peer-reflexive and relay candidates.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_component2"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 = privateIPv4(r)
	d.cands = []string{chromeCand(r, 1, "udp", v4, d.mport, "host"), chromeCand(r, 2, "udp", v4, d.mport+1, "host")}
	g.encode(name, "An offer with a component-2 candidate kept by the policy keep_component2 (an extended record).", codec.Offer, d.sdp(r), &policy{KeepComponent2: true}, nil)

	name = "cands_component2_default"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 = privateIPv4(r)
	d.cands = []string{chromeCand(r, 1, "udp", v4, d.mport, "host"), chromeCand(r, 2, "udp", v4, d.mport+1, "host")}
	g.encode(name, "The default policy drops the component-2 candidate of a data-channel offer.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_tcp_so_passive"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 = privateIPv4(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", v4, d.mport, "host"),
		fmt.Sprintf("%d 1 tcp 1518280447 %s %d typ host tcptype passive", foundation(r), v4, port(r)),
		fmt.Sprintf("%d 1 tcp 1518280446 %s %d typ host tcptype so", foundation(r), v4, port(r)),
	}
	g.encode(name, "An offer with a TCP passive and a TCP simultaneous-open (so) candidate.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_named_host"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	host := "peer-" + hexString(r, 6) + ".example.net"
	d.cands = []string{chromeCand(r, 1, "udp", host, d.mport, "host"), chromeCand(r, 1, "tcp", host, 9, "host")}
	g.encode(name, "An offer whose host candidates use a domain name that is not an mDNS UUID: the name travels as text once, then by reference.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_mdns_uppercase"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", strings.ToUpper(uuid(r))+".local", d.mport, "host")}
	g.encode(name, "An mDNS name with an upper-case UUID is not the canonical UUID form and travels as a named address, keeping its case.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_dropped_default"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 = privateIPv4(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", v4, d.mport, "host"),
		fmt.Sprintf("%d 1 ssltcp 1518280447 %s 443 typ host", foundation(r), v4),
		fmt.Sprintf("%d 1 tcp 1518280447 %s 0 typ host tcptype passive", foundation(r), v4),
		chromeCand(r, 1, "udp", v4, d.mport, "host"),
	}
	g.encode(name, "The default policy drops an ssltcp candidate, a TCP passive candidate on port 0 and a repeated candidate.", codec.Offer, d.sdp(r), nil, nil)

	name = "cands_explicit_ports"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", privateIPv4(r), d.mport, "host"),
		chromeCand(r, 1, "udp", privateIPv4(r), port(r), "host"),
		chromeCand(r, 1, "udp", privateIPv4(r), 9, "host"),
		chromeCand(r, 1, "udp", privateIPv4(r), 65535, "host"),
	}
	g.encode(name, "Candidates on unrelated ports, port 9 and port 65535 exercise the explicit and discard port modes.", codec.Offer, d.sdp(r), nil, nil)
}

func (g *gen) credentials() {
	for _, c := range []struct{ u, p int }{{4, 24}, {5, 25}, {6, 26}, {7, 22}} {
		name := fmt.Sprintf("creds_6bit_ufrag%d_pwd%d", c.u, c.p)
		r := rng(name)
		d := newDC(r, "chrome", "actpass")
		d.ufrag, d.pwd = iceString(r, c.u), iceString(r, c.p)
		d.mport = port(r)
		d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
		g.encode(name, fmt.Sprintf("6-bit credentials with a %d-character ufrag (%d mod 4) and a %d-character pwd (%d mod 4).", c.u, c.u%4, c.p, c.p%4), codec.Offer, d.sdp(r), nil, nil)
	}

	name := "creds_6bit_pwd27"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.pwd = iceString(r, 27)
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	g.encode(name, "A 6-bit pwd of 27 characters (3 mod 4): the credential lengths are written out (length code 0), so every length packs (SPEC.md §4.3).", codec.Offer, d.sdp(r), nil, nil)

	name = "creds_hex_odd_ufrag"
	r = rng(name)
	d = newDC(r, "firefox", "actpass")
	d.ufrag = hexString(r, 7)
	d.mport = port(r)
	d.cands = []string{firefoxCand(0, "UDP", mdns(r), d.mport, "host")}
	g.encode(name, "Hex credentials with an odd-length ufrag: its last nibble is zero padding.", codec.Offer, d.sdp(r), nil, nil)

	name = "creds_hex_odd_pwd"
	r = rng(name)
	d = newDC(r, "firefox", "actpass")
	d.pwd = hexString(r, 29)
	d.mport = port(r)
	d.cands = []string{firefoxCand(0, "UDP", mdns(r), d.mport, "host")}
	g.encode(name, "Lower-case hex credentials with an odd-length pwd (29 characters) use the 6-bit packing, not the hex packing.", codec.Offer, d.sdp(r), nil, nil)

	for _, n := range []int{1, 255} {
		name := fmt.Sprintf("creds_ufrag_len%d", n)
		r := rng(name)
		d := newDC(r, "chrome", "actpass")
		d.ufrag = iceString(r, n)
		d.mport = port(r)
		d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
		g.encode(name, fmt.Sprintf("A ufrag of %d characters, an edge of the one-byte ufrag length.", n), codec.Offer, d.sdp(r), nil, nil)
	}
}

func (g *gen) extensions() {
	type ext struct {
		name, desc string
		edit       func(r *rand.Rand, d *dc)
	}
	for _, e := range []ext{
		{"ext_mid_data", "A non-default mid (\"data\") travels in extension key 3.", func(r *rand.Rand, d *dc) { d.mid = "data" }},
		{"ext_mid_absent", "No a=mid and no BUNDLE group: extension key 3 is null.", func(r *rand.Rand, d *dc) { d.mid = "" }},
		{"ext_sctp_port", "A non-default sctp-port (5001) travels in extension key 4.", func(r *rand.Rand, d *dc) { d.sctpPort = "5001" }},
		{"ext_sctp_port_absent", "No a=sctp-port line: extension key 4 is null.", func(r *rand.Rand, d *dc) { d.sctpPort = "" }},
		{"ext_mms_absent", "No a=max-message-size line: extension key 2 is null.", func(r *rand.Rand, d *dc) { d.mms = "" }},
		{"ext_mms_65536", "A max-message-size of 65536 (RFC 8841's value when the attribute is absent) is head class 2 (head 8): no extension entry.", func(r *rand.Rand, d *dc) { d.mms = "65536" }},
		{"ext_mms_zero", "A max-message-size of 0 (no limit, RFC 8841) is head class 3 (head 12) with the value in extension key 2.", func(r *rand.Rand, d *dc) { d.mms = "0" }},
		{"ext_mid_and_sctp_port", "A non-default mid and sctp-port: extension keys 3 and 4 in ascending order.", func(r *rand.Rand, d *dc) { d.mid, d.sctpPort = "data", "5001" }},
		{"ext_fingerprint_sha384", "A single SHA-384 fingerprint travels in extension key 1, not in the core.", func(r *rand.Rand, d *dc) { d.fps = []string{fingerprint(r, "sha-384", 48)} }},
		{"ext_fingerprint_sha1", "A single SHA-1 fingerprint travels in extension key 1.", func(r *rand.Rand, d *dc) { d.fps = []string{fingerprint(r, "sha-1", 20)} }},
		{"ext_fingerprint_sha512", "A single SHA-512 fingerprint travels in extension key 1.", func(r *rand.Rand, d *dc) { d.fps = []string{fingerprint(r, "sha-512", 64)} }},
		{"ext_fingerprint_unknown_hash", "A fingerprint with a hash function outside the registry travels by name.", func(r *rand.Rand, d *dc) { d.fps = []string{fingerprint(r, "blake2b-256", 32)} }},
		{"ext_fingerprints_several", "Two fingerprints (SHA-256 and SHA-384) travel in extension key 1, in their SDP order.", func(r *rand.Rand, d *dc) {
			d.fps = []string{fingerprint(r, "sha-256", 32), fingerprint(r, "sha-384", 48)}
		}},
		{"ext_extra_lines", "Session and media attributes the model does not structure travel verbatim in extension keys 6 and 7.", func(r *rand.Rand, d *dc) {
			d.sessExtra = []string{"a=ice-lite"}
			d.mediaExtra = []string{"a=x-peer-note:" + letters(r, 8), "a=sctp-init"}
		}},
	} {
		r := rng(e.name)
		d := newDC(r, "chrome", "actpass")
		d.mport = port(r)
		d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
		e.edit(r, d)
		g.encode(e.name, e.desc, codec.Offer, d.sdp(r), nil, nil)
	}
}

// flateRaw compresses text as a raw DEFLATE stream with compress/flate: a
// valid stream, though not the canonical fixed-Huffman one.
func flateRaw(text []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		panic(err)
	}
	w.Write(text)
	w.Close()
	return buf.Bytes()
}

// flateDict compresses text at level with the preset dictionary of the
// residual form, as an encoder other than the specified one might.
func flateDict(text []byte, level int) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriterDict(&buf, level, codec.ResidualDictionary())
	if err != nil {
		panic(err)
	}
	w.Write(text)
	w.Close()
	return buf.Bytes()
}

// normal returns the normal form of SDP text the residual form carries:
// non-empty lines without CR, joined by LF, no final line break.
func normal(sdp string) string {
	var out []string
	for _, l := range strings.Split(sdp, "\n") {
		if l = strings.TrimSuffix(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func (g *gen) residual(b *baseCodes) {
	name := "residual_av_offer"
	r := rng(name)
	av := ownCredentials(avOffer(r, "actpass", true))
	b.residual = g.encode(name, "An audio, video and data-channel offer whose last section has ICE credentials of its own is eligible for neither compact form and travels in the residual form.", codec.Offer, av, nil, nil)

	// The decoder does not check the DEFLATE parse (SPEC.md §4.7): the
	// same text compressed another way is accepted.
	g.decodeOK("residual_other_parse_dynamic", "residual_av_offer's text compressed with the preset dictionary by another DEFLATE compressor (Go's compress/flate at level 1: dynamic Huffman codes); a decoder accepts any valid stream of the canonical text.",
		join([]byte{0x10}, bstr(flateDict([]byte(normal(av)), flate.BestSpeed))), nil)
	g.decodeOK("residual_other_parse_stored", "residual_av_offer's text in stored (uncompressed) DEFLATE blocks; a decoder accepts any valid stream of the canonical text.",
		join([]byte{0x10}, bstr(flateDict([]byte(normal(av)), flate.NoCompression))), nil)

	name = "residual_av_answer"
	r = rng(name)
	g.encode(name, "An audio and video answer in the residual form (its last section has ICE credentials of its own) carries the binding to its offer (residual_av_offer).", codec.Answer, ownCredentials(avOffer(r, "active", false)), nil, b.residual)

	name = "residual_short_fixed_block"
	r = rng(name)
	short := fmt.Sprintf("v=0\r\no=- %d 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n", sessionID(r))
	g.encode(name, "A short audio offer whose residual is a fixed-Huffman block (first byte's low bits 011): a dynamic block's code tables would cost more than they save.", codec.Offer, short, nil, nil)

	name = "residual_two_data_sections"
	r = rng(name)
	d := newDC(r, "chrome", "actpass")
	s := d.sdp(r) + "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=ice-ufrag:x\r\n"
	g.encode(name, "A description with a second, rejected application section with an ICE ufrag of its own uses the residual form (not the A/V form: its ufrags differ).", codec.Offer, s, nil, nil)

	// {0x0a0a: h'0a0a'}: a grease key (SPEC.md §10) with a byte-string value.
	grease := []byte{0xa1, 0x19, 0x0a, 0x0a, 0x42, 0x0a, 0x0a}
	name = "ext_greased_key"
	if b.chrome != nil {
		g.decodeOK(name, "The grease extension key 0x0a0a is ignored by the decoder; the code is compact_chrome_offer_mdns with {2570: h'0a0a'} appended.", join(b.chrome, grease), nil)
		g.decodeOK("ext_unknown_reserved_key", "An unknown key of a reserved range (8, compact data-channel fields) is ignored; the code is compact_chrome_offer_mdns with {8: [1, \"x\"]} appended.",
			join(b.chrome, []byte{0xa1, 0x08, 0x82, 0x01, 0x61, 'x'}), nil)
	}

	name = "ext_greased_key_residual"
	if b.residual != nil {
		g.decodeOK(name, "A residual code with the grease extension key 0x0a0a decodes as if the key were absent.", join(b.residual, grease), nil)
	}
}

func (g *gen) policies() {
	name := "policy_drop_ipv6"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{
		chromeCand(r, 1, "udp", privateIPv4(r), d.mport, "host"),
		chromeCand(r, 1, "udp", ipv6(r), d.mport+1, "host"),
		chromeCand(r, 1, "udp", publicIPv4(r), d.mport, "srflx"),
	}
	g.encode(name, "The policy drop_ipv6 removes the IPv6 host candidate.", codec.Offer, d.sdp(r), &policy{DropIPv6: true}, nil)

	name = "policy_max_candidates"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	for i := 0; i < 4; i++ {
		d.cands = append(d.cands, chromeCand(r, 1, "udp", privateIPv4(r), d.mport+i, "host"))
	}
	g.encode(name, "The policy max_candidates 2 keeps the first two of four candidates.", codec.Offer, d.sdp(r), &policy{MaxCandidates: 2}, nil)

	name = "policy_drop_tcp_active"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	v4 := privateIPv4(r)
	d.cands = []string{chromeCand(r, 1, "udp", v4, d.mport, "host"), chromeCand(r, 1, "tcp", v4, 9, "host")}
	g.encode(name, "The policy drop_tcp_active removes the TCP-active candidate.", codec.Offer, d.sdp(r), &policy{DropTCPActive: true}, nil)
}

// pack6 packs s with 6 bits per ice-char, zero-padded.
func pack6(s string) []byte {
	var out []byte
	var acc uint32
	var bits uint
	for i := 0; i < len(s); i++ {
		acc = acc<<6 | uint32(strings.IndexByte(iceChars, s[i]))
		bits += 6
		for bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if bits > 0 {
		out = append(out, byte(acc<<(8-bits)))
	}
	return out
}
