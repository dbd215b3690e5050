package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/peer-sdp/peer/codec/internal/detflate"
)

// The compact audio/video form (heads 18 and 19, AVFORM §4 and §5):
//
//	head, body, digests, ssrcs, ids, edits, text [, ext]

const (
	headAVOffer  = 18
	headAVAnswer = 19
	avItems      = 7 // without ext
)

// avData is the A/V part of a model.
type avData struct {
	skel  *avSkel    // skeleton parts and tables
	offer [][]string // the offer's skeleton parts, for an answer whose offer is an A/V code
	// offerMaps[x] is the renumbering of the offer's part x read from its
	// RENUMBER (nil: none), for RENUMBER AS OFFER (offerMapsOf).
	offerMaps []*numMap
	profiles  int // decoded codes: the greatest registry profile used as a base, -1 for none
	edits     []byte
	text      []byte     // the inserted lines, each followed by LF
	deflated  []byte     // decoded codes: the text item as received
	sdp       string     // decoded codes: the rendered description
	seeds     []editSeed // decoded codes: each part's base and cost (applyEdits), for checkAV
}

// avModel returns the A/V model of p (AVFORM §1, §2); ok is false when p
// is not A/V-eligible by rules 2, 3 and 5 (the caller checks rules 1 and 4).
func avModel(p *parsedSDP, answer bool, pol *CandidatePolicy) (*model, bool) {
	box := &avModelBox{} // one allocation for the three
	s := &box.s
	if !s.extract(p, pol) {
		return nil, false
	}
	box.a.skel = s
	box.m = model{answer: answer, av: &box.a, ufrag: s.ufrag, pwd: s.pwd, cands: s.cands}
	return &box.m, true
}

// avModelBox holds an A/V model, its A/V data and its skeleton.
type avModelBox struct {
	m model
	a avData
	s avSkel
}

// avEligible reports whether a valid description that is not eligible for
// the compact form is A/V-eligible (AVFORM §1 rules 2, 3 and 5), whatever
// its number of candidates: what avExtract accepts, found without building
// the skeleton.
func avEligible(p *parsedSDP) bool {
	if len(p.media) > maxAVSections {
		return false
	}
	var ufrag, pwd string
	var digests [][]byte
	for i, l := range p.all {
		if l.typ != 'a' {
			continue
		}
		name, v, hasVal := strings.Cut(l.value(), ":")
		switch name {
		case "candidate":
			if i < len(p.session) {
				return false
			}
			if _, _, ok := parseCandidate(v); !ok {
				return false
			}
		case "ice-ufrag", "ice-pwd":
			tab := &ufrag
			if name == "ice-pwd" {
				tab = &pwd
			}
			if !hasVal || !isICEString(v) || len(v) > 255 || *tab != "" && *tab != v {
				return false
			}
			*tab = v
		case "fingerprint":
			hash, digest, ok := strings.Cut(v, " ")
			if !hasVal || !ok || !isToken(hash) || len(hash) > 32 {
				continue
			}
			var rb [64]byte
			raw, _, ok := parseDigest(digest, rb[:0])
			if !ok || slices.ContainsFunc(digests, func(d []byte) bool { return bytes.Equal(d, raw) }) {
				continue
			}
			if digests = append(digests, bytes.Clone(raw)); len(digests) > maxAVDigests {
				return false
			}
		}
	}
	return ufrag != "" && pwd != ""
}

// makeEdits computes the edits and the text of m's skeleton with the
// registry profiles 0 to maxProfile (appendEdits).
func (a *avData) makeEdits(maxProfile int) {
	a.edits, a.text, _ = searchEdits(nil, nil, a.skel.parts, a.offer, a.offerMaps, maxProfile, nil)
}

// avMungeText is the edits text of the text item's dictionary (AVFORM
// §14.6): what applications commonly add to a description by editing its
// text (bandwidth lines, packet times, bitrate and Opus parameters).
const avMungeText = "b=AS:\nb=TIAS:\na=ptime:20\na=maxptime:60\n" +
	"a=fmtp:96 x-google-start-bitrate=;x-google-min-bitrate=;x-google-max-bitrate=\n" +
	"a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;maxaveragebitrate=510000;maxplaybackrate=48000;cbr=1;usedtx=1\n"

