package codec

import (
	"bytes"
	"crypto/sha256"
	"sort"
)

// The CBOR encoding of the model (SPEC.md §4).

// Head bits (SPEC.md §4.1).
const (
	headRoleMask      = 0x03 // 0 offer/actpass, 1 answer/active, 2 answer/passive, 3 reserved
	headMMSShift      = 2    // bits 2-3: the max-message-size class (mmsClasses)
	headMMSMask       = 0x0c
	headResidual      = 0x10 // 16 = residual offer, 17 = residual answer
	headFirstReserved = 0x14 // heads 18 and 19 are the A/V form; 20 to 23 are reserved
)

// Extension keys (SPEC.md §4.6).
const (
	extFingerprints = 1
	extMMS          = 2
	extMid          = 3
	extSCTPPort     = 4
	extSCTPMap      = 5
	extSessionLines = 6
	extMediaLines   = 7
)

// head returns the model's head value.
func (m *model) head() uint64 {
	if m.av != nil {
		if m.answer {
			return headAVAnswer
		}
		return headAVOffer
	}
	if m.residual {
		if m.answer {
			return headResidual | 1
		}
		return headResidual
	}
	h := uint64(0)
	if m.answer {
		h = uint64(m.setup) // 1 active, 2 passive
	}
	return h | uint64(m.mmsClass())<<headMMSShift
}

// mmsClasses are the max-message-size values of head classes 0, 1 and 2
// (SPEC.md §4.1); class 3 is any other value, or none, in ext key 2.
var mmsClasses = [...]uint64{defaultMMS, firefoxMMS, rfcMMS}

const mmsOther = 3

// mmsClass returns the head's max-message-size class of m.
func (m *model) mmsClass() int {
	for i, v := range mmsClasses {
		if m.mmsSet && m.mms == v {
			return i
		}
	}
	return mmsOther
}

// credByte returns the credentials byte of m (SPEC.md §4.3).
func (m *model) credByte() byte {
	b := lengthCode(len(m.ufrag), len(m.pwd))
	if credsHex(m.ufrag, m.pwd) {
		b |= credHex
	}
	if m.iceLite {
		b |= credICELite
	}
	return b
}

// defaultFP reports whether the fingerprints travel in the body: exactly one,
// SHA-256.
func (m *model) defaultFP() bool {
	return len(m.fps) == 1 && m.fps[0].alg == "sha-256"
}

type extEntry struct {
	key []byte
	val []byte
}

// extEntries returns the extension map's entries, unsorted.
func (m *model) extEntries() []extEntry {
	var e []extEntry
	add := func(k int64, v []byte) { e = append(e, extEntry{appendInt(nil, k), v}) }
	if !m.residual && m.av == nil {
		if !m.defaultFP() {
			v := appendHead(nil, majArray, uint64(len(m.fps)))
			for _, fp := range m.fps {
				v = appendHead(v, majArray, 2)
				if i := hashIndex(fp.alg); i >= 0 {
					v = appendHead(v, majUint, uint64(i))
				} else {
					v = appendText(v, fp.alg)
				}
				v = appendBytes(v, fp.val)
			}
			add(extFingerprints, v)
		}
		switch {
		case !m.mmsSet:
			add(extMMS, []byte{cborNull})
		case m.mmsClass() == mmsOther:
			add(extMMS, appendHead(nil, majUint, m.mms))
		}
		switch {
		case !m.midSet:
			add(extMid, []byte{cborNull})
		case m.mid != "0":
			add(extMid, appendText(nil, m.mid))
		}
		switch {
		case !m.sctpSet:
			add(extSCTPPort, []byte{cborNull})
		case m.sctpPort != defaultSCTPPort:
			add(extSCTPPort, appendHead(nil, majUint, m.sctpPort))
		}
		if m.legacy {
			add(extSCTPMap, appendHead(nil, majUint, m.streams))
		}
		for k, lines := range [][]string{extSessionLines: m.extraSess, extMediaLines: m.extraMedia} {
			if len(lines) > 0 {
				v := appendHead(nil, majArray, uint64(len(lines)))
				for _, l := range lines {
					v = appendText(v, l)
				}
				add(int64(k), v)
			}
		}
	}
	for k, v := range m.unknown {
		add(k, v)
	}
	return e
}

// appendBinary appends the canonical code of m (SPEC.md §4). For the
// residual form, m.text must be set; residual holds the residual bytes (for
// the A/V form, the text item's).
func (m *model) appendBinary(dst []byte, residual []byte) []byte {
	dst = appendHead(dst, majUint, m.head())
	if m.av != nil {
		dst = m.appendAV(dst, residual)
	} else if m.residual {
		if m.answer {
			dst = appendBytes(dst, m.bind)
		}
		dst = appendBytes(dst, residual)
	} else {
		var buf [256]byte
		dst = appendBytes(dst, m.appendBody(buf[:0]))
	}
	ext := m.extEntries()
	if len(ext) > 0 {
		// Known keys are added in order; only unknown ones need sorting.
		if len(m.unknown) > 0 {
			sort.Slice(ext, func(i, j int) bool { return bytes.Compare(ext[i].key, ext[j].key) < 0 })
		}
		dst = appendHead(dst, majMap, uint64(len(ext)))
		for _, e := range ext {
			dst = append(dst, e.key...)
			dst = append(dst, e.val...)
		}
	}
	return dst
}

// appendBody appends the body of a compact code (SPEC.md §4.2): binding,
// credentials byte, lengths when the length code is 0, packed ufrag and
// pwd, candidate records, digest.
func (m *model) appendBody(body []byte) []byte {
	if m.answer {
		body = append(body, m.bind...)
	}
	c := m.credByte()
	body = append(body, c)
	if c&credLenMask == 0 {
		body = append(body, byte(len(m.ufrag)), byte(len(m.pwd)))
	}
	hex := c&credHex != 0
	body = appendPacked(body, m.ufrag, hex)
	body = appendPacked(body, m.pwd, hex)
	body = appendCandidates(body, m.cands)
	if m.defaultFP() {
		body = append(body, m.fps[0].val...)
	}
	return body
}

// bindingOf returns the binding an answer to offer carries (SPEC.md §6).
func bindingOf(offer []byte) []byte {
	h := sha256.Sum256(offer)
	return h[:bindLen]
}
