package main

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// The colours of a QR code drawn on a terminal: black modules on a white
// ground, as 256-colour SGR indexes of the colour cube (16 is #000000, 231
// is #ffffff), which terminal themes leave alone, unlike the 16 named
// colours that a theme redefines.
const (
	qrInk   = "\x1b[38;5;16;48;5;231m"
	qrReset = "\x1b[0m"
)

// qrText draws s as a QR code (ECC level L) for a terminal: two modules a
// character cell, upper and lower half blocks, quiet zone included. It sets
// its own colours, dark modules on a light ground, so that it scans alike
// on a light and a dark theme: a code drawn in the terminal's colours is
// inverted on one of the two, and many scanners (zbar among them) do not
// read an inverted code. Each line resets the colours at its end.
func qrText(s string) string {
	q, err := qrcode.New(s, qrcode.Low)
	if err != nil {
		return fmt.Sprintf("(no QR code: %v)\n", err)
	}
	bm := q.Bitmap() // quiet zone included
	var b strings.Builder
	for y := 0; y < len(bm); y += 2 {
		b.WriteString(qrInk)
		for x := range bm[y] {
			top := bm[y][x]
			bottom := y+1 < len(bm) && bm[y+1][x]
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteString(qrReset + "\n")
	}
	return b.String()
}
