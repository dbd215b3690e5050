package peer

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// benchCell is one cell of go run ./bench's first table: "606 (17/19)",
// "271 (10/12) n=91": the number and the QR version at level L.
func benchCell(s string) (num, qrL string) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "", ""
	}
	num = f[0]
	if len(f) > 1 {
		qrL, _, _ = strings.Cut(strings.Trim(f[1], "()"), "/")
	}
	return num, qrL
}

// benchNumbers: the table and the sentences of "How small" against what
// go run ./bench prints.
func (r *readme) benchNumbers(t *testing.T) {
	if !strings.Contains(r.text, "`go run ./bench`") {
		t.Fatal("README.md does not name go run ./bench")
	}
	outb, err := r.run(".", "go run ./bench 2>/dev/null")
	if err != nil {
		t.Fatalf("go run ./bench: %v", err)
	}
	out := string(outb)
	rows := map[string][]string{} // "data channel, all" -> cells
	for _, l := range strings.Split(out, "\n") {
		if c := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1); len(c) == 12 && (c[0] == "data channel" || c[0] == "audio/video") {
			if _, dup := rows[c[0]+", "+c[1]]; !dup { // the first table comes first
				rows[c[0]+", "+c[1]] = c[2:]
			}
		}
	}
	// README columns: raw, gzip-9, brotli-11, dict-deflate, ours-bin, ours-qr;
	// bench's after n: raw, gzip-9, brotli-11, dict-deflate, b64(json),
	// b64(gz(json)), ours-bin, ours-qr, ours-link.
	benchCol := []int{1, 2, 3, 4, 7, 8}
	readmeRow := regexp.MustCompile(`(?m)^\| ((?:data channel|audio/video), \w+) \((\d+)\)[^|]*((?:\|[^|\n]*){6})\|$`)
	found := readmeRow.FindAllStringSubmatch(r.prose, -1)
	if len(found) == 0 {
		t.Fatal("README.md's table has no row")
	}
	for _, m := range found {
		b, ok := rows[m[1]]
		if !ok {
			t.Errorf("README row %q: go run ./bench prints no such row", m[1])
			continue
		}
		if m[2] != b[0] {
			t.Errorf("README row %q: n %s, bench %s", m[1], m[2], b[0])
		}
		r.verify(m[2])
		cells := strings.Split(strings.Trim(m[3], "|"), "|")
		for i, cell := range cells {
			num, qr := benchCell(b[benchCol[i]])
			rm := regexp.MustCompile(`^\s*\**([\d.]+)[^(]*(?:\(v([\d.]+)\))?\s*$`).FindStringSubmatch(cell)
			if rm == nil || rm[1] != num || (rm[2] != "" && rm[2] != qr) {
				t.Errorf("README row %q, cell %q: bench prints %q", m[1], cell, b[benchCol[i]])
				continue
			}
			r.verify(rm[1], rm[2])
		}
	}
	corpus := regexp.MustCompile(`(\d+) corpus descriptions \(\d+ malformed ones skipped\) and (\d+) vectors`).FindStringSubmatch(out)
	said := r.find(t, `Medians over the (\d+) valid descriptions of and the (\d+) vectors`)
	if corpus == nil || said[1] != corpus[1] || said[2] != corpus[2] {
		t.Errorf("README: %s; bench: %v", said[0], corpus)
	}
	r.verify(said[1], said[2])
	dict := r.find(t, `with a (\d+)-byte preset dictionary`)
	if !strings.Contains(out, dict[1]+"-byte preset dictionary") {
		t.Errorf("README: a %s-byte dictionary; bench does not say so", dict[1])
	}
	r.verify(dict[1])
	r.heldOut(t, out)
}

// heldOut: the audio/video sentence against bench's "ours against
// dict-deflate" table, row all.
func (r *readme) heldOut(t *testing.T, out string) {
	_, sec, _ := strings.Cut(out, "Audio/video: ours (A/V form) against dict-deflate")
	row := regexp.MustCompile(`(?m)^all\s+(\d+)\s+\S+\s+\S+\s+\S+\s+\S+\s+(-?[\d.]+)\s+(\d+)/(\d+)\s`).FindStringSubmatch(sec)
	said := r.find(t, `On the (\d+) audio/video descriptions held out from its training, this format is smaller on (\d+) \(median ([\d.]+) B smaller`)
	if row == nil || said[1] != row[1] || said[1] != row[4] || said[2] != row[3] || "-"+said[3] != row[2] {
		t.Errorf("README: %q; bench's row: %v", said[0], row)
	}
	r.verify(said[1], said[2], said[3])
}

// testNumbers: the numbers README takes from tests it names.
func (r *readme) testNumbers(t *testing.T) {
	const codecCmd = "go test ./codec -run 'TestCorpus$|TestStacks' -v"
	if !strings.Contains(r.text, "`"+codecCmd+"`") {
		t.Fatalf("README.md does not name %s", codecCmd)
	}
	out, err := r.run(".", codecCmd+" -count=1")
	if err != nil {
		t.Fatalf("%s: %v\n%s", codecCmd, err, out)
	}
	var over []int
	for _, m := range regexp.MustCompile(`floor \d+ \(\+(-?\d+)\)`).FindAllStringSubmatch(string(out), -1) {
		over = append(over, atoi(t, m[1]))
	}
	slices.Sort(over)
	said := r.find(t, `is at most (\d+) bytes over its floor[^)]*\), and all but one at most (\d+)`)
	if len(over) < 2 || over[len(over)-1] != atoi(t, said[1]) || over[len(over)-2] != atoi(t, said[2]) {
		t.Errorf("README: at most %s, all but one at most %s; %s prints the largest %v", said[1], said[2], codecCmd, over[max(0, len(over)-3):])
	}
	r.verify(said[1], said[2])

	const refCmd = "go test ./ref/peer -run TestReconnectCodeSize -v"
	if !strings.Contains(r.text, "`"+refCmd+"`") {
		t.Fatalf("README.md does not name %s", refCmd)
	}
	out, err = r.run(".", refCmd+" -count=1")
	if err != nil {
		t.Fatalf("%s: %v\n%s", refCmd, err, out)
	}
	got := regexp.MustCompile(`offer: first-contact (\d+) B.*reconnect (\d+) B`).FindStringSubmatch(string(out))
	said = r.find(t, `(\d+) B instead of (\d+) B for a pion offer`)
	if got == nil || said[1] != got[2] || said[2] != got[1] {
		t.Errorf("README: %q; %s prints %v", said[0], refCmd, got)
	}
	r.verify(said[1], said[2])
}

// names are numbers that are part of a name: the compressors' levels in
// bench's column names, a licence, the format's version (checked against
// SPEC.md's title).
var names = regexp.MustCompile(`\b(gzip-9|brotli-11|CC0)\b|the format, version \d+`)

// everyNumber: each number of the README's prose and tables was verified
// by a check above.
func (r *readme) everyNumber(t *testing.T) {
	if len(r.verified) == 0 {
		t.Fatal("no check verified a number")
	}
	v := r.find(t, `the format, version (\d+):`)
	spec, err := os.ReadFile("SPEC.md")
	if err != nil || !regexp.MustCompile(`^# .*— version `+v[1]+`\n`).Match(spec) {
		t.Errorf("README: the format, version %s; SPEC.md's title does not say so (%v)", v[1], err)
	}
	for _, n := range regexp.MustCompile(`\d+(\.\d+)?`).FindAllString(names.ReplaceAllString(r.prose, " "), -1) {
		if !r.verified[n] {
			t.Errorf("README.md says %s, which no command it names was checked to print", n)
		}
	}
}
