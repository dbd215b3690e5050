package codec

import (
	"strconv"
	"strings"
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
	mkPort      = 0x02 // an m= line's port: the section's first candidate's
	mkAddress   = 0x03 // a media c= or a=rtcp line's address: the section's first candidate's
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
func avExtract(p *parsedSDP, pol *CandidatePolicy) (s *avSkel, ok bool) {
	if len(p.media) > maxAVSections {
		return nil, false
	}
	s = &avSkel{}
	b := skelBuilder{s: s}
	part := make([]string, 0, len(p.session))
	for _, l := range p.session {
		if isCandidateLine(l) {
			return nil, false
		}
		var line string
		if l.typ == 'o' {
			// The session id, always; the session version, a number, when
			// it has 5 digits or more (pion writes the time in seconds), as
			// an SSRC field.
			line = replaceFields(l.val, "o=", func(i int, f string) (string, bool) {
				if i == 2 && len(f) >= 5 {
					return b.ssrcField(f)
				}
				return string(rune(mkSessID)), i == 1
			})
		} else if line, ok = b.attrLine(l); !ok {
			return nil, false
		}
		part = append(part, line)
	}
	s.parts = append(s.parts, part)
	for _, sec := range p.media {
		part, ok := b.section(sec, pol)
		if !ok {
			return nil, false
		}
		s.parts = append(s.parts, part)
	}
	if s.ufrag == "" || s.pwd == "" || len(s.digests) > maxAVDigests {
		return nil, false
	}
	return s, true
}

// skelBuilder lifts values into the tables of s.
type skelBuilder struct {
	s          *avSkel
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
	kept := make([]bool, len(sec))
	first := len(b.s.cands)
	var seen candidateSet
	for i, l := range sec {
		v, isCand := attr(l, "candidate")
		if !isCand {
			continue
		}
		c, keep, ok := parseCandidate(v)
		if !ok {
			return nil, false
		}
		if keep && pol.keeps(b.s.cands[first:], &seen, c, len(b.s.cands)) {
			kept[i] = true
			b.s.cands = append(b.s.cands, c)
		}
	}
	// The part's transport candidate: its first kept candidate, or, for
	// a section without one (bundled), the last earlier part's.
	if len(b.s.cands) > first {
		b.transport = first + 1
	}
	var fc *candidate
	if b.transport > 0 {
		fc = &b.s.cands[b.transport-1]
	}
	part := make([]string, 0, len(sec))
	var rtcp []int // the a=rtcp lines, lifted last (rtcpLine)
	for i, l := range sec {
		var line string
		switch {
		case i == 0:
			line = mLine(l.val, sec, fc)
		case l.typ == 'c':
			line = replaceFields(l.val, "c=", func(k int, f string) (string, bool) {
				addr, rest, slash := strings.Cut(f, "/")
				if k != 2 || fc == nil || addr != fc.addr {
					return "", false
				}
				if slash {
					return string(rune(mkAddress)) + "/" + rest, true
				}
				return string(rune(mkAddress)), true
			})
		case l.typ == 'a' && strings.HasPrefix(l.val, "rtcp:"):
			rtcp = append(rtcp, len(part)) // after the part's other lines
			line = l.val
		case isCandidateLine(l):
			if !kept[i] {
				continue // a dropped candidate's line is removed
			}
			line = string(rune(mkCandidate))
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

// mLine returns the skeleton line of a section's m= line (value val), fc
// the part's transport candidate (or nil): its port 0x02 when it is fc's,
// its format list 0x10 when it is the section's a=rtpmap payload types.
func mLine(val string, sec []sdpLine, fc *candidate) string {
	line := replaceFields(val, "m=", func(k int, f string) (string, bool) {
		port, rest, slash := strings.Cut(f, "/")
		var buf [5]byte
		if k != 1 || fc == nil || port != string(strconv.AppendUint(buf[:0], uint64(fc.port), 10)) {
			return "", false
		}
		if slash {
			return string(rune(mkPort)) + "/" + rest, true
		}
		return string(rune(mkPort)), true
	})
	var pts [64]string // on the stack: liftPayloads keeps none
	return liftPayloads(line, rtpmapPTs(pts[:0], sec))
}

// rtcpLine returns the skeleton line of a media-level a=rtcp:<port> IN
// IP4 <address> line, fc the part's transport candidate (or nil): Firefox
// writes its first candidate's address there when it has not bundled, and
// a port of 5 digits or more (one it gathered for RTCP, whose candidate
// the policy drops), an SSRC field. The a=rtcp lines of a part are lifted
// after its other lines, so that a port takes the index after the part's
// SSRCs and a section without an a=rtcp line numbers its SSRCs the same.
func (b *skelBuilder) rtcpLine(val string, fc *candidate) string {
	return replaceFields(val[len("rtcp:"):], "a=rtcp:", func(k int, f string) (string, bool) {
		if k == 0 && len(f) >= 5 {
			return b.ssrcField(f)
		}
		return string(rune(mkAddress)), k == 3 && fc != nil && f == fc.addr
	})
}

// rtpmapPayload returns the payload type text of a skeleton or description
// line "a=rtpmap:<pt> ..." (up to the first space, or the end), and whether
// the line is an a=rtpmap line.
func rtpmapPayload(l string) (string, bool) {
	v, ok := strings.CutPrefix(l, "a=rtpmap:")
	if !ok {
		return "", false
	}
	pt, _, _ := strings.Cut(v, " ")
	return pt, true
}

// rtpmapPTs appends to dst the payload types of a section's a=rtpmap
// lines, in order.
func rtpmapPTs(dst []string, sec []sdpLine) []string {
	for _, l := range sec {
		// rtpmapPayload("a=" + l.val), without making that string.
		if v, ok := strings.CutPrefix(l.val, "rtpmap:"); ok && l.typ == 'a' {
			pt, _, _ := strings.Cut(v, " ")
			dst = append(dst, pt)
		}
	}
	return dst
}

// liftPayloads replaces the format list of a skeleton m= line (the text
// after its third space) by the marker 0x10 when the section has a=rtpmap
// lines and the list is their payload types in order, joined by single
// spaces (AVFORM §2).
func liftPayloads(line string, pts []string) string {
	if len(pts) == 0 {
		return line
	}
	cut := 0
	for k := 0; k < 3; k++ {
		i := strings.IndexByte(line[cut:], ' ')
		if i < 0 {
			return line
		}
		cut += i + 1
	}
	rest := line[cut:]
	for i, pt := range pts {
		if pt == "" {
			return line
		}
		if i > 0 {
			if rest == "" || rest[0] != ' ' {
				return line
			}
			rest = rest[1:]
		}
		if !strings.HasPrefix(rest, pt) {
			return line
		}
		rest = rest[len(pt):]
	}
	if rest != "" {
		return line
	}
	return line[:cut] + string(rune(mkPayloads))
}

// attrLine returns the skeleton of a line other than o=, m=, c= and
// a=candidate; ok is false when its ICE credentials break AVFORM §1 rule 2.
func (b *skelBuilder) attrLine(l sdpLine) (string, bool) {
	text := l.text
	if text == "" {
		text = string(rune(l.typ)) + "=" + l.val
	}
	if l.typ != 'a' || l.val == "" {
		return text, true
	}
	// Every name below starts with one of these: no other line is cut.
	if c := l.val[0]; c != 'i' && c != 'f' && c != 's' && c != 'm' {
		return text, true
	}
	name, v, hasVal := strings.Cut(l.val, ":")
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
		return prefix + string(rune(mk)), true
	case "fingerprint":
		if !hasVal {
			return text, true
		}
		hash, digest, ok := strings.Cut(v, " ")
		if !ok || !isToken(hash) || len(hash) > 32 {
			return text, true
		}
		raw, mk, ok := parseDigest(digest)
		if !ok {
			return text, true
		}
		return prefix + hash + " " + markerRef(mk, b.digest(raw)), true
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
	return replaceFields(v, prefix, func(k int, f string) (string, bool) {
		switch name {
		case "ssrc":
			if k == 0 {
				return b.ssrcField(f)
			}
			if k == 1 {
				for _, p := range [...]string{"cname:", "msid:", "mslabel:", "label:"} {
					if strings.HasPrefix(f, p) {
						msidSSRC = p == "msid:"
						out, ok := b.idField(f[len(p):])
						return p + out, ok
					}
				}
			}
			if k == 2 && msidSSRC {
				return b.idField(f)
			}
		case "ssrc-group":
			if k >= 1 {
				return b.ssrcField(f)
			}
		case "msid":
			if k <= 1 {
				return b.idField(f)
			}
		case "msid-semantic":
			if k >= 1 && f != "*" {
				return b.idField(f)
			}
		}
		return "", false
	})
}

// ssrcField lifts an SSRC field: a decimal 0..2^32-1 without leading zeros.
func (b *skelBuilder) ssrcField(f string) (string, bool) {
	v, ok := parseDecimal(f, 1<<32-1)
	if !ok {
		return "", false
	}
	i := 0
	for i < len(b.s.ssrcs) && b.s.ssrcs[i] != uint32(v) {
		i++
	}
	if i == len(b.s.ssrcs) {
		b.s.ssrcs = append(b.s.ssrcs, uint32(v))
	}
	return tableRef(mkSSRC, mkSSRCOld, i, b.ssrcOrigin), true
}

// idField lifts an identifier field, its braces stripped.
func (b *skelBuilder) idField(f string) (string, bool) {
	open, close := "", ""
	if len(f) >= 3 && f[0] == '{' && f[len(f)-1] == '}' {
		open, close, f = "{", "}", f[1:len(f)-1]
	}
	if f == "" {
		return "", false
	}
	i := 0
	for i < len(b.s.ids) && b.s.ids[i] != f {
		i++
	}
	if i == len(b.s.ids) {
		b.s.ids = append(b.s.ids, f)
	}
	if open == "" {
		return tableRef(mkString, mkStringOld, i, b.idOrigin), true
	}
	return open + tableRef(mkString, mkStringOld, i, b.idOrigin) + close, true
}

// digest returns the table index of a digest, adding it when new.
func (b *skelBuilder) digest(raw []byte) int {
	for i, d := range b.s.digests {
		if string(d) == string(raw) {
			return i
		}
	}
	b.s.digests = append(b.s.digests, raw)
	return len(b.s.digests) - 1
}

// parseDigest parses 1 to 64 two-hex-digit groups joined by ':' whose
// letters are all upper case or all lower case, and returns the marker of
// its spelling: mkDigestLow when it has a lower-case letter, else
// mkDigestUp.
func parseDigest(s string) (raw []byte, mk byte, ok bool) {
	if (len(s)+1)%3 != 0 || len(s) < 2 || len(s) > 64*3-1 {
		return nil, 0, false
	}
	upper, lower := false, false
	raw = make([]byte, 0, (len(s)+1)/3)
	for i := 0; i < len(s); i += 3 {
		if i+2 < len(s) && s[i+2] != ':' {
			return nil, 0, false
		}
		var v [2]byte
		for k := 0; k < 2; k++ {
			c := s[i+k]
			switch {
			case c >= '0' && c <= '9':
				v[k] = c - '0'
			case c >= 'a' && c <= 'f':
				v[k], lower = c-'a'+10, true
			case c >= 'A' && c <= 'F':
				v[k], upper = c-'A'+10, true
			default:
				return nil, 0, false
			}
		}
		raw = append(raw, v[0]<<4|v[1])
	}
	switch {
	case upper && lower:
		return nil, 0, false
	case lower:
		return raw, mkDigestLow, true
	}
	return raw, mkDigestUp, true
}

// replaceFields returns prefix + v with some of v's fields (SPEC.md §3.1:
// runs of characters other than SP and TAB) replaced: f is called with
// each field's index (0-based) and text, and returns its replacement and
// true, or false to keep it. Separators are kept as they are.
func replaceFields(v, prefix string, f func(k int, field string) (string, bool)) string {
	var out strings.Builder
	out.Grow(len(prefix) + len(v))
	out.WriteString(prefix)
	k := 0
	for i := 0; i < len(v); {
		j := i
		for j < len(v) && (v[j] == ' ' || v[j] == '\t') {
			j++
		}
		out.WriteString(v[i:j])
		i = j
		for j < len(v) && v[j] != ' ' && v[j] != '\t' {
			j++
		}
		if j > i {
			if r, ok := f(k, v[i:j]); ok {
				out.WriteString(r)
			} else {
				out.WriteString(v[i:j])
			}
			k++
		}
		i = j
	}
	return out.String()
}
