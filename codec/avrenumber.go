package codec

import (
	"strconv"
	"strings"
	"sync"
)

// Renumbered profiles (AVFORM §14.5): a stack version that numbers its
// codecs' payload types or its header extensions' ids otherwise than the
// profile of its stack (Chromium has renumbered its video formats as it
// added AV1 and H.265; Firefox its extension ids) writes the profile's
// lines with other numbers. A part codes against the profile renumbered:
// RENUMBER, the varints 11 17 right after a profile's base number,
// followed by the pairs of numbers to replace, and the profile's lines
// with those numbers replaced are the base.

// renumberCode follows PERM's varint in place of a PERM's n − 2 (15 is
// MIRROR's, 16 VERSION's); renumberOfferCode, RENUMBER AS OFFER's, is
// the next.
const (
	renumberCode      = mirrorCode + 2
	renumberOfferCode = renumberCode + 1
)

// Number kinds: a payload type, below 128, and a header extension id,
// below 256.
const (
	numPT = iota
	numExt
)

// numLimit is each kind's bound: a number is a decimal below it.
var numLimit = [2]int{128, 256}

// numMap is a renumbering: to[kind][n] is one more than what number n
// becomes, 0 when it stays; from is the inverse.
type numMap struct {
	to, from [2][256]uint16
	pairs    [2]int // the numbers of pairs
}

func newNumMap() *numMap { return &numMap{} }

// reset empties m, clearing only the entries its pairs set.
func (m *numMap) reset() {
	for kind := range m.to {
		if m.pairs[kind] == 0 {
			continue
		}
		for f, t := range m.to[kind] {
			if t != 0 {
				m.to[kind][f], m.from[kind][t-1] = 0, 0
			}
		}
		m.pairs[kind] = 0
	}
}

// image returns what number n of kind becomes, -1 when it stays.
func (m *numMap) image(kind, n int) int { return int(m.to[kind][n]) - 1 }

// set records from → to of kind, when neither is in a pair of that kind
// already; it reports whether it did.
func (m *numMap) set(kind, from, to int) bool {
	if m.to[kind][from] != 0 || m.from[kind][to] != 0 {
		return false
	}
	m.to[kind][from], m.from[kind][to] = uint16(to+1), uint16(from+1)
	m.pairs[kind]++
	return true
}

// target returns the number whose pair of kind ends at n, -1 for none.
func (m *numMap) target(kind, n int) int {
	return int(m.from[kind][n]) - 1
}

// numAt reads a number of kind at l[k:]: a decimal without leading zeros
// below the kind's limit, ending at end (the first byte that is no digit).
func numAt(l string, k, kind int) (n, end int, ok bool) {
	end = k
	for end < len(l) && l[end] >= '0' && l[end] <= '9' {
		end++
	}
	if end == k || end-k > 3 || (l[k] == '0' && end-k > 1) {
		return 0, end, false
	}
	for i := k; i < end; i++ {
		n = 10*n + int(l[i]-'0')
	}
	return n, end, n < numLimit[kind]
}

// numToken is one number of a line: its kind, value and place.
type numToken struct {
	kind, n, start, end int
}

// numTokens returns the numbers of a skeleton line that renumbering
// replaces, left to right: the payload type after `a=rtpmap:`, `a=fmtp:`
// or `a=rtcp-fb:` (up to the first SP or the end), and in an `a=fmtp:`
// line's parameters (after its first SP, split at `;`) the value of an
// `apt=` parameter and each number of a parameter that is two or more
// numbers joined by `/` (RFC 2198 redundancy); the id after `a=extmap:`
// (up to the first `/`, SP or the end). A token must end where the rule
// says (`a=rtpmap:96x` has none).
func numTokens(buf []numToken, l string) []numToken {
	out := buf[:0]
	kind, k := numPT, 0
	switch {
	case strings.HasPrefix(l, "a=rtpmap:"):
		k = len("a=rtpmap:")
	case strings.HasPrefix(l, "a=fmtp:"):
		k = len("a=fmtp:")
	case strings.HasPrefix(l, "a=rtcp-fb:"):
		k = len("a=rtcp-fb:")
	case strings.HasPrefix(l, "a=extmap:"):
		kind, k = numExt, len("a=extmap:")
	default:
		return out
	}
	n, end, ok := numAt(l, k, kind)
	if ok && (end == len(l) || l[end] == ' ' || kind == numExt && l[end] == '/') {
		out = append(out, numToken{kind, n, k, end})
	}
	if !strings.HasPrefix(l, "a=fmtp:") {
		return out
	}
	sp := strings.IndexByte(l, ' ')
	if sp < 0 {
		return out
	}
	for p := sp + 1; p <= len(l); {
		e := strings.IndexByte(l[p:], ';')
		if e < 0 {
			e = len(l) - p
		}
		out = paramTokens(out, l, p, p+e)
		p += e + 1
	}
	return out
}

