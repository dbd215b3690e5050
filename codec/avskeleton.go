package codec

import (
	"strconv"
	"strings"
	"unsafe"
)

// The skeleton of an audio/video description (the compact audio/video
// form, heads 18 and 19, AVFORM §2): its lines in normal form, with the
// transport (credentials, fingerprints, candidates) and the random
// identifiers (SSRCs, UUIDs, cnames) lifted out into tables and replaced by
// marker bytes. Markers are control bytes, which no SDP line holds (SPEC.md
// §3.1 rule 2).

// Marker bytes.
const (
	mkCandidate = 0x01 // a whole kept a=candidate line
	mkPort      = 0x02 // an m= line's port: the section's transport candidate's
	mkAddress   = 0x03 // a media c= or a=rtcp line's address: the section's transport candidate's
	mkUfrag     = 0x04 // the value of a=ice-ufrag
	mkPwd       = 0x05 // the value of a=ice-pwd
	mkDigestUp  = 0x06 // + index: a digest, upper-case hex
	mkSessID    = 0x07 // the o= line's session id
	mkDigestLow = 0x08 // + index: a digest, lower-case hex
	mkSSRC      = 0x0e // + index: an SSRC in decimal
	mkString    = 0x0f // + index: an identifier
	mkPayloads  = 0x10 // an m= line's format list: the section's a=rtpmap payload types
	mkSSRCOld   = 0x11 // + index: an SSRC first referenced in an earlier part
	mkStringOld = 0x12 // + index: an identifier first referenced in an earlier part
	mkMids      = 0x13 // the session's a=group:BUNDLE list: every media section's mid, in order
	mkTransport = 0x14 // a whole kept a=candidate line: the section's transport candidate, not its first
)

// maxAVDigests is the most distinct digests an A/V description may lift
// (AVFORM §1 rule 5).
const maxAVDigests = 8

// maxAVSections is the most media sections an A/V-eligible description has
// (AVFORM-decisions, lead: a fixed rule, not a limit; it bounds the
// comparison of every part with every base).
const maxAVSections = 64

// avSkel is the skeleton of a description and its tables.
type avSkel struct {
	parts      [][]string  // part 0: the session part; part i: the i-th media section
	cands      []candidate // the kept candidates of every section, in order
	ufrag, pwd string
	digests    [][]byte
	ssrcs      []uint32
	ids        []string

	renderedPlain bool // render's last result is plain text (isPlainText)
}

// avExtract returns the skeleton of p under the candidate policy pol.
// ok is false when p is not A/V-eligible by rules 2, 3 and 5 of AVFORM §1
// (the caller checks rule 1, compact eligibility, and rule 4, the candidate
// limit).
func avExtract(p *parsedSDP, pol *CandidatePolicy) (*avSkel, bool) {
	s := &avSkel{}
	if !s.extract(p, pol) {
		return nil, false
	}
	return s, true
}

// extract fills s, a zero skeleton, as avExtract returns it; false when p
// is not A/V-eligible.
func (s *avSkel) extract(p *parsedSDP, pol *CandidatePolicy) (ok bool) {
	if len(p.media) > maxAVSections {
		return false
	}
	// The lifted lines take about a third of a description's bytes: the
	// arena seldom grows.
	n, nc := 0, 0
	for _, l := range p.all {
		n += len(l.value())
		if isCandidateLine(l) {
			nc++ // room for every candidate at once
		}
	}
	// Every part's lines in one array, a part's share its lines' number.
	b := skelBuilder{s: s, arena: make([]byte, 0, n/2+64), lines: make([]string, 0, len(p.all))}
	s.parts, s.cands = make([][]string, 0, len(p.media)+1), make([]candidate, 0, nc)
	s.ids, s.ssrcs = make([]string, 0, 2*len(p.media)+2), make([]uint32, 0, 2*len(p.media)+2) // room for most
	part := b.newPart(len(p.session))
	for _, l := range p.session {
		if isCandidateLine(l) {
			return false
		}
		var line string
		if l.typ == 'o' {
			// The session id, always; the session version, a number, when
			// it has 5 digits or more (pion writes the time in seconds), as
			// an SSRC field.
			line = b.replaceFields(l.value(), "o=", 2, func(dst []byte, i int, f string) ([]byte, bool) {
				if i == 2 && len(f) >= 5 {
					return b.ssrcField(dst, f)
				}
				return append(dst, mkSessID), i == 1
			})
		} else if line, ok = b.attrLine(l); !ok {
			return false
		}
		part = append(part, line)
	}
	s.parts = append(s.parts, part[:len(part):len(part)])
	for _, sec := range p.media {
		part, ok := b.section(sec, pol)
		if !ok {
			return false
		}
		s.parts = append(s.parts, part[:len(part):len(part)])
	}
	s.markMids()
	return s.ufrag != "" && s.pwd != "" && len(s.digests) <= maxAVDigests
}

