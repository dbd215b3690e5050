package codec

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// SDP text handling (SPEC.md §3.1): splitting into lines and the validity
// rules whose violation is the invalid-sdp error class.

// sdpLine is one "<type>=<value>" line of a description.
type sdpLine struct {
	typ  byte
	num  int    // 1-based line number in the input
	text string // the whole line, "<typ>=<value>"
}

// value returns the line's value, what follows "<typ>=".
func (l *sdpLine) value() string { return l.text[2:] }

// parsedSDP is a description split into its session part and media sections.
type parsedSDP struct {
	session []sdpLine
	media   [][]sdpLine // each section starts with its m= line
	count   int         // number of lines
	all     []sdpLine   // every line in order
	normal  bool        // the text was its own normal form (isNormalForm)
}

// splitLines returns the non-empty lines of text with CR removed; it is the
// normalisation of SPEC.md §3.1 step 1.
func splitLines(text string) []string {
	lines := make([]string, 0, strings.Count(text, "\n")+1)
	for len(text) > 0 {
		i := strings.IndexByte(text, '\n')
		var ln string
		if i < 0 {
			ln, text = text, ""
		} else {
			ln, text = text[:i], text[i+1:]
		}
		ln = strings.TrimSuffix(ln, "\r")
		if ln != "" {
			lines = append(lines, ln)
		}
	}
	return lines
}

// isNormalForm reports whether text is its own normal form, that is
// whether strings.Join(splitLines(text), "\n") == text: no empty line, no
// line ending in CR, no line break at either end.
func isNormalForm(text string) bool {
	if text == "" {
		return true
	}
	last := text[len(text)-1]
	return text[0] != '\n' && last != '\n' && last != '\r' &&
		!strings.Contains(text, "\n\n") && !strings.Contains(text, "\r\n")
}

// sdpErr is an invalid-sdp error at the 1-based line number line (0 when
// it concerns no one line).
func sdpErr(line int, format string, a ...any) *Error {
	e := errf(ErrInvalidSDP, -1, "line", format, a...)
	e.Line = max(line, 0)
	return e
}

// nextLine returns the first line of text (without its LF and one CR),
// the rest, and whether a CR was removed.
func nextLine(text string) (line, rest string, cr bool) {
	i := strings.IndexByte(text, '\n')
	if i < 0 {
		line, rest = text, ""
	} else {
		line, rest = text[:i], text[i+1:]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1], rest, true
	}
	return line, rest, false
}

// parseSDP splits and validates a description (SPEC.md §3.1).
func parseSDP(text string) (*parsedSDP, error) {
	return parseSDPPlain(text, false)
}

// parseSDPPlain is parseSDP for a text the caller may already know to be
// plain (isPlainText); plain false means not known.
func parseSDPPlain(text string, plain bool) (*parsedSDP, error) {
	// Most descriptions are printable ASCII: one fast pass then stands for
	// the UTF-8 check and the per-line control-character check.
	plain = plain || isPlainText(text)
	if !plain && !utf8.ValidString(text) {
		return nil, sdpErr(-1, "not UTF-8 text")
	}
	// One allocation holds every line; sections are sub-slices of it.
	all := make([]sdpLine, 0, strings.Count(text, "\n")+1)
	p := &parsedSDP{normal: text == "" || text[len(text)-1] != '\n'}
	var st sdpState
	nm := 0 // m= lines so far
	num := 0
	for rest := text; len(rest) > 0; {
		var ln string
		var cr bool
		ln, rest, cr = nextLine(rest)
		if cr {
			p.normal = false
		}
		if ln == "" {
			p.normal = false
			continue
		}
		i := num
		num++
		if err := lineSyntax(ln, num, plain); err != nil {
			return nil, err
		}
		// Checked in place: the line is not copied again.
		all = append(all, sdpLine{typ: ln[0], num: num, text: ln})
		l := &all[len(all)-1]
		if err := st.check(l, i, nm > 0); err != nil {
			return nil, err
		}
		if l.typ == 'm' {
			nm++
		}
	}
	if num == 0 {
		return nil, sdpErr(-1, "empty description")
	}
	p.session, p.media = splitSections(all, nm)
	p.count = num
	p.all = all
	if !st.seenO || !st.seenS {
		return nil, sdpErr(-1, "missing o= or s= line")
	}
	if !st.seenT {
		return nil, sdpErr(-1, "missing t= line")
	}
	if err := p.checkBundle(); err != nil {
		return nil, err
	}
	return p, nil
}

// splitSections cuts all, whose nm m= lines start its media sections, into
// the session part and the sections, in one allocation. Every part but the
// last has its capacity cut at its end, so that an append to it copies.
func splitSections(all []sdpLine, nm int) (session []sdpLine, media [][]sdpLine) {
	start := -1 // index in all of the current media section's m= line
	if nm > 0 {
		media = make([][]sdpLine, 0, nm)
	}
	for i, l := range all {
		if l.typ != 'm' {
			continue
		}
		if start >= 0 {
			media = append(media, all[start:i:i])
		} else {
			session = all[:i:i]
		}
		start = i
	}
	if start < 0 {
		return all, nil
	}
	return session, append(media, all[start:])
}

