package main

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fxamacker/cbor/v2"
	"github.com/peer-sdp/peer/codec"
)

// The compact audio/video form (heads 18 and 19): real offers and answers
// of Chromium 156, Firefox ESR 153 and pion v4 from testdata/av/batch1,
// and codes damaged by hand following its layout: head, body, digests,
// ssrcs, ids, edits, text [, ext].

// avOffers are the batch1 offers that become av_<maker>_<scenario>_offer.
var avOffers = []string{
	"chromium-audio-offer-to-firefox", "chromium-av-offer-to-chromium", "chromium-avdata-offer-to-chromium",
	"chromium-recvonly-offer-to-firefox", "chromium-simulcast-offer-to-pion", "chromium-twovideo-offer-to-pion",
	"firefox-audio-offer-to-pion", "firefox-av-offer-to-firefox", "firefox-avdata-offer-to-chromium",
	"firefox-recvonly-offer-to-pion", "firefox-simulcast-offer-to-chromium", "firefox-twovideo-offer-to-chromium",
	"pion-audio-offer-to-chromium", "pion-av-offer-to-pion", "pion-avdata-offer-to-chromium",
	"pion-recvonly-offer-to-chromium", "pion-simulcast-offer-to-firefox", "pion-twovideo-offer-to-firefox",
}

// avAnswers are batch1 answers with the offer each answers.
var avAnswers = []struct{ answer, offer string }{
	{"chromium-av-answer-to-chromium", "chromium-av-offer-to-chromium"},
	{"firefox-av-answer-to-firefox", "firefox-av-offer-to-firefox"},
	{"pion-av-answer-to-pion", "pion-av-offer-to-pion"},
	{"chromium-avdata-answer-to-firefox", "firefox-avdata-offer-to-chromium"},
	{"firefox-avdata-answer-to-chromium", "chromium-avdata-offer-to-chromium"},
	{"pion-avdata-answer-to-chromium", "chromium-avdata-offer-to-chromium"},
	{"chromium-audio-answer-to-pion", "pion-audio-offer-to-chromium"},
	{"pion-recvonly-answer-to-firefox", "firefox-recvonly-offer-to-pion"},
}

// avName returns the vector name of a batch1 file: av_<maker>_<scenario>_<type>.
func avName(file string) string {
	maker, rest, _ := strings.Cut(file, "-")
	scenario, rest, _ := strings.Cut(rest, "-")
	typ, _, _ := strings.Cut(rest, "-")
	return "av_" + maker + "_" + scenario + "_" + typ
}

func readBatch1(file string) (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "av", "batch1", file+".sdp"))
	return string(b), err
}

func (g *gen) av(b *baseCodes) {
	codes := map[string][]byte{}
	for _, f := range avOffers {
		s, err := readBatch1(f)
		if err != nil {
			g.fail(avName(f), "%v", err)
			return
		}
		codes[f] = g.encode(avName(f), fmt.Sprintf("A real offer in the audio/video form: testdata/av/batch1/%s.sdp.", f), codec.Offer, s, nil, nil)
	}
	for _, a := range avAnswers {
		s, err := readBatch1(a.answer)
		if err != nil {
			g.fail(avName(a.answer), "%v", err)
			return
		}
		name := avName(a.answer) + "_to_" + strings.SplitN(a.offer, "-", 2)[0]
		codes[a.answer] = g.encode(name, fmt.Sprintf("A real answer in the audio/video form, coded against its offer %s: testdata/av/batch1/%s.sdp.", avName(a.offer), a.answer), codec.Answer, s, nil, codes[a.offer])
	}
	if g.err != nil {
		return
	}
	chromeSDP, _ := readBatch1("chromium-avdata-offer-to-chromium")
	offer := codes["chromium-avdata-offer-to-chromium"]
	answer := codes["pion-avdata-answer-to-chromium"]
	g.encode("av_answer_to_compact_offer", "An audio/video answer to a data-channel offer in the compact form (compact_chrome_offer_mdns): its parts are coded against the registry only.",
		codec.Answer, strings.Replace(chromeSDP, "a=setup:actpass", "a=setup:active", -1), nil, b.chrome)
	g.avNegatives(offer, answer, codes["pion-avdata-offer-to-chromium"], chromeSDP)
	g.avTextNegatives(codes["chromium-twovideo-offer-to-pion"])
}

