package main

import (
	"bytes"
	"encoding/binary"

	"github.com/peer-sdp/peer/codec"
)

// avPickNegatives writes the damaged PICK ops (AVFORM §3); offer is
// av_chromium_avdata_offer, pion av_pion_av_offer, whose video section
// (profile 10) is COPY 149, PICK +1, COPY 2, …: pion wrote the
// extension of the profile's next block later.
func (g *gen) avPickNegatives(offer, pion []byte) {
	it := items(offer)
	edits := join(content(it[5]), []byte{7}) // its last part's COPY END written, so that parts can follow
	with := func(i int, item []byte) []byte {
		out := append([][]byte{}, it...)
		out[i] = item
		return avJoin(out...)
	}
	g.decodeFail("av_replace_past_base", "av_chromium_avdata_offer with one more part: profile 0 (7 lines) as base, COPY 6, REPLACE 1 (v = 6), END, and one line in the text: the REPLACE would move the position to the base's end.", "offer",
		avJoin(it[0], it[1], it[2], it[3], it[4], bstr(join(edits, []byte{3, 5 << 2, 6, 3})), bstr(stored([]byte("a=x\n")))), nil, nil, "malformed")
	g.decodeFail("av_text_empty_stream", "av_chromium_avdata_offer, which inserts no line and so has no text item, with a text item written as the DEFLATE stream 03 00 (a fixed block of no text).", "offer",
		avJoin(it[0], it[1], it[2], it[3], it[4], it[5], bstr([]byte{3, 0})), nil, nil, "non-canonical")
	g.decodeFail("av_text_empty_item", "av_chromium_avdata_offer, which inserts no line and so has no text item, with a text item written as the empty byte string: the same description, but an encoder leaves the item out.", "offer",
		join(it[0], it[1], it[2], it[3], it[4], it[5], []byte{0x40}), nil, nil, "non-canonical")
	g.decodeFail("av_rename_past_ranks", "av_chromium_avdata_offer with one more part whose base is part 1 (its audio section, which names 3 identifiers) renamed (base 2, index varint 3 = 2·1 + 1) with a rename of 4 ranks, then COPY END.", "offer",
		avJoin(it[0], it[1], it[2], it[3], it[4], bstr(join(edits, []byte{2, 3, 4, 1, 1, 1, 1, 7})), it[6]), nil, nil, "malformed")
	var renames []byte
	for k := 0; k < 40; k++ {
		renames = append(renames, 2, 5, 1, 1, 3) // part 2 renamed (rank 0 to 0x0F 0), END
	}
	g.decodeFail("av_rename_limit", "av_chromium_avdata_offer with 40 more parts, each its video section (part 2, 127 lines) renamed and then END: no part copies a line, but each renamed base counts toward the skeleton's size, which passes the SDP limit.", "offer",
		avJoin(it[0], it[1], it[2], it[3], it[4], bstr(join(edits, renames)), it[6]), nil, nil, "limit")
	g.decodeFail("av_pick_past_blocks", "av_chromium_avdata_offer with one more part: profile 2 (Chromium's video section) as base and PICK -1 (v = 39) at its first line, before its first block.", "offer",
		with(5, bstr(join(edits, []byte{5, 39, 3}))), nil, nil, "malformed")
	g.avPermNegatives(with, edits)
	pit := items(pion)
	pe := content(pit[5])
	at := bytes.Index(pe, []byte{0xd0, 0x04, 0x2b, 0x04})
	if len(pit) != 7 || at < 0 {
		g.fail("av_pick_as_seek", "av_pion_av_offer's edits lack COPY 149, PICK +1, COPY 2: % x", pe)
		return
	}
	seek := join(pe[:at+2], []byte{1, 0x08}, pe[at+4:]) // SEEK +1, COPY 3
	out := append([][]byte{}, pit...)
	out[5] = bstr(seek)
	g.decodeFail("av_pick_as_seek", "av_pion_av_offer with the PICK +1, COPY 2 of its video section written SEEK +1, COPY 3: the same skeleton, but the line sought heads a block the part repeats whole, which an encoder writes as PICK.", "offer",
		avJoin(out...), nil, nil, "non-canonical")
}

