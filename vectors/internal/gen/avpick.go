package main

import "bytes"

// avPickNegatives writes the damaged PICK ops (AVFORM §3); offer is
// av_chromium_avdata_offer, pion av_pion_av_offer, whose video section
// (profile 10) is COPY 149, PICK +1, COPY 2, …: pion wrote the
// extension of the profile's next block later.
func (g *gen) avPickNegatives(offer, pion []byte) {
	it := items(offer)
	edits := content(it[5])
	with := func(i int, item []byte) []byte {
		out := append([][]byte{}, it...)
		out[i] = item
		return join(out...)
	}
	g.decodeFail("av_pick_past_blocks", "av_chromium_avdata_offer with one more part: profile 2 (Chromium's video section) as base and PICK -1 (v = 15) at its first line, before its first block.", "offer",
		with(5, bstr(join(edits, []byte{5, 15, 3}))), nil, nil, "malformed")
	pit := items(pion)
	pe := content(pit[5])
	at := bytes.Index(pe, []byte{0xd0, 0x04, 0x13, 0x04})
	if len(pit) != 7 || at < 0 {
		g.fail("av_pick_as_seek", "av_pion_av_offer's edits lack COPY 149, PICK +1, COPY 2: % x", pe)
		return
	}
	seek := join(pe[:at+2], []byte{1, 0x08}, pe[at+4:]) // SEEK +1, COPY 3
	out := append([][]byte{}, pit...)
	out[5] = bstr(seek)
	g.decodeFail("av_pick_as_seek", "av_pion_av_offer with the PICK +1, COPY 2 of its video section written SEEK +1, COPY 3: the same skeleton, but the line sought heads a block the part repeats whole, which an encoder writes as PICK.", "offer",
		join(out...), nil, nil, "non-canonical")
}
