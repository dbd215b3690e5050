package ref

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// framingTable reads the frame-type table of FRAMING.md §2: one entry per
// row, from its first type to its last (a single type or a range "0x04–0x3F"),
// with the row's name.
func framingTable(t *testing.T) []frameRow {
	t.Helper()
	text, err := os.ReadFile("../FRAMING.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `0x([0-9A-F]{2})`(?:–`0x([0-9A-F]{2})`)? \\| ([^|]+) \\|")
	var rows []frameRow
	for _, m := range row.FindAllStringSubmatch(string(text), -1) {
		lo, _ := strconv.ParseUint(m[1], 16, 8)
		hi := lo
		if m[2] != "" {
			hi, _ = strconv.ParseUint(m[2], 16, 8)
		}
		rows = append(rows, frameRow{byte(lo), byte(hi), m[3]})
	}
	return rows
}

type frameRow struct {
	lo, hi byte
	name   string
}

// TestFramingSpecTable holds FRAMING.md's frame-type table against the
// constants of this package, of the JavaScript library
// (js/src/peer/channel.js) and of the web page's FILE frame
// (web/static/chat-mode.js): the same types under the same names, the
// must-understand range ending where the ignorable types begin, and every
// type 0x00–0xFF in exactly one row.
func TestFramingSpecTable(t *testing.T) {
	rows := framingTable(t)
	want := map[string]byte{"DATA": frameData, "MORE": frameMore, "EOS": frameEOS, "CLOSE": frameClose, "KEEPALIVE": frameKeepalive}
	jsConst := jsConstants(t, "../js/src/peer/channel.js")
	pageConst := jsConstants(t, "../web/static/chat-mode.js")
	next := 0
	for _, r := range rows {
		if int(r.lo) != next || r.hi < r.lo {
			t.Fatalf("FRAMING.md row %q starts at 0x%02X, want 0x%02X (rows must cover 0x00–0xFF in order)", r.name, r.lo, next)
		}
		next = int(r.hi) + 1
		switch {
		case r.name == "reserved, must-understand":
			if r.lo != frameClose+1 || int(r.hi)+1 != frameIgnorable {
				t.Errorf("must-understand range 0x%02X–0x%02X, want 0x%02X–0x%02X", r.lo, r.hi, frameClose+1, frameIgnorable-1)
			}
		case r.name == "reserved, ignorable":
			if r.lo <= frameIgnorable {
				t.Errorf("ignorable range starts at 0x%02X, at or before the first ignorable type 0x%02X", r.lo, frameIgnorable)
			}
		case r.name == "FILE":
			if r.lo != frameIgnorable || pageConst("F_FILE") != int(r.lo) {
				t.Errorf("FILE is 0x%02X in FRAMING.md; the page says 0x%02X and the first ignorable type is 0x%02X", r.lo, pageConst("F_FILE"), frameIgnorable)
			}
		default:
			v, ok := want[r.name]
			if !ok || r.lo != r.hi {
				t.Errorf("FRAMING.md names type 0x%02X %q, which ref does not define", r.lo, r.name)
				continue
			}
			if r.lo != v || jsConst(r.name) != int(v) {
				t.Errorf("%s is 0x%02X in FRAMING.md, 0x%02X in ref, 0x%02X in js/", r.name, r.lo, v, jsConst(r.name))
			}
			delete(want, r.name)
		}
	}
	if next != 0x100 {
		t.Errorf("FRAMING.md's rows end at 0x%02X, want 0xFF", next-1)
	}
	for name := range want {
		t.Errorf("ref's frame type %s is missing from FRAMING.md", name)
	}
	if jsConst("IGNORABLE") != frameIgnorable {
		t.Errorf("js/'s first ignorable type is 0x%02X, ref's 0x%02X", jsConst("IGNORABLE"), frameIgnorable)
	}
}

// jsConstants reads the JavaScript file at path and returns a function
// that gives the value of its constant `NAME = 0xHH` (failing the test when
// the file defines none).
func jsConstants(t *testing.T, path string) func(name string) int {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return func(name string) int {
		t.Helper()
		m := regexp.MustCompile(`\b` + name + ` = 0x([0-9A-Fa-f]{2})\b`).FindSubmatch(src)
		if m == nil {
			t.Fatalf("%s defines no %s", path, name)
		}
		v, _ := strconv.ParseUint(string(m[1]), 16, 8)
		return int(v)
	}
}