// avNegatives writes the damaged A/V codes. It is a list of cases, one
// vector each; offer is av_chromium_avdata_offer, answer
// av_pion_avdata_answer_to_chromium.
func (g *gen) avNegatives(offer, answer, other []byte, offerSDP string) {
	it := items(offer)
	if len(it) != 7 {
		g.fail("av_negatives", "the offer has %d items", len(it))
		return
	}
	const ofr = "av_chromium_avdata_offer"
	with := func(i int, item []byte) []byte {
		out := append([][]byte{}, it...)
		out[i] = item
		return join(out...)
	}
	edits := content(it[5])

	// The edits (AVFORM §3).
	g.decodeFail("av_unknown_profile", ofr+" whose session part names registry profile 125, which this registry does not have: a later revision's profile, unsupported (never misread).", "offer",
		with(5, bstr(join([]byte{127}, edits[1:]))), nil, nil, "unsupported")
	g.decodeFail("av_copy_past_base", ofr+" with one more part: profile 0 (7 lines) as base and COPY 100.", "offer",
		with(5, bstr(join(edits, []byte{2, 0x8c, 0x03, 3}))), nil, nil, "malformed")
	g.decodeFail("av_skip_past_base", ofr+" with one more part: profile 0 (7 lines) as base and SKIP 8.", "offer",
		with(5, bstr(join(edits, []byte{2, 7<<2 | 1, 3}))), nil, nil, "malformed")
	g.decodeFail("av_offer_base_in_offer", ofr+" with one more part whose base is part 0 of the offer (base 1): an offer has no offer.", "offer",
		with(5, bstr(join(edits, []byte{1, 0, 3}))), nil, nil, "malformed")
	g.decodeFail("av_bad_op", ofr+" with one more part holding the op 7 (kind 3 but not END).", "offer",
		with(5, bstr(join(edits, []byte{0, 7, 3}))), nil, nil, "malformed")
	g.decodeFail("av_part_without_end", ofr+" with one more part (the empty base) that has no END.", "offer",
		with(5, bstr(join(edits, []byte{0}))), nil, nil, "malformed")
	g.decodeFail("av_varint_five_bytes", ofr+" with one more part whose base is a varint of 5 bytes (at most 4).", "offer",
		with(5, bstr(join(edits, []byte{0x80, 0x80, 0x80, 0x80, 0x00, 3}))), nil, nil, "malformed")
	g.decodeFail("av_varint_not_shortest", ofr+" with the base of its session part written in two bytes (0x82 0x00 for 2).", "offer",
		with(5, bstr(join([]byte{edits[0] | 0x80, 0}, edits[1:]))), nil, nil, "non-canonical")
	var bomb []byte
	for k := 0; k < 40; k++ {
		bomb = append(bomb, 4, 126<<2&0xff|0x80, 126>>5, 3) // profile 2 (127 lines): COPY 127
	}
	g.decodeFail("av_copy_bomb", ofr+" with 40 more parts, each a COPY of all of registry profile 2 (Chromium's video section, 127 lines): the skeleton passes the SDP limit while the edits are applied.", "offer",
		with(5, bstr(join(edits, bomb))), nil, nil, "limit")

	// The tables and the body.
	nine := head(nil, 4, 9)
	for k := 0; k < 9; k++ {
		nine = append(nine, bstr(bytes.Repeat([]byte{byte(k + 1)}, 32))...)
	}
	g.decodeFail("av_digests_nine", ofr+" with 9 digests, more than 8 (decided from the array's header).", "offer", with(2, nine), nil, nil, "limit")
	g.decodeFail("av_digest_empty", ofr+" whose digest is an empty byte string.", "offer", with(2, []byte{0x81, 0x40}), nil, nil, "malformed")
	ssrcs := content(it[3])
	g.decodeFail("av_ssrcs_length_5", ofr+" whose SSRC table has 5 bytes, not a multiple of 4.", "offer", with(3, bstr(ssrcs[:5])), nil, nil, "malformed")
	var ids []cbor.RawMessage
	if err := cbor.Unmarshal(it[4], &ids); err != nil || len(ids) == 0 {
		g.fail("av_ids_tstr_uuid", "ids item: %v", err)
		return
	}
	uuid := content(ids[0])
	h := fmt.Sprintf("%x", uuid)
	asText := h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	g.decodeFail("av_ids_tstr_uuid", ofr+" whose first identifier, a UUID, is written as a text string: a lower-case UUID is 16 bytes.", "offer",
		with(4, join(head(nil, 4, uint64(len(ids))), tstr(asText), rawJoin(ids[1:]))), nil, nil, "non-canonical")
	g.decodeFail("av_ids_tstr_space", ofr+" whose first identifier is a text string with a space.", "offer",
		with(4, join(head(nil, 4, uint64(len(ids))), tstr("a b"), rawJoin(ids[1:]))), nil, nil, "malformed")
	g.decodeFail("av_ids_bstr_15", ofr+" whose first identifier is a byte string of 15 bytes.", "offer",
		with(4, join(head(nil, 4, uint64(len(ids))), bstr(uuid[:15]), rawJoin(ids[1:]))), nil, nil, "malformed")
	body := bytes.Clone(content(it[1]))
	body[0] |= 0x40
	g.decodeFail("av_ice_lite_bit", ofr+" with bit 6 (ICE-lite) of its credentials byte set: in the A/V form a=ice-lite is a skeleton line.", "offer", with(1, bstr(body)), nil, nil, "malformed")
	extra := join(content(it[1]), []byte{0x00, 192, 0, 2, 1, 0x13, 0x88})
	g.decodeFail("av_record_count", ofr+" with one more candidate record than candidate lines in its skeleton.", "offer", with(1, bstr(extra)), nil, nil, "malformed")
	g.decodeFail("av_ext_key_3", ofr+" with ext key 3 (the mid of the data-channel form): keys 1 to 7 do not belong to the A/V form.", "offer",
		join(offer, []byte{0xa1, 0x03}, tstr("0")), nil, nil, "malformed")
	g.decodeFail("av_wrong_type_item", ofr+" whose ssrcs item is an array.", "offer", with(3, []byte{0x80}), nil, nil, "malformed")
	g.decodeOK("av_greased_key", ofr+" with the grease extension key 0x0a0a: ignored.", join(offer, []byte{0xa1, 0x19, 0x0a, 0x0a, 0x42, 0x0a, 0x0a}), nil)

	// Answers and their offers.
	const ans = "av_pion_avdata_answer_to_chromium"
	g.decodeFail("av_answer_without_offer", ans+" decoded without the code of its offer: an A/V answer is coded against it.", "answer", answer, nil, nil, "needs-offer")
	g.decodeFail("av_answer_other_offer", ans+" decoded against another offer (av_pion_avdata_offer).", "answer", answer, other, nil, "binding")
	g.decodeFail("av_answer_offer_is_answer", ans+" decoded against a code that is an answer (itself): the binding does not match.", "answer", answer, answer, nil, "binding")
	g.decodeFail("av_head_20", ofr+" with head 20, reserved for later forms.", "", join([]byte{0x14}, offer[1:]), nil, nil, "unsupported")

	// The choice of form.
	g.decodeFail("av_residual_eligible", "A residual code (head 16) of "+ofr+"'s text, which must use the A/V form.", "offer",
		join([]byte{0x10}, bstr(flateDict([]byte(normal(offerSDP)), flate.BestSpeed))), nil, nil, "non-canonical")
	var many []string
	for k := 0; k < 65; k++ {
		many = append(many, fmt.Sprintf("a=candidate:%d 1 udp 2122260223 192.0.2.%d %d typ host", k+1, k%250+1, 40000+k))
	}
	lim := strings.Replace(offerSDP, "a=ice-ufrag:", strings.Join(many, "\r\n")+"\r\na=ice-ufrag:", 1)
	g.encodeFail("av_limit_candidates", ofr+"'s SDP with 65 more candidates in its first section: over the encoder's limit of 64 (not a fallback to the residual form).", codec.Offer, lim, nil, "limit")
}

