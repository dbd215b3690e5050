package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// termTheme is a terminal's default colours.
type termTheme struct {
	name   string
	fg, bg color.Gray
}

var termThemes = []termTheme{
	{"light", color.Gray{0x20}, color.Gray{0xf5}},
	{"dark", color.Gray{0xd0}, color.Gray{0x1e}},
}

// xterm256 is the grey level of a 256-colour index as xterm draws it (the
// colour cube's black and white corners and its grey ramp: what qrText may
// use; others fail the test).
func xterm256(n int) (color.Gray, error) {
	switch {
	case n == 16:
		return color.Gray{0}, nil
	case n == 231:
		return color.Gray{0xff}, nil
	case n >= 232 && n <= 255:
		return color.Gray{uint8(8 + 10*(n-232))}, nil
	}
	return color.Gray{}, fmt.Errorf("256-colour index %d is not a grey", n)
}

// renderTerminal draws text as a terminal with theme would: each character
// cell 4 pixels wide and 8 high, the half blocks filling their half in the
// foreground colour, SGR sequences (reset, 7 inverse, 38;5;N and 48;5;N)
// changing the colours, and a margin of the theme's background around.
// It is longer than 80 lines: a small terminal emulator, parsing and
// drawing in one pass over the text.
func renderTerminal(text string, th termTheme) (image.Image, error) {
	const cw, ch, margin = 4, 8, 32
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(stripSGR(l)))
	}
	img := image.NewGray(image.Rect(0, 0, width*cw+2*margin, len(lines)*ch+2*margin))
	for i := range img.Pix {
		img.Pix[i] = th.bg.Y
	}
	for row, l := range lines {
		fg, bg, inverse := th.fg, th.bg, false
		col := 0
		for i := 0; i < len(l); {
			if l[i] == '\x1b' {
				end := strings.IndexByte(l[i:], 'm')
				if end < 0 || !strings.HasPrefix(l[i:], "\x1b[") {
					return nil, fmt.Errorf("line %d: an escape sequence other than SGR", row)
				}
				ps := strings.Split(l[i+2:i+end], ";")
				i += end + 1
				for j := 0; j < len(ps); j++ {
					switch ps[j] {
					case "", "0":
						fg, bg, inverse = th.fg, th.bg, false
					case "7":
						inverse = true
					case "38", "48":
						if j+2 >= len(ps) || ps[j+1] != "5" {
							return nil, fmt.Errorf("line %d: colour %q", row, ps)
						}
						n, _ := strconv.Atoi(ps[j+2])
						c, err := xterm256(n)
						if err != nil {
							return nil, err
						}
						if ps[j] == "38" {
							fg = c
						} else {
							bg = c
						}
						j += 2
					default:
						return nil, fmt.Errorf("line %d: SGR %q", row, ps[j])
					}
				}
				continue
			}
			r, n := utf8.DecodeRuneInString(l[i:])
			i += n
			f, b := fg, bg
			if inverse {
				f, b = b, f
			}
			var top, bottom color.Gray
			switch r {
			case '█':
				top, bottom = f, f
			case '▀':
				top, bottom = f, b
			case '▄':
				top, bottom = b, f
			case ' ':
				top, bottom = b, b
			default:
				return nil, fmt.Errorf("line %d: character %q in a QR code", row, r)
			}
			x0, y0 := margin+col*cw, margin+row*ch
			for y := 0; y < ch; y++ {
				c := top
				if y >= ch/2 {
					c = bottom
				}
				for x := 0; x < cw; x++ {
					img.SetGray(x0+x, y0+y, c)
				}
			}
			col++
		}
	}
	return img, nil
}

func stripSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\x1b' {
			if j := strings.IndexByte(s[i:], 'm'); j >= 0 {
				i += j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// zbarDecode decodes the QR code of a PNG with zbarimg ("" when it finds
// none).
func zbarDecode(t *testing.T, file string) string {
	t.Helper()
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Fatalf("zbarimg is needed (apt-get install zbar-tools): %v", err)
	}
	out, _ := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", file).Output()
	return strings.TrimSuffix(string(out), "\n")
}

// TestTerminalQRScans draws QR codes as peer does on a terminal, renders
// the text as a light and a dark terminal theme would show it, and decodes
// the pictures with zbar: each must give back the text.
func TestTerminalQRScans(t *testing.T) {
	dir := t.TempDir()
	for _, text := range []string{
		"P:JEK+DQ9W8JP5$9EA4NIH3ZKGD0HM-LGT8NIH6$K3E6PS8WYMQ$Q:6PG73G8", // qr form: spaces and symbols
		"P-AECSXKDO5RDAJTDDN5HNV7M6RZVMOJA32OTPGHIGTOQ7FMV4O3OA",        // link form
		"http://127.0.0.1:8080/#K-ABCDEFGHIJKLMNOPQRSTUVWXYZ#P-AECSXKDO5RDAJTDDN5HNV7M6RZVMOJA32OTPGHIGTOQ7FMV4O3OA",
	} {
		drawn := qrText(text)
		for _, th := range termThemes {
			img, err := renderTerminal(drawn, th)
			if err != nil {
				t.Fatalf("%s theme: %v", th.name, err)
			}
			file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", th.name, len(text)))
			f, err := os.Create(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if got := zbarDecode(t, file); got != text {
				t.Errorf("%s theme: the QR code of %.20q… decodes to %q", th.name, text, got)
			}
		}
	}
}
