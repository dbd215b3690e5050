package main

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// ptField matches a payload type where the video section of a Chromium
// offer writes one: after a=rtpmap:, a=fmtp: or a=rtcp-fb:, and after apt=.
var ptField = regexp.MustCompile(`(a=rtpmap:|a=fmtp:|a=rtcp-fb:|apt=)(\d+)`)

// videoUp returns sdp with the payload types of its first video section
// each given the number of the next one in ascending order (the greatest
// the least's): a stack version that numbers the same formats otherwise.
func videoUp(sdp string) string {
	start := strings.Index(sdp, "m=video ")
	end := strings.Index(sdp[start+1:], "\r\nm=")
	if start < 0 || end < 0 {
		return sdp
	}
	sec := sdp[start : start+1+end]
	mline, rest, _ := strings.Cut(sec, "\r\n")
	f := strings.Fields(mline)
	pts := make([]int, 0, len(f)-3)
	for _, x := range f[3:] {
		n, _ := strconv.Atoi(x)
		pts = append(pts, n)
	}
	sort.Ints(pts)
	next := map[string]string{}
	for i, n := range pts {
		next[strconv.Itoa(n)] = strconv.Itoa(pts[(i+1)%len(pts)])
	}
	for i := 3; i < len(f); i++ {
		f[i] = next[f[i]]
	}
	rest = ptField.ReplaceAllStringFunc(rest, func(m string) string {
		s := ptField.FindStringSubmatch(m)
		if to, ok := next[s[2]]; ok {
			return s[1] + to
		}
		return m
	})
	return sdp[:start] + strings.Join(f, " ") + "\r\n" + rest + sdp[start+1+end:]
}