// paramTokens appends the numbers of the fmtp parameter l[p:e] (numTokens).
func paramTokens(out []numToken, l string, p, e int) []numToken {
	if strings.HasPrefix(l[p:e], "apt=") {
		if n, end, ok := numAt(l, p+4, numPT); ok && end == e {
			out = append(out, numToken{numPT, n, p + 4, end})
		}
		return out
	}
	before := len(out)
	for k := p; ; {
		n, end, ok := numAt(l, k, numPT)
		if !ok || end != e && l[end] != '/' || end > e {
			return out[:before]
		}
		out = append(out, numToken{numPT, n, k, end})
		if end == e {
			break
		}
		k = end + 1
	}
	if len(out)-before < 2 {
		return out[:before]
	}
	return out
}

// renumber returns the lines with m applied to every number at once (a
// line that keeps its numbers is the same string).
func renumber(lines []string, m *numMap) []string {
	out := make([]string, len(lines))
	var buf []numToken
	for i, l := range lines {
		buf = numTokens(buf, l)
		out[i] = l
		if m.changes(buf) {
			out[i] = string(appendRenumbered(nil, l, buf, m))
		}
	}
	return out
}

// changes reports whether m changes one of the numbers toks.
func (m *numMap) changes(toks []numToken) bool {
	for _, t := range toks {
		if m.image(t.kind, t.n) >= 0 {
			return true
		}
	}
	return false
}

// renumberProfile is renumber of profile k, whose lines' numbers it finds
// once per process (profileTokens), in dst's storage; the lines it
// changes share one string, made first in all's storage, which it returns.
func renumberProfile(dst []string, all []byte, k int, m *numMap) ([]string, []byte) {
	p, toks := avProfiles[k], profileTokens()[k]
	out := append(dst[:0], p...)
	all = all[:0]
	var changed []int32 // each changed line's place, then where it ends in all
	for i, tk := range toks {
		if m.changes(tk) {
			all = appendRenumbered(all, p[i], tk, m)
			changed = append(changed, int32(i), int32(len(all)))
		}
	}
	big, start := string(all), int32(0)
	for x := 0; x < len(changed); x += 2 {
		out[changed[x]] = big[start:changed[x+1]]
		start = changed[x+1]
	}
	return out, all
}

// appendRenumbered appends line l, whose numbers are toks, with m applied.
func appendRenumbered(dst []byte, l string, toks []numToken, m *numMap) []byte {
	last := 0
	for _, t := range toks {
		if to := m.image(t.kind, t.n); to >= 0 {
			dst = strconv.AppendInt(append(dst, l[last:t.start]...), int64(to), 10)
			last = t.end
		}
	}
	return append(dst, l[last:]...)
}

// profileTokens holds the numbers of every line of every profile.
var profileTokens = sync.OnceValue(func() [][][]numToken {
	out := make([][][]numToken, len(avProfiles))
	for k, p := range avProfiles {
		out[k] = make([][]numToken, len(p))
		for i, l := range p {
			out[k][i] = numTokens(nil, l)
		}
	}
	return out
})

// appendRenumber appends RENUMBER with map m: the varints 11 17, then for
// payload types and then for extension ids the varint number of pairs and
// the pairs in ascending order, each as pairValue.
func appendRenumber(dst []byte, m *numMap) []byte {
	dst = append(dst, permValue, renumberCode)
	for kind := range m.to {
		dst = appendVarint(dst, uint64(m.pairs[kind]))
		last, shift := -1, 0
		for f := range m.to[kind] {
			if t := m.image(kind, f); t >= 0 {
				gap, s := f-last-1, t-f
				dst = appendVarint(dst, pairValue(gap, s-shift))
				if gap >= pairGapMax {
					dst = appendVarint(dst, uint64(gap-pairGapMax))
				}
				last, shift = f, s
			}
		}
	}
	return dst
}