// newPart returns an empty part with room for n lines, taken from the
// builder's lines array when it has room (an append to the part past n
// copies).
func (b *skelBuilder) newPart(n int) []string {
	if cap(b.lines)-len(b.lines) < n {
		return make([]string, 0, n)
	}
	k := len(b.lines)
	b.lines = b.lines[:k+n]
	return b.lines[k : k : k+n]
}

// skelBuilder lifts values into the tables of s.
type skelBuilder struct {
	s          *avSkel
	arena      []byte   // the lifted lines' bytes (done)
	lines      []string // the parts' lines (newPart)
	ufragSeen  bool
	pwdSeen    bool
	ssrcOrigin int // the SSRC table's length at the start of the part
	idOrigin   int // the identifier table's length at the start of the part
	transport  int // 1 + the index of the last part's transport candidate, 0 for none
}

// tableRef returns the marker and index text of entry i of a table whose
// part origin is origin (AVFORM §2): an entry new in the part is mk and
// i − origin, an older one old and i.
func tableRef(mk, old byte, i, origin int) string {
	if i >= origin {
		return markerRef(mk, i-origin)
	}
	return markerRef(old, i)
}

// markerRefs holds the text of the markers that take an index, for the
// indexes below 256: markerRefs[mk][i] is mk followed by i in decimal.
var markerRefs = func() (t [mkStringOld + 1][]string) {
	for _, mk := range [...]byte{mkDigestUp, mkDigestLow, mkSSRC, mkString, mkSSRCOld, mkStringOld} {
		t[mk] = make([]string, 256)
		for i := range t[mk] {
			t[mk][i] = string(rune(mk)) + strconv.Itoa(i)
		}
	}
	return t
}()

// markerRef returns the marker mk (one that takes an index) followed by
// the index i in decimal.
func markerRef(mk byte, i int) string {
	if i < len(markerRefs[mk]) {
		return markerRefs[mk][i]
	}
	return string(rune(mk)) + strconv.Itoa(i)
}

// isCandidateLine reports whether l is an a=candidate line: what
// attrName(l.val) == "candidate" tells, without scanning the whole value.
func isCandidateLine(l sdpLine) bool {
	_, ok := attr(l, "candidate")
	return ok
}

// section returns the skeleton lines of one media section (its m= line
// first); ok is false when a candidate line breaks SPEC.md §3.3 rule 9.
func (b *skelBuilder) section(sec []sdpLine, pol *CandidatePolicy) ([]string, bool) {
	// The section's candidates first: the m= and c= lines refer to its
	// first kept one.
	b.ssrcOrigin, b.idOrigin = len(b.s.ssrcs), len(b.s.ids)
	var buf [512]byte
	kind := buf[:0]
	if len(sec) > len(buf) {
		kind = make([]byte, 0, len(sec))
	}
	kind = kind[:len(sec)]
	first := len(b.s.cands)
	var ptBuf [64]string // on the stack: mLine keeps none
	pts, ok := b.scanSection(sec, pol, kind, ptBuf[:0])
	if !ok {
		return nil, false
	}
	// The part's transport candidate: the kept candidate whose port and
	// address its m= and c= lines write (transportIndex), or, for a section
	// without one (bundled), the last earlier part's.
	own := len(b.s.cands) > first
	ti := 0 // which of the part's kept candidates
	if own {
		ti = transportIndex(sec, b.s.cands[first:])
		b.transport = first + ti + 1
	}
	var fc *candidate
	if b.transport > 0 {
		fc = &b.s.cands[b.transport-1]
	}
	if !own && isBundleOnly(sec) {
		fc = &placeholderBundleOnly
	}
	part := b.newPart(len(sec))
	var rtcp []int // the a=rtcp lines, lifted last (rtcpLine)
	kept := 0      // the part's kept candidate lines so far
	for i, l := range sec {
		var line string
		switch {
		case i == 0:
			line = b.mLine(l.value(), fc, pts)
		case l.typ == 'c':
			line = b.replaceFields(l.value(), "c=", 2, func(dst []byte, k int, f string) ([]byte, bool) {
				addr, rest, slash := strings.Cut(f, "/")
				if k != 2 || fc == nil || !isTransportAddr(addr, fc) {
					return dst, false
				}
				if slash {
					return append(append(dst, mkAddress, '/'), rest...), true
				}
				return append(dst, mkAddress), true
			})
		case kind[i] == lineRTCP:
			rtcp = append(rtcp, len(part)) // after the part's other lines
			line = l.value()
		case kind[i] != lineOther:
			if kind[i] == lineDropped {
				continue // a dropped candidate's line is removed
			}
			line = string(rune(mkCandidate))
			if kept == ti && ti > 0 {
				line = string(rune(mkTransport))
			}
			kept++
		default:
			var ok bool
			if line, ok = b.attrLine(l); !ok {
				return nil, false
			}
		}
		part = append(part, line)
	}
	for _, k := range rtcp {
		part[k] = b.rtcpLine(part[k], fc)
	}
	return part, true
}

