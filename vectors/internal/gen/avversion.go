package main

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// avVersion writes the vectors of VERSION (AVFORM §14.5): a Chromium ICE
// restart offer and Firefox's answer to it, Firefox's second offer of a
// call to which it added a data channel (testdata/av/batch5, the renego
// set), and the damaged restart offers.
func (g *gen) avVersion() {
	read := g.batchReader("batch5", "av_chromium_restart_offer")
	offer := read("chromium-restart-offer-to-firefox")
	answer := read("firefox-restart-answer-to-chromium")
	reoffer := read("firefox-reoffer-offer-to-pion")
	stopped := read("chromium-stopped-offer-to-firefox")
	if g.err != nil {
		return
	}
	g.encode("av_chromium_stopped_offer", "A real second offer of Chromium, made after it stopped its video transceiver (testdata/av/batch5/chromium-stopped-offer-to-firefox.sdp): the video section's m= line has the port 0, its inserted text, which the stopped sections text of the dictionary holds (AVFORM §14.6).", codec.Offer, stopped, nil, nil)
	code := g.encode("av_chromium_restart_offer", "A real ICE restart offer of Chromium (testdata/av/batch5/chromium-restart-offer-to-firefox.sdp): its o= line's session version is 3, its profile's 2, so its session part writes VERSION 1 (the varints 11 16 1), not the line as text.", codec.Offer, offer, nil, nil)
	g.encode("av_firefox_restart_answer_to_chromium", "A real answer of Firefox to av_chromium_restart_offer (testdata/av/batch5/firefox-restart-answer-to-chromium.sdp): its session version is 1, its profile's 0: VERSION 1.", codec.Answer, answer, nil, code)
	g.encode("av_firefox_reoffer_offer", "A real second offer of Firefox, made after it added a data channel to a call (testdata/av/batch5/firefox-reoffer-offer-to-pion.sdp): session version 1, VERSION 1.", codec.Offer, reoffer, nil, nil)
	g.avVersionNegatives(code, offer)
}

// avVersionNegatives writes the damaged codes of VERSION, made from code,
// av_chromium_restart_offer, whose session part holds VERSION 1.
func (g *gen) avVersionNegatives(code []byte, sdp string) {
	it := items(code)
	edits := content(it[5])
	at := bytes.Index(edits, []byte{11, 16, 1})
	if len(it) != 7 || at < 0 {
		g.fail("av_version_as_insert", "av_chromium_restart_offer has no VERSION 1: % x", edits)
		return
	}
	with := func(e, text []byte) []byte {
		out := append([][]byte{}, it...)
		out[5], out[6] = bstr(e), text
		return avJoin(out...)
	}
	// The o= line of the skeleton: the session id is the marker 0x07.
	oLine := regexp.MustCompile(`(?m)^o=(\S+) \d+ (.*)\r$`).ReplaceAllString(strings.SplitN(sdp, "\n", 3)[1], "o=$1 \x07 $2")
	// The o= line is the first inserted line: part 0 comes first.
	text := append([]byte(oLine+"\n"), avInflate(content(it[6]))...)
	g.decodeFail("av_version_as_insert", "av_chromium_restart_offer with its VERSION 1 written REPLACE 1 of the o= line as text: the same skeleton, but an encoder writes VERSION.", "offer",
		with(join(edits[:at], []byte{1<<2 | 2}, edits[at+3:]), bstr(stored(text))), nil, nil, "non-canonical")
	g.decodeFail("av_version_zero", "av_chromium_restart_offer with VERSION 0 (11 16 0) in place of VERSION 1: d is at least 1.", "offer",
		with(join(edits[:at], []byte{11, 16, 0}, edits[at+3:]), it[6]), nil, nil, "malformed")
	g.decodeFail("av_version_no_o_line", "av_chromium_restart_offer with VERSION 1 first in its session part, where the base's line is v=0, no o= line.", "offer",
		with(join(edits[:1], []byte{11, 16, 1}, edits[1:]), it[6]), nil, nil, "malformed")
}
