package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
)

// Property tests of SPEC.md §3.6 and §7: round trip, determinism, canonical
// re-encode and size bound, over random data-channel descriptions and
// random SDP-ish texts.
//
// The seed is printed when a property fails; replay with
//
//	PEER_GOPTER_SEED=<seed> go test -run TestProperties ./codec/

// propParameters returns gopter parameters seeded from PEER_GOPTER_SEED,
// or from the clock; the seed is logged if the test fails.
func propParameters(t *testing.T, successful int) *gopter.TestParameters {
	t.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("PEER_GOPTER_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("PEER_GOPTER_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gopter seed %d: replay with PEER_GOPTER_SEED=%d go test -run '%s' ./codec/", seed, seed, t.Name())
		}
	})
	p := gopter.DefaultTestParametersWithSeed(seed)
	p.MinSuccessfulTests = successful
	p.MaxSize = 12
	return p
}

// genDesc is a generated description with what the generator knows of it.
type genDesc struct {
	Description
	compactWanted bool // the generator built a data-channel description
}

// String shows the description as the counterexample gopter prints.
func (g genDesc) String() string {
	return fmt.Sprintf("%v (data channel %v):\n%s", g.Type, g.compactWanted, g.SDP)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.Intn(len(xs))] }

// randCreds returns an ice-ufrag and ice-pwd in one of the alphabets
// browsers use: lower-case hex (Firefox), the full ICE alphabet (Chrome),
// alphanumeric (pion), of varied lengths including odd and short ones.
func randCreds(r *rand.Rand) (ufrag, pwd string) {
	alpha := pick(r, hexDigits, iceAlphabet, alnum, "ab")
	ufrag = randString(r, alpha, pick(r, 4, 8, 16, 32, 1+r.Intn(40)))
	pwd = randString(r, alpha, pick(r, 22, 24, 32, 22+r.Intn(60), 1+r.Intn(8)))
	return ufrag, pwd
}

// randFingerprint returns an a=fingerprint value of a registered or an
// unknown hash function, its name and hex in random case.
func randFingerprint(r *rand.Rand) string {
	alg, n := "sha-256", 32
	switch r.Intn(12) {
	case 0:
		alg, n = "sha-1", 20
	case 1:
		alg, n = "sha-384", 48
	case 2:
		alg, n = "sha-512", 64
	case 3:
		alg, n = pick(r, "md5", "md2"), 16
	case 4:
		alg, n = pick(r, "sha-224"), 28
	case 5:
		alg, n = pick(r, "sha3-256", "x-hash", "blake2b"), 1+r.Intn(64)
	}
	if r.Intn(4) == 0 {
		alg = strings.ToUpper(alg)
	}
	b := make([]byte, n)
	r.Read(b)
	h := hex.EncodeToString(b)
	if r.Intn(3) != 0 {
		h = strings.ToUpper(h)
	}
	var s strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			s.WriteByte(':')
		}
		s.WriteString(h[i : i+2])
	}
	return alg + " " + s.String()
}

// randAddress returns a candidate connection-address: IPv4, IPv6 (in
// various text forms), an mDNS UUID name or another host name.
func randAddress(r *rand.Rand) string {
	switch r.Intn(6) {
	case 0, 1:
		return fmt.Sprintf("%d.%d.%d.%d", pick(r, 10, 192, 172, 203, 1+r.Intn(254)), r.Intn(256), r.Intn(256), 1+r.Intn(254))
	case 2:
		return pick(r,
			fmt.Sprintf("2001:db8::%x", r.Intn(0x10000)),
			fmt.Sprintf("fe80::%x:%x", r.Intn(0x10000), r.Intn(0x10000)),
			fmt.Sprintf("2001:0DB8:0:0:%x:%x:%x:%x", r.Intn(0x10000), r.Intn(0x10000), r.Intn(0x10000), r.Intn(0x10000)),
			"::1")
	case 3, 4:
		b := make([]byte, 16)
		r.Read(b)
		return mdnsName(b)
	}
	return pick(r, "localhost", "host-"+strconv.Itoa(r.Intn(100))+".example.com", "turn.example.org")
}

