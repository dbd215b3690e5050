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
		join(out...), offer, nil, "non-canonical")
	tit := items(tv)
	te := content(tit[5])
	if len(te) < 2 || te[1] != 7 {
		g.fail("av_gen_mid_session", "av_chromium_twovideo_offer_track_first: part 0 is not a profile, COPY END: % x", te)
		return
	}
	out = append([][]byte{}, tit...)
	out[5] = bstr(join([]byte{te[0], 15, 7}, te[2:])) // GEN 0, then COPY END
	g.decodeFail("av_gen_mid_session", "av_chromium_twovideo_offer_track_first whose session part is GEN 0 (v = 15), then COPY END: the generated a=mid: line of part 0, which has none.", "offer",
		join(out...), nil, nil, "malformed")
}
