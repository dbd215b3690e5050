package codec

import (
	"encoding/binary"
	"strings"
)

// The data model (SPEC.md §3.2) and the mapping from SDP to the model
// (SPEC.md §3.3).

// setupRole is the DTLS role of a=setup (RFC 8842).
type setupRole uint8

const (
	setupActpass setupRole = iota
	setupActive
	setupPassive
)

var setupNames = [...]string{"actpass", "active", "passive"}

// Candidate types and transports (SPEC.md §4.5), in their wire order.
const (
	candHost uint8 = iota
	candSrflx
	candPrflx
	candRelay
)

var candTypeNames = [...]string{"host", "srflx", "prflx", "relay"}

const (
	transUDP uint8 = iota
	transTCPActive
	transTCPPassive
	transTCPSO
)

// Address kinds of a candidate.
const (
	addrIPv4 uint8 = iota
	addrIPv6
	addrMDNS
	addrName
)

// candidate is one ICE candidate as the model keeps it (SPEC.md §3.2).
type candidate struct {
	typ       uint8
	transport uint8
	component uint8 // 1..16
	kind      uint8
	addr      string   // canonical text: dotted IPv4, RFC 5952 IPv6, lower-case mDNS name, or the name as given
	raw       [16]byte // the address bytes on the wire: IPv4 in the first 4, IPv6 or the mDNS UUID in all 16
	port      uint16
}

// fingerprint is one a=fingerprint (RFC 8122): a hash function name in lower
// case and the digest.
type fingerprint struct {
	alg string
	val []byte
}

// model is the content of a code (SPEC.md §3.2).
type model struct {
	answer   bool
	setup    setupRole
	residual bool
	av       *avData   // the compact audio/video form (heads 18, 19)
	bind     []byte    // 4 bytes, answers only
	text     string    // residual form: the normalised SDP text
	deflated []byte    // residual form, decoded codes: the residual byte string as received
	lines    []sdpLine // residual form, decoded codes: the lines of text
	plain    bool      // residual form, decoded codes: text is known to be isPlainText

	ufrag, pwd string
	fps        []fingerprint
	cands      []candidate
	mms        uint64 // a=max-message-size
	mmsSet     bool
	mid        string
	midSet     bool
	sctpPort   uint64
	sctpSet    bool
	iceLite    bool   // session-level a=ice-lite
	legacy     bool   // DTLS/SCTP m-line with a=sctpmap
	streams    uint64 // a=sctpmap streams (legacy)
	extraSess  []string
	extraMedia []string
	unknown    map[int64][]byte // ext entries this decoder does not know, raw CBOR
	nonCanon   bool             // decoding found an encoding fault that re-encoding cannot see
}

const (
	defaultMMS      = 262144
	firefoxMMS      = 1073741823
	rfcMMS          = 65536 // RFC 8841's value when the attribute is absent
	defaultSCTPPort = 5000
	bindLen         = 4
)

// lineClass says what the compact form does with an SDP line (SPEC.md §3.3).
type lineClass uint8

const (
	lineStructured lineClass = iota // carried in a model field
	lineImplied                     // dropped: rebuilt from the template or ignored
	lineExtra                       // carried verbatim as an extra line
	lineIneligible                  // the description needs the residual form
)

// sessionAttrDropped reports the session-level attributes the compact form
// drops.
func sessionAttrDropped(name string) bool {
	switch name {
	case "msid-semantic", "extmap-allow-mixed", "ice-options", "sendrecv", "sendonly", "recvonly", "inactive":
		return true
	}
	return false
}

// mediaAttrDropped reports the media-level attributes the compact form
// drops.
func mediaAttrDropped(name string) bool {
	switch name {
	case "end-of-candidates", "ice-options", "extmap-allow-mixed", "sendrecv", "sendonly", "recvonly", "inactive":
		return true
	}
	return false
}

// structuredAttr reports the attributes the model carries.
func structuredAttr(name string) bool {
	switch name {
	case "candidate", "ice-ufrag", "ice-pwd", "fingerprint", "setup", "mid", "sctp-port", "max-message-size", "sctpmap":
		return true
	}
	return false
}

func attrName(val string) string {
	name, _, _ := strings.Cut(val, ":")
	return name
}