// avStoppedText is the stopped sections text of the text item's
// dictionary (AVFORM §14.6): the skeleton m= lines of a stopped or
// rejected audio or video section (port 0, RFC 8829 §5.2.2, RFC 3264 §6),
// which no profile has.
const avStoppedText = "m=video 0 UDP/TLS/RTP/SAVPF \x10\nm=audio 0 UDP/TLS/RTP/SAVPF \x10\n"

// avDictBase is the dictionary of the text item without an offer's
// skeleton: the registry text, then the SDP dictionary, the stopped
// sections text and the edits text,
// so that these stay in the DEFLATE window (the last 32768 bytes).
var avDictBase = sync.OnceValue(func() []byte {
	d := make([]byte, 0, len(avRegistryText)+len(detflate.SDPDictionary)+len(avStoppedText)+len(avMungeText))
	d = append(d, avRegistryText...)
	d = append(d, detflate.SDPDictionary...)
	d = append(d, avStoppedText...)
	d = append(d, avMungeText...)
	detflate.Share(d)
	return d
})

// avDict returns the dictionary of the text item (AVFORM §3 and
// AVFORM-decisions): the registry text, the SDP dictionary, the edits text and the offer's
// skeleton text, of which the DEFLATE coder uses the last 32768 bytes.
func avDict(offer [][]string) []byte {
	if offer == nil {
		return avDictBase()
	}
	return derivedFor(offer).dict
}

// makeAVDict builds avDict(offer) for an offer skeleton (not nil): the
// last WindowSize bytes of avDictBase() ‖ tail, tail = offerDictTail(offer).
func makeAVDict(tail []byte) []byte {
	// Only the last WindowSize bytes count: copy no more of the base.
	base := avDictBase()
	keep := max(detflate.WindowSize-len(tail), 0)
	d := make([]byte, 0, min(keep, len(base))+len(tail))
	d = append(d, base[max(len(base)-keep, 0):]...)
	return append(d, tail...)
}

// offerDictTail returns what an offer skeleton adds to the dictionary of
// its answers' text item (AVFORM §14.6): its skeleton text, then its
// accepted extensions text.
func offerDictTail(offer [][]string) []byte {
	var tail []byte
	for _, part := range offer {
		for _, l := range part {
			tail = append(append(tail, l...), '\n')
		}
	}
	for _, part := range offer {
		for _, l := range part {
			if a, ok := acceptedExtension(l); ok {
				tail = append(append(tail, a...), '\n')
			}
		}
	}
	return tail
}

// acceptedExtension returns an offer's a=extmap line l whose id is
// followed by a direction (`a=extmap:9/sendonly urn:…`) as an answer
// accepts it, without the direction (`a=extmap:9 urn:…`); ok is false for
// any other line (AVFORM §14.6: the accepted extensions text).
func acceptedExtension(l string) (string, bool) {
	v, ok := strings.CutPrefix(l, "a=extmap:")
	sp := strings.IndexByte(v, ' ')
	if !ok || sp < 0 {
		return "", false
	}
	slash := strings.IndexByte(v[:sp], '/')
	if slash < 1 {
		return "", false
	}
	return "a=extmap:" + v[:slash] + v[sp:], true
}

// inflateAVText inflates the text item deflated (at offset off) with the
// dictionary dict, an empty item being the empty text.
func inflateAVText(deflated, dict []byte, maxSDP, off int) ([]byte, error) {
	if len(deflated) == 0 {
		return nil, nil
	}
	text, err := detflate.Decompress(deflated, dict, maxSDP)
	if err != nil {
		if errors.Is(err, detflate.ErrTooLarge) {
			return nil, errf(ErrLimit, off, "text", "inflated text exceeds %d bytes", maxSDP)
		}
		return nil, errf(ErrMalformed, off, "text", "not a valid DEFLATE stream")
	}
	return text, nil
}

// compress returns the text item of m: empty when no line is inserted
// (AVFORM §3), else the DEFLATE stream of the inserted lines. Against an
// offer's skeleton, the dictionary is avDictBase() ‖ the skeleton text, and
// the chains of avDictBase's positions are its shared ones: only the
// skeleton text's positions are chained per call, not the whole window's.
func (a *avData) compress() []byte {
	if len(a.text) == 0 {
		return nil
	}
	if a.offer == nil {
		return detflate.Compress(nil, a.text, avDictBase())
	}
	return detflate.CompressSplit(nil, a.text, avDictBase(), derivedFor(a.offer).text)
}