// The kinds of a section's lines that scanSection tells.
const (
	lineOther   = iota
	lineDropped // a candidate the policy drops
	lineKept    // a candidate it keeps
	lineRTCP    // an a=rtcp line
)

// scanSection marks in kind, one byte a line of sec, its candidate and
// a=rtcp lines, adding the candidates that pol keeps to the table, and
// appends to pts the payload types of its a=rtpmap lines, in order: the
// section's lines looked at once before its skeleton is made. ok is false
// when a candidate line breaks SPEC.md §3.3 rule 9.
func (b *skelBuilder) scanSection(sec []sdpLine, pol *CandidatePolicy, kind []byte, pts []string) (_ []string, ok bool) {
	first := len(b.s.cands)
	var seen candidateSet
	for i, l := range sec {
		kind[i] = lineOther
		switch {
		case l.typ != 'a':
		case hasPrefix(l.value(), "rtpmap:"):
			pt, _ := rtpmapPayload(l.text)
			pts = append(pts, pt)
		case hasPrefix(l.value(), "rtcp:"):
			kind[i] = lineRTCP
		default:
			v, isCand := attr(l, "candidate")
			if !isCand {
				continue
			}
			c, keep, ok := parseCandidate(v)
			if !ok {
				return nil, false
			}
			kind[i] = lineDropped
			if keep && pol.keeps(b.s.cands[first:], &seen, c, len(b.s.cands)) {
				kind[i] = lineKept
				b.s.cands = append(b.s.cands, c)
			}
		}
	}
	return pts, true
}

// rtcpLine returns the skeleton line of a media-level a=rtcp:<port> IN
// IP4 <address> line, fc the part's transport candidate (or nil): Firefox
// writes its first candidate's address there when it has not bundled, and
// a port of 5 digits or more (one it gathered for RTCP, whose candidate
// the policy drops), an SSRC field. The a=rtcp lines of a part are lifted
// after its other lines, so that a port takes the index after the part's
// SSRCs and a section without an a=rtcp line numbers its SSRCs the same.
func (b *skelBuilder) rtcpLine(val string, fc *candidate) string {
	return b.replaceFields(val[len("rtcp:"):], "a=rtcp:", 3, func(dst []byte, k int, f string) ([]byte, bool) {
		if k == 0 && len(f) >= 5 {
			return b.ssrcField(dst, f)
		}
		return append(dst, mkAddress), k == 3 && fc != nil && f == fc.addr
	})
}

// rtpmapPayload returns the payload type text of a skeleton or description
// line "a=rtpmap:<pt> ..." (up to the first space, or the end), and whether
// the line is an a=rtpmap line.
func rtpmapPayload(l string) (string, bool) {
	// Two bytes of "a=rtp" first: they rule out most lines (few are
	// a=rtpmap lines) before the whole prefix is compared.
	if len(l) < len("a=rtpmap:") || l[4] != 'p' || l[3] != 't' {
		return "", false
	}
	v, ok := strings.CutPrefix(l, "a=rtpmap:")
	if !ok {
		return "", false
	}
	pt, _, _ := strings.Cut(v, " ")
	return pt, true
}

