package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// lossless are the encodings ours is compared with: all keep a description
// connectable, since they carry it whole.
var lossless = []int{encRaw, encGzip, encBrotli, encDict, encJSON, encJSONGzip}

// median returns the median of vs (the mean of the two middle values for an
// even count); NaN-free: 0 for no values.
func median(vs []int) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

func fmtNum(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// fmtVer formats a QR version; 0 (or a median over 40) means it does not fit.
func fmtVer(f float64) string {
	if f == 0 || f > 40 {
		return ">40"
	}
	return fmtNum(f)
}

// verKey maps "does not fit" (0) above every version, for medians.
func verKey(v int) int {
	if v == 0 {
		return 41
	}
	return v
}

// column gathers the measured values of encoding e over ms.
func column(ms []measurement, e int) (size, qrL, qrM []int) {
	for _, m := range ms {
		if m.size[e] < 0 {
			continue
		}
		size = append(size, m.size[e])
		qrL = append(qrL, verKey(m.qrL[e]))
		qrM = append(qrM, verKey(m.qrM[e]))
	}
	return
}

// cell formats the medians of encoding e over ms: "bytes (L/M)", and the
// count when only some inputs are measured.
func cell(ms []measurement, e int) string {
	size, l, m := column(ms, e)
	if len(size) == 0 {
		return "—"
	}
	c := fmt.Sprintf("%s (%s/%s)", fmtNum(median(size)), fmtVer(median(l)), fmtVer(median(m)))
	if len(size) != len(ms) {
		c += fmt.Sprintf(" n=%d", len(size))
	}
	return c
}

// group is a set of measurements sharing a kind and a stack.
type group struct {
	kind, stack string
	ms          []measurement
}

// groups splits ms by kind (data channel first) and stack (corpus stacks by
// name, then vectors), with one "all" group per kind at the end of it.
func groups(ms []measurement) []group {
	var out []group
	for _, kind := range []string{kindDC, kindAV} {
		by := map[string][]measurement{}
		var all []measurement
		for _, m := range ms {
			if m.kind == kind {
				by[m.stack] = append(by[m.stack], m)
				all = append(all, m)
			}
		}
		stacks := make([]string, 0, len(by))
		for s := range by {
			stacks = append(stacks, s)
		}
		sort.Slice(stacks, func(i, j int) bool {
			vi, vj := strings.HasPrefix(stacks[i], "vectors:"), strings.HasPrefix(stacks[j], "vectors:")
			if vi != vj {
				return vj
			}
			return stacks[i] < stacks[j]
		})
		for _, s := range stacks {
			out = append(out, group{kind, s, by[s]})
		}
		if len(all) > 0 {
			out = append(out, group{kind, "all", all})
		}
	}
	return out
}

// summaryTable is the table of medians per kind and stack.
func summaryTable(ms []measurement) *table {
	t := &table{
		title: "Medians per kind and stack: bytes (QR version at ECC L/M)",
		notes: []string{
			"Bytes for the binary encodings, characters for text forms. QR versions: byte mode for raw, gzip, brotli, dict-deflate, the base64 forms and ours-bin; " +
				"for ours-qr and ours-link, the version of the text as a QR encoder segments it (alphanumeric). >40: does not fit in any QR code.",
			"dict-deflate is measured on the held-out half of the corpus and on the vectors only (n= says how many); the dictionary is built from the other half.",
		},
		header: []string{"kind", "stack", "n"},
	}
	for e := range numEnc {
		t.header = append(t.header, encNames[e])
	}
	for _, g := range groups(ms) {
		row := []string{g.kind, g.stack, strconv.Itoa(len(g.ms))}
		for e := range numEnc {
			row = append(row, cell(g.ms, e))
		}
		t.add(row...)
	}
	return t
}

// bestOther returns the smallest lossless encoding of m and its size.
func bestOther(m measurement) (enc, size int) {
	enc, size = -1, 0
	for _, e := range lossless {
		if m.size[e] >= 0 && (enc < 0 || m.size[e] < size) {
			enc, size = e, m.size[e]
		}
	}
	return enc, size
}

// dcTable compares ours with the smallest lossless encoding of each
// data-channel description, per stack.
func dcTable(ms []measurement) (*table, []string) {
	t := &table{
		title: "Data channel: ours against the smallest lossless encoding of each description",
		notes: []string{
			"best = the smallest of raw, gzip-9, brotli-11, dict-deflate (held-out half and vectors only), b64(json), b64(gz(json)) for that description. " +
				"margin = best − ours-bin in bytes (positive: ours is smaller). QR-L: median version at ECC L of ours-qr (the text a phone scans) and of the best in byte mode.",
		},
		header: []string{"stack", "n", "ours-bin", "best", "ours smaller", "margin min", "margin median", "ours/best", "vs dict-deflate (held-out)", "QR-L ours-qr", "QR-L best"},
	}
	var losses []string
	for _, g := range groups(ms) {
		if g.kind != kindDC {
			continue
		}
		var ours, best, margin, ratio, ql, qb []int
		var dictMargin []int
		smaller := 0
		for _, m := range g.ms {
			e, b := bestOther(m)
			o := m.size[encBin]
			ours, best, margin = append(ours, o), append(best, b), append(margin, b-o)
			ratio = append(ratio, 1000*o/b)
			ql, qb = append(ql, verKey(m.qrL[encQR])), append(qb, verKey(m.qrL[e]))
			if o < b {
				smaller++
			} else if g.stack != "all" {
				losses = append(losses, fmt.Sprintf("%s: ours-bin %d B (%s form), %s %d B", m.name, o, form(m), encNames[e], b))
			}
			if m.size[encDict] >= 0 {
				dictMargin = append(dictMargin, m.size[encDict]-o)
			}
		}
		dm := "—"
		if len(dictMargin) > 0 {
			dm = fmt.Sprintf("%s B smaller (n=%d)", fmtNum(median(dictMargin)), len(dictMargin))
		}
		t.add(g.stack, strconv.Itoa(len(g.ms)), fmtNum(median(ours)), fmtNum(median(best)),
			fmt.Sprintf("%d/%d", smaller, len(g.ms)), strconv.Itoa(slices.Min(margin)), fmtNum(median(margin)),
			fmt.Sprintf("%.0f%%", median(ratio)/10), dm, fmtVer(median(ql)), fmtVer(median(qb)))
	}
	return t, losses
}

// avTable compares ours (the A/V form, or the residual form where a
// description is not A/V-eligible) with the preset-dictionary deflate on
// audio/video descriptions, per stack.
func avTable(ms []measurement) *table {
	t := &table{
		title: "Audio/video: ours (A/V form) against dict-deflate",
		notes: []string{
			"On held-out descriptions only (the dictionary's training half is excluded): medians, and how often ours is smaller. " +
				"Ours is the compact audio/video form (transport and identifiers as bytes, the rest as line edits of registry profiles, codec/avprofiles.txt, with inserted lines in one DEFLATE block), or the residual form for a description that form does not take; answers are bound to a data-channel offer, so they are coded without an offer's skeleton. dict-deflate uses compress/flate at level 9 and a 32 KiB dictionary trained on the other half. " +
				"Caveat in ours' favour: our dictionary (SPEC.md Appendix C) was written with this whole corpus in view, held-out half included; the registry holds only Chromium, Firefox and pion descriptions of testdata/av/batch1 and one Safari offer of the corpus (safari-mixed-offer-02.sdp).",
		},
		header: []string{"stack", "held-out n", "raw", "brotli-11", "dict-deflate", "ours-bin", "ours − dict median", "ours smaller", "worst (ours − dict)", "QR-L ours-qr", "QR-L dict"},
	}
	var none []string
	for _, g := range groups(ms) {
		if g.kind != kindAV {
			continue
		}
		var held []measurement
		for _, m := range g.ms {
			if m.size[encDict] >= 0 {
				held = append(held, m)
			}
		}
		if len(held) == 0 {
			none = append(none, g.stack)
			continue
		}
		var raw, br, dict, ours, delta, ql, qd []int
		smaller := 0
		for _, m := range held {
			raw, br = append(raw, m.size[encRaw]), append(br, m.size[encBrotli])
			dict, ours = append(dict, m.size[encDict]), append(ours, m.size[encBin])
			delta = append(delta, m.size[encBin]-m.size[encDict])
			ql, qd = append(ql, verKey(m.qrL[encQR])), append(qd, verKey(m.qrL[encDict]))
			if m.size[encBin] < m.size[encDict] {
				smaller++
			}
		}
		t.add(g.stack, strconv.Itoa(len(held)), fmtNum(median(raw)), fmtNum(median(br)), fmtNum(median(dict)),
			fmtNum(median(ours)), fmt.Sprintf("%+g", median(delta)), fmt.Sprintf("%d/%d", smaller, len(held)),
			fmt.Sprintf("%+d", slices.Max(delta)), fmtVer(median(ql)), fmtVer(median(qd)))
	}
	if len(none) > 0 {
		t.notes = append(t.notes, "Stacks with no held-out description (see the first table for their sizes): "+strings.Join(none, ", ")+".")
	}
	return t
}

// half names the role of an input in the dictionary split.
func half(m measurement) string {
	switch {
	case m.source == "vectors":
		return "vector"
	case m.train:
		return "train"
	}
	return "held-out"
}

func form(m measurement) string {
	if m.residual {
		return "residual"
	}
	if m.av {
		return "av"
	}
	return "compact"
}

// descriptionTable lists every description: bytes (QR version L/M) per
// encoding.
func descriptionTable(ms []measurement) *table {
	t := &table{
		title:  "Per description: bytes (QR version at ECC L/M)",
		notes:  []string{"half: train (builds the dictionary), held-out, or vector. form: the form of our code."},
		header: []string{"description", "stack", "kind", "type", "half", "form"},
	}
	for e := range numEnc {
		t.header = append(t.header, encNames[e])
	}
	for _, m := range ms {
		row := []string{m.name, m.stack, m.kind, m.typ, half(m), form(m)}
		for e := range numEnc {
			if m.size[e] < 0 {
				row = append(row, "—")
				continue
			}
			row = append(row, fmt.Sprintf("%d (%s/%s)", m.size[e], fmtVer(float64(m.qrL[e])), fmtVer(float64(m.qrM[e]))))
		}
		t.add(row...)
	}
	return t
}

// descriptionCSV is the per-description data in numbers: for each encoding
// its size and QR versions (empty when not measured, 0 when no QR fits).
func descriptionCSV(ms []measurement) *table {
	t := &table{header: []string{"description", "source", "stack", "kind", "type", "half", "form"}}
	for e := range numEnc {
		t.header = append(t.header, encNames[e]+"_bytes", encNames[e]+"_qr_l", encNames[e]+"_qr_m")
	}
	for _, m := range ms {
		row := []string{m.name, m.source, m.stack, m.kind, m.typ, half(m), form(m)}
		for e := range numEnc {
			if m.size[e] < 0 {
				row = append(row, "", "", "")
				continue
			}
			row = append(row, strconv.Itoa(m.size[e]), strconv.Itoa(m.qrL[e]), strconv.Itoa(m.qrM[e]))
		}
		t.add(row...)
	}
	return t
}
