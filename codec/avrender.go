package codec

import (
	"encoding/binary"
	"strconv"
	"strings"
	"unsafe"
)

// Rendering an A/V skeleton and its tables as the description (AVFORM §5).

// avSessionID is the o= session id the decoder writes: SPEC.md §3.5's
// <sess-id> from the first digest, 0 without digests.
func (s *avSkel) sessionID() uint64 {
	if len(s.digests) == 0 {
		return 0
	}
	var b [8]byte
	copy(b[:], s.digests[0])
	return binary.BigEndian.Uint64(b[:]) &^ (1 << 63)
}

// render builds the description of a skeleton and its tables (AVFORM §5):
// markers replaced, lines joined by CRLF with a final CRLF, at most maxSDP
// bytes.
func (s *avSkel) render(maxSDP int) (string, error) {
	count, size, lines := 0, 0, 0
	for _, part := range s.parts {
		lines += len(part)
		for _, l := range part {
			if isCandidateMarker(l) {
				count++
			}
			size += len(l) + 2
		}
	}
	if count != len(s.cands) {
		return "", errf(ErrMalformed, -1, "skeleton", "%d candidate lines for %d candidates", count, len(s.cands))
	}
	r := renderer{s: s, maxSDP: maxSDP, idsPlain: allPlain(s.ids)}
	// Markers expand: a candidate line by about 100 bytes, a line by 8 on
	// average in the descriptions of testdata/av, so that the buffer
	// seldom grows.
	r.b.Grow(min(size+100*count+8*lines+256, maxSDP+1))
	ci := 0
	for pi, part := range s.parts {
		r.inSession, r.part, r.pts = pi == 0, part, nil
		r.ssrcOrigin, r.idOrigin = r.ssrcTop, r.idTop
		own, bundleOnly, err := r.transportOf(part, ci)
		if err != nil {
			return "", err
		}
		r.mark = r.first
		if !own && bundleOnly && pi > 0 {
			r.mark = &placeholderBundleOnly
		}
		for _, l := range part {
			if isCandidateMarker(l) {
				candidateLine(&r.b, s.cands[ci], ci)
				r.checkPlain(s.cands[ci].addr) // the rest of the line is ASCII
				ci++
			} else if err := r.line(l); err != nil {
				return "", err
			}
			if r.b.Len() > maxSDP {
				return "", r.overLimit()
			}
		}
	}
	// Lines joined by CRLF of plain bytes are plain text (isPlainText):
	// the check of the description need not scan it again.
	s.renderedPlain = !r.notPlain
	return r.b.String(), nil
}

// transportOf sets r.first to the transport candidate of a part whose
// first candidate line renders candidate ci (AVFORM §2): the candidate of
// its 0x14 line, else of its first candidate line; own reports that the
// part has a candidate line, bundleOnly that it holds a=bundle-only. A
// part with two 0x14 lines is malformed.
func (r *renderer) transportOf(part []string, ci int) (own, bundleOnly bool, err error) {
	n, marked := 0, false
	for _, l := range part {
		if isCandidateMarker(l) {
			if l[0] == mkTransport && marked {
				return false, false, renderBad("two transport candidate lines (0x14) in a part")
			}
			if n == 0 || l[0] == mkTransport {
				r.first = &r.s.cands[ci+n]
			}
			marked = marked || l[0] == mkTransport
			n++
		}
		bundleOnly = bundleOnly || l == "a=bundle-only"
	}
	return n > 0, bundleOnly, nil
}