// avRenumber writes av_renumbered_profile and the damaged RENUMBERs
// (AVFORM §14.5); chromeSDP is av_chromium_avdata_offer's description,
// offer its code.
func (g *gen) avRenumber(chromeSDP string, offer []byte) {
	up := g.encode("av_renumbered_profile", "testdata/av/batch1/chromium-avdata-offer-to-chromium.sdp with the payload types of its video section each given the number of the next one (96 becomes 97, …, the greatest 96): its video section is coded against profile 2 renumbered, base 5 followed by RENUMBER (0b 11), its pairs of payload types and no pair of ids.", codec.Offer, videoUp(chromeSDP), nil, nil)
	if g.err != nil {
		return
	}
	uit := items(up)
	at := bytes.Index(content(uit[5]), []byte{5, 0x0b, 0x11})
	if at < 0 {
		g.fail("av_renumbered_profile", "no RENUMBER after profile 2 in its edits: % x", content(uit[5]))
		return
	}
	it := items(offer)
	edits := join(content(it[5]), []byte{7}) // its last part's COPY END written, so that parts can follow
	part := func(ops ...byte) []byte {
		return avJoin(it[0], it[1], it[2], it[3], it[4], bstr(join(edits, ops)), it[6])
	}
	g.decodeFail("av_renumber_no_pair", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER of no pair (0b 11 00 00), then COPY END.", "offer",
		part(5, 11, 17, 0, 0, 7), nil, nil, "malformed")
	// Pair 96 → x is the varint 8·zigzag(x − 96) + 7 and then the varint
	// 89 (its gap 96, less 7); 97 → x right after it has the gap 0.
	g.decodeFail("av_renumber_below_zero", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER whose pair of payload types is 96 → −1 (shift −97: the varint 8·193 + 7 = 8f 0c, then 59 for the gap 96), then COPY END.", "offer",
		part(5, 11, 17, 1, 0x8f, 0x0c, 89, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_pt_128", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER whose pair of payload types is 96 → 128 (shift 32: the varint 8·64 + 7 = 87 04, then 59 for the gap 96), past the payload types, then COPY END.", "offer",
		part(5, 11, 17, 1, 0x87, 0x04, 89, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_to_itself", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER whose one pair is 96 → 96 (shift 0: the varint 07, then 59 for the gap 96), then COPY END.", "offer",
		part(5, 11, 17, 1, 7, 89, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_two_to_one", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER of pairs 96 → 120 (shift 24: 87 03, then 59) and 97 → 120 (gap 0, shift 23, a change of −1: 08), then COPY END.", "offer",
		part(5, 11, 17, 2, 0x87, 0x03, 89, 8, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_truncated", "av_chromium_avdata_offer with one more part: profile 2 as base and a RENUMBER of one pair of payload types, 96 → 97, cut by the end of the edits after the pair's first varint (17), before the varint of its gap.", "offer",
		part(5, 11, 17, 1, 0x17), nil, nil, "malformed")
	g.decodeFail("av_renumber_own_base", "av_chromium_avdata_offer with one more part: part 1 (base 2, index 2) as base followed by 0b 11 01 17 59 00 and COPY END: only a profile is renumbered, and after any other base 0b 11 is a PERM of 19 blocks.", "offer",
		part(2, 2, 11, 17, 1, 0x17, 89, 0, 7), nil, nil, "malformed")
	var many []byte
	for k := 0; k < 40; k++ {
		many = append(many, 5, 11, 17, 1, 0x17, 89, 0, 3) // profile 2 renumbered (96 → 97), END
	}
	g.decodeFail("av_renumber_limit", "av_chromium_avdata_offer with 40 more parts, each profile 2 renumbered (96 → 97) and then END: no part copies a line, but each renumbered profile counts toward the skeleton's size, which passes the SDP limit.", "offer",
		part(many...), nil, nil, "limit")
	ue := content(uit[5])
	np := int(ue[at+3]) // the RENUMBER's count of payload-type pairs (below 128: one byte)
	end := skipPairs(ue, at+4, np)
	if end < 0 || end >= len(ue) || ue[end] != 0 {
		g.fail("av_renumber_extra_pair", "av_renumbered_profile's RENUMBER is not of payload types only: % x", ue[at:])
		return
	}
	// Ids 100 → 101: the gap 100 and the shift 1 (17, then 5d).
	damaged := join(ue[:end], []byte{1, 0x17, 100 - 7}, ue[end+1:])
	out := append([][]byte{}, uit...)
	out[5] = bstr(damaged)
	g.decodeFail("av_renumber_extra_pair", "av_renumbered_profile with a pair of ids 100 → 101 (01 17 5d) added to its RENUMBER: profile 2 has no extension of id 100, so the base and the description are the same, but an encoder finds no such pair.", "offer",
		avJoin(out...), nil, nil, "non-canonical")
}

// skipPairs returns the index in edits after the n pairs of a RENUMBER
// that start at p (each a varint, and a second one when the first's low
// three bits are all set), -1 when they pass the end.
func skipPairs(edits []byte, p, n int) int {
	for range n {
		v, k := binary.Uvarint(edits[min(p, len(edits)):])
		if k > 0 && v&7 == 7 {
			p += k
			_, k = binary.Uvarint(edits[min(p, len(edits)):])
		}
		if k <= 0 {
			return -1
		}
		p += k
	}
	return p
}

// avRenumberAsOffer writes the vectors of RENUMBER AS OFFER (AVFORM §14.5):
// an offer of Chromium 143 (testdata/av/batch11), coded against profile 2
// renumbered, and pion's and Chromium's answers to it, whose video parts
// are profiles renumbered as the offer; then the damaged ones.
func (g *gen) avRenumberAsOffer() {
	read := g.batchReader("batch11", "av_renumber_as_offer")
	const old = "testdata/av/batch11 (Chromium 143, an older version than the registry's profiles)"
	offer := g.encode("av_chromium143_avdata_offer", "The audio+video+data offer of "+old+", chromium-avdata-offer-to-pion.sdp: its video part is coded against profile 2 renumbered (base 5, then 0b 11 and its pairs).", codec.Offer, read("chromium-avdata-offer-to-pion"), nil, nil)
	pion := g.encode("av_pion_avdata_answer_to_chromium143", "pion's answer to av_chromium143_avdata_offer ("+old+", pion-avdata-answer-to-chromium.sdp): its video part is the answer profile of pion to Chromium renumbered as the offer, 0b 12 after its base number (RENUMBER AS OFFER).", codec.Answer, read("pion-avdata-answer-to-chromium"), nil, offer)
	offer2 := g.encode("av_chromium143_avdata_offer_to_chromium143", "The audio+video+data offer of "+old+", chromium-avdata-offer-to-chromium.sdp.", codec.Offer, read("chromium-avdata-offer-to-chromium"), nil, nil)
	g.encode("av_chromium143_avdata_answer_to_chromium143", "Chromium 143's answer to av_chromium143_avdata_offer_to_chromium143 ("+old+", chromium-avdata-answer-to-chromium.sdp): its video part is Chromium's answer profile renumbered as the offer (0b 12).", codec.Answer, read("chromium-avdata-answer-to-chromium"), nil, offer2)
	if g.err != nil {
		return
	}
	ait := items(pion)
	ae := content(ait[5])
	at := bytes.Index(ae, []byte{0x30, 0x0b, 0x12}) // part 2: profile 45 renumbered as the offer
	oe := content(items(offer)[5])
	ot := bytes.Index(oe, []byte{5, 0x0b, 0x11}) // the offer's part 2: profile 2 renumbered
	if at != 4 || ot < 0 {
		g.fail("av_renumber_as_offer", "no RENUMBER AS OFFER at part 2 of the answer (% x) or RENUMBER in the offer (% x)", ae, oe)
		return
	}
	answerWith := func(e []byte) []byte {
		out := append([][]byte{}, ait...)
		out[5] = bstr(e)
		return avJoin(out...)
	}
	np := int(oe[ot+3]) // the offer's count of payload-type pairs (below 128: one byte)
	end := skipPairs(oe, ot+4, np)
	if end < 0 || end >= len(oe) || oe[end] != 0 {
		g.fail("av_renumber_as_offer_spelled_out", "the offer's RENUMBER is not of payload types only: % x", oe[ot:])
		return
	}
	g.decodeFail("av_renumber_as_offer_spelled_out", "av_pion_avdata_answer_to_chromium143 with its RENUMBER AS OFFER (0b 12) written as the offer's RENUMBER, the same pairs spelled out (0b 11 …): the same base, but the encoder writes the two bytes.", "answer",
		answerWith(join(ae[:5], oe[ot+1:end+1], ae[7:])), offer, nil, "non-canonical")
	g.decodeFail("av_renumber_as_offer_unchanged", "av_pion_avdata_answer_to_chromium143 with its video part's base profile 45 replaced by profile 1 (base 4, Chromium's audio section), still renumbered as the offer: the offer's pairs take video payload types, none of profile 1's numbers.", "answer",
		answerWith(join(ae[:4], []byte{4}, ae[5:])), offer, nil, "malformed")
	g.decodeFail("av_renumber_as_offer_no_renumber", "av_pion_avdata_answer_to_chromium143 with RENUMBER AS OFFER (0b 12) after the base of its session part (profile 43), whose part in the offer has no RENUMBER.", "answer",
		answerWith(join(ae[:1], []byte{0x0b, 0x12}, ae[1:])), offer, nil, "malformed")
	g.decodeFail("av_renumber_as_offer_in_offer", "av_chromium143_avdata_offer with the RENUMBER of its video part replaced by RENUMBER AS OFFER (0b 12): an offer has no offer.", "offer",
		func() []byte {
			oit := items(offer)
			out := append([][]byte{}, oit...)
			out[5] = bstr(join(oe[:ot+1], []byte{0x0b, 0x12}, oe[end+1:]))
			return avJoin(out...)
		}(), nil, nil, "malformed")
	g.decodeFail("av_renumber_as_offer_own_base", "av_pion_avdata_answer_to_chromium143 with its video part's base the offer's part 2 (base 1, index 4) followed by 0b 12: only a profile is renumbered as the offer, and after any other base 0b 12 is a PERM of 20 blocks.", "answer",
		answerWith(join(ae[:4], []byte{1, 4}, ae[5:])), offer, nil, "malformed")
}