// isLowerUUID reports whether s is a lower-case UUID 8-4-4-4-12.
func isLowerUUID(s string) bool {
	return len(s) == 36 && isUUIDText(s)
}

// appendAV appends the items of an A/V code after the head (AVFORM §4);
// text is the text item's DEFLATE bytes, not written when empty (no
// inserted line).
func (m *model) appendAV(dst, text []byte) []byte {
	var buf [512]byte
	dst = appendBytes(dst, m.appendBody(buf[:0]))
	s := m.av.skel
	if len(s.digests) == 1 {
		dst = appendBytes(dst, s.digests[0]) // one digest: the byte string alone
	} else {
		dst = appendHead(dst, majArray, uint64(len(s.digests)))
		for _, d := range s.digests {
			dst = appendBytes(dst, d)
		}
	}
	dst = appendHead(dst, majBytes, uint64(4*len(s.ssrcs)))
	for _, v := range s.ssrcs {
		dst = binary.BigEndian.AppendUint32(dst, v)
	}
	dst = appendHead(dst, majArray, uint64(len(s.ids)))
	for _, id := range s.ids {
		if isLowerUUID(id) {
			b := mdnsBytes(id) // reads the 36 bytes of the UUID
			dst = appendBytes(dst, b[:])
			continue
		}
		if isBase64ID(id) {
			dst = appendHead(dst, majBytes, uint64(base64.StdEncoding.DecodedLen(len(id))))
			dst, _ = base64.StdEncoding.AppendDecode(dst, []byte(id))
			continue
		}
		dst = appendText(dst, id)
	}
	dst = appendBytes(dst, m.av.edits)
	if len(text) == 0 {
		return dst
	}
	return appendBytes(dst, text)
}

// withTextItem returns the items of an A/V code (and their offsets) with
// its text item: a code without inserted lines has none (its edits are
// its last item, or the ext map follows them), read as the empty byte
// string, which an encoder never writes (re-encoding finds it).
func withTextItem(items [][]byte, offs []int, end int) ([][]byte, []int) {
	if len(items) < avItems-1 || len(items) > avItems-1 && major(items[avItems-1]) != majMap {
		return items, offs
	}
	at := end // where the text item would be: the end of the code, or the ext map
	if len(items) > avItems-1 {
		at = offs[avItems-1]
	}
	return slices.Insert(items, avItems-1, []byte{majBytes << 5}), slices.Insert(offs, avItems-1, at)
}

// readAV reads the items of an A/V code (AVFORM §5), from step 6 on.
func (d *Decoder) readAV(m *model, items [][]byte, offs []int) error {
	// Item types first.
	want := [avItems]byte{1: majBytes, 2: majArray, 3: majBytes, 4: majArray, 5: majBytes, 6: majBytes}
	for i := 1; i < avItems; i++ {
		if major(items[i]) != want[i] && (i != 2 || major(items[i]) != majBytes) { // one digest: a byte string
			return errf(ErrMalformed, offs[i], "", "item %d has the wrong type", i)
		}
	}
	s := &avSkel{}
	m.av = &avData{skel: s}
	if err := readAVTables(s, items, offs); err != nil {
		return err
	}
	edits, _ := bytesItem(items[5], offs[5], "edits")
	deflated, _ := bytesItem(items[6], offs[6], "text")
	body, _ := bytesItem(items[1], offs[1], "body")
	bodyOff := offs[1] + len(items[1]) - len(body)
	if m.answer {
		if err := d.avOffer(m, body, bodyOff); err != nil {
			return err
		}
	}
	if err := d.readBody(m, body, bodyOff, false); err != nil {
		return err
	}
	s.ufrag, s.pwd, s.cands = m.ufrag, m.pwd, m.cands
	text, err := inflateAVText(deflated, avDict(m.av.offer), d.maxSDP, offs[6])
	if err != nil {
		return err
	}
	if len(deflated) > 0 && len(text) == 0 {
		m.nonCanon = true // no inserted line: no text item
	}
	lines, ok := splitTextLines(text)
	if !ok {
		return errf(ErrMalformed, offs[6], "text", "the text must be non-empty lines, each ending in LF")
	}
	m.av.text, m.av.deflated = text, deflated
	if s.parts, m.av.profiles, err = applyEdits(edits, lines, m.av.offer, m.av.offerMaps, m.answer, d.maxSDP, offs[5], &m.av.seeds); err != nil {
		return err
	}
	m.av.edits = edits
	m.av.sdp, err = s.render(d.maxSDP)
	return err
}