// pairGapMax is the greatest gap a pair's varint holds itself: a pair
// z → x after a pair z' → x' has the gap z − z' − 1 (z' = −1 before the
// first pair) and the shift x − z, and a stack that renumbered its codecs
// moved most of them by the shift of the one before, in order.
const pairGapMax = 7

// pairValue is a pair's varint: 8·zigzag(the change of shift) + the gap
// up to pairGapMax (a greater gap follows as a varint of its own).
func pairValue(gap, dShift int) uint64 {
	z := uint64(2 * dShift)
	if dShift < 0 {
		z = uint64(-2*dShift - 1)
	}
	return z<<3 | uint64(min(gap, pairGapMax))
}

// readRenumber reads the RENUMBER or RENUMBER AS OFFER at edits[*p]
// (after the base number of profile k; mo is the renumbering of the
// offer's part of the same index, nil when none) when there is one, and
// returns the profile's lines, renumbered when it read one (renumbered);
// msg names the fault of a malformed one.
func readRenumber(edits []byte, p *int, k int, mo *numMap) (lines []string, renumbered bool, msg string) {
	m := mo
	if isRenumberAsOffer(edits, *p) {
		*p += 2
		if mo == nil || !renumbersProfile(mo, k) {
			return avProfiles[k], false, "RENUMBER AS OFFER without an offer's renumbering that changes the profile"
		}
	} else if m, msg = parseRenumber(edits, p); m == nil || msg != "" {
		return avProfiles[k], false, msg
	}
	lines, _ = renumberProfile(nil, nil, k, m)
	return lines, true, ""
}

// isRenumberAsOffer reports whether RENUMBER AS OFFER, the varints 11 18,
// is at edits[p] (after a profile's base number).
func isRenumberAsOffer(edits []byte, p int) bool {
	return p+1 < len(edits) && edits[p] == permValue && edits[p+1] == renumberOfferCode
}

// renumbersProfile reports whether m changes a number of profile k.
func renumbersProfile(m *numMap, k int) bool {
	for _, tk := range profileTokens()[k] {
		if m.changes(tk) {
			return true
		}
	}
	return false
}

// parseRenumber reads the RENUMBER at edits[*p] (after a profile's base
// number): its map, nil when there is none (edits[*p] is not 0x0B 0x11);
// msg names the fault of a malformed one.
func parseRenumber(edits []byte, p *int) (m *numMap, msg string) {
	if *p+1 >= len(edits) || edits[*p] != permValue || edits[*p+1] != renumberCode {
		return nil, ""
	}
	*p += 2
	m = newNumMap()
	for kind := range m.to {
		n, ok := readVarint(edits, p)
		if !ok || n > uint64(numLimit[kind]) {
			return m, "RENUMBER truncated or of too many pairs"
		}
		last, shift := -1, 0
		for range n {
			v, ok := readVarint(edits, p)
			gap := int(v & pairGapMax)
			if gap == pairGapMax && ok {
				var more uint64
				more, ok = readVarint(edits, p)
				gap += int(more)
			}
			d := int(v >> 4)
			if v>>3&1 == 1 {
				d = -d - 1
			}
			f, t := last+1+gap, last+1+gap+shift+d
			if !ok || f >= numLimit[kind] || t < 0 || t >= numLimit[kind] {
				return m, "RENUMBER truncated or of a number past its kind's limits"
			}
			if f == t || !m.set(kind, f, t) {
				return m, "RENUMBER pairs not distinct or of a number to itself"
			}
			last, shift = f, t-f
		}
	}
	if m.pairs[numPT]+m.pairs[numExt] == 0 {
		return m, "RENUMBER without a pair"
	}
	return m, ""
}

// renumberWeight is what each byte of a RENUMBER counts in the cost of a
// base (AVFORM §14.5): the cost counts inserted lines uncompressed, and
// the lines a renumbering saves are a profile's, which the text item's
// dictionary packs several to one; at weight 1 a renumbered base won parts
// whose code came out larger, and at 8 (with RENUMBER's pairs by gap and
// shift) two of the corpus's; 10 and 11 made every description of the
// corpus and testdata/av as small as or smaller than 8 and 12 did.
const renumberWeight = 10
