package main

import (
	"bytes"
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
		return join(it[0], it[1], it[2], it[3], it[4], bstr(join(edits, ops)), it[6])
	}
	g.decodeFail("av_renumber_no_pair", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER of no pair (0b 11 00 00), then COPY END.", "offer",
		part(5, 11, 17, 0, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_not_ascending", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER of two pairs of payload types, 100 → 101 before 96 → 97, then COPY END.", "offer",
		part(5, 11, 17, 2, 100, 101, 96, 97, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_pt_128", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER whose pair of payload types is 96 → 128 (the varint 80 01), past the payload types, then COPY END.", "offer",
		part(5, 11, 17, 1, 96, 0x80, 1, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_to_itself", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER whose one pair is 96 → 96, then COPY END.", "offer",
		part(5, 11, 17, 1, 96, 96, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_two_to_one", "av_chromium_avdata_offer with one more part: profile 2 as base with a RENUMBER of pairs 96 → 120 and 97 → 120, then COPY END.", "offer",
		part(5, 11, 17, 2, 96, 120, 97, 120, 0, 7), nil, nil, "malformed")
	g.decodeFail("av_renumber_truncated", "av_chromium_avdata_offer with one more part: profile 2 as base and a RENUMBER of one pair of payload types cut after the pair's first number by the end of the edits.", "offer",
		part(5, 11, 17, 1, 96), nil, nil, "malformed")
	g.decodeFail("av_renumber_own_base", "av_chromium_avdata_offer with one more part: part 1 (base 2, index 2) as base followed by 0b 11 01 60 61 00 and COPY END: only a profile is renumbered, and after any other base 0b 11 is a PERM of 19 blocks.", "offer",
		part(2, 2, 11, 17, 1, 96, 97, 0, 7), nil, nil, "malformed")
	var many []byte
	for k := 0; k < 40; k++ {
		many = append(many, 5, 11, 17, 1, 96, 97, 0, 3) // profile 2 renumbered, END
	}
	g.decodeFail("av_renumber_limit", "av_chromium_avdata_offer with 40 more parts, each profile 2 renumbered (96 → 97) and then END: no part copies a line, but each renumbered profile counts toward the skeleton's size, which passes the SDP limit.", "offer",
		part(many...), nil, nil, "limit")
	ue := content(uit[5])
	extra := join(ue[:at+3], []byte{ue[at+3]}) // the profile's RENUMBER, its count of payload-type pairs
	np := int(ue[at+3])
	pairs := ue[at+4 : at+4+2*np]
	if ue[at+4+2*np] != 0 {
		g.fail("av_renumber_extra_pair", "av_renumbered_profile's RENUMBER has pairs of ids: % x", ue[at:])
		return
	}
	damaged := join(extra, pairs, []byte{1, 100, 101}, ue[at+5+2*np:])
	out := append([][]byte{}, uit...)
	out[5] = bstr(damaged)
	g.decodeFail("av_renumber_extra_pair", "av_renumbered_profile with a pair of ids 100 → 101 added to its RENUMBER: profile 2 has no extension of id 100, so the base and the description are the same, but an encoder finds no such pair.", "offer",
		join(out...), nil, nil, "non-canonical")
}
