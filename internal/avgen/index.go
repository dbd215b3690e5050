package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// indexHeader is the header of testdata/av/INDEX.tsv: the nine columns of
// testdata/corpus/INDEX.tsv, then the generator's own.
var indexHeader = []string{
	"file", "stack", "browser_version", "type", "media", "candidates", "source", "features", "notes",
	"scenario", "pair", "made_by", "date", "batch", "accepted_by",
}

// Column positions in indexHeader.
const (
	colFile = iota
	colStack
	colVersion
	colType
	colMedia
	colCandidates
	colSource
	colFeatures
	colNotes
	colScenario
	colPair
	colMadeBy
	colDate
	colBatch
	colAcceptedBy
)

// row is one INDEX.tsv line.
type row []string

// readIndex reads an INDEX.tsv; a missing file is an empty index.
func readIndex(path string) ([]row, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() || sc.Text() != strings.Join(indexHeader, "\t") {
		return nil, fmt.Errorf("%w: %s: header is not %q", ErrCheck, path, strings.Join(indexHeader, "\t"))
	}
	var rows []row
	for sc.Scan() {
		r := row(strings.Split(sc.Text(), "\t"))
		if len(r) != len(indexHeader) {
			return nil, fmt.Errorf("%w: %s: row with %d columns: %.60q", ErrCheck, path, len(r), sc.Text())
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// writeIndex writes rows under the header, sorted by file.
func writeIndex(path string, rows []row) error {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a[colFile], b[colFile]) })
	var buf bytes.Buffer
	buf.WriteString(strings.Join(indexHeader, "\t") + "\n")
	for _, r := range rows {
		buf.WriteString(strings.Join(r, "\t") + "\n")
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// meta is what a batch's rows share.
type meta struct {
	batch, date, madeBy string
	versions            map[string]string // stack -> browser_version column
}

// stackOf is the stack of a helper name (chromium-mdns -> chromium).
func stackOf(helper string) string {
	s, _, _ := strings.Cut(helper, "-")
	return s
}

// rows returns the INDEX rows of a made pair.
func (m made) rows(mt meta) []row {
	offer := filepath.ToSlash(filepath.Join(mt.batch, m.offerFile()))
	answer := filepath.ToSlash(filepath.Join(mt.batch, m.answerFile()))
	mk := func(file, helper, typ, sdp, pairFile, acceptedBy string) row {
		r := make(row, len(indexHeader))
		r[colFile], r[colStack], r[colVersion], r[colType] = file, stackOf(helper), mt.versions[stackOf(helper)], typ
		r[colMedia], r[colCandidates] = mediaOf(sdp), fmt.Sprint(strings.Count(sdp, "a=candidate:"))
		r[colSource] = "made by the generator (testdata/av/README.md)"
		r[colFeatures], r[colNotes] = strings.Join(features(sdp), ","), notes(helper, typ, m.scenario)
		r[colScenario], r[colPair], r[colMadeBy], r[colDate] = m.scenario, pairFile, mt.madeBy, mt.date
		r[colBatch], r[colAcceptedBy] = mt.batch, acceptedBy
		return r
	}
	return []row{
		mk(offer, m.offerer, "offer", m.offer, answer, m.answerer),
		mk(answer, m.answerer, "answer", m.answer, offer, m.offerer),
	}
}

// keyOfferNote marks the offers made as the audio/video form's size target
// is defined: Chromium, default configuration, microphone and camera, one
// data channel, complete gathering, plain IPv4 and IPv6 host addresses.
const keyOfferNote = "the Chromium audio+video+data offer"

func notes(helper, typ, scenario string) string {
	var n []string
	if helper == "chromium" && typ == "offer" && scenario == "avdata" {
		n = append(n, keyOfferNote)
	}
	switch {
	case strings.HasSuffix(helper, "-mdns"):
		n = append(n, "browser default host-address mode (mDNS names)")
	case helper == "chromium":
		n = append(n, "WebRtcHideLocalIpsWithMdns disabled")
	case helper == "firefox":
		n = append(n, "obfuscate_host_addresses false")
	}
	return strings.Join(n, "; ")
}

var mline = regexp.MustCompile(`(?m)^m=(\w+) `)

// mediaOf is the corpus' media column: audio, video, datachannel or mixed.
func mediaOf(sdp string) string {
	kinds := map[string]bool{}
	for _, m := range mline.FindAllStringSubmatch(sdp, -1) {
		k := m[1]
		if k == "application" {
			k = "datachannel"
		}
		kinds[k] = true
	}
	if len(kinds) != 1 {
		return "mixed"
	}
	for k := range kinds {
		return k
	}
	return ""
}

// featureRules are the corpus' features columns a description can show,
// each with the pattern that finds it.
var featureRules = []struct {
	name string
	re   *regexp.Regexp
}{
	{"mdns", regexp.MustCompile(`(?m)^a=candidate:\S+ \d+ \S+ \d+ \S+\.local `)},
	{"ipv6", regexp.MustCompile(`(?m)^a=candidate:\S+ \d+ \S+ \d+ [0-9a-fA-F]*:[0-9a-fA-F:]* `)},
	{"tcp-candidates", regexp.MustCompile(`(?mi)^a=candidate:\S+ \d+ tcp `)},
	{"rtcp-component2", regexp.MustCompile(`(?m)^a=candidate:\S+ 2 `)},
	{"end-of-candidates", regexp.MustCompile(`(?m)^a=end-of-candidates`)},
	{"extmap-allow-mixed", regexp.MustCompile(`(?m)^a=extmap-allow-mixed`)},
	{"ssrc-group-FID", regexp.MustCompile(`(?m)^a=ssrc-group:FID `)},
	{"ssrc-group-SIM", regexp.MustCompile(`(?m)^a=ssrc-group:SIM `)},
	{"rid-simulcast", regexp.MustCompile(`(?m)^a=simulcast:`)},
	{"sendonly", regexp.MustCompile(`(?m)^a=sendonly`)},
	{"recvonly", regexp.MustCompile(`(?m)^a=recvonly`)},
	{"inactive", regexp.MustCompile(`(?m)^a=inactive`)},
}

// features is the corpus' features column of sdp: m<N> (the number of media
// sections), then each rule that matches, and no-bundle when there is no
// BUNDLE group.
func features(sdp string) []string {
	f := []string{fmt.Sprintf("m%d", len(mline.FindAllString(sdp, -1)))}
	for _, r := range featureRules {
		if r.re.MatchString(sdp) {
			f = append(f, r.name)
		}
	}
	if !strings.Contains(sdp, "a=group:BUNDLE") {
		f = append(f, "no-bundle")
	}
	return f
}
