package main

import (
	"bytes"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// Vectors of the exact CBOR checking of SPEC.md §7 steps 3 and 5, of the
// extension map's two passes, and of text and SDP input rules made precise
// with it (§3.1 fields and addresses, §5.4 trimming).

func tstr(s string) []byte { return append(head(nil, 3, uint64(len(s))), s...) }

// nested returns n arrays of one element each around the item x.
func nested(n int, x []byte) []byte {
	return join(bytes.Repeat([]byte{0x81}, n), x)
}

func (g *gen) cborSubset(b *baseCodes) {
	chrome := b.chrome
	if chrome == nil {
		return
	}
	withExt := func(m ...byte) []byte { return join(chrome, m) }

	g.decodeFail("ext_unknown_value_float", "compact_chrome_offer_mdns with unknown extension key 8 holding the half-precision float 1.5 (0xf9 0x3e00): floating-point values are outside the format's subset of CBOR.", "offer",
		withExt(0xa1, 0x08, 0xf9, 0x3e, 0x00), nil, nil, "malformed")
	g.decodeFail("ext_unknown_value_simple19", "compact_chrome_offer_mdns with unknown extension key 8 holding the simple value 19 (0xf3): only false, true and null are allowed.", "offer",
		withExt(0xa1, 0x08, 0xf3), nil, nil, "malformed")
	g.decodeFail("ext_unknown_value_tag", "compact_chrome_offer_mdns with unknown extension key 8 holding a tagged item (tag 1, epoch time 0): tags are malformed.", "offer",
		withExt(0xa1, 0x08, 0xc1, 0x00), nil, nil, "malformed")
	g.decodeFail("ext_text_key", "compact_chrome_offer_mdns with an extension map whose key is the text string \"a\": extension keys must be integers.", "offer",
		withExt(0xa1, 0x61, 'a', 0x00), nil, nil, "malformed")

	// Nesting: the extension map is level 1, so 15 arrays in its value
	// reach level 16 and 16 arrays level 17.
	g.decodeOK("ext_unknown_value_nesting_16", "compact_chrome_offer_mdns with unknown extension key 8 holding 15 nested arrays around 0: with the map, 16 levels, the most a decoder accepts.",
		withExt(join([]byte{0xa1, 0x08}, nested(15, []byte{0x00}))...), nil)
	g.decodeFail("limit_nesting_17", "compact_chrome_offer_mdns with unknown extension key 8 holding 16 nested arrays around 0: with the map, 17 levels, over the nesting limit of 16.", "offer",
		withExt(join([]byte{0xa1, 0x08}, nested(16, []byte{0x00}))...), nil, nil, "limit")
	g.decodeFail("limit_array_header_5000", "compact_chrome_offer_mdns with unknown extension key 8 holding an array header claiming 5000 items (0x99 0x1388) and no items: the size limit is decided from the header, before the (missing) content.", "offer",
		withExt(0xa1, 0x08, 0x99, 0x13, 0x88), nil, nil, "limit")
	g.decodeFail("noncanon_unknown_nested_unsorted", "compact_chrome_offer_mdns with unknown extension key 8 holding the map {2: 0, 1: 0}, its keys not in bytewise order.", "offer",
		withExt(0xa1, 0x08, 0xa2, 0x02, 0x00, 0x01, 0x00), nil, nil, "non-canonical")
	g.decodeFail("ext_must_understand_after_bad_value", "compact_chrome_offer_mdns with extension key 4 (sctp-port) holding a text string, then the must-understand key -1: the first pass over the keys finds -1 (unsupported) before the second pass checks the value of key 4.", "offer",
		withExt(0xa2, 0x04, 0x61, 'x', 0x20, 0x00), nil, nil, "unsupported")
	g.decodeFail("ext_extra_bundle_other_mid", "compact_chrome_offer_mdns with the extra session line \"a=group:BUNDLE 1\" in extension key 6: an extra BUNDLE line may name only the description's mid (\"0\").", "offer",
		withExt(join([]byte{0xa1, 0x06, 0x81}, tstr("a=group:BUNDLE 1"))...), nil, nil, "malformed")

	// A reconnect code (IDENTITY.md §4): the core without its digest and
	// must-understand key -1 with a peer ID hint.
	name := "ext_reconnect_code"
	r := rng(name)
	it := items(chrome)
	core := content(it[1])
	g.decodeFail(name, "A reconnect code (IDENTITY.md §4) made from compact_chrome_offer_mdns: the body without its SHA-256 digest and extension key -1 holding a 4-byte peer ID hint. A decoder of SPEC.md alone does not implement key -1: unsupported.", "offer",
		join(it[0], bstr(core[:len(core)-32]), []byte{0xa1, 0x20}, bstr(randBytes(r, 4))), nil, nil, "unsupported")

	// Only ASCII white space is removed around a text form (SPEC.md §5.4).
	qr := codec.FormatText(chrome, codec.FormQR)
	g.textFail("text_nbsp_trailing", "compact_chrome_offer_mdns's qr form followed by a non-breaking space (U+00A0), which is not removed: the Base45 text has a character outside its alphabet.", qr+"\u00a0", "malformed")
	g.textFail("text_nbsp_leading", "compact_chrome_offer_mdns's qr form after a non-breaking space (U+00A0), which is not removed: the text has no prefix and is not a binary code.", "\u00a0"+qr, "foreign")
}

// sdpInput adds positive vectors of the input rules of SPEC.md §3.1.
func (g *gen) sdpInput() {
	name := "sdp_o_ipv6_zone"
	r := rng(name)
	d := newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", mdns(r), d.mport, "host")}
	s := d.sdp(r)
	o := strings.Index(s, "o=- ")
	end := o + strings.Index(s[o:], "\r\n")
	s = s[:o] + strings.Replace(s[o:end], "IN IP4 127.0.0.1", "IN IP6 fe80::1%eth0", 1) + s[end:]
	g.encode(name, "A description whose o= address is an IPv6 address with a zone (fe80::1%eth0), which o= and c= allow.", codec.Offer, s, nil, nil)

	name = "sdp_tab_fields"
	r = rng(name)
	d = newDC(r, "chrome", "actpass")
	d.mport = port(r)
	d.cands = []string{chromeCand(r, 1, "udp", privateIPv4(r), d.mport, "host")}
	s = d.sdp(r)
	lines := strings.Split(s, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "o=") || strings.HasPrefix(l, "c=") || strings.HasPrefix(l, "m=") || strings.HasPrefix(l, "a=candidate:") {
			lines[i] = l[:2] + strings.ReplaceAll(l[2:], " ", "\t")
		}
	}
	s = strings.Join(lines, "\r\n")
	g.encode(name, "A description whose o=, m=, c= and a=candidate lines separate their fields with TAB: fields are split at runs of SP and TAB.", codec.Offer, s, nil, nil)
}