// readAVTables reads the digests, ssrcs and ids items into s (AVFORM §4,
// §5 step 6), their types already checked.
func readAVTables(s *avSkel, items [][]byte, offs []int) error {
	// Digests: one byte string, or the count from the array's header, then each.
	maj, n, hdr, _ := itemHeader(items[2])
	if maj == majBytes {
		if n == 0 || n > 64 {
			return errf(ErrMalformed, offs[2], "digests", "a digest must be 1 to 64 bytes")
		}
		s.digests = append(s.digests, items[2][hdr:])
		n, hdr = 0, len(items[2])
	}
	if n > maxAVDigests {
		return errf(ErrLimit, offs[2], "digests", "%d digests, more than %d", n, maxAVDigests)
	}
	rest := items[2][hdr:]
	for k := uint64(0); k < n; k++ {
		maj, l, h, _ := itemHeader(rest)
		if maj != majBytes || l == 0 || l > 64 {
			return errf(ErrMalformed, offs[2], "digests", "a digest must be 1 to 64 bytes")
		}
		s.digests = append(s.digests, rest[h:h+int(l)])
		rest = rest[h+int(l):]
	}
	ssrcs, _ := bytesItem(items[3], offs[3], "ssrcs")
	if len(ssrcs)%4 != 0 {
		return errf(ErrMalformed, offs[3], "ssrcs", "%d bytes, not a multiple of 4", len(ssrcs))
	}
	s.ssrcs = make([]uint32, 0, len(ssrcs)/4)
	for k := 0; k < len(ssrcs); k += 4 {
		s.ssrcs = append(s.ssrcs, binary.BigEndian.Uint32(ssrcs[k:]))
	}
	_, n, hdr, _ = itemHeader(items[4])
	rest = items[4][hdr:]
	s.ids = make([]string, 0, min(n, uint64(len(rest)))) // each entry is a byte at least
	for k := uint64(0); k < n; k++ {
		maj, l, h, _ := itemHeader(rest)
		if maj != majBytes && maj != majText {
			return errf(ErrMalformed, offs[4], "ids", "entry %d is neither 16 bytes nor an identifier", k)
		}
		v := rest[h : h+int(l)]
		rest = rest[h+int(l):]
		switch {
		case maj == majBytes && l == 16:
			var buf [36]byte
			s.ids = append(s.ids, string(appendUUID(buf[:0], v)))
		case maj == majBytes && l > 0 && l%3 == 0:
			s.ids = append(s.ids, base64.StdEncoding.EncodeToString(v))
		case maj == majText && l > 0 && isIDText(v):
			s.ids = append(s.ids, string(v))
		default:
			return errf(ErrMalformed, offs[4], "ids", "entry %d is neither 16 bytes, a multiple of 3 bytes nor an identifier", k)
		}
	}
	return nil
}

// isBase64ID reports whether an identifier is base64 text without padding
// (groups of 4 characters of A-Z a-z 0-9 + /), which travels as its bytes,
// 3 a group (AVFORM §4): Chromium's 16-character CNAME is 12 bytes.
func isBase64ID(s string) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// avOffer checks an A/V answer against the decoder's offer (AVFORM §5):
// needs-offer without one, binding when the answer is bound to another
// offer or the offer's code is not an offer. The offer's skeleton is kept
// when it is an A/V code.
func (d *Decoder) avOffer(m *model, body []byte, off int) error {
	if len(d.offer) == 0 {
		return errf(ErrNeedsOffer, 0, "offer", "an A/V answer decodes only with the code of its offer")
	}
	if len(body) < bindLen {
		return errf(ErrMalformed, off, "body", "too short for the binding")
	}
	if !bytes.Equal(body[:bindLen], bindingOf(d.offer)) {
		return errf(ErrBinding, off, "binding", "the answer is bound to another offer")
	}
	om, err := d.offerModel()
	if err != nil || om.answer {
		return errf(ErrBinding, 0, "offer", "the offer's code is not a valid offer code")
	}
	if om.av != nil {
		m.av.offer, m.av.offerMaps = om.av.skel.parts, offerMapsOf(om.av.seeds)
	}
	return nil
}

