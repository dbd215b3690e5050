package codec

import (
	_ "embed"
	"strings"
)

// The registry of profiles of the compact audio/video form (AVFORM §6):
// skeleton parts of known stack versions that a part is coded against.
// Later revisions only append profiles; a code naming a profile this
// decoder does not know is unsupported.

//go:embed avprofiles.txt
var avProfilesFile string

// avProfiles are the registry's profiles, each a list of skeleton lines;
// avRegistryText is every profile's lines, each followed by LF, profiles in
// order: part of the dictionary of the text item.
var avProfiles, avRegistryText = func() ([][]string, string) {
	p := parseProfiles(avProfilesFile)
	var b strings.Builder
	for _, lines := range p {
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return p, b.String()
}()

// parseProfiles reads the registry file format: profiles separated by one
// empty line, one skeleton line per line, a byte below 0x20 and '\'
// written as '\' and two lower-case hex digits.
func parseProfiles(file string) [][]string {
	var out [][]string
	for _, block := range strings.Split(strings.TrimSuffix(file, "\n"), "\n\n") {
		var lines []string
		for _, l := range strings.Split(block, "\n") {
			lines = append(lines, unescapeProfileLine(l))
		}
		out = append(out, lines)
	}
	return out
}

// formatProfiles writes profiles in the registry file format.
func formatProfiles(profiles [][]string) string {
	var b strings.Builder
	for i, p := range profiles {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, l := range p {
			for k := 0; k < len(l); k++ {
				if c := l[k]; c < 0x20 || c == '\\' {
					b.WriteByte('\\')
					b.WriteByte(hexDigits[c>>4])
					b.WriteByte(hexDigits[c&15])
				} else {
					b.WriteByte(c)
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func unescapeProfileLine(l string) string {
	if !strings.Contains(l, `\`) {
		return l
	}
	var b strings.Builder
	for k := 0; k < len(l); k++ {
		if l[k] == '\\' && k+2 < len(l) {
			hi, _ := unhex(l[k+1])
			lo, _ := unhex(l[k+2])
			b.WriteByte(hi<<4 | lo)
			k += 2
			continue
		}
		b.WriteByte(l[k])
	}
	return b.String()
}

// avRegistrySources are the descriptions whose skeleton parts make the
// registry, in order (AVFORM §6), relative to the repository root: the
// audio+video+data offers of Chromium 156, Firefox ESR 153, pion v4 and
// Safari ~14 (profiles 0 to 15); then, per stack version, its receive-only,
// simulcast and mDNS offers; last, the answers of Chromium, Firefox and pion
// to each of the three offers (answers are coded against their offer, but a
// stack's answer differs from another stack's offer in most lines). The
// answers come last because the text item's dictionary ends with the
// registry's last bytes (DEFLATE's window is 32 KiB).
var avRegistrySources = []string{
	"testdata/av/batch1/chromium-avdata-offer-to-chromium.sdp", // Chromium 156
	"testdata/av/batch1/firefox-avdata-offer-to-chromium.sdp",  // Firefox ESR 153
	"testdata/av/batch1/pion-avdata-offer-to-chromium.sdp",     // pion v4
	"testdata/corpus/safari-mixed-offer-02.sdp",                // Safari ~14
	"testdata/av/batch1/chromium-recvonly-offer-to-firefox.sdp",
	"testdata/av/batch1/firefox-recvonly-offer-to-pion.sdp",
	"testdata/av/batch1/chromium-simulcast-offer-to-pion.sdp",
	"testdata/av/batch1/firefox-simulcast-offer-to-chromium.sdp",
	"testdata/av/batch1/pion-simulcast-offer-to-firefox.sdp",
	"testdata/av/batch1/firefox-mdns-avdata-offer-to-chromium.sdp",
	"testdata/av/batch1/chromium-mdns-recvonly-offer-to-firefox-mdns.sdp",
	"testdata/av/batch1/chromium-avdata-answer-to-chromium.sdp",
	"testdata/av/batch1/chromium-avdata-answer-to-firefox.sdp",
	"testdata/av/batch1/chromium-avdata-answer-to-pion.sdp",
	"testdata/av/batch1/firefox-avdata-answer-to-chromium.sdp",
	"testdata/av/batch1/firefox-avdata-answer-to-firefox.sdp",
	"testdata/av/batch1/firefox-avdata-answer-to-pion.sdp",
	"testdata/av/batch1/pion-avdata-answer-to-chromium.sdp",
	"testdata/av/batch1/pion-avdata-answer-to-firefox.sdp",
	"testdata/av/batch1/pion-avdata-answer-to-pion.sdp",
}

// buildProfiles returns the registry made from the given descriptions: the
// skeleton parts of each (offers, default policy), in order, without a part
// identical to an earlier one.
func buildProfiles(sdps []string) ([][]string, error) {
	var out [][]string
	for _, text := range sdps {
		p, err := parseSDP(text)
		if err != nil {
			return nil, err
		}
		s, ok := avExtract(p, &CandidatePolicy{})
		if !ok {
			return nil, errf(ErrInvalidSDP, -1, "registry", "a registry source is not A/V-eligible")
		}
	next:
		for _, part := range s.parts {
			for _, q := range out {
				if equalLines(q, part) {
					continue next
				}
			}
			out = append(out, part)
		}
	}
	return out, nil
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