// lineSyntax checks that ln, the line numbered num, is <type>=<value> with
// a type a–z and, unless the text is known to be plain, no control
// character (SPEC.md §3.1 rule 2).
func lineSyntax(ln string, num int, plain bool) error {
	if len(ln) < 2 || ln[1] != '=' || ln[0] < 'a' || ln[0] > 'z' {
		return sdpErr(num, "%q is not a <type>=<value> line", clip(ln))
	}
	if !plain {
		for j := 0; j < len(ln); j++ {
			if c := ln[j]; (c < 0x20 && c != '\t') || c == 0x7f {
				return sdpErr(num, "control character in line")
			}
		}
	}
	return nil
}

// sdpState is what the parser has seen, for the rules of SPEC.md §3.1 that
// relate lines (3 and 4).
type sdpState struct{ seenO, seenS, seenT bool }

// check applies §3.1 rules 1–7 to line l, the i-th (0-based), inMedia when
// it follows an m= line.
func (st *sdpState) check(l *sdpLine, i int, inMedia bool) error {
	num := l.num
	if i == 0 && (l.typ != 'v' || l.value() != "0") {
		return sdpErr(num, "first line must be v=0, not %q", clip(string(l.typ)+"="+l.value()))
	}
	switch l.typ {
	case 'v':
		if i != 0 {
			return sdpErr(num, "v= line after the first line")
		}
	case 'o':
		if inMedia || st.seenO || i != 1 {
			return sdpErr(num, "o= must be the second line, once")
		}
		var fb [8]string
		f := fields(l.value(), fb[:0])
		if len(f) != 6 {
			return sdpErr(num, "o= needs 6 fields, has %d", len(f))
		}
		if !validAddress(f[5]) {
			return sdpErr(num, "o= address %q is not an IP address or domain name", clip(f[5]))
		}
		st.seenO = true
	case 's':
		if i != 2 {
			return sdpErr(num, "s= must be the third line, once")
		}
		st.seenS = true
	case 't':
		if inMedia {
			return sdpErr(num, "t= inside a media section")
		}
		var fb [4]string
		if len(fields(l.value(), fb[:0])) != 2 {
			return sdpErr(num, "t= needs start and stop times")
		}
		st.seenT = true
	case 'm':
		if !st.seenO || !st.seenS {
			return sdpErr(num, "m= before o= and s=")
		}
		return checkMediaLine(*l)
	case 'c':
		return checkConnection(*l)
	case 'a':
		if !isTokenBefore(l.value(), ':') {
			name, _, _ := strings.Cut(l.value(), ":")
			return sdpErr(num, "attribute name %q is not a token", clip(name))
		}
	}
	return nil
}

// checkBundle verifies that every identification tag in a BUNDLE group
// names a media section (RFC 8843 §7.1). The mids are gathered once, so
// the check is linear in the description.
func (p *parsedSDP) checkBundle() error {
	var midBuf [16]string
	var mids []string       // the mids, when there are few
	var set map[string]bool // or their set
	gathered := false
	for _, l := range p.session {
		v, ok := attr(l, "group")
		if !ok {
			continue
		}
		var fb [16]string
		f := fields(v, fb[:0])
		if len(f) == 0 || f[0] != "BUNDLE" {
			continue
		}
		if !gathered {
			mids, gathered = p.appendMids(midBuf[:0]), true
			if len(mids) > len(midBuf) {
				set = midSet(mids) // a linear search would be quadratic
			}
		}
		for _, m := range f[1:] {
			if set != nil && !set[m] || set == nil && !slices.Contains(mids, m) {
				return sdpErr(l.num, "BUNDLE group names mid %q that no media section has", clip(m))
			}
		}
	}
	return nil
}

// appendMids appends to dst the a=mid values of the media sections.
func (p *parsedSDP) appendMids(dst []string) []string {
	for _, sec := range p.media {
		for _, l := range sec {
			if v, ok := attr(l, "mid"); ok {
				dst = append(dst, v)
			}
		}
	}
	return dst
}

// midSet returns the set of mids.
func midSet(mids []string) map[string]bool {
	set := make(map[string]bool, len(mids))
	for _, m := range mids {
		set[m] = true
	}
	return set
}

// attr returns the value of attribute line l when it is a=name or
// a=name:value.
func attr(l sdpLine, name string) (string, bool) {
	if l.typ != 'a' || !hasPrefix(l.value(), name) {
		return "", false
	}
	rest := l.value()[len(name):]
	if rest == "" {
		return "", true
	}
	if rest[0] != ':' {
		return "", false
	}
	return rest[1:], true
}

// hasPrefix is strings.HasPrefix for a prefix p that is not empty: its
// first byte, compared first, turns most lines away without a call.
func hasPrefix(s, p string) bool {
	return len(s) >= len(p) && s[0] == p[0] && s[:len(p)] == p
}