// avReplaceAsInsertSeek writes av_replace_as_insert_seek: code (an answer
// named name, to the offer code offer) with its first REPLACE n written
// INSERT n, SEEK +n.
func (g *gen) avReplaceAsInsertSeek(name string, code, offer []byte) {
	it := items(code)
	edits := content(it[5])
	var out []byte
	done := false
	for p := 0; p < len(edits); {
		base, n := binary.Uvarint(edits[p:])
		out, p = append(out, edits[p:p+n]...), p+n
		if base == 1 || base == 2 {
			_, n = binary.Uvarint(edits[p:])
			out, p = append(out, edits[p:p+n]...), p+n
		}
		for p < len(edits) { // the end of the edits implies the last COPY END
			v, n := binary.Uvarint(edits[p:])
			if v&3 == 2 && v>>2%2 == 1 && !done {
				c := (v>>2 + 1) / 2 // REPLACE c: INSERT c, SEEK +c
				out = binary.AppendUvarint(out, (2*(c-1))<<2|2)
				out = binary.AppendUvarint(out, (2*(c-1))<<2|1)
				done = true
			} else {
				out = append(out, edits[p:p+n]...)
			}
			p += n
			if v == 3 || v == 7 {
				break
			}
		}
	}
	if !done {
		g.fail("av_replace_as_insert_seek", "%s has no REPLACE", name)
		return
	}
	it[5] = bstr(out)
	g.decodeFail("av_replace_as_insert_seek", name+" with its first REPLACE n written INSERT n, SEEK +n: the same skeleton, but an encoder writes REPLACE.", "answer",
		avJoin(it...), offer, nil, "non-canonical")
}

// avRenameTrailingKeep writes av_rename_trailing_keep: av_chromium_twovideo_offer,
// whose last part is its first video section renamed (base 2, index
// varint 5 = 2·2 + 1), with one more rank in the rename, kept.
func (g *gen) avRenameTrailingKeep(code []byte) {
	it := items(code)
	edits := content(it[5])
	at := bytes.LastIndex(edits, []byte{2, 5})
	if at < 0 || at+2 >= len(edits) || edits[at+2] >= 3 {
		g.fail("av_rename_trailing_keep", "av_chromium_twovideo_offer's last part is not part 2 renamed over fewer than 3 ranks: % x", edits)
		return
	}
	n := int(edits[at+2])
	out := join(edits[:at+2], []byte{byte(n + 1)}, edits[at+3:at+3+n], []byte{0}, edits[at+3+n:])
	it[5] = bstr(out)
	g.decodeFail("av_rename_trailing_keep", "av_chromium_twovideo_offer whose last part, its first video section renamed, has a rename of one rank more that keeps the base's reference: the same skeleton, but an encoder ends a rename at the last rank it changes.", "offer",
		avJoin(it...), nil, nil, "non-canonical")
}

// avMDNSDummy writes av_marker_mdns_dummy: a real offer whose default
// candidate is an mDNS name, which writes the dummy port 9 and address
// 0.0.0.0 in its m= and c= lines, markers 0x02 and 0x03 there.
func (g *gen) avMDNSDummy() {
	s, err := readBatch("batch1", "firefox-mdns-audio-offer-to-firefox-mdns")
	if err != nil {
		g.fail("av_marker_mdns_dummy", "%v", err)
		return
	}
	g.encode("av_marker_mdns_dummy", "A real offer whose first candidate is an mDNS name (testdata/av/batch1/firefox-mdns-audio-offer-to-firefox-mdns.sdp): its m= port 9 and c= address 0.0.0.0 are the markers 0x02 and 0x03, which render so when the transport candidate's address is an mDNS name; its a=rtcp line's address, the name itself, is 0x03 too.", codec.Offer, s, nil, nil)
}

