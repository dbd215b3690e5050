package main

import "bytes"

// avGenNegatives writes the vectors of GEN (AVFORM §3): answer is
// av_pion_recvonly_answer_to_firefox, whose video section writes its
// a=sendonly line as GEN (v = 23), offer its offer's code, and tv
// av_chromium_twovideo_offer_track_first.
func (g *gen) avGenNegatives(answer, offer, tv []byte) {
	it := items(answer)
	edits := content(it[5])
	at := bytes.Index(edits, []byte{0x58, 0x17})
	if len(it) != 7 || at < 0 || len(content(it[6])) != 0 {
		g.fail("av_gen_as_insert", "av_pion_recvonly_answer_to_firefox's audio section lacks COPY 23, GEN a=sendonly, or it has text: % x", edits)
		return
	}
	out := append([][]byte{}, it...)
	out[5] = bstr(join(edits[:at+1], []byte{2}, edits[at+2:])) // INSERT 1
	out[6] = bstr(stored([]byte("a=sendonly\n")))
	g.decodeFail("av_gen_as_insert", "av_pion_recvonly_answer_to_firefox with the GEN of the a=sendonly line of its audio section written INSERT 1 of that line: the same skeleton, but an encoder writes a direction line as GEN.", "answer",
		avJoin(out...), offer, nil, "non-canonical")
	tit := items(tv)
	if len(tit) < 7 {
		g.fail("av_gen_mid_session", "av_chromium_twovideo_offer_track_first was not generated")
		return
	}
	te := content(tit[5])
	if len(te) < 2 || te[1] != 7 {
		g.fail("av_gen_mid_session", "av_chromium_twovideo_offer_track_first: part 0 is not a profile, COPY END: % x", te)
		return
	}
	out = append([][]byte{}, tit...)
	out[5] = bstr(join([]byte{te[0], 15, 7}, te[2:])) // GEN 0, then COPY END
	g.decodeFail("av_gen_mid_session", "av_chromium_twovideo_offer_track_first whose session part is GEN 0 (v = 15), then COPY END: the generated a=mid: line of part 0, which has none.", "offer",
		avJoin(out...), nil, nil, "malformed")
}

// avMirrorNegatives writes the vectors of MIRROR (AVFORM §3): sim is
// av_pion_simulcast_answer_to_chromium, whose video section ends with a
// MIRROR (11 15) of its offer simOffer's rid and simulcast lines; rec is
// av_pion_recvonly_answer_to_firefox, whose offer recOffer has none.
func (g *gen) avMirrorNegatives(sim, simOffer, rec, recOffer []byte) {
	it := items(sim)
	edits := content(it[5])
	at := bytes.LastIndex(edits, []byte{11, 15})
	if len(it) != 7 || at < 0 || len(content(it[6])) != 0 {
		g.fail("av_mirror_as_insert", "av_pion_simulcast_answer_to_chromium lacks a MIRROR, or it has text: % x", edits)
		return
	}
	out := append([][]byte{}, it...)
	out[5] = bstr(join(edits[:at], []byte{3<<3 | 2}, edits[at+2:])) // INSERT 4
	out[6] = bstr(stored([]byte("a=rid:q recv\na=rid:h recv\na=rid:f recv\na=simulcast:recv q;h;f\n")))
	g.decodeFail("av_mirror_as_insert", "av_pion_simulcast_answer_to_chromium with the MIRROR of its video section written INSERT 4 of the four lines it makes: the same skeleton, but an encoder writes MIRROR.", "answer",
		avJoin(out...), simOffer, nil, "non-canonical")
	rit := items(rec)
	re := content(rit[5])
	p1 := bytes.Index(re, []byte{0x33, 0x58})
	if p1 < 0 {
		g.fail("av_mirror_no_lines", "av_pion_recvonly_answer_to_firefox's audio section is not profile 48, COPY 23: % x", re)
		return
	}
	out = append([][]byte{}, rit...)
	out[5] = bstr(join(re[:p1+1], []byte{11, 15}, re[p1+1:]))
	g.decodeFail("av_mirror_no_lines", "av_pion_recvonly_answer_to_firefox with a MIRROR (11 15) first in its audio section: the offer's audio section has no a=rid: or a=simulcast: line.", "answer",
		avJoin(out...), recOffer, nil, "malformed")
	oit := items(g.bin("av_chromium_simulcast_offer"))
	oe := content(oit[5])
	out = append([][]byte{}, oit...)
	out[5] = bstr(join(oe[:1], []byte{11, 15}, oe[1:]))
	g.decodeFail("av_mirror_in_offer", "av_chromium_simulcast_offer with a MIRROR (11 15) first in its session part: an offer has no offer to mirror.", "offer",
		avJoin(out...), nil, nil, "malformed")
}
