package main

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Synthetic session descriptions in the styles of browsers and pion. Every
// random value (credentials, fingerprints, UUIDs, addresses, ports,
// foundations, session ids) comes from the vector's seeded generator, so no
// real peer's data is copied.

const iceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func pick(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// iceString returns n random ice-chars (RFC 8839).
func iceString(r *rand.Rand, n int) string { return pick(r, iceChars, n) }

// hexString returns n random lower-case hex digits.
func hexString(r *rand.Rand, n int) string { return pick(r, "0123456789abcdef", n) }

// letters returns n random ASCII letters (pion's credential alphabet).
func letters(r *rand.Rand, n int) string {
	return pick(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", n)
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// fingerprint returns an a=fingerprint value: alg and n random bytes as
// upper-case hex pairs.
func fingerprint(r *rand.Rand, alg string, n int) string {
	h := strings.ToUpper(hex.EncodeToString(randBytes(r, n)))
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return alg + " " + strings.Join(parts, ":")
}

// uuid returns a random version 4 UUID in lower case.
func uuid(r *rand.Rand) string {
	b := randBytes(r, 16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func mdns(r *rand.Rand) string { return uuid(r) + ".local" }

// publicIPv4 returns an address of the documentation ranges (RFC 5737).
func publicIPv4(r *rand.Rand) string {
	nets := []string{"192.0.2", "198.51.100", "203.0.113"}
	return fmt.Sprintf("%s.%d", nets[r.IntN(len(nets))], 1+r.IntN(254))
}

func privateIPv4(r *rand.Rand) string {
	return fmt.Sprintf("192.168.%d.%d", r.IntN(256), 2+r.IntN(253))
}

// ipv6 returns an address of the documentation prefix (RFC 3849).
func ipv6(r *rand.Rand) string {
	return fmt.Sprintf("2001:db8:%x:%x:%x:%x:%x:%x", r.IntN(0x10000), r.IntN(0x10000),
		1+r.IntN(0xffff), r.IntN(0x10000), r.IntN(0x10000), 1+r.IntN(0xffff))
}

func port(r *rand.Rand) int { return 49152 + r.IntN(16384) }

func sessionID(r *rand.Rand) uint64 { return r.Uint64() >> 1 }

func foundation(r *rand.Rand) uint32 { return r.Uint32() }

// dc describes a data-channel description before it is rendered in a
// stack's style.
type dc struct {
	style      string // "chrome", "firefox", "safari", "pion"
	setup      string // "actpass", "active", "passive"
	ufrag, pwd string
	fps        []string // a=fingerprint values
	cands      []string // a=candidate values
	mid        string   // "" for no a=mid and no BUNDLE group
	sctpPort   string   // "" for no a=sctp-port
	mms        string   // "" for no a=max-message-size
	legacy     bool     // m=application 9 DTLS/SCTP <port> with a=sctpmap
	streams    int
	sessExtra  []string // extra session-level lines
	mediaExtra []string // extra media-level lines
	mport      int      // m= port
	caddr      string   // c= address
}

// newDC returns a description with the defaults of style and random values.
func newDC(r *rand.Rand, style, setup string) *dc {
	d := &dc{style: style, setup: setup, mid: "0", sctpPort: "5000", mms: "262144", mport: 9, caddr: "0.0.0.0"}
	switch style {
	case "firefox":
		d.ufrag, d.pwd = hexString(r, 8), hexString(r, 32)
		d.mms = "1073741823"
	case "pion":
		d.ufrag, d.pwd = letters(r, 16), letters(r, 32)
	default:
		d.ufrag, d.pwd = iceString(r, 4), iceString(r, 24)
	}
	d.fps = []string{fingerprint(r, "sha-256", 32)}
	return d
}

// chromeCand returns a candidate line value in Chrome's style.
func chromeCand(r *rand.Rand, comp int, proto, addr string, port int, typ string) string {
	prio := map[string]uint32{"host": 2113937151, "srflx": 1677729535, "relay": 41885439, "prflx": 1845501695}[typ]
	if proto == "tcp" {
		prio -= 595656704
	}
	prio = prio&^0xff | uint32(256-comp)
	s := fmt.Sprintf("%d %d %s %d %s %d typ %s", foundation(r), comp, proto, prio, addr, port, typ)
	if typ != "host" {
		s += " raddr 0.0.0.0 rport 0"
	}
	if proto == "tcp" {
		s += " tcptype active"
	}
	return s + " generation 0 network-id 1 network-cost 10"
}

// firefoxCand returns a candidate line value in Firefox's style.
func firefoxCand(i int, proto, addr string, port int, typ string) string {
	prio := map[string]uint32{"host": 2122187007, "srflx": 1685986815, "relay": 8331263}[typ] - uint32(i)<<8
	if proto == "TCP" {
		prio -= 16728064
	}
	s := fmt.Sprintf("%d 1 %s %d %s %d typ %s", i, proto, prio, addr, port, typ)
	if typ != "host" {
		s += " raddr 0.0.0.0 rport 0"
	}
	if proto == "TCP" {
		s += " tcptype active"
	}
	return s
}

// pionCand returns a candidate line value in pion's style.
func pionCand(r *rand.Rand, addr string, port int, typ string) string {
	prio := map[string]uint32{"host": 2130706431, "srflx": 1694498815, "relay": 16777215}[typ]
	s := fmt.Sprintf("%d 1 udp %d %s %d typ %s", foundation(r), prio, addr, port, typ)
	if typ != "host" {
		s += fmt.Sprintf(" raddr 0.0.0.0 rport %d", port)
	}
	return s
}

// sdp renders d with CRLF line endings in its stack's style.
// It is longer than 80 lines: one branch per stack's line order, kept side
// by side.
func (d *dc) sdp(r *rand.Rand) string {
	var l []string
	add := func(s ...string) { l = append(l, s...) }
	group := func() {
		if d.mid != "" {
			add("a=group:BUNDLE " + d.mid)
		}
	}
	fps := func() {
		for _, f := range d.fps {
			add("a=fingerprint:" + f)
		}
	}
	mline := "m=application " + fmt.Sprint(d.mport) + " UDP/DTLS/SCTP webrtc-datachannel"
	if d.legacy {
		mline = "m=application " + fmt.Sprint(d.mport) + " DTLS/SCTP " + d.sctpPort
	}
	cline := "c=IN IP4 " + d.caddr
	cands := func() {
		for _, c := range d.cands {
			add("a=candidate:" + c)
		}
	}
	sctp := func() {
		if d.legacy {
			add(fmt.Sprintf("a=sctpmap:%s webrtc-datachannel %d", d.sctpPort, d.streams))
			return
		}
		if d.sctpPort != "" {
			add("a=sctp-port:" + d.sctpPort)
		}
		if d.mms != "" {
			add("a=max-message-size:" + d.mms)
		}
	}
	mid := func() {
		if d.mid != "" {
			add("a=mid:" + d.mid)
		}
	}
	switch d.style {
	case "firefox":
		add("v=0", fmt.Sprintf("o=mozilla...THIS_IS_SDPARTA-99.0 %d 0 IN IP4 0.0.0.0", sessionID(r)), "s=-", "t=0 0", "a=sendrecv")
		fps()
		group()
		add("a=ice-options:trickle")
		add(d.sessExtra...)
		add("a=msid-semantic:WMS *", mline, cline)
		cands()
		add("a=sendrecv")
		if len(d.cands) > 0 {
			add("a=end-of-candidates")
		}
		add("a=ice-pwd:"+d.pwd, "a=ice-ufrag:"+d.ufrag)
		mid()
		add("a=setup:" + d.setup)
		sctp()
		add(d.mediaExtra...)
	case "pion":
		add("v=0", fmt.Sprintf("o=- %d %d IN IP4 0.0.0.0", sessionID(r), 1700000000+r.IntN(100000000)), "s=-", "t=0 0")
		fps()
		add("a=extmap-allow-mixed")
		group()
		add(d.sessExtra...)
		add(mline, cline, "a=setup:"+d.setup)
		mid()
		add("a=sendrecv")
		sctp()
		add("a=ice-ufrag:"+d.ufrag, "a=ice-pwd:"+d.pwd)
		cands()
		if len(d.cands) > 0 {
			add("a=end-of-candidates")
		}
		add(d.mediaExtra...)
	default: // chrome and safari (libwebrtc)
		add("v=0", fmt.Sprintf("o=- %d 2 IN IP4 127.0.0.1", sessionID(r)), "s=-", "t=0 0")
		group()
		if d.style == "chrome" {
			add("a=extmap-allow-mixed")
		}
		add("a=msid-semantic: WMS")
		add(d.sessExtra...)
		add(mline, cline)
		cands()
		add("a=ice-ufrag:"+d.ufrag, "a=ice-pwd:"+d.pwd, "a=ice-options:trickle")
		fps()
		add("a=setup:" + d.setup)
		mid()
		sctp()
		add(d.mediaExtra...)
	}
	return strings.Join(l, "\r\n") + "\r\n"
}

// avOffer returns a Chrome-style audio and video offer (the residual form).
func avOffer(r *rand.Rand, setup string, withData bool) string {
	ufrag, pwd := iceString(r, 4), iceString(r, 24)
	fp := fingerprint(r, "sha-256", 32)
	msid := uuid(r)
	addr, p := mdns(r), port(r)
	mids := "0 1"
	if withData {
		mids = "0 1 2"
	}
	l := []string{"v=0", fmt.Sprintf("o=- %d 2 IN IP4 127.0.0.1", sessionID(r)), "s=-", "t=0 0",
		"a=group:BUNDLE " + mids, "a=extmap-allow-mixed", "a=msid-semantic: WMS " + msid}
	section := func(mid, kind, fmts string, rtp []string) {
		l = append(l, fmt.Sprintf("m=%s %d UDP/TLS/RTP/SAVPF %s", kind, p, fmts), "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0")
		if mid == "0" {
			l = append(l, "a=candidate:"+chromeCand(r, 1, "udp", addr, p, "host"))
		}
		l = append(l, "a=ice-ufrag:"+ufrag, "a=ice-pwd:"+pwd, "a=ice-options:trickle", "a=fingerprint:"+fp,
			"a=setup:"+setup, "a=mid:"+mid, "a=sendrecv", fmt.Sprintf("a=msid:%s %s", msid, uuid(r)), "a=rtcp-mux")
		l = append(l, rtp...)
		l = append(l, fmt.Sprintf("a=ssrc:%d cname:%s", r.Uint32(), iceString(r, 16)))
	}
	section("0", "audio", "111 0", []string{"a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc",
		"a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:0 PCMU/8000"})
	section("1", "video", "96 97", []string{"a=rtcp-rsize", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 goog-remb",
		"a=rtcp-fb:96 transport-cc", "a=rtcp-fb:96 ccm fir", "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli",
		"a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96"})
	if withData {
		l = append(l, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
			"a=ice-ufrag:"+ufrag, "a=ice-pwd:"+pwd, "a=ice-options:trickle", "a=fingerprint:"+fp,
			"a=setup:"+setup, "a=mid:2", "a=sctp-port:5000", "a=max-message-size:262144")
	}
	return strings.Join(l, "\r\n") + "\r\n"
}

// ownCredentials gives the last media section of sdp ICE credentials of
// its own (its ufrag and pwd get an "x" appended), which makes a
// description ineligible for the A/V form (AVFORM §1 rule 2).
func ownCredentials(sdp string) string {
	for _, a := range []string{"a=ice-ufrag:", "a=ice-pwd:"} {
		i := strings.LastIndex(sdp, a)
		j := i + strings.Index(sdp[i:], "\r\n")
		sdp = sdp[:j] + "x" + sdp[j:]
	}
	return sdp
}