// avPermNegatives writes the damaged PERM ops (AVFORM §3): with(5, edits)
// is av_chromium_avdata_offer with other edits, edits its own.
func (g *gen) avPermNegatives(with func(int, []byte) []byte, edits []byte) {
	part := func(ops ...byte) []byte { return with(5, bstr(join(edits, ops))) }
	g.decodeFail("av_perm_empty_base", "av_chromium_avdata_offer with one more part (the empty base) holding PERM 2 (v = 11, then the varint 0 = 2 − 2) of rank 1: the empty base has no block.", "offer",
		part(0, 11, 0, 1, 3), nil, nil, "malformed")
	g.decodeFail("av_perm_rank_range", "av_chromium_avdata_offer with one more part: profile 2 (Chromium's video section) as base and PERM 2 of rank 2, not less than 2!.", "offer",
		part(5, 11, 0, 2, 3), nil, nil, "malformed")
	g.decodeFail("av_perm_18", "av_chromium_avdata_offer with one more part: profile 2 as base and PERM 18 (varint 16), more blocks than a PERM reorders (16; the varint 15 after PERM's is MIRROR), with a rank of 6 bytes.", "offer",
		part(5, 11, 16, 0, 0, 0, 0, 0, 1, 3), nil, nil, "malformed")
	g.decodeFail("av_perm_truncated", "av_chromium_avdata_offer with one more part: profile 2 as base and PERM 12 (varint 10), whose rank takes 4 bytes, at the end of the edits.", "offer",
		part(5, 11, 10, 0), nil, nil, "malformed")
	g.decodeFail("av_perm_identity", "av_chromium_avdata_offer with one more part: profile 2 as base and PERM 2 of rank 0, its first two blocks in their own order, then END: a valid skeleton, but an encoder never writes a PERM that keeps the order.", "offer",
		part(5, 11, 0, 0, 3), nil, nil, "non-canonical")
}

// avGroupedBlocks writes av_firefox_recvonly_answer_to_chromium: Firefox,
// which groups its lines by attribute, answers a Chromium offer that lists
// VP9 before AV1, where the registry's Firefox answer has AV1 first: its
// video section picks the grouped `a=fmtp:` lines and `a=rtcp-fb:` runs
// as blocks (AVFORM §3, Blocks).
func (g *gen) avGroupedBlocks() {
	const name = "av_firefox_recvonly_answer_to_chromium"
	offerSDP, err := readBatch("batch1", "chromium-recvonly-offer-to-firefox")
	if err != nil {
		g.fail(name, "%v", err)
		return
	}
	offer, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: offerSDP}, nil, nil)
	if err != nil {
		g.fail(name, "%v", err)
		return
	}
	answer, err := readBatch("batch1", "firefox-recvonly-answer-to-chromium")
	if err != nil {
		g.fail(name, "%v", err)
		return
	}
	code := g.encode(name, "A real answer of Firefox to a Chromium recvonly offer (testdata/av/batch1/firefox-recvonly-answer-to-chromium.sdp) against the code of testdata/av/batch1/chromium-recvonly-offer-to-firefox.sdp (offer_bin): Firefox groups its lines by attribute, and its video section picks its a=fmtp lines and its runs of one payload type's a=rtcp-fb lines as blocks of the registry's Firefox answer, which lists AV1 before VP9.", codec.Answer, answer, nil, offer)
	if g.err != nil {
		return
	}
	it := items(code)
	edits := content(it[5])
	at := bytes.Index(edits, []byte{0x1c, 0x2b, 0x00})
	if at < 0 {
		g.fail("av_pick_grouped_as_seek", "%s's edits lack COPY 8, PICK +1, COPY 1: % x", name, edits)
		return
	}
	it[5] = bstr(join(edits[:at+1], []byte{0x01, 0x04}, edits[at+3:])) // SEEK +1, COPY 2
	g.decodeFail("av_pick_grouped_as_seek", name+" with the PICK +1, COPY 1 of its video section (the a=fmtp lines of VP9 and of its retransmission format, where the base has the line of AV1's retransmission format first) written SEEK +1, COPY 2: the same skeleton, but the line sought is an a=fmtp line that no codec's block holds, a block of its own, which an encoder picks.", "answer",
		avJoin(it...), offer, nil, "non-canonical")
}