// randCandidate returns an a=candidate line on one of addrs and near port.
func randCandidate(r *rand.Rand, addrs []string, port *int) string {
	typ := pick(r, "host", "host", "srflx", "prflx", "relay")
	switch r.Intn(4) {
	case 0:
		*port = 1024 + r.Intn(64000)
	case 1:
		*port++
	case 2:
		*port = 9
	}
	transport, tcptype := "udp", ""
	if r.Intn(3) == 0 {
		transport = pick(r, "tcp", "TCP")
		tcptype = pick(r, "active", "passive", "so")
	}
	p := *port
	if tcptype == "active" && r.Intn(2) == 0 {
		p = pick(r, 0, 9)
	}
	comp := pick(r, 1, 1, 1, 2)
	line := fmt.Sprintf("a=candidate:%d %d %s %d %s %d typ %s", r.Intn(1<<32), comp, transport, r.Intn(1<<31), pick(r, addrs...), p, typ)
	if typ != "host" {
		line += fmt.Sprintf(" raddr %s rport %d", pick(r, "0.0.0.0", "10.0.0.1", "::"), r.Intn(65536))
	}
	if tcptype != "" {
		line += " tcptype " + tcptype
	}
	if r.Intn(3) == 0 {
		line += pick(r, " generation 0", " generation 0 network-id 1", " ufrag abcd network-cost 10")
	}
	return line
}

// genDataChannel generates data-channel descriptions (SPEC.md §3.3): the
// compact form unless a random choice makes them ineligible (credentials
// that do not pack, for one), in which case they travel as residual. It is
// longer than 80 lines: one generator per field of the model, combined in
// one place.
func genDataChannel() gopter.Gen {
	return func(gp *gopter.GenParameters) *gopter.GenResult {
		r := gp.Rng
		answer := r.Intn(2) == 0
		// plain descriptions use the defaults of SPEC.md §4.6, like browsers.
		plain := r.Intn(4) == 0
		var sess, media []string
		sess = append(sess, "v=0", fmt.Sprintf("o=- %d 2 IN IP4 127.0.0.1", r.Int63()), "s=-", "t=0 0")
		mid, midSet := pick(r, "0", "0", "data", "sdparta_0", "1"), r.Intn(6) != 0
		if plain {
			mid, midSet = "0", true
		}
		if midSet && r.Intn(5) != 0 {
			sess = append(sess, "a=group:BUNDLE "+mid)
		}
		for range r.Intn(3) * bool2int(!plain) {
			sess = append(sess, pick(r, "a=extmap-allow-mixed", "a=msid-semantic: WMS", "a=msid-semantic:WMS *",
				"a=ice-options:trickle", "a=x-session-"+strconv.Itoa(r.Intn(9))+":v", "a=ice-lite"))
		}
		ufrag, pwd := randCreds(r)
		setup := "actpass"
		if answer {
			setup = pick(r, "active", "passive")
		}
		var fps []string
		for range 1 + r.Intn(3)*r.Intn(2)*bool2int(!plain) {
			fps = append(fps, "a=fingerprint:"+randFingerprint(r))
		}
		if plain {
			fps = []string{"a=fingerprint:sha-256 " + fingerprintHex(bytes.Repeat([]byte{byte(r.Intn(256))}, 32))}
		}
		sessLevel := r.Intn(4) == 0
		if sessLevel {
			sess = append(sess, fps...)
			if r.Intn(2) == 0 {
				sess = append(sess, "a=ice-ufrag:"+ufrag, "a=ice-pwd:"+pwd)
				ufrag = ""
			}
		}
		legacy := r.Intn(8) == 0 && !plain
		sctpPort := pick(r, 5000, 5000, 1+r.Intn(65535))
		if plain {
			sctpPort = 5000
		}
		if legacy {
			media = append(media, fmt.Sprintf("m=application %d DTLS/SCTP %d", pick(r, 9, 50000), sctpPort))
		} else {
			media = append(media, fmt.Sprintf("m=application %d UDP/DTLS/SCTP webrtc-datachannel", pick(r, 9, 9, 51234)))
		}
		media = append(media, pick(r, "c=IN IP4 0.0.0.0", "c=IN IP6 ::", "c=IN IP4 203.0.113.7"))
		var addrs []string
		for range 1 + r.Intn(4) {
			addrs = append(addrs, randAddress(r))
		}
		port := 50000 + r.Intn(10000)
		for range r.Intn(min(gp.MaxSize, 12) + 1) {
			media = append(media, randCandidate(r, addrs, &port))
		}
		if r.Intn(3) == 0 {
			media = append(media, "a=end-of-candidates")
		}
		if ufrag != "" {
			media = append(media, "a=ice-ufrag:"+ufrag, "a=ice-pwd:"+pwd)
		}
		if r.Intn(3) == 0 {
			media = append(media, "a=ice-options:trickle")
		}
		if !sessLevel {
			media = append(media, fps...)
		}
		media = append(media, "a=setup:"+setup)
		if midSet {
			media = append(media, "a=mid:"+mid)
		}
		if legacy {
			media = append(media, fmt.Sprintf("a=sctpmap:%d webrtc-datachannel %d", sctpPort, pick(r, 1024, 65535, 16)))
		} else if r.Intn(5) != 0 || plain {
			media = append(media, "a=sctp-port:"+strconv.Itoa(sctpPort))
		}
		if plain {
			media = append(media, "a=max-message-size:"+pick(r, "262144", "1073741823"))
		} else if r.Intn(5) != 0 {
			media = append(media, "a=max-message-size:"+strconv.Itoa(pick(r, 262144, 262144, 1073741823, 65536, r.Intn(1<<30))))
		}
		for range r.Intn(3) * bool2int(!plain) {
			media = append(media, pick(r, "a=sendrecv", "a=x-google-flag:conference", "a=tls-id:"+randString(r, hexDigits, 32),
				"a=ice-pacing:50", "b=AS:30", "a=bundle-only"))
		}
		eol := pick(r, "\r\n", "\r\n", "\n")
		text := strings.Join(append(sess, media...), eol) + eol
		d := genDesc{Description: Description{Type: Offer, SDP: text}, compactWanted: true}
		if answer {
			d.Type = Answer
		}
		return gopter.NewGenResult(d, gopter.NoShrinker)
	}
}