// renderer writes the lines of one rendering.
type renderer struct {
	s         *avSkel
	b         strings.Builder
	maxSDP    int
	first     *candidate // the current part's transport candidate, or nil
	mark      *candidate // what 0x02 and 0x03 render in the part: first, or a placeholder
	cLine     bool       // the current line is a c= line (0x03 of an mDNS name: 0.0.0.0)
	inSession bool       // the current part is part 0
	notPlain  bool       // a byte written, other than a line's CRLF, is not TAB or 0x20 to 0x7e
	idsPlain  bool       // every identifier of the table is plain: none is checked as written
	part      []string   // the current part
	pts       []byte     // the current part's payload types for 0x10, made when first used
	mids      string     // what 0x13 renders, made when first used (midsDone)
	midsDone  bool
	midsBad   bool   // a media part's first a=mid line has no value, or a byte below 0x21
	ptsBuf    []byte // pts' storage, kept from part to part
	// 1 + the greatest SSRC and identifier index rendered so far, and
	// their values at the start of the current part (its origins).
	ssrcTop, idTop, ssrcOrigin, idOrigin int
}

// checkPlain notes whether v, written by the renderer, is plain: TAB and
// 0x20 to 0x7e only. The digits and hex digits it writes are.
func (r *renderer) checkPlain(v string) {
	if !isPlainString(v) {
		r.notPlain = true
	}
}

