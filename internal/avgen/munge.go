package main

import (
	"regexp"
	"strings"
)

var opusMap = regexp.MustCompile(`^a=rtpmap:(\d+) (?i:opus)/48000/2$`)

// mungeParams are what munge sets in Opus's format parameters.
var mungeParams = []string{"stereo=1", "maxaveragebitrate=128000"}

// munge is what the munged scenario's application does to its offer's text
// before sending it, two edits applications commonly make: Opus in stereo
// with a higher average bitrate (mungeParams added to its `a=fmtp:` line
// where missing, wherever the stack writes that line, or a line of their
// own after its `a=rtpmap:` line), and a video bandwidth limit
// (`b=AS:2000` after the video section's `c=` line, or its `m=` line).
// Line ends are kept.
func munge(sdp string) string {
	eol := "\n"
	if strings.Contains(sdp, "\r\n") {
		eol = "\r\n"
	}
	lines := strings.Split(strings.TrimSuffix(sdp, eol), eol)
	var out []string
	kind, opus, fmtp := "", "", false // fmtp: the section has Opus's a=fmtp line
	for i, l := range lines {
		if strings.HasPrefix(l, "m=") {
			kind, opus = strings.TrimPrefix(strings.Fields(l)[0], "m="), ""
			if kind == "audio" {
				opus = sectionOpus(lines[i+1:])
				fmtp = hasLine(lines[i+1:], "a=fmtp:"+opus+" ")
			}
		}
		if opus != "" && strings.HasPrefix(l, "a=fmtp:"+opus+" ") {
			for _, p := range mungeParams {
				if !strings.Contains(l, p) {
					l += ";" + p
				}
			}
		}
		out = append(out, l)
		if opus != "" && !fmtp && opusMap.MatchString(l) {
			out = append(out, "a=fmtp:"+opus+" "+strings.Join(mungeParams, ";"))
		}
		if kind == "video" && (strings.HasPrefix(l, "c=") || strings.HasPrefix(l, "m=") && !hasLine(lines[i+1:], "c=")) {
			out = append(out, "b=AS:2000")
		}
	}
	return strings.Join(out, eol) + eol
}

// sectionOpus returns the payload type of Opus in the section that starts
// lines, "" when it has none.
func sectionOpus(lines []string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") {
			break
		}
		if m := opusMap.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	return ""
}

// hasLine reports whether a line of the section that starts lines (up to
// the next m= line) begins with prefix.
func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") {
			return false
		}
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}
