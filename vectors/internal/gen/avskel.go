package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// skeleton rebuilds the skeleton parts of an A/V offer code from its
// edits and text (AVFORM §3), written out here so that a vector can code
// them with other bases.
func skeleton(code []byte) ([][]string, error) {
	reg, err := registry()
	if err != nil {
		return nil, err
	}
	it := items(code)
	edits := content(it[5])
	text := strings.TrimSuffix(string(avInflate(content(it[6]))), "\n")
	var lines []string
	if text != "" {
		lines = strings.Split(text, "\n")
	}
	var parts [][]string
	p := 0
	varint := func() int {
		v, shift := 0, 0
		for edits[p] >= 0x80 {
			v |= int(edits[p]&0x7f) << shift
			shift += 7
			p++
		}
		v |= int(edits[p]) << shift
		p++
		return v
	}
	for p < len(edits) {
		base := varint()
		var bl []string
		switch {
		case base >= 3:
			bl = reg[base-3]
		case base == 2:
			bl = parts[varint()]
		case base == 1:
			return nil, fmt.Errorf("an offer base in an offer")
		}
		var part []string
		for j := 0; ; {
			v := 7 // the end of the edits implies the last part's COPY END
			if p < len(edits) {
				v = varint()
			}
			if v == 3 {
				break
			}
			if v == 7 { // COPY END
				part = append(part, bl[j:]...)
				break
			}
			n := v>>2 + 1
			switch v & 3 {
			case 0:
				part = append(part, bl[j:j+n]...)
				j += n
			case 1: // SEEK: m = n - 1 even is m/2 + 1 forward, odd (m+1)/2 back
				if n%2 == 1 {
					j += (n + 1) / 2
				} else {
					j -= n / 2
				}
			case 2:
				part = append(part, lines[:n]...)
				lines = lines[n:]
			}
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// avTransport writes the vectors of a section's transport candidate that
// is not its first kept one (AVFORM §2, marker 0x14), made from
// av_chromium_avdata_offer's SDP chrome: v4 finds a section's IPv4 UDP
// host candidate line, v6m is the first IPv6 UDP host candidate's match
// (address, port).
func (g *gen) avTransport(chrome string, v4 *regexp.Regexp, v6m []string) {
	// Behind a NAT that keeps ports, Chromium lists a server-reflexive
	// candidate after its host candidates, with the port of the IPv4 one,
	// and writes its address in the c= line.
	cLine := regexp.MustCompile(`c=IN IP4 \S+`)
	lines := strings.SplitAfter(chrome, "\r\n")
	udp := func(l string) bool { return strings.HasPrefix(l, "a=candidate:") && strings.Contains(l, " udp ") }
	var srflx strings.Builder
	port := "" // the section's IPv4 UDP host candidate's
	for k, l := range lines {
		srflx.WriteString(cLine.ReplaceAllString(l, "c=IN IP4 203.0.113.9"))
		if host := v4.FindString(l); host != "" {
			port = strings.Fields(host)[5]
		}
		if udp(l) && (k+1 == len(lines) || !udp(lines[k+1])) { // after the section's UDP candidates
			srflx.WriteString("a=candidate:1518280447 1 udp 1685987071 203.0.113.9 " + port + " typ srflx raddr 192.0.2.69 rport " + port + " generation 0 network-id 1\r\n")
		}
	}
	g.encode("av_transport_srflx", "av_chromium_avdata_offer's SDP with a server-reflexive candidate (203.0.113.9, the port of the IPv4 host candidate) after the UDP host candidates of each section, and its address in the c= lines: that candidate is each section's transport candidate, its line the marker 0x14, and the m= port and c= address are 0x02 and 0x03.", codec.Offer, srflx.String(), nil, nil)
	g.avTransportNegatives()
	audio := strings.Index(chrome, "m=audio")
	video := strings.Index(chrome, "m=video")
	sec := regexp.MustCompile(`m=audio \d+ `).ReplaceAllString(chrome[audio:video], "m=audio "+v6m[2]+" ")
	sec = cLine.ReplaceAllString(sec, "c=IN IP6 "+v6m[1])
	g.encode("av_transport_ipv6", "av_chromium_avdata_offer's SDP whose audio section writes the port and address of its second candidate, the IPv6 UDP one, in its m= and c= lines: that candidate's line is the marker 0x14 (the video and data sections write their first).", codec.Offer, chrome[:audio]+sec+chrome[video:], nil, nil)
}

// avTransportNegatives writes the codes of av_transport_srflx with its
// audio part's candidate lines damaged. Each media part of that code is
// profile k, COPY 5, INSERT 1 of the line 0x14, COPY END: the profile's
// m=, c= and a=rtcp lines and two of its four candidate lines, then the
// server-reflexive candidate's.
func (g *gen) avTransportNegatives() {
	const ofr = "av_transport_srflx"
	it := items(g.bin(ofr))
	edits, text := content(it[5]), avInflate(content(it[6]))
	audio := bytes.Index(edits, []byte{0x10, 0x02, 0x07})
	if g.err != nil || audio < 0 || string(text) != "\x14\n\x14\n\x14\n" {
		g.fail("av_transport_twice", "%s's audio part is not COPY 5, INSERT 1, COPY END, or its text is not three 0x14 lines", ofr)
		return
	}
	damaged := func(ops []byte, lines string) []byte {
		out := append([][]byte{}, it...)
		out[5] = bstr(join(edits[:audio], ops, edits[audio+3:]))
		out[6] = bstr(stored([]byte(lines + "\x14\n\x14\n")))
		return avJoin(out...)
	}
	// COPY 3, INSERT 2, SEEK +1, COPY END: the lines 0x14 0x14 0x01 0x01 0x01.
	g.decodeFail("av_transport_twice", ofr+" whose audio part's first two candidate lines are both 0x14 (COPY 3, INSERT 2 of two 0x14 lines, SEEK +1, COPY END): a part has at most one transport candidate.", "offer",
		damaged([]byte{0x08, 0x0a, 0x01, 0x07}, "\x14\n\x14\n"), nil, nil, "malformed")
	// COPY 3, INSERT 1, COPY END: the lines 0x14 0x01 0x01 0x01 0x01.
	g.decodeFail("av_transport_first", ofr+" whose audio part marks its first candidate line 0x14 and its server-reflexive one 0x01 (COPY 3, INSERT 1 of 0x14, COPY END): the first candidate is the transport candidate (its address renders in the c= line), which an encoder writes 0x01.", "offer",
		damaged([]byte{0x08, 0x02, 0x07}, "\x14\n"), nil, nil, "non-canonical")
}