// avTextNegatives writes the codes with a damaged text item, made from
// av_chromium_twovideo_offer (whose text has lines: a second video
// section).
func (g *gen) avTextNegatives(offer []byte) {
	it := items(offer)
	const ofr = "av_chromium_twovideo_offer"
	with := func(i int, item []byte) []byte {
		out := append([][]byte{}, it...)
		out[i] = item
		return join(out...)
	}
	text := avInflate(content(it[6]))
	if len(text) == 0 {
		g.fail("av_text", "%s has no text", ofr)
		return
	}
	// The text.
	g.decodeFail("av_text_extra_line", ofr+" whose text has one more line than the edits insert.", "offer",
		with(6, bstr(stored(append(bytes.Clone(text), "a=x\n"...)))), nil, nil, "malformed")
	g.decodeFail("av_text_no_final_lf", ofr+" whose text does not end with LF.", "offer",
		with(6, bstr(stored(text[:len(text)-1]))), nil, nil, "malformed")
	g.decodeFail("av_bad_marker", ofr+" whose text has the control byte 0x10, which is not a marker, in place of an SSRC marker 0x0e.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte{0x0e}, []byte{0x10}, 1)))), nil, nil, "malformed")
	g.decodeFail("av_index_out_of_range", ofr+" whose text refers to SSRC 999 of a table of fewer.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte{0x0e}, []byte{0x0e, '9', '9', '9'}, 1)))), nil, nil, "malformed")
	g.decodeFail("av_candidate_not_alone", ofr+" whose text has a line with the candidate marker 0x01 and more.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte("a="), []byte("\x01a="), 1)))), nil, nil, "malformed")

}

// avInflate returns the text of an A/V offer's text item.
func avInflate(deflated []byte) []byte {
	r := flate.NewReaderDict(bytes.NewReader(deflated), codec.AVDictionary())
	out, err := io.ReadAll(r)
	if err != nil {
		panic(err)
	}
	return out
}

// stored returns text as a raw DEFLATE stream of stored blocks: a decoder
// accepts any valid stream (AVFORM §5, as SPEC.md §4.7).
func stored(text []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.NoCompression)
	if err != nil {
		panic(err)
	}
	w.Write(text)
	w.Close()
	return buf.Bytes()
}

func rawJoin(items []cbor.RawMessage) []byte {
	var out []byte
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}