// isIDText reports whether an identifier read from a tstr has no control
// character, SP or TAB.
func isIDText(v []byte) bool {
	for _, c := range v {
		if c <= 0x20 || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(v)
}

// splitTextLines splits the inflated text at LF; ok is false when it does
// not end with LF (unless empty) or has an empty line.
func splitTextLines(text []byte) ([]string, bool) {
	if len(text) == 0 {
		return nil, true
	}
	if text[len(text)-1] != '\n' {
		return nil, false
	}
	// text is the inflater's own buffer, never written again: the lines
	// share its bytes rather than a copy's.
	lines := strings.Split(unsafe.String(&text[0], len(text)-1), "\n")
	for _, l := range lines {
		if l == "" {
			return nil, false
		}
	}
	return lines, true
}

// checkAV re-encodes the description rendered from an A/V code and
// compares it with the code (AVFORM §5, last step).
func (m *model) checkAV(code []byte) error {
	p, err := parseSDPPlain(m.av.sdp, m.av.skel.renderedPlain)
	if err != nil {
		return errf(ErrMalformed, -1, "skeleton", "the rendered text is not a valid description: %v", err)
	}
	keep := &CandidatePolicy{KeepComponent2: true}
	if _, ok := compactModel(p, m.answer, keep); ok {
		return errf(ErrNonCanonical, -1, "", "description must use the compact form")
	}
	m2, ok := avModel(p, m.answer, keep)
	if !ok {
		return errf(ErrNonCanonical, -1, "", "description is not A/V-eligible")
	}
	m2.bind, m2.unknown, m2.av.offer, m2.av.offerMaps = m.bind, m.unknown, m.av.offer, m.av.offerMaps
	var ok2 bool
	// A canonical code's edits and text are as long as the code's: room
	// for them at once, not grown from searchEdits' guesses (the edits'
	// with the last part's COPY END, written before it is taken off).
	edits, text := make([]byte, 0, len(m.av.edits)+1), make([]byte, 0, len(m.av.text))
	if m2.av.edits, m2.av.text, ok2 = searchEdits(edits, text, m2.av.skel.parts, m2.av.offer, m2.av.offerMaps, m.av.profiles, m.av.seeds); !ok2 {
		m2.av.makeEdits(m.av.profiles) // a seed below every base's cost: the code is not canonical, found below
	}
	again := m2.appendBinary(make([]byte, 0, len(code)), m.av.deflated)
	if m.nonCanon || !bytes.Equal(m2.av.text, m.av.text) || !bytes.Equal(again, code) {
		off := 0
		for off < len(again) && off < len(code) && again[off] == code[off] {
			off++
		}
		return errf(ErrNonCanonical, off, "", "not the canonical encoding")
	}
	return nil
}

// avLen returns the length of the description a decoder renders from m.
func (m *model) avLen() int {
	out, err := m.av.skel.render(MaxMaxSDPBytes)
	if err != nil {
		return MaxMaxSDPBytes + 1
	}
	return len(out)
}

// AVDictionary returns a copy of the DEFLATE dictionary of the text item
// of an A/V offer code: the registry text, the residual form's preset
// dictionary and the edits text (SPEC §14.6). An answer to an A/V offer appends the offer's
// skeleton text; only the last 32768 bytes count.
func AVDictionary() []byte {
	return bytes.Clone(avDictBase())
}

// offerModel decodes the decoder's offer code (as an offer: no offer of
// its own), once per Decoder built by DecOptions.Decoder.
func (d *Decoder) offerModel() (*model, error) {
	decode := func() (*model, error) {
		od := *d
		od.offer, od.offerMemo = nil, nil
		return od.decodeModel(d.offer)
	}
	if d.offerMemo == nil {
		return decode()
	}
	d.offerMemo.once.Do(func() { d.offerMemo.m, d.offerMemo.err = decode() })
	return d.offerMemo.m, d.offerMemo.err
}