// mLine returns the skeleton of a section's m= line (value v): its port
// lifted when it is the transport candidate fc's, and its format list
// when it is pts, the section's a=rtpmap payload types (payloadsCut).
func (b *skelBuilder) mLine(v string, fc *candidate, pts []string) string {
	start := len(b.arena)
	line := b.replaceFields(v, "m=", 1, func(dst []byte, k int, f string) ([]byte, bool) {
		port, rest, slash := strings.Cut(f, "/")
		if k != 1 || fc == nil || !isTransportPort(port, fc) {
			return dst, false
		}
		if slash {
			return append(append(dst, mkPort, '/'), rest...), true
		}
		return append(dst, mkPort), true
	})
	cut := payloadsCut(line, pts)
	if cut < 0 {
		return line
	}
	// line is dropped: its bytes from cut on may be written again.
	b.arena = append(b.arena[:start+cut], mkPayloads)
	return b.done(start)
}

// payloadsCut returns where the format list of a skeleton m= line starts
// (after its third space) when the section has a=rtpmap lines and the list
// is their payload types pts in order, joined by single spaces, so that
// it is replaced by the marker 0x10 (AVFORM §2); -1 otherwise.
func payloadsCut(line string, pts []string) int {
	if len(pts) == 0 {
		return -1
	}
	cut := 0
	for k := 0; k < 3; k++ {
		i := strings.IndexByte(line[cut:], ' ')
		if i < 0 {
			return -1
		}
		cut += i + 1
	}
	rest := line[cut:]
	for i, pt := range pts {
		if pt == "" {
			return -1
		}
		if i > 0 {
			if rest == "" || rest[0] != ' ' {
				return -1
			}
			rest = rest[1:]
		}
		if !strings.HasPrefix(rest, pt) {
			return -1
		}
		rest = rest[len(pt):]
	}
	if rest != "" {
		return -1
	}
	return cut
}

// attrLine returns the skeleton of a line other than o=, m=, c= and
// a=candidate; ok is false when its ICE credentials break AVFORM §1 rule 2.
func (b *skelBuilder) attrLine(l sdpLine) (string, bool) {
	text := l.text
	if l.typ != 'a' || l.value() == "" {
		return text, true
	}
	// Every name below starts with one of these: no other line is cut.
	if c := l.value()[0]; c != 'i' && c != 'f' && c != 's' && c != 'm' {
		return text, true
	}
	name, v, hasVal := strings.Cut(l.value(), ":")
	var prefix string
	if hasVal {
		prefix = text[:len("a=")+len(name)+1] // "a=<name>:"
	}
	switch name {
	case "ice-ufrag", "ice-pwd":
		if !hasVal || !isICEString(v) || len(v) > 255 {
			return "", false
		}
		tab, seen, mk := &b.s.ufrag, &b.ufragSeen, byte(mkUfrag)
		if name == "ice-pwd" {
			tab, seen, mk = &b.s.pwd, &b.pwdSeen, mkPwd
		}
		if *seen && *tab != v {
			return "", false
		}
		*tab, *seen = v, true
		start := len(b.arena)
		b.arena = append(append(b.arena, prefix...), mk)
		return b.done(start), true
	case "fingerprint":
		if !hasVal {
			return text, true
		}
		hash, digest, ok := strings.Cut(v, " ")
		if !ok || !isToken(hash) || len(hash) > 32 {
			return text, true
		}
		var rb [64]byte // on the stack: digest copies a new digest
		raw, mk, ok := parseDigest(digest, rb[:0])
		if !ok {
			return text, true
		}
		start := len(b.arena)
		b.arena = append(append(append(append(b.arena, prefix...), hash...), ' '), markerRef(mk, b.digest(raw))...)
		return b.done(start), true
	case "ssrc", "ssrc-group", "msid", "msid-semantic":
		if !hasVal {
			return text, true
		}
		return b.idLine(name, v, prefix), true
	}
	return text, true
}