func checkMediaLine(l sdpLine) error {
	// Only the first four fields count: a video m= line's many formats
	// are not split.
	var fb [4]string
	f := firstFields(l.value(), fb[:0])
	if len(f) < 4 {
		return sdpErr(l.num, "m= needs media, port, proto and a format")
	}
	port, _, _ := strings.Cut(f[1], "/")
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return sdpErr(l.num, "m= port %q is not a port number", clip(f[1]))
	}
	return nil
}

func checkConnection(l sdpLine) error {
	var fb [4]string
	f := fields(l.value(), fb[:0])
	if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return sdpErr(l.num, "c= must be IN IP4|IP6 <address>")
	}
	addr, _, _ := strings.Cut(f[2], "/")
	if !validAddress(addr) {
		return sdpErr(l.num, "c= address %q is not an IP address or domain name", clip(addr))
	}
	return nil
}

// validAddress reports whether s is an IP literal or a domain name.
func validAddress(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	return isDomainName(s)
}

// isDomainName reports whether s is made of letters, digits, '-' and '.',
// with no empty label except a trailing dot (RFC 1035 preferred syntax,
// relaxed to allow labels starting with a digit).
func isDomainName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	s = strings.TrimSuffix(s, ".")
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// isToken reports whether s is an RFC 8866 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChar[s[i]] {
			return false
		}
	}
	return true
}

// isTokenBefore reports whether the part of s before the first stop byte
// (all of s if there is none) is a token.
func isTokenBefore(s string, stop byte) bool {
	i := 0
	for i < len(s) && s[i] != stop {
		if !tokenChar[s[i]] {
			return false
		}
		i++
	}
	return i > 0
}

// tokenChar holds the characters of a token: printable ASCII other than
// space and the separators.
var tokenChar = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = strings.IndexByte("\"(),/:;<=>?@[\\]", byte(c)) < 0
	}
	return t
}()

// isPlainText reports whether text is printable ASCII, TAB and line
// breaks only, a CR appearing only before an LF or at the very end: text
// that is valid UTF-8 and whose lines (as nextLine splits them) hold no
// control character. It tests eight bytes at a time.
func isPlainText(text string) bool {
	b := unsafe.Slice(unsafe.StringData(text), len(text)) // read only
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if bad := notPrintable(x); bad != 0 && !plainWord(text, i, x, bad) {
			return false
		}
	}
	for ; i < len(text); i++ {
		if !plainByte(text, i) {
			return false
		}
	}
	return true
}

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// notPrintable returns x, eight bytes, with the high bit of each byte that
// is not printable ASCII (below 0x20 or from 0x7f on) set, and no other
// bit. Per byte, exactly: no carry crosses bytes.
func notPrintable(x uint64) uint64 {
	lo7 := x &^ swarHigh
	low := ^(lo7 + swarOnes*0x60) &^ x & swarHigh
	return low | ((lo7+swarOnes)|x)&swarHigh
}

// byteIs returns x, eight bytes, with the high bit of each byte equal to c
// set, and no other bit (c below 0x80).
func byteIs(x uint64, c byte) uint64 {
	d := x ^ swarOnes*uint64(c)
	return ^((d &^ swarHigh) + swarOnes*0x7f) &^ d & swarHigh
}

// plainWord reports whether the eight bytes x of text at i, whose bytes
// that are not printable ASCII are bad (notPrintable, not 0), are plain
// (plainByte holds for each).
func plainWord(text string, i int, x, bad uint64) bool {
	lf := byteIs(x, '\n')
	if bad &^= lf | byteIs(x, '\t'); bad == 0 {
		return true
	}
	// CRLF text: a CR followed by an LF in the same word passes
	// without the byte-by-byte scan (the CR of byte 7 does not).
	cr := byteIs(x, '\r')
	if bad&^cr|(cr<<8)&^lf|cr>>63 == 0 {
		return true
	}
	for j := i; j < i+8; j++ {
		if !plainByte(text, j) {
			return false
		}
	}
	return true
}

func plainByte(text string, i int) bool {
	switch c := text[i]; {
	case c >= 0x20 && c < 0x7f, c == '\t', c == '\n':
		return true
	case c == '\r':
		return i+1 == len(text) || text[i+1] == '\n'
	}
	return false
}

// fields splits s at runs of spaces and tabs like strings.Fields does for
// SDP text, appending to buf (so a caller's array can hold the result).
func fields(s string, buf []string) []string {
	return splitFields(s, buf, -1)
}

// splitFields is fields, stopping once buf holds most fields (most < 0:
// all of them).
func splitFields(s string, buf []string, most int) []string {
	i := 0
	for i < len(s) && len(buf) != most {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j > i {
			buf = append(buf, s[i:j])
		}
		i = j
	}
	return buf
}

// firstFields is fields, stopping once buf is full (len(buf) == cap(buf)).
func firstFields(s string, buf []string) []string {
	return splitFields(s, buf, cap(buf))
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