// classifySession classifies a session-level line other than v, o, s, t.
func classifySession(l sdpLine, mid string, midSet bool) lineClass {
	switch l.typ {
	case 'c':
		return lineImplied
	case 'a':
	default:
		return lineIneligible
	}
	name := attrName(l.value())
	switch {
	case name == "group":
		// Matched by fields (SPEC.md §3.3): BUNDLE and the one mid.
		v, _ := attr(l, "group")
		var fb [3]string
		if f := fields(v, fb[:0]); midSet && len(f) == 2 && f[0] == "BUNDLE" && f[1] == mid {
			return lineImplied
		}
		return lineExtra
	case sessionAttrDropped(name):
		return lineImplied
	case name == "ice-ufrag", name == "ice-pwd", name == "fingerprint", name == "setup":
		return lineStructured
	case l.value() == "ice-lite":
		return lineStructured // the ICE-lite flag (SPEC.md §3.3)
	case structuredAttr(name):
		return lineIneligible // candidate, mid, sctp-port... at session level
	}
	return lineExtra
}

// classifyMedia classifies a media-level line other than m=.
func classifyMedia(l sdpLine) lineClass {
	switch l.typ {
	case 'c', 'b':
		// c= is rebuilt; bandwidth lines have no effect on an SCTP
		// association (SPEC.md §3.3).
		return lineImplied
	case 'a':
	default:
		return lineIneligible
	}
	name := attrName(l.value())
	switch {
	case mediaAttrDropped(name):
		return lineImplied
	case structuredAttr(name):
		return lineStructured
	}
	return lineExtra
}