func bool2int(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sdpishLines are lines of real descriptions that the compact form does not
// structure: audio and video sections, RTP attributes, session lines.
var sdpishLines = []string{
	"a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtcp-fb:96 nack pli",
	"a=ssrc:1234 cname:abcd", "a=rtcp-mux", "a=rtcp:9 IN IP4 0.0.0.0", "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
	"a=msid:stream track", "a=sendonly", "a=recvonly", "b=AS:512", "a=mid:", "a=ice-ufrag:", "a=ice-pwd:",
	"a=fingerprint:sha-256 ", "a=setup:actpass", "a=candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host",
	"i=a session", "a=x-" + alnum[:12], "a=framerate:30", "a=simulcast:send f;h;q", "a=rid:f send",
}

// sdpishInvalid are lines that make a description invalid (SPEC.md §3.1):
// the encoder must reject it with the invalid-sdp class.
var sdpishInvalid = []string{
	"c=IN IP4 not an address", "a=bad(name):x", "x", "=x", "v=0", "o=- 1 1 IN IP4 127.0.0.1", "c=IN IP4 300.1.1.1!",
	"a=ctl\x01", "m=audio notaport RTP/AVP 0",
}

// genSDPish generates random SDP-ish texts: a valid header, then 1-3 media
// sections of any kind with random lines; most travel in the residual form.
func genSDPish() gopter.Gen {
	return func(gp *gopter.GenParameters) *gopter.GenResult {
		r := gp.Rng
		lines := []string{"v=0", fmt.Sprintf("o=%s %d %d IN IP4 %s", pick(r, "-", "mozilla...THIS_IS_SDPARTA-99.0", "user"), r.Int63(), r.Intn(10), pick(r, "127.0.0.1", "0.0.0.0", "host.example")),
			"s=" + pick(r, "-", "session", "Talk"), "t=0 0"}
		if r.Intn(3) == 0 {
			lines = append(lines, pick(r, "a=group:BUNDLE", "c=IN IP4 192.0.2.1", "b=CT:100", "a=ice-lite"))
		}
		for s := range 1 + r.Intn(3) {
			kind := pick(r, "audio", "video", "application", "text")
			proto := pick(r, "UDP/TLS/RTP/SAVPF 111 0", "RTP/AVP 0", "UDP/DTLS/SCTP webrtc-datachannel", "DTLS/SCTP 5000", "TCP/MRCPv2 1")
			lines = append(lines, fmt.Sprintf("m=%s %d %s", kind, pick(r, 0, 9, 5004+s), proto))
			for range r.Intn(gp.MaxSize + 1) {
				l := pick(r, sdpishLines...)
				if strings.HasSuffix(l, ":") || strings.HasSuffix(l, " ") {
					l += randString(r, iceAlphabet, 1+r.Intn(24))
				}
				lines = append(lines, l)
			}
		}
		if r.Intn(8) == 0 {
			l := pick(r, sdpishInvalid...)
			i := 1 + r.Intn(len(lines))
			lines = append(lines[:i], append([]string{l}, lines[i:]...)...)
		}
		eol := pick(r, "\r\n", "\n")
		d := genDesc{Description: Description{Type: pick(r, Offer, Answer), SDP: strings.Join(lines, eol) + eol}}
		return gopter.NewGenResult(d, gopter.NoShrinker)
	}
}

// propPolicies are the candidate policies the round trip is checked with.
var propPolicies = []CandidatePolicy{
	{},
	{KeepComponent2: true},
	{MaxCandidates: 3, DropTCPActive: true},
	{DropIPv6: true, DropMDNS: true, KeepComponent2: true},
	{DropTCP: true, DropPrivate: true},
}

// sizeAllowance is the bytes a compact code may take over its floor
// (corpus_test.go floor: packed credentials, digest bytes, address + 2 per
// candidate), derived from SPEC.md §4:
//
//   - 12 for the fixed part: head 1, body header up to 3, credentials
//     byte 1 and lengths 2, binding 4 (answers) — 11 at most;
//   - per candidate, its flags byte (1), plus for an extended record (TCP
//     so, component 2, host name) the extended byte and a name length (2);
//   - the extension map: header and keys, and for each entry its content
//     beyond the floor: fingerprints in the map (array headers, algorithm,
//     digest header: 3 + 36 each), max-message-size 10, mid 3 + length,
//     SCTP port 4, sctpmap 4, extra lines 4 + (3 + length) each.
func sizeAllowance(m *model) int {
	n := 12
	for _, c := range m.cands {
		n++
		if needsExtended(c, -1) { // the most it can cost: written out
			n += 2
		}
	}
	n += 1 + 3 + 36*len(m.fps) + 10 + 3 + len(m.mid) + 4 + 4
	for _, l := range append(append([]string{}, m.extraSess...), m.extraMedia...) {
		n += 3 + len(l)
	}
	return n + 8
}

// sizeAllowanceDefault is the allowance of a compact code with the defaults
// of SPEC.md §4.6 (one SHA-256 fingerprint, mid "0", SCTP port 5000, a
// default max-message-size, no extra lines): 12 plus its candidates' flags
// and extended bytes; the ext map is then absent.
func sizeAllowanceDefault(m *model) (int, bool) {
	if !m.defaultFP() || !m.midSet || m.mid != "0" || !m.sctpSet || m.sctpPort != defaultSCTPPort || m.legacy ||
		!m.mmsSet || (m.mms != defaultMMS && m.mms != firefoxMMS) || len(m.extraSess)+len(m.extraMedia) > 0 {
		return 0, false
	}
	n := 12
	for _, c := range m.cands {
		n++
		if needsExtended(c, -1) { // the most it can cost: written out
			n += 2
		}
	}
	return n, true
}

// checkCode checks the four properties on one description and policy; it
// returns "" or what failed.
func checkCode(g genDesc, pol CandidatePolicy, stats map[string]int) string {
	in := g.Description
	opts := &EncOptions{Policy: pol}
	code, err := Encode(in, fuzzOffer, opts)
	if err != nil {
		n := 0
		for _, c := range errorClasses {
			if errors.Is(err, c) {
				n++
			}
		}
		if n != 1 || ClassName(err) == "" {
			return fmt.Sprintf("encode error in %d classes: %v", n, err)
		}
		stats["rejected "+ClassName(err)]++
		return ""
	}
	switch {
	case code[0] == headAVOffer || code[0] == headAVAnswer:
		stats["av"]++
	case code[0] >= headResidual:
		stats["residual"]++
	default:
		stats["compact"]++
	}
	// (b) determinism.
	if again, err := Encode(in, fuzzOffer, opts); err != nil || !bytes.Equal(again, code) {
		return fmt.Sprintf("second encoding differs: %x != %x (%v)", again, code, err)
	}
	// (a) round trip.
	out, err := Decode(code, &DecOptions{Offer: fuzzOffer})
	if err != nil {
		return fmt.Sprintf("code %x does not decode: %v", code, err)
	}
	if err := Equivalent(in, out, &pol); err != nil {
		return fmt.Sprintf("round trip not equivalent: %v\ndecoded:\n%s", err, out.SDP)
	}
	// (c) canonical re-encode.
	if again, err := Encode(out, fuzzOffer, keepAll); err != nil || !bytes.Equal(again, code) {
		return fmt.Sprintf("Encode(Decode(code)) != code:\n%x\n%x (%v)", again, code, err)
	}
	// (d) size bound.
	text := strings.Join(splitLines(in.SDP), "\n")
	if len(code) > len(text)+16 {
		return fmt.Sprintf("code of %d bytes for %d bytes of SDP", len(code), len(text))
	}
	if code[0] < headResidual && code[0] != headAVOffer && code[0] != headAVAnswer {
		p, _ := parseSDP(in.SDP)
		m, _ := compactModel(p, in.Type == Answer, &pol)
		fl := floor(m)
		if a := sizeAllowance(m); len(code) > fl+a {
			return fmt.Sprintf("compact code of %d bytes, floor %d, allowance %d", len(code), fl, a)
		}
		if a, ok := sizeAllowanceDefault(m); ok {
			stats["compact with defaults"]++
			if len(code) > fl+a {
				return fmt.Sprintf("compact code with defaults of %d bytes, floor %d, allowance %d", len(code), fl, a)
			}
		}
	}
	return ""
}

func TestPropertiesDataChannel(t *testing.T) {
	params := propParameters(t, 400)
	stats := map[string]int{}
	props := gopter.NewProperties(params)
	props.Property("round trip, determinism, canonical re-encode, size bound", prop.ForAll(
		func(g genDesc) string {
			for _, pol := range propPolicies {
				if msg := checkCode(g, pol, stats); msg != "" {
					return fmt.Sprintf("policy %+v: %s", pol, msg)
				}
			}
			return ""
		}, genDataChannel()))
	props.TestingRun(t)
	t.Logf("outcomes over %d policies: %v", len(propPolicies), stats)
	if stats["compact"] < 100 || stats["compact with defaults"] < 50 {
		t.Errorf("too few compact codes: %v", stats)
	}
}

func TestPropertiesResidual(t *testing.T) {
	params := propParameters(t, 300)
	stats := map[string]int{}
	props := gopter.NewProperties(params)
	props.Property("round trip, determinism, canonical re-encode, size bound", prop.ForAll(
		func(g genDesc) string { return checkCode(g, CandidatePolicy{}, stats) }, genSDPish()))
	props.TestingRun(t)
	t.Logf("outcomes: %v", stats)
	if stats["residual"] < 50 || stats["rejected invalid-sdp"] < 5 {
		t.Errorf("too few residual codes: %v", stats)
	}
}
