package codec

import (
	"errors"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/peer-sdp/peer/codec/internal/detflate"
)

// readModel decodes a binary code into its model, following the decoding
// procedure of SPEC.md §7.
func (d *Decoder) readModel(code []byte) (*model, error) {
	if len(code) > d.maxCode {
		return nil, errf(ErrLimit, d.maxCode, "", "code of %d bytes is over the limit of %d", len(code), d.maxCode)
	}
	if len(code) == 0 {
		return nil, errf(ErrMalformed, 0, "head", "empty code")
	}
	if code[0] > maxHeadByte {
		return nil, errf(ErrForeign, 0, "head", "first byte 0x%02x is not a head", code[0])
	}
	// The head is read alone first, so that a later version is recognised
	// whatever the rest of its structure (SPEC.md §7 step 2).
	_, head, _, ok := itemHeader(code)
	if !ok {
		return nil, errf(ErrMalformed, 0, "head", "truncated head")
	}
	if head >= headFirstReserved {
		return nil, errf(ErrUnsupported, 0, "head", "head %d: a later version or form", head)
	}
	av := head == headAVOffer || head == headAVAnswer
	if !av && head&headResidual == 0 && head&headRoleMask == 3 {
		return nil, errf(ErrUnsupported, 0, "head", "reserved role 3")
	}
	items, offs, nonCanon, err := splitSequence(code, avItems+1)
	if err != nil {
		return nil, err
	}
	m := &model{answer: head&headRoleMask != 0, residual: !av && head&headResidual != 0, nonCanon: nonCanon}
	if av {
		m.answer = head == headAVAnswer
		m.av = &avData{}
		items, offs = withTextItem(items, offs, len(code))
	} else if !m.residual {
		m.setup = setupRole(head & headRoleMask)
	}
	want := 2 // head and body, or head and residual
	switch {
	case av:
		want = avItems
	case m.residual && m.answer:
		want = 3 // and the binding
	}
	if len(items) < want {
		return nil, errf(ErrMalformed, len(code), "", "truncated: %d of %d items", len(items), want)
	}
	var ext []extPair
	if len(items) > want {
		if len(items) > want+1 {
			return nil, errf(ErrMalformed, offs[want+1], "", "items after the extension map")
		}
		if err := d.readExt(items[want], offs[want], m, &ext); err != nil {
			return nil, err
		}
	}
	if av {
		if err := d.readAV(m, items, offs); err != nil {
			return nil, err
		}
	} else if m.residual {
		if err := d.readResidual(m, items, offs); err != nil {
			return nil, err
		}
	} else {
		if err := d.readCompact(m, head, items, offs, ext); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// readExt reads the extension map (SPEC.md §7 step 5) in wire order. It
// returns the entries of known keys; unknown keys are kept in m.unknown.
func (d *Decoder) readExt(raw []byte, off int, m *model, ext *[]extPair) error {
	pairs, err := readExtMap(raw, off)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		k := p.key
		switch {
		case k >= extFingerprints && k <= extMediaLines:
			if m.residual || m.av != nil {
				return errf(ErrMalformed, p.off, "ext", "key %d belongs to the compact data-channel form", k)
			}
			*ext = append(*ext, p)
		case k < 0:
			return errf(ErrUnsupported, p.off, "ext", "must-understand key %d is not supported", k)
		default:
			// Unknown keys are ignored but kept for re-encoding; their
			// encoding was checked with the rest of the item.
			if m.unknown == nil {
				m.unknown = map[int64][]byte{}
			}
			m.unknown[k] = p.val
		}
	}
	return nil
}

// hasExt reports whether ext has key k.
func hasExt(ext []extPair, k int64) bool {
	for _, p := range ext {
		if p.key == k {
			return true
		}
	}
	return false
}

func (d *Decoder) readCompact(m *model, head uint64, items [][]byte, offs []int, ext []extPair) error {
	body, err := bytesItem(items[1], offs[1], "body")
	if err != nil {
		return err
	}
	class := int(head&headMMSMask) >> headMMSShift
	if class != mmsOther {
		m.mms, m.mmsSet = mmsClasses[class], true
	}
	m.mid, m.midSet = "0", true
	m.sctpPort, m.sctpSet = defaultSCTPPort, true
	if err := d.applyExt(m, ext, offs[len(offs)-1], class); err != nil {
		return err
	}
	return d.readBody(m, body, offs[1]+len(items[1])-len(body), !hasExt(ext, extFingerprints))
}

// readBody reads a compact code's body (SPEC.md §4.2) at offset base of the
// code; digest says whether it ends with the SHA-256 digest.
func (d *Decoder) readBody(m *model, body []byte, base int, digest bool) error {
	p := 0
	if m.answer {
		if len(body) < bindLen {
			return errf(ErrMalformed, base, "body", "too short for the binding")
		}
		m.bind = body[:bindLen]
		p = bindLen
	}
	if p >= len(body) {
		return errf(ErrMalformed, base+p, "body", "no credentials byte")
	}
	c := body[p]
	p++
	hex, k := c&credHex != 0, c&credLenMask
	m.iceLite = c&credICELite != 0
	if m.iceLite && m.av != nil {
		return errf(ErrMalformed, base+p-1, "body", "the ICE-lite bit is set in the A/V form")
	}
	var ulen, plen int
	switch {
	case k > maxLenCode:
		return errf(ErrMalformed, base+p-1, "body", "reserved length code %d", k)
	case k > 0:
		ulen, plen = codeLengths(k)
	case len(body)-p < 2:
		return errf(ErrMalformed, base+len(body), "body", "truncated credential lengths")
	default:
		ulen, plen = int(body[p]), int(body[p+1])
		p += 2
		if ulen == 0 || plen == 0 {
			return errf(ErrMalformed, base+p-2, "body", "credential length 0")
		}
	}
	un, pn, fpLen := packedLen(ulen, hex), packedLen(plen, hex), 0
	if digest {
		fpLen = 32
	}
	if len(body)-p < un+pn+fpLen {
		return errf(ErrMalformed, base+len(body), "body", "truncated credentials or fingerprint")
	}
	// Padding bits that are not zero are non-canonical, reported at step 8
	// like every canonical fault (SPEC.md §7).
	var ok1, ok2 bool
	m.ufrag, ok1 = unpack(body[p:p+un], ulen, hex)
	m.pwd, ok2 = unpack(body[p+un:p+un+pn], plen, hex)
	m.nonCanon = m.nonCanon || !ok1 || !ok2
	p += un + pn
	if fpLen > 0 {
		m.fps = []fingerprint{{alg: "sha-256", val: body[len(body)-fpLen:]}}
	}
	var err error
	m.cands, err = readCandidates(body[p:len(body)-fpLen], base+p, d.maxCands)
	if err != nil {
		return err
	}
	if m.av != nil {
		return nil // duplicates are judged per section, by re-encoding
	}
	var seen candidateSet
	for i, c := range m.cands {
		if seen.contains(m.cands[:i], c) {
			m.nonCanon = true // a repeated candidate: non-canonical (step 8)
		}
	}
	return nil
}

// applyExt applies the known keys of a compact code's extension map
// (SPEC.md §4.6, §7 step 6): each value on its own, in wire order, then the
// checks that relate keys.
func (d *Decoder) applyExt(m *model, ext []extPair, off int, mmsClass int) error {
	for _, p := range ext {
		if err := m.extValue(p.key, p.val, p.off); err != nil {
			return err
		}
	}
	return d.extRelations(m, ext, off, mmsClass)
}

// extBad is the malformed error of ext key k at offset off.
func extBad(off int, k int64, what string) error {
	return errf(ErrMalformed, off, "ext", "key %d: %s", k, what)
}

// extValue reads the value v of the known ext key k into m.
func (m *model) extValue(k int64, v []byte, off int) error {
	isNull := len(v) == 1 && v[0] == cborNull
	switch k {
	case extFingerprints:
		return m.extFingerprints(v, off)
	case extMMS, extSCTPPort, extSCTPMap:
		var n uint64
		if !isNull {
			var ok bool
			if n, ok = uintItem(v); !ok {
				return extBad(off, k, "want an unsigned integer or null")
			}
		}
		switch {
		case k == extMMS && n > 1<<53-1:
			return extBad(off, k, "max-message-size too large")
		case k == extMMS:
			m.mms, m.mmsSet = n, !isNull
		case k == extSCTPPort && n > 65535:
			return extBad(off, k, "sctp-port too large")
		case k == extSCTPPort:
			m.sctpPort, m.sctpSet = n, !isNull
		case isNull || n > 65535:
			return extBad(off, k, "want a stream count")
		default:
			m.legacy, m.streams = true, n
		}
	case extMid:
		if isNull {
			m.mid, m.midSet = "", false
			return nil
		}
		mid, ok := textItem(v)
		if !ok || !isToken(mid) {
			return extBad(off, k, "want a token or null")
		}
		m.mid = mid
	case extSessionLines, extMediaLines:
		elems, ok := arrayItems(v)
		if !ok || len(elems) == 0 {
			return extBad(off, k, "want a non-empty array of lines")
		}
		lines := make([]string, len(elems))
		for i, e := range elems {
			if lines[i], ok = textItem(e); !ok {
				return extBad(off, k, "want a non-empty array of lines")
			}
		}
		if k == extSessionLines {
			m.extraSess = lines
		} else {
			m.extraMedia = lines
		}
	}
	return nil
}

// extFingerprints reads ext key 1 (SPEC.md §4.4).
func (m *model) extFingerprints(v []byte, off int) error {
	const k = extFingerprints
	list, ok := arrayItems(v)
	if !ok || len(list) == 0 {
		return extBad(off, k, "want a non-empty array of fingerprints")
	}
	if len(list) > maxFingerprints {
		return errf(ErrLimit, off, "ext", "more than %d fingerprints", maxFingerprints)
	}
	for _, item := range list {
		pair, ok := arrayItems(item)
		if !ok || len(pair) != 2 {
			return extBad(off, k, "want [algorithm, digest]")
		}
		var fp fingerprint
		switch major(pair[0]) {
		case majUint:
			i, _ := uintItem(pair[0])
			if i >= uint64(len(hashFuncs)) {
				return extBad(off, k, "unknown hash function number")
			}
			fp.alg = hashFuncs[i].name
		case majText:
			fp.alg, _ = textItem(pair[0])
			if fp.alg == "" || len(fp.alg) > 32 ||
				!isToken(fp.alg) || strings.ToLower(fp.alg) != fp.alg {
				return extBad(off, k, "hash function name is not a lower-case token")
			}
			if hashIndex(fp.alg) >= 0 {
				m.nonCanon = true // registered, so given by number (step 8)
			}
		default:
			return extBad(off, k, "hash function must be a number or a name")
		}
		if fp.val, ok = content(pair[1], majBytes); !ok {
			return extBad(off, k, "digest must be a byte string")
		}
		if i := hashIndex(fp.alg); i >= 0 && hashFuncs[i].size != len(fp.val) || len(fp.val) == 0 || len(fp.val) > 64 {
			return extBad(off, k, "wrong fingerprint length for "+fp.alg)
		}
		m.fps = append(m.fps, fp)
	}
	return nil
}

// extRelations makes the checks of §7 step 6 that relate keys, once every
// key is read: legacy needs an sctp-port, key 2 goes with class 3, the
// extra lines are ones the encoder carries there and fit the SDP limit.
func (d *Decoder) extRelations(m *model, ext []extPair, off int, mmsClass int) error {
	if m.legacy && !m.sctpSet {
		return errf(ErrMalformed, off, "ext", "legacy m-line needs an sctp port")
	}
	if (mmsClass == mmsOther) != hasExt(ext, extMMS) {
		return errf(ErrMalformed, off, "ext", "key 2 is present exactly with max-message-size class 3")
	}
	total := 0
	for i, l := range append(append([]string{}, m.extraSess...), m.extraMedia...) {
		total += len(l) + 2
		media := i >= len(m.extraSess)
		if !m.isExtraLine(l, media) {
			return errf(ErrMalformed, off, "ext", "extra line %q is not one the encoder carries there", clip(l))
		}
	}
	if total > d.maxSDP {
		return errf(ErrLimit, off, "ext", "extra lines exceed the SDP limit")
	}
	return nil
}

func (d *Decoder) readResidual(m *model, items [][]byte, offs []int) error {
	i := 1
	if m.answer {
		b, err := bytesItem(items[1], offs[1], "binding")
		if err != nil {
			return err
		}
		if len(b) != bindLen {
			return errf(ErrMalformed, offs[1], "binding", "binding of %d bytes, want %d", len(b), bindLen)
		}
		m.bind = b
		i = 2
	}
	res, err := bytesItem(items[i], offs[i], "residual")
	if err != nil {
		return err
	}
	text, plain, err := detflate.DecompressText(res, detflate.SDPDictionary, d.maxSDP)
	if err != nil {
		if errors.Is(err, detflate.ErrTooLarge) {
			return errf(ErrLimit, offs[i], "residual", "decompressed text exceeds %d bytes", d.maxSDP)
		}
		return errf(ErrMalformed, offs[i], "residual", "not a valid DEFLATE stream")
	}
	if !plain && !utf8.Valid(text) {
		return errf(ErrMalformed, offs[i], "residual", "text is not UTF-8")
	}
	m.plain = plain
	// text is a fresh buffer that nothing else holds or changes.
	m.text = unsafe.String(unsafe.SliceData(text), len(text))
	m.deflated = res
	return nil
}
