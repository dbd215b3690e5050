package main

import (
	"fmt"
	"strings"
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