// isPlainString reports whether v is TAB and 0x20 to 0x7e only.
func isPlainString(v string) bool {
	for k := 0; k < len(v); k++ {
		if c := v[k]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

// allPlain reports whether every string of vs is plain (isPlainString).
func allPlain(vs []string) bool {
	for _, v := range vs {
		if !isPlainString(v) {
			return false
		}
	}
	return true
}

func (r *renderer) overLimit() error {
	return errf(ErrLimit, -1, "sdp", "decoded description over the limit of %d", r.maxSDP)
}

func renderBad(format string, a ...any) error {
	return errf(ErrMalformed, -1, "skeleton", format, a...)
}

// line writes one skeleton line other than a candidate line, its markers
// rendered, and CRLF.
func (r *renderer) line(l string) error {
	r.cLine = strings.HasPrefix(l, "c=")
	for k := 0; k < len(l); k++ {
		if c := l[k]; c >= 0x20 || c == '\t' {
			run := plainRun(l, k)
			for ; run < len(l); run++ {
				if c := l[run]; c < 0x20 && c != '\t' {
					break
				} else if c >= 0x7f {
					r.notPlain = true
				}
			}
			r.b.WriteString(l[k:run])
			k = run - 1
			continue
		}
		// A line of markers can expand far: the limit is checked before
		// each one.
		if r.b.Len() > r.maxSDP {
			return r.overLimit()
		}
		n, err := r.marker(l[k], l[k+1:])
		if err != nil {
			return err
		}
		k += n
	}
	r.b.WriteString("\r\n")
	return nil
}

// plainRun returns the end of the run of plain bytes (TAB and 0x20 to
// 0x7e) of l from k on, eight at a time: the first eight bytes from k on
// that are not all plain are left to the caller's byte loop, which then
// finds the same end. It reads the bytes as isPlainText does.
func plainRun(l string, k int) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	b := unsafe.Slice(unsafe.StringData(l), len(l)) // read only
	for ; k+8 <= len(b); k += 8 {
		x := binary.LittleEndian.Uint64(b[k:])
		lo7 := x &^ high
		low := ^(lo7 + ones*0x60) &^ x & high // a byte below 0x20
		tab := ^((lo7 ^ ones*'\t') + ones*0x7f) &^ (x ^ ones*'\t') & high
		top := ((lo7 + ones) | x) & high // a byte from 0x7f on
		if low&^tab|top != 0 {
			break
		}
	}
	return k
}

// marker writes the value of the marker c, rest being the line after it,
// and returns the number of index digits it took from rest.
func (r *renderer) marker(c byte, rest string) (int, error) {
	s := r.s
	switch c {
	case mkPort, mkAddress:
		return 0, r.transport(c)
	case mkPayloads:
		if r.pts == nil {
			pts := r.ptsBuf[:0]
			if pts == nil {
				pts = make([]byte, 0, 64)
			}
			for _, l := range r.part {
				if pt, ok := rtpmapPayload(l); ok {
					pts = append(append(pts, ' '), pt...)
				}
			}
			r.pts, r.ptsBuf = pts, pts
		}
		if r.inSession || len(r.pts) == 0 {
			return 0, renderBad("payload types marker in a part without a=rtpmap lines")
		}
		r.b.Write(r.pts[1:])        // the payload types, each after a space
		r.checkPlain(string(r.pts)) // skeleton text: any byte but a marker's
	case mkMids:
		return 0, r.writeMids()
	case mkUfrag:
		r.checkPlain(s.ufrag)
		r.b.WriteString(s.ufrag)
	case mkPwd:
		r.checkPlain(s.pwd)
		r.b.WriteString(s.pwd)
	case mkSessID:
		writeUint(&r.b, s.sessionID())
	case mkDigestUp, mkDigestLow, mkSSRC, mkString, mkSSRCOld, mkStringOld:
		i, n := markerIndex(rest)
		if i >= 0 && c == mkSSRC {
			i += r.ssrcOrigin
		} else if i >= 0 && c == mkString {
			i += r.idOrigin
		}
		switch {
		case i < 0:
			return n, renderBad("marker without a valid index")
		case (c == mkSSRC || c == mkSSRCOld) && i < len(s.ssrcs):
			r.ssrcTop = max(r.ssrcTop, i+1)
			writeUint(&r.b, uint64(s.ssrcs[i]))
		case (c == mkString || c == mkStringOld) && i < len(s.ids):
			r.idTop = max(r.idTop, i+1)
			if !r.idsPlain {
				r.checkPlain(s.ids[i])
			}
			r.b.WriteString(s.ids[i])
		case (c == mkDigestUp || c == mkDigestLow) && i < len(s.digests):
			digits := "0123456789ABCDEF"
			if c == mkDigestLow {
				digits = hexDigits
			}
			for k, v := range s.digests[i] {
				if k > 0 {
					r.b.WriteByte(':')
				}
				r.b.WriteByte(digits[v>>4])
				r.b.WriteByte(digits[v&15])
			}
		default:
			return n, renderBad("index %d out of range", i)
		}
		return n, nil
	case mkCandidate, mkTransport:
		return 0, renderBad("candidate marker not alone on its line")
	default:
		return 0, renderBad("control byte 0x%02x", c)
	}
	return 0, nil
}

// writeMids writes what 0x13 renders: the mids of the media parts.
func (r *renderer) writeMids() error {
	if !r.midsDone { // once: a line of many markers must not scan every part for each
		r.mids, _, r.midsBad = partMids(r.s.parts[1:])
		r.midsDone = true
	}
	if !r.inSession || r.midsBad {
		return renderBad("mids marker outside the session part, or an a=mid line with no value or a control byte")
	}
	r.checkPlain(r.mids)
	r.b.WriteString(r.mids)
	return nil
}

// markerIndex reads the decimal index after a marker: i is -1 when there
// are no digits, a leading zero or an index beyond any table; n is the
// number of digits.
func markerIndex(s string) (i, n int) {
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || n > 1 && s[0] == '0' || n > 6 {
		return -1, n
	}
	i, _ = strconv.Atoi(s[:n])
	return i, n
}

// transport writes the port (c = 0x02) or address (0x03) of the part's
// transport candidate: the dummy 9, and 0.0.0.0 in a c= line, when its
// address is an mDNS name (isTransportPort).
func (r *renderer) transport(c byte) error {
	if r.inSession || r.mark == nil {
		return renderBad("port or address marker in a part without candidates")
	}
	switch {
	case r.mark.kind == addrMDNS && c == mkPort:
		r.b.WriteByte('9')
	case r.mark.kind == addrMDNS && r.cLine:
		r.b.WriteString("0.0.0.0")
	case c == mkPort:
		writeUint(&r.b, uint64(r.mark.port))
	default:
		r.checkPlain(r.mark.addr)
		r.b.WriteString(r.mark.addr)
	}
	return nil
}
