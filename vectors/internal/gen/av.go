package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
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
	{"pion-simulcast-answer-to-chromium", "chromium-simulcast-offer-to-pion"},
	{"chromium-simulcast-answer-to-firefox", "firefox-simulcast-offer-to-chromium"},
}

// avName returns the vector name of a batch1 file: av_<maker>_<scenario>_<type>.
func avName(file string) string {
	maker, rest, _ := strings.Cut(file, "-")
	scenario, rest, _ := strings.Cut(rest, "-")
	typ, _, _ := strings.Cut(rest, "-")
	return "av_" + maker + "_" + scenario + "_" + typ
}

func (g *gen) av(b *baseCodes) {
	codes := map[string][]byte{}
	for _, f := range avOffers {
		s, err := readBatch("batch1", f)
		if err != nil {
			g.fail(avName(f), "%v", err)
			return
		}
		codes[f] = g.encode(avName(f), fmt.Sprintf("A real offer in the audio/video form: testdata/av/batch1/%s.sdp.", f), codec.Offer, s, nil, nil)
	}
	for _, a := range avAnswers {
		s, err := readBatch("batch1", a.answer)
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
	chromeSDP, _ := readBatch("batch1", "chromium-avdata-offer-to-chromium")
	offer := codes["chromium-avdata-offer-to-chromium"]
	answer := codes["pion-avdata-answer-to-chromium"]
	g.encode("av_answer_to_compact_offer", "An audio/video answer to a data-channel offer in the compact form (compact_chrome_offer_mdns): its parts are coded against the registry only.",
		codec.Answer, strings.Replace(chromeSDP, "a=setup:actpass", "a=setup:active", -1), nil, b.chrome)
	g.avNegatives(offer, answer, codes["pion-avdata-offer-to-chromium"], chromeSDP)
	g.avTextNegatives(g.trackFirst())
	g.avPickNegatives(offer, codes["pion-av-offer-to-pion"])
	g.avRenumber(chromeSDP, offer)
	g.avRenumberAsOffer()
	g.avRenameTrailingKeep(codes["chromium-twovideo-offer-to-pion"])
	g.avGenNegatives(codes["pion-recvonly-answer-to-firefox"], codes["firefox-recvonly-offer-to-pion"], g.bin("av_chromium_twovideo_offer_track_first"))
	g.avMirrorNegatives(codes["pion-simulcast-answer-to-chromium"], codes["chromium-simulcast-offer-to-pion"], codes["pion-recvonly-answer-to-firefox"], codes["firefox-recvonly-offer-to-pion"])
	g.avMDNSDummy()
	g.avHabits()
}

// avNegatives writes the damaged A/V codes; offer is
// av_chromium_avdata_offer, answer av_pion_avdata_answer_to_chromium. It
// is longer than 80 lines: a list of cases, one vector each.
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
		return avJoin(out...)
	}
	edits := content(it[5])
	// open is edits with the last part's COPY END written, so that parts
	// can follow (the end of the edits implies it: AVFORM §3).
	open := join(edits, []byte{7})

	// The edits (AVFORM §3).
	g.decodeFail("av_unknown_profile", ofr+" whose session part names registry profile 124, which this registry does not have: a later revision's profile, unsupported (never misread).", "offer",
		with(5, bstr(join([]byte{127}, edits[1:]))), nil, nil, "unsupported")
	g.decodeFail("av_copy_past_base", ofr+" with one more part: profile 0 (7 lines) as base and COPY 100.", "offer",
		with(5, bstr(join(open, []byte{3, 0x8c, 0x03, 3}))), nil, nil, "malformed")
	g.decodeFail("av_seek_past_base", ofr+" with one more part: profile 0 (7 lines) as base and SEEK +7, to the base's end (v = 12<<2 | 1).", "offer",
		with(5, bstr(join(open, []byte{3, 12<<2 | 1, 3}))), nil, nil, "malformed")
	g.decodeFail("av_seek_before_base", ofr+" with one more part: profile 0 as base and SEEK -1 from its first line (v = 1<<2 | 1).", "offer",
		with(5, bstr(join(open, []byte{3, 1<<2 | 1, 3}))), nil, nil, "malformed")
	g.decodeFail("av_own_base_later_part", ofr+" with one more part (its fifth, index 4) whose base is part 4 of the description itself (base 2, index varint 8 = 2·4, not renamed): only an earlier part can be a base.", "offer",
		with(5, bstr(join(open, []byte{2, 8, 3}))), nil, nil, "malformed")
	g.decodeFail("av_seek_no_copy", ofr+" with one more part: profile 0 as base, SEEK +2 then END: every edit rule holds but the encoder never writes it, so re-encoding differs.", "offer",
		with(5, bstr(join(open, []byte{3, 2<<2 | 1, 3}))), nil, nil, "non-canonical")
	g.decodeFail("av_offer_base_in_offer", ofr+" with one more part whose base is part 0 of the offer (base 1): an offer has no offer.", "offer",
		with(5, bstr(join(open, []byte{1, 0, 3}))), nil, nil, "malformed")
	g.decodeFail("av_bad_op", ofr+" with one more part (the empty base) holding the op 35, PICK 0: the empty base has no block.", "offer",
		with(5, bstr(join(open, []byte{0, 35, 3}))), nil, nil, "malformed")
	if !bytes.HasPrefix(edits, []byte{3, 7}) {
		g.fail("av_copy_end_not_canonical", "%s: part 0 is not profile 0, COPY END", ofr)
		return
	}
	g.decodeFail("av_copy_end_not_canonical", ofr+" with its session part written COPY 7, END (profile 0 has 7 lines) in place of COPY END: it decodes to the same skeleton, but an encoder writes COPY END.", "offer",
		with(5, bstr(join([]byte{3, 0x18, 3}, edits[2:]))), nil, nil, "non-canonical")
	g.decodeFail("av_part_without_end", ofr+" with its last part's COPY END written and one more part, the empty base, that the end of the edits ends: that part's COPY END is implied, and it is an empty part, which no skeleton has.", "offer",
		with(5, bstr(join(open, []byte{0}))), nil, nil, "non-canonical")
	g.decodeFail("av_copy_end_explicit_last", ofr+" with its last part's COPY END written: it decodes to the same skeleton, but an encoder leaves it out (the end of the edits implies it).", "offer",
		with(5, bstr(open)), nil, nil, "non-canonical")
	g.decodeFail("av_varint_five_bytes", ofr+" with one more part whose base is a varint of 5 bytes (at most 4).", "offer",
		with(5, bstr(join(open, []byte{0x80, 0x80, 0x80, 0x80, 0x00, 3}))), nil, nil, "malformed")
	g.decodeFail("av_varint_not_shortest", ofr+" with the base of its session part written in two bytes (0x82 0x00 for 2).", "offer",
		with(5, bstr(join([]byte{edits[0] | 0x80, 0}, edits[1:]))), nil, nil, "non-canonical")
	var bomb []byte
	for k := 0; k < 40; k++ {
		bomb = append(bomb, 5, 126<<2&0xff|0x80, 126>>5, 3) // profile 2 (127 lines): COPY 127
	}
	g.decodeFail("av_copy_bomb", ofr+" with 40 more parts, each a COPY of all of registry profile 2 (Chromium's video section, 127 lines): the skeleton passes the SDP limit while the edits are applied.", "offer",
		with(5, bstr(join(open, bomb))), nil, nil, "limit")

	// The tables and the body.
	nine := head(nil, 4, 9)
	for k := 0; k < 9; k++ {
		nine = append(nine, bstr(bytes.Repeat([]byte{byte(k + 1)}, 32))...)
	}
	g.decodeFail("av_digests_nine", ofr+" with 9 digests, more than 8 (decided from the array's header).", "offer", with(2, nine), nil, nil, "limit")
	g.decodeFail("av_digest_empty", ofr+" whose digest is an empty byte string in an array of one.", "offer", with(2, []byte{0x81, 0x40}), nil, nil, "malformed")
	g.decodeFail("av_digest_empty_bstr", ofr+" whose digests item is the empty byte string: one digest of no byte.", "offer", with(2, []byte{0x40}), nil, nil, "malformed")
	g.decodeFail("av_digests_array_of_one", ofr+" with its one digest in an array of one: the same table, but an encoder writes one digest as the byte string alone.", "offer", with(2, join([]byte{0x81}, it[2])), nil, nil, "non-canonical")
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
	g.decodeFail("av_ids_bstr_14", ofr+" whose first identifier is a byte string of 14 bytes: neither 16 (a UUID) nor a multiple of 3 (base64 text).", "offer",
		with(4, join(head(nil, 4, uint64(len(ids))), bstr(uuid[:14]), rawJoin(ids[1:]))), nil, nil, "malformed")
	if len(ids) < 3 || len(content(ids[2])) != 12 {
		g.fail("av_ids_tstr_base64", "%s: identifier 2 (the CNAME) is not 12 bytes", ofr)
		return
	}
	cname := base64.StdEncoding.EncodeToString(content(ids[2]))
	g.decodeFail("av_ids_tstr_base64", ofr+" whose identifier 2, the CNAME "+cname+", is written as a text string: base64 text travels as its bytes (12).", "offer",
		with(4, join(head(nil, 4, uint64(len(ids))), rawJoin(ids[:2]), tstr(cname), rawJoin(ids[3:]))), nil, nil, "non-canonical")
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
// av_chromium_twovideo_offer_track_first (trackFirst), whose text has
// lines with SSRC and identifier markers.
func (g *gen) avTextNegatives(offer []byte) {
	if g.err != nil {
		return
	}
	it := items(offer)
	const ofr = "av_chromium_twovideo_offer_track_first"
	with := func(i int, item []byte) []byte {
		out := append([][]byte{}, it...)
		out[i] = item
		return avJoin(out...)
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
	g.decodeFail("av_bad_marker", ofr+" whose text has the control byte 0x15, which is not a marker, in place of an SSRC marker 0x0e.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte{0x0e}, []byte{0x15}, 1)))), nil, nil, "malformed")
	g.decodeFail("av_index_out_of_range", ofr+" whose text refers to SSRC 9990 of a table of fewer.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte{0x0e}, []byte{0x0e, '9', '9', '9'}, 1)))), nil, nil, "malformed")
	g.decodeFail("av_candidate_not_alone", ofr+" whose text has a line with the candidate marker 0x01 and more.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte("a="), []byte("\x01a="), 1)))), nil, nil, "malformed")
	g.decodeFail("av_mids_marker_in_media_part", ofr+" whose text has the mids marker 0x13, which stands only in part 0, in place of an SSRC marker 0x0e of a media section's line.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte{0x0e}, []byte{0x13}, 1)))), nil, nil, "malformed")
	g.avMidsAsText()

}

// avMidsAsText writes av_mids_as_text: av_chromium_audio_offer, whose
// session part is profile 0 whole (COPY END, its BUNDLE line
// `a=group:BUNDLE ⟨13⟩`), with that line written as text: COPY 4, REPLACE 1
// of `a=group:BUNDLE 0`, COPY END.
func (g *gen) avMidsAsText() {
	it := items(g.bin("av_chromium_audio_offer"))
	if len(it) != 7 || !bytes.HasPrefix(content(it[5]), []byte{3, 7}) || len(content(it[6])) != 0 {
		g.fail("av_mids_as_text", "av_chromium_audio_offer's session part is not profile 0, COPY END, or it has text")
		return
	}
	out := append([][]byte{}, it...)
	out[5] = bstr(join([]byte{3, 3 << 2, 1<<2 | 2, 7}, content(it[5])[2:])) // COPY 4, REPLACE 1, COPY END
	out[6] = bstr(stored([]byte("a=group:BUNDLE 0\n")))
	g.decodeFail("av_mids_as_text", "av_chromium_audio_offer with the a=group:BUNDLE line of its session part written as text (COPY 4, REPLACE 1 of `a=group:BUNDLE 0`, COPY END): the same description, but an encoder writes the list of every mid in order as the marker 0x13, which its base has.", "offer",
		avJoin(out...), nil, nil, "non-canonical")
}

// avInflate returns the text of an A/V offer's text item.
func avInflate(deflated []byte) []byte {
	if len(deflated) == 0 {
		return nil // no inserted line
	}
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

// avMore writes the vectors SPEC.md §14 names for its rules (AVFORM-decisions,
// spec editor's list): eligibility, lifting, markers, bases, and damaged
// text, edits and items. It is longer than 80 lines: a list of cases, one
// vector each.
func (g *gen) avMore(b *baseCodes) {
	if g.err != nil {
		return
	}
	chrome, err := readBatch("batch1", "chromium-avdata-offer-to-chromium")
	if err != nil {
		g.fail("av_more", "%v", err)
		return
	}
	chromeCode := g.bin("av_chromium_avdata_offer")
	answer, _ := readBatch("batch1", "chromium-avdata-answer-to-chromium")
	g.encode("av_chromium_avdata_answer_to_chromium", "A real answer of Chromium to a Chromium offer (testdata/av/batch1/chromium-avdata-answer-to-chromium.sdp) against av_chromium_avdata_offer: its parts are edits of the offer's parts and of registry profiles.", codec.Answer, answer, nil, chromeCode)
	ffOfferSDP, _ := readBatch("batch1", "chromium-av-offer-to-firefox")
	ffOffer, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: ffOfferSDP}, nil, nil)
	if err != nil {
		g.fail("av_firefox_av_answer_to_chromium", "%v", err)
		return
	}
	ffAnswer, _ := readBatch("batch1", "firefox-av-answer-to-chromium")
	g.encode("av_firefox_av_answer_to_chromium", "A real answer of Firefox to a Chromium offer (testdata/av/batch1/firefox-av-answer-to-chromium.sdp) against the code of testdata/av/batch1/chromium-av-offer-to-firefox.sdp (offer_bin).", codec.Answer, ffAnswer, nil, ffOffer)
	// Its BUNDLE group's mids in the other order are no 0x13 marker: the
	// session part REPLACEs its base's a=group:BUNDLE line.
	swapped := strings.Replace(ffAnswer, "a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 1 0\r\n", 1)
	swapCode, err := codec.Encode(codec.Description{Type: codec.Answer, SDP: swapped}, ffOffer, nil)
	if err != nil || swapped == ffAnswer {
		g.fail("av_replace_as_insert_seek", "firefox-av-answer-to-chromium with its BUNDLE mids swapped: %v", err)
		return
	}
	g.avReplaceAsInsertSeek("av_firefox_av_answer_to_chromium with the mids of its a=group:BUNDLE line in the other order (1 0)", swapCode, ffOffer)
	g.avGroupedBlocks()

	// Eligibility (AVFORM §1): residual when a rule fails.
	audioSec := strings.Index(chrome, "m=video")
	fp := func(k int) string {
		r := rng(fmt.Sprintf("av_digests/%d", k))
		return "a=fingerprint:" + fingerprint(r, "sha-256", 32) + "\r\n"
	}
	var seven, eight string
	for k := 0; k < 8; k++ {
		if k < 7 {
			seven += fp(k)
		}
		eight += fp(k)
	}
	at := strings.Index(chrome, "m=audio")
	g.encode("av_eight_digests", "av_chromium_avdata_offer's SDP with 7 more session-level fingerprints of other digests: 8 distinct digests, the most the A/V form lifts.", codec.Offer, chrome[:at]+seven+chrome[at:], nil, nil)
	g.encode("av_residual_nine_digests", "av_chromium_avdata_offer's SDP with 8 more session-level fingerprints: 9 distinct digests are more than the A/V form lifts, so the residual form (AVFORM §1 rule 5).", codec.Offer, chrome[:at]+eight+chrome[at:], nil, nil)
	vidUfrag := audioSec + strings.Index(chrome[audioSec:], "a=ice-ufrag:") + len("a=ice-ufrag:")
	g.encode("av_residual_ufrag_differs", "av_chromium_avdata_offer's SDP whose video section has another ICE ufrag: the A/V form needs one ufrag (rule 2), so the residual form.", codec.Offer, chrome[:vidUfrag]+"Zz"+chrome[vidUfrag:], nil, nil)
	g.encode("av_residual_pwd_not_ice", "av_chromium_avdata_offer's SDP whose ICE pwd has a '-' (not an ICE character) in every section: residual form (rule 2).", codec.Offer, strings.ReplaceAll(chrome, "a=ice-pwd:", "a=ice-pwd:-"), nil, nil)
	g.encode("av_residual_session_candidate", "av_chromium_avdata_offer's SDP with an a=candidate line at the session level: residual form (rule 3).", codec.Offer,
		chrome[:at]+"a=candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host\r\n"+chrome[at:], nil, nil)
	g.encode("av_residual_candidate_bad", "av_chromium_avdata_offer's SDP with a media-level candidate whose port is 70000: it breaks SPEC.md §3.3 rule 9, so the residual form (rule 3).", codec.Offer,
		strings.Replace(chrome, "a=ice-ufrag:", "a=candidate:1 1 udp 2122260223 192.0.2.7 70000 typ host\r\na=ice-ufrag:", 1), nil, nil)
	var many strings.Builder
	many.WriteString(b.chromeSDP)
	for k := 0; k < 64; k++ {
		many.WriteString("m=audio 0 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n")
	}
	g.encode("av_residual_65_sections", "compact_chrome_offer_mdns's SDP with 64 rejected audio sections: 65 media sections are more than the A/V form takes (a fixed rule, not a limit), so the residual form.", codec.Offer, many.String(), nil, nil)
	g.encode("av_data_two_sections", "compact_chrome_offer_mdns's SDP with a second, rejected application section: not a compact data-channel description, so the A/V form.", codec.Offer,
		b.chromeSDP+"m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n", nil, nil)
	g.encode("av_policy_max_candidates", "av_chromium_avdata_offer's SDP with the policy max_candidates 3: the maximum counts the candidates kept in every section (3 in all: the audio section's), duplicates are judged within a section.", codec.Offer, chrome, &policy{MaxCandidates: 3}, nil)

	// Lifting and markers (AVFORM §2).
	fpLine := regexp.MustCompile(`a=fingerprint:sha-256 ([0-9A-F:]+)`)
	digest := fpLine.FindStringSubmatch(chrome)[1]
	mixed := strings.ToLower(digest[:2]) + digest[2:]
	g.encode("av_fingerprint_mixed_case", "av_chromium_avdata_offer's SDP whose audio section writes the digest with one lower-case pair: a digest of mixed case is not lifted and stays text.", codec.Offer, strings.Replace(chrome, digest, mixed, 1), nil, nil)
	g.encode("av_fingerprint_both_cases", "av_chromium_avdata_offer's SDP whose video section writes the digest in lower case: both spellings share digest entry 0, the audio section's line with marker 0x06, the video section's with 0x08.", codec.Offer,
		chrome[:audioSec]+strings.Replace(chrome[audioSec:], digest, strings.ToLower(digest), 1), nil, nil)
	g.encode("av_session_id_no_digest", "av_chromium_avdata_offer's SDP with every digest of mixed case: no digest is lifted, so the decoder writes the o= session id 0.", codec.Offer, strings.ReplaceAll(chrome, digest, mixed), nil, nil)
	g.encode("av_marker_port_not_first", "av_chromium_avdata_offer's SDP whose audio m= line has port 40000, no kept candidate's: the port stays text.", codec.Offer,
		regexp.MustCompile(`m=audio \d+ `).ReplaceAllString(chrome, "m=audio 40000 "), nil, nil)
	v6 := regexp.MustCompile(`a=candidate:\S+ 1 udp \d+ (2001:db8:[0-9a-f:]+) (\d+) typ host[^\r]*\r\n`)
	v6m := v6.FindStringSubmatch(chrome)
	v4 := regexp.MustCompile(`a=candidate:\S+ 1 udp \d+ 192\.0\.2\.\d+ \d+ typ host[^\r]*\r\n`)
	swap := func(sec string) string { // the IPv6 UDP candidate first
		l4, l6 := v4.FindString(sec), v6.FindString(sec)
		sec = strings.Replace(sec, l6, "", 1)
		return strings.Replace(sec, l4, l6+l4, 1)
	}
	audio, video := chrome[at:audioSec], chrome[audioSec:]
	audio = swap(audio)
	audio = regexp.MustCompile(`m=audio \d+ `).ReplaceAllString(audio, "m=audio "+v6m[2]+" ")
	audio = regexp.MustCompile(`c=IN IP4 \S+`).ReplaceAllString(audio, "c=IN IP6 "+v6m[1])
	video = swap(video)
	video = regexp.MustCompile(`c=IN IP4 \S+`).ReplaceAllString(video, "c=IN IP6 "+strings.ToUpper(v6m[1]))
	g.encode("av_marker_address_ipv6", "av_chromium_avdata_offer's SDP with the IPv6 UDP candidate first in the audio and video sections and c=IN IP6 lines: the audio section's address in RFC 5952 form (the candidate's canonical text) is lifted (0x03) with its port (0x02); the video section's, in upper case, stays text.", codec.Offer,
		chrome[:at]+audio+video, nil, nil)
	g.avTransport(chrome, v4, v6m)
	g.encode("av_ssrc_name_case", "av_chromium_avdata_offer's SDP with one a=ssrc line written a=SSRC: attribute names match exactly, so its fields stay text.", codec.Offer, strings.Replace(chrome, "a=ssrc:", "a=SSRC:", 1), nil, nil)
	g.encode("av_ssrc_not_decimal", "av_chromium_avdata_offer's SDP with a line a=ssrc:0123 cname:x: an SSRC with a leading zero is not lifted (its cname is).", codec.Offer,
		strings.Replace(chrome, "a=ssrc:", "a=ssrc:0123 cname:x\r\na=ssrc:", 1), nil, nil)
	g.encode("av_base_tie_empty", "av_chromium_avdata_offer's SDP with a fourth section whose lines no base has: every base costs the same (INSERT of all its lines), and the empty base, first in tie-break order, is chosen.", codec.Offer,
		chrome+"m=x-unknown 0 X 0\r\na=x-unknown:1\r\n", nil, nil)

	g.avBases()
	g.avDamage()
}

// registry reads codec/avprofiles.txt (AVFORM §6 format).
func registry() ([][]string, error) {
	b, err := os.ReadFile(filepath.Join("codec", "avprofiles.txt"))
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, block := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n\n") {
		var lines []string
		for _, l := range strings.Split(block, "\n") {
			var u []byte
			for k := 0; k < len(l); k++ {
				if l[k] == '\\' && k+2 < len(l) {
					u = append(u, mustHex(l[k+1 : k+3])[0])
					k += 2
					continue
				}
				u = append(u, l[k])
			}
			lines = append(lines, string(u))
		}
		out = append(out, lines)
	}
	return out, nil
}

// avBases writes the vectors of the base choice a decoder checks.
func (g *gen) avBases() {
	code := g.bin("av_pion_audio_offer")
	parts, err := skeleton(code)
	if err != nil {
		g.fail("av_profile_unused_canonical", "%v", err)
		return
	}
	var edits, text []byte
	for x, part := range parts {
		edits = append(edits, 0)
		switch g := genOf(part, x); {
		case g >= 0:
			edits = append(edits, byte(g+3)<<2|3) // GEN g: the INSERT of one generated line
		case len(part) > 0:
			edits = binary.AppendUvarint(edits, uint64(2*(len(part)-1))<<2|2) // INSERT n: m = 2(n - 1)
			for _, l := range part {
				text = append(append(text, l...), '\n')
			}
		}
		edits = append(edits, 3)
	}
	it := items(code)
	it[5], it[6] = bstr(edits), bstr(stored(text))
	g.decodeOK("av_profile_unused_canonical", "av_pion_audio_offer with every part coded against the empty base (INSERT of all its lines) though registry profiles are cheaper: canonical, since the code uses no profile and a decoder re-encodes with the profiles up to the greatest one the code uses (none).", avJoin(it...), nil)
}

// genOf returns g of the GEN that codes part x against the empty base,
// -1 when it is not a GEN: a part of one line that is a generated line
// (AVFORM §3).
func genOf(part []string, x int) int {
	if len(part) != 1 {
		return -1
	}
	if x > 0 && part[0] == fmt.Sprintf("a=mid:%d", x-1) {
		return 0
	}
	for k, d := range []string{"a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"} {
		if part[0] == d {
			return 1 + k
		}
	}
	return -1
}

// avDamage writes more damaged A/V codes. It is longer than 80 lines: a
// list of cases, one vector each.
func (g *gen) avDamage() {
	tv := g.bin("av_chromium_twovideo_offer_track_first")
	it := items(tv)
	with := func(i int, item []byte) []byte {
		out := append([][]byte{}, it...)
		out[i] = item
		return avJoin(out...)
	}
	text := avInflate(content(it[6]))
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	withText := func(ls []string) []byte {
		return with(6, bstr(stored([]byte(strings.Join(ls, "\n")+"\n"))))
	}
	const tvn = "av_chromium_twovideo_offer_track_first"
	edit := func(k int, l string) []string {
		out := append([]string{}, lines...)
		out[k] = l
		return out
	}
	find := func(prefix string) int {
		for k, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return k
			}
		}
		g.fail("av_damage", "%s: no inserted line starts with %q", tvn, prefix)
		return 0
	}
	g.decodeOK("av_text_other_parse", tvn+" with its text in a stored DEFLATE block: a decoder accepts any valid stream of the canonical text.", withText(lines), nil)
	k := bytes.IndexByte(text, 0x0e)
	lz := append(append(bytes.Clone(text[:k+1]), '0'), text[k+1:]...)
	g.decodeFail("av_index_leading_zero", tvn+" whose first SSRC marker's index has a leading zero.", "offer", with(6, bstr(stored(lz))), nil, nil, "malformed")
	edits := content(it[5])
	// onePart is the code with one more part: the empty base and the
	// inserted line l.
	onePart := func(l string) []byte {
		c := append([][]byte{}, it...)
		c[5] = bstr(join(edits, []byte{0, 2, 3}))
		c[6] = bstr(stored(append(bytes.Clone(text), l+"\n"...)))
		return avJoin(c...)
	}
	if len(edits) < 2 || edits[1] != 7 {
		g.fail("av_port_marker_no_candidate", "%s: part 0 is not a profile, COPY END", tvn)
		return
	}
	g.decodeFail("av_port_marker_no_candidate", tvn+" whose session part (a profile, COPY END) becomes profile 0, COPY 7, INSERT of one more line \"a=x:\\x02\": the port marker in part 0, which has no transport candidate.", "offer",
		func() []byte {
			c := append([][]byte{}, it...)
			c[5] = bstr(join([]byte{3, 0x18, 2, 3}, edits[2:]))
			c[6] = bstr(stored(append([]byte("a=x:\x02\n"), text...)))
			return avJoin(c...)
		}(), nil, nil, "malformed")
	g.decodeFail("av_payloads_marker_no_rtpmap", tvn+" with one more part, the empty base and one inserted line \"m=audio 9 X \\x10\": the payload types marker in a part without a=rtpmap lines.", "offer",
		onePart("m=audio 9 X \x10"), nil, nil, "malformed")
	sem := find("a=ssrc:")
	g.decodeFail("av_marker_misplaced", tvn+" with the session id marker 0x07 as one more field of an inserted a=ssrc: msid line: it renders, and re-encoding finds a number there, which it keeps as text.", "offer",
		withText(edit(sem, lines[sem]+" \x07")), nil, nil, "non-canonical")
	g.decodeFail("av_text_empty_line", tvn+" whose text has an empty line.", "offer",
		with(6, bstr(stored(bytes.Replace(text, []byte("\n"), []byte("\n\n"), 1)))), nil, nil, "malformed")
	g.decodeFail("av_rendered_invalid", tvn+" whose first inserted a=ssrc line is replaced by \"x\": the rendered text is not a valid description.", "offer",
		withText(edit(sem, "x")), nil, nil, "malformed")
	g.decodeFail("av_insert_past_text", tvn+" with one more part that inserts 5 lines the text does not have.", "offer",
		with(5, bstr(join(edits, []byte{0, 8<<2 | 2, 3}))), nil, nil, "malformed")
	g.decodeFail("av_items_six", tvn+" without its text item (6 items): a code without one inserts no line, but its edits insert lines.", "offer", join(it[:6]...), nil, nil, "malformed")
	g.decodeFail("av_items_five", tvn+" without its edits and text items: 5 items.", "offer", join(it[:5]...), nil, nil, "malformed")
	var ids []cbor.RawMessage
	if err := cbor.Unmarshal(it[4], &ids); err != nil {
		g.fail("av_limit_rendered", "%v", err)
		return
	}
	long := join(head(nil, 4, uint64(len(ids))), tstr(strings.Repeat("x", 100)), rawJoin(ids[1:]))
	items2 := append([][]byte{}, it...)
	items2[4] = long
	items2[6] = bstr(stored([]byte(strings.Join(edit(sem, "a=x:"+strings.Repeat("\x0f0", 2000)), "\n") + "\n")))
	g.decodeFail("av_limit_rendered", tvn+" whose identifier 0 is 100 characters and whose first inserted a=ssrc line is replaced by one holding 2000 markers of it: the rendered text passes the SDP limit within that line (checked marker by marker).", "offer",
		avJoin(items2...), nil, nil, "limit")
	var more []byte
	for k := 0; k < 62; k++ {
		more = append(more, 3+11, 8<<2, 3) // profile 11 (pion's application section, 9 lines): COPY 9
	}
	g.decodeFail("av_sections_65", "av_chromium_avdata_offer with 62 more parts, each a copy of registry profile 11 (an application section without candidates): 65 media sections are more than the A/V form takes, found when the rendered text is re-encoded, before any base is compared.", "offer",
		func() []byte {
			c := items(g.bin("av_chromium_avdata_offer"))
			c[5] = bstr(join(content(c[5]), []byte{7}, more)) // its last COPY END written, then the parts
			return avJoin(c...)
		}(), nil, nil, "non-canonical")
	su := items(g.bin("av_setup_upper_case"))
	sut := avInflate(content(su[6]))
	if !bytes.Contains(sut, []byte("a=setup:ACTPASS")) {
		g.fail("av_compact_eligible", "av_setup_upper_case's text has no a=setup:ACTPASS")
		return
	}
	su[6] = bstr(stored(bytes.Replace(sut, []byte("a=setup:ACTPASS"), []byte("a=setup:actpass"), 1)))
	g.decodeFail("av_compact_eligible", "av_setup_upper_case with a=setup:actpass in its text: the rendered description is eligible for the compact data-channel form, so the A/V code is not canonical.", "offer",
		avJoin(su...), nil, nil, "non-canonical")
}

// trackFirst writes av_chromium_twovideo_offer_track_first, Chromium's
// two-video offer with the second video section's a=msid line written
// track first, and returns its code: the rename of the first video section
// makes that line but not the section's ssrc msid lines, which are
// inserted (the damaged-text vectors' source).
func (g *gen) trackFirst() []byte {
	s, err := readBatch("batch1", "chromium-twovideo-offer-to-pion")
	k := strings.LastIndex(s, "\r\na=msid:")
	if err != nil || k < 0 {
		g.fail("av_chromium_twovideo_offer_track_first", "no a=msid line: %v", err)
		return nil
	}
	e := k + 2 + strings.Index(s[k+2:], "\r\n")
	f := strings.Fields(strings.TrimPrefix(s[k+2:e], "a=msid:"))
	s = s[:k+2] + "a=msid:" + f[1] + " " + f[0] + s[e:]
	return g.encode("av_chromium_twovideo_offer_track_first", "testdata/av/batch1/chromium-twovideo-offer-to-pion.sdp with the a=msid line of its second video section written track first: that section is its first video section renamed, and its ssrc msid lines, whose stream and track the rename puts in the other order, are inserted.", codec.Offer, s, nil, nil)
}