// idLine returns the skeleton of an a=ssrc, a=ssrc-group, a=msid or
// a=msid-semantic line (prefix "a=<name>:", value v): its SSRC and
// identifier fields lifted.
func (b *skelBuilder) idLine(name, v, prefix string) string {
	msidSSRC := false
	most := -1 // the last field that may be lifted
	switch name {
	case "ssrc":
		most = 2
	case "msid":
		most = 1
	}
	return b.replaceFields(v, prefix, most, func(dst []byte, k int, f string) ([]byte, bool) {
		switch name {
		case "ssrc":
			if k == 0 {
				return b.ssrcField(dst, f)
			}
			if k == 1 {
				for _, p := range [...]string{"cname:", "msid:", "mslabel:", "label:"} {
					if strings.HasPrefix(f, p) {
						msidSSRC = p == "msid:"
						return b.idField(append(dst, p...), f[len(p):])
					}
				}
			}
			if k == 2 && msidSSRC {
				return b.idField(dst, f)
			}
		case "ssrc-group":
			if k >= 1 {
				return b.ssrcField(dst, f)
			}
		case "msid":
			if k <= 1 {
				return b.idField(dst, f)
			}
		case "msid-semantic":
			if k >= 1 && f != "*" {
				return b.idField(dst, f)
			}
		}
		return dst, false
	})
}

// ssrcField lifts an SSRC field, a decimal 0..2^32-1 without leading
// zeros: it appends its marker to dst.
func (b *skelBuilder) ssrcField(dst []byte, f string) ([]byte, bool) {
	v, ok := parseDecimal(f, 1<<32-1)
	if !ok {
		return dst, false
	}
	i := 0
	for i < len(b.s.ssrcs) && b.s.ssrcs[i] != uint32(v) {
		i++
	}
	if i == len(b.s.ssrcs) {
		b.s.ssrcs = append(b.s.ssrcs, uint32(v))
	}
	return append(dst, tableRef(mkSSRC, mkSSRCOld, i, b.ssrcOrigin)...), true
}

// idField lifts an identifier field, its braces stripped: it appends its
// marker (in its braces) to dst.
func (b *skelBuilder) idField(dst []byte, f string) ([]byte, bool) {
	braces := false
	if len(f) >= 3 && f[0] == '{' && f[len(f)-1] == '}' {
		braces, f = true, f[1:len(f)-1]
	}
	if f == "" {
		return dst, false
	}
	i := 0
	for i < len(b.s.ids) && b.s.ids[i] != f {
		i++
	}
	if i == len(b.s.ids) {
		b.s.ids = append(b.s.ids, f)
	}
	if !braces {
		return append(dst, tableRef(mkString, mkStringOld, i, b.idOrigin)...), true
	}
	dst = append(append(dst, '{'), tableRef(mkString, mkStringOld, i, b.idOrigin)...)
	return append(dst, '}'), true
}

// replaceFields returns prefix + v with some of v's fields (SPEC.md §3.1:
// runs of characters other than SP and TAB) replaced: f is called with
// dst, each field's index (0-based) and text, and returns dst with its
// replacement appended and true, or false to keep the field (what it
// appended is then dropped). Separators are kept as they are. The line is
// built in the arena. The fields after the one of index most (most >= 0)
// are kept without calling f, which must then keep them and change nothing.
func (b *skelBuilder) replaceFields(v, prefix string, most int, f func(dst []byte, k int, field string) ([]byte, bool)) string {
	start := len(b.arena)
	b.arena = append(b.arena, prefix...)
	k := 0
	for i := 0; i < len(v); {
		if k > most && most >= 0 {
			b.arena = append(b.arena, v[i:]...)
			break
		}
		j := i
		for j < len(v) && (v[j] == ' ' || v[j] == '\t') {
			j++
		}
		b.arena = append(b.arena, v[i:j]...)
		i = j
		for j < len(v) && v[j] != ' ' && v[j] != '\t' {
			j++
		}
		if j > i {
			n := len(b.arena)
			out, ok := f(b.arena, k, v[i:j])
			if b.arena = out; !ok {
				b.arena = append(b.arena[:n], v[i:j]...)
			}
			k++
		}
		i = j
	}
	return b.done(start)
}

// done returns the arena's bytes from start on as a string. They are
// never written again: the arena only grows (appends write past its
// length, or into a new array when it is full), so the string stays
// what it is, and it keeps its array alive.
func (b *skelBuilder) done(start int) string {
	if start == len(b.arena) {
		return ""
	}
	return unsafe.String(&b.arena[start], len(b.arena)-start)
}