// isExtraLine checks that a line read from a code's extra lines is one the
// encoder would carry as an extra line at that level of m.
func (m *model) isExtraLine(line string, media bool) bool {
	if len(line) < 2 || line[1] != '=' {
		return false
	}
	for i := 0; i < len(line); i++ {
		if c := line[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	l := sdpLine{typ: line[0], text: line}
	if l.typ == 'a' && !isToken(attrName(l.value())) {
		return false
	}
	if media {
		return classifyMedia(l) == lineExtra
	}
	if l.typ != 'a' || classifySession(l, m.mid, m.midSet) != lineExtra {
		return false
	}
	// A BUNDLE group may only name the description's one mid (SPEC.md
	// §3.1 rule 8), or the rebuilt description would not be valid.
	if v, ok := attr(l, "group"); ok {
		var fb [16]string
		f := fields(v, fb[:0])
		if len(f) > 0 && f[0] == "BUNDLE" {
			for _, tag := range f[1:] {
				if !m.midSet || tag != m.mid {
					return false
				}
			}
		}
	}
	return true
}

// compactModel maps a parsed description to the compact model (SPEC.md
// §3.3). ok is false when the description is not eligible for the compact
// form and must use the residual form.
func compactModel(p *parsedSDP, answer bool, pol *CandidatePolicy) (m *model, ok bool) {
	if len(p.media) != 1 {
		return nil, false
	}
	m = &model{answer: answer}
	sec := p.media[0]
	// m= line.
	var fb [8]string
	f := fields(sec[0].value(), fb[:0])
	switch {
	case len(f) == 4 && f[0] == "application" && f[2] == "UDP/DTLS/SCTP" && f[3] == "webrtc-datachannel":
	case len(f) == 4 && f[0] == "application" && f[2] == "DTLS/SCTP":
		m.legacy = true
	default:
		return nil, false
	}
	if port, ok := parseDecimal(f[1], 65535); !ok || port == 0 {
		return nil, false // port 0 (a rejected section), a /count or leading zeros
	}
	var a attrLists
	a.init()
	if !a.collect(sec[1:], true, m) {
		return nil, false
	}
	if len(a.mids) > 1 {
		return nil, false
	}
	if len(a.mids) == 1 {
		if !isToken(a.mids[0]) {
			return nil, false
		}
		m.mid, m.midSet = a.mids[0], true
	}
	if !a.collect(p.session, false, m) || !m.compactTransport(&a, answer) || !m.compactSCTP(&a, f[3]) {
		return nil, false
	}
	cands := make([]candidate, 0, len(a.cands))
	for _, v := range a.cands {
		c, keep, ok := parseCandidate(v)
		if !ok {
			return nil, false
		}
		if keep {
			cands = append(cands, c)
		}
	}
	m.cands = pol.apply(cands)
	return m, true
}

// compactTransport sets m's credentials, ICE-lite flag, setup and
// fingerprints from the attributes of a compact description (§3.3 rules
// 3–5); false when they make it ineligible.
func (m *model) compactTransport(a *attrLists, answer bool) bool {
	if len(a.ufrags) != 1 || len(a.pwds) != 1 || len(a.setups) != 1 || a.iceLites > 1 {
		return false
	}
	m.iceLite = a.iceLites == 1
	m.ufrag, m.pwd = a.ufrags[0], a.pwds[0]
	if !credsPackable(m.ufrag, m.pwd) {
		return false
	}
	switch setup := a.setups[0]; {
	case !answer && setup == "actpass":
		m.setup = setupActpass
	case answer && setup == "active":
		m.setup = setupActive
	case answer && setup == "passive":
		m.setup = setupPassive
	default:
		return false
	}
	if len(a.sessFP) > 0 && len(a.mediaFP) > 0 {
		return false
	}
	for _, v := range append(a.sessFP, a.mediaFP...) {
		fp, ok := parseFingerprint(v)
		if !ok {
			return false
		}
		m.fps = append(m.fps, fp)
	}
	return len(m.fps) > 0 && len(m.fps) <= maxFingerprints
}

// compactSCTP sets m's sctp-port, legacy stream count and max-message-size
// (§3.3 rules 6 and 7); mField4 is the m= line's fourth field; false when
// they make the description ineligible.
func (m *model) compactSCTP(a *attrLists, mField4 string) bool {
	if m.legacy {
		// m=application <port> DTLS/SCTP <sctp-port> with a=sctpmap:<sctp-port> webrtc-datachannel <streams>
		if len(a.sctpmaps) != 1 || len(a.sctpPorts) != 0 {
			return false
		}
		var sb [4]string
		sf := fields(a.sctpmaps[0], sb[:0])
		if len(sf) != 3 || sf[0] != mField4 || sf[1] != "webrtc-datachannel" {
			return false
		}
		port, ok1 := parseDecimal(mField4, 65535)
		streams, ok2 := parseDecimal(sf[2], 65535)
		if !ok1 || !ok2 {
			return false
		}
		m.sctpPort, m.sctpSet, m.streams = port, true, streams
	} else {
		if len(a.sctpmaps) != 0 || len(a.sctpPorts) > 1 {
			return false
		}
		if len(a.sctpPorts) == 1 {
			port, ok := parseDecimal(a.sctpPorts[0], 65535)
			if !ok {
				return false
			}
			m.sctpPort, m.sctpSet = port, true
		}
	}
	if len(a.mmss) > 1 {
		return false
	}
	if len(a.mmss) == 1 {
		v, ok := parseDecimal(a.mmss[0], 1<<53-1)
		if !ok {
			return false
		}
		m.mms, m.mmsSet = v, true
	}
	return true
}

// attrLists gathers the values of the structured attributes of a
// description; small arrays keep them off the heap in the common case.
type attrLists struct {
	ufrags, pwds, setups, mids, sessFP, mediaFP, cands, sctpPorts, mmss, sctpmaps []string
	buf                                                                           [10][2]string
	candBuf                                                                       [16]string
	iceLites                                                                      int
}

func (a *attrLists) init() {
	lists := []*[]string{&a.ufrags, &a.pwds, &a.setups, &a.mids, &a.sessFP, &a.mediaFP, &a.sctpPorts, &a.mmss, &a.sctpmaps}
	for i, l := range lists {
		*l = a.buf[i][:0]
	}
	a.cands = a.candBuf[:0]
}

// collect classifies lines of one level (SPEC.md §3.3), gathers structured
// values and extra lines into m, and reports false when a line makes the
// description ineligible. Session lines v=, o=, s= are skipped and t= must be
// "0 0".
func (a *attrLists) collect(lines []sdpLine, media bool, m *model) bool {
	for _, l := range lines {
		var class lineClass
		if media {
			class = classifyMedia(l)
		} else {
			switch l.typ {
			case 'v', 'o', 's':
				continue
			case 't':
				if l.value() != "0 0" {
					return false
				}
				continue
			}
			class = classifySession(l, m.mid, m.midSet)
		}
		switch class {
		case lineIneligible:
			return false
		case lineImplied:
			continue
		case lineExtra:
			if media {
				m.extraMedia = append(m.extraMedia, "a="+l.value())
			} else {
				m.extraSess = append(m.extraSess, "a="+l.value())
			}
			continue
		}
		name := attrName(l.value())
		v, _ := attr(l, name)
		switch name {
		case "candidate":
			a.cands = append(a.cands, v)
		case "ice-ufrag":
			a.ufrags = append(a.ufrags, v)
		case "ice-pwd":
			a.pwds = append(a.pwds, v)
		case "fingerprint":
			if media {
				a.mediaFP = append(a.mediaFP, v)
			} else {
				a.sessFP = append(a.sessFP, v)
			}
		case "setup":
			a.setups = append(a.setups, v)
		case "mid":
			a.mids = append(a.mids, v)
		case "sctp-port":
			a.sctpPorts = append(a.sctpPorts, v)
		case "max-message-size":
			a.mmss = append(a.mmss, v)
		case "sctpmap":
			a.sctpmaps = append(a.sctpmaps, v)
		case "ice-lite":
			a.iceLites++
		}
	}
	return true
}

// credsPackable reports whether ufrag and pwd can be packed (SPEC.md §4.3):
// 1 to 255 ice-chars each.
func credsPackable(ufrag, pwd string) bool {
	return isICEString(ufrag) && isICEString(pwd) && len(ufrag) <= 255 && len(pwd) <= 255
}

// credsHex reports whether the credentials use the hex packing.
func credsHex(ufrag, pwd string) bool {
	return isLowerHex(ufrag) && isLowerHex(pwd) && len(pwd)%2 == 0
}

// parseDecimal parses a decimal of digits only, without leading zeros, at
// most max (which is below 10^19).
func parseDecimal(s string, max uint64) (uint64, bool) {
	// A decimal of 20 digits or more is over every max, and one of 19
	// digits cannot overflow v.
	if s == "" || len(s) > 1 && s[0] == '0' || len(s) > 19 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return v, v <= max
}

const maxFingerprints = 8

// Hash functions of RFC 8122 with their registry numbers (SPEC.md §4.4) and
// digest lengths.
var hashFuncs = []struct {
	name string
	size int
}{
	{"sha-1", 20}, {"sha-224", 28}, {"sha-256", 32}, {"sha-384", 48}, {"sha-512", 64}, {"md5", 16}, {"md2", 16},
}

func hashIndex(name string) int {
	for i, h := range hashFuncs {
		if h.name == name {
			return i
		}
	}
	return -1
}

// parseFingerprint parses "<hash-func> <XX:XX:...>". Unknown hash functions
// are kept by name; known ones must have their digest length.
func parseFingerprint(v string) (fingerprint, bool) {
	alg, hexs, ok := strings.Cut(v, " ")
	alg = strings.ToLower(alg)
	if !ok || !isToken(alg) || len(alg) > 32 || strings.IndexByte(hexs, ' ') >= 0 {
		return fingerprint{}, false
	}
	if (len(hexs)+1)%3 != 0 || len(hexs) < 2 {
		return fingerprint{}, false
	}
	b := make([]byte, 0, (len(hexs)+1)/3)
	for i := 0; i < len(hexs); i += 3 {
		if i+2 < len(hexs) && hexs[i+2] != ':' {
			return fingerprint{}, false
		}
		hi, ok1 := unhex(hexs[i])
		lo, ok2 := unhex(hexs[i+1])
		if !ok1 || !ok2 {
			return fingerprint{}, false
		}
		b = append(b, hi<<4|lo)
	}
	if i := hashIndex(alg); i >= 0 && hashFuncs[i].size != len(b) {
		return fingerprint{}, false
	}
	if len(b) > 64 {
		return fingerprint{}, false
	}
	return fingerprint{alg: alg, val: b}, true
}

// sessionID derives the o= session id from the first fingerprint (SPEC.md
// §3.5): its first 8 bytes as a big-endian integer with the top bit cleared.
func (m *model) sessionID() uint64 {
	var b [8]byte
	copy(b[:], m.fps[0].val)
	return binary.BigEndian.Uint64(b[:]) &^ (1 << 63)
}
