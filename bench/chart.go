package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"sort"
	"strings"

	"github.com/peer-sdp/peer/internal/qrsize"
)

// chartEncs are the encodings drawn, with their colours and marks.
var chartEncs = []struct {
	enc    int
	colour string
	shape  string // "circle", "square", "diamond"
}{
	{encRaw, "#9e9e9e", "circle"},
	{encGzip, "#e69f00", "circle"},
	{encBrotli, "#cc79a7", "square"},
	{encDict, "#0072b2", "diamond"},
	{encBin, "#009e73", "square"},
}

// byteCapacity returns the most bytes a QR code of version v holds in byte
// mode at level L.
func byteCapacity(v int) int {
	lo, hi := 0, 3000 // version 40-L holds 2953
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if got := qrsize.Version(strings.Repeat("a", mid), qrsize.L); got != 0 && got <= v {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// chart draws a dot plot of the size of every description in the main
// encodings, on a logarithmic axis, one row per description, data channel
// first, each kind sorted by raw size; vertical lines mark QR capacities.
func chart(ms []measurement, env string) []byte {
	const (
		left, right, top, rowH = 290.0, 30.0, 92.0, 11.0
		width                  = 1000.0
		minB, maxB             = 32.0, 16384.0
	)
	sorted := make([]measurement, len(ms))
	copy(sorted, ms)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].kind != sorted[j].kind {
			return sorted[i].kind == kindDC
		}
		return sorted[i].size[encRaw] < sorted[j].size[encRaw]
	})
	x := func(b int) float64 {
		f := math.Log(float64(b)/minB) / math.Log(maxB/minB)
		return left + math.Max(0, math.Min(1, f))*(width-left-right)
	}
	gap := 30.0 // between the two panels
	height := top + float64(len(sorted))*rowH + gap + 50
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">Size of each session description, bytes (log scale)</text>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="36" font-size="10" fill="#555">%s. dict-deflate only on the held-out half and vectors. Dashed lines: QR byte-mode capacity at ECC L.</text>`+"\n", html.EscapeString(env))
	// Legend.
	lx := 10.0
	for _, c := range chartEncs {
		mark(&b, c.shape, lx+5, 52, c.colour)
		fmt.Fprintf(&b, `<text x="%.1f" y="56" font-size="11">%s</text>`+"\n", lx+13, encNames[c.enc])
		lx += 110
	}
	bottom := height - 40
	// Axis: ticks at powers of two, QR capacity lines.
	for v := int(minB); v <= int(maxB); v *= 2 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#eee"/>`+"\n", x(v), top-6, x(v), bottom)
		for _, ty := range []float64{top - 10, bottom + 14} {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" text-anchor="middle">%d</text>`+"\n", x(v), ty, v)
		}
	}
	for _, v := range []int{3, 5, 10, 20, 40} {
		c := byteCapacity(v)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#d55e00" stroke-dasharray="4 3"/>`+"\n", x(c), top-6, x(c), bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" fill="#d55e00" text-anchor="middle">QR v%d (%d B)</text>`+"\n", x(c), bottom+28, v, c)
	}
	y := top
	kind := ""
	for _, m := range sorted {
		if m.kind != kind {
			if kind != "" {
				y += gap
			}
			kind = m.kind
			fmt.Fprintf(&b, `<text x="10" y="%.1f" font-size="12" font-weight="bold">%s</text>`+"\n", y-2, kind)
		}
		y += rowH
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#f4f4f4"/>`+"\n", left, y-3, width-right, y-3)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="8.5" text-anchor="end">%s</text>`+"\n", left-6, y, html.EscapeString(strings.TrimSuffix(m.name, ".sdp")))
		lo, hi := math.MaxInt, 0
		for _, c := range chartEncs {
			if s := m.size[c.enc]; s >= 0 {
				lo, hi = min(lo, s), max(hi, s)
			}
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ccc"/>`+"\n", x(lo), y-3, x(hi), y-3)
		for _, c := range chartEncs {
			if s := m.size[c.enc]; s >= 0 {
				mark(&b, c.shape, x(s), y-3, c.colour)
			}
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// mark draws a point of the given shape centred on (x, y).
func mark(b *bytes.Buffer, shape string, x, y float64, colour string) {
	const r = 3.2
	switch shape {
	case "square":
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.85"/>`+"\n", x-r, y-r, 2*r, 2*r, colour)
	case "diamond":
		fmt.Fprintf(b, `<path d="M%.1f %.1fl%.1f %.1fl%.1f %.1fl%.1f %.1fz" fill="%s" fill-opacity="0.85"/>`+"\n", x, y-r-0.8, r+0.8, r+0.8, -r-0.8, r+0.8, -r-0.8, -r-0.8, colour)
	default:
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" fill-opacity="0.85"/>`+"\n", x, y, r, colour)
	}
}
