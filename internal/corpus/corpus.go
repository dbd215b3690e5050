// Package corpus reads the collections of real session descriptions under
// testdata/ (corpus, stacks, av): each directory's INDEX.tsv has a header row
// naming its columns, then one row per description file with its
// provenance. The tests, the fuzz seeds and the benchmarks read them through
// this one loader.
package corpus

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one row of an INDEX.tsv and the text of its file.
type Entry struct {
	File string            // the row's "file" column: a path relative to the directory
	Col  map[string]string // every column of the row, by its header name
	SDP  string            // the file's text, as stored
}

// Type returns the row's "type" column: "offer" or "answer".
func (e Entry) Type() string { return e.Col["type"] }

// Answer reports whether the row's type is "answer".
func (e Entry) Answer() bool { return e.Col["type"] == "answer" }

// Load reads dir/INDEX.tsv and every file it lists, in the order of its rows.
// A row with another number of columns than the header, or a file that
// cannot be read, is an error.
func Load(dir string) ([]Entry, error) {
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("corpus: %s/INDEX.tsv has no header row", dir)
	}
	head := strings.Split(sc.Text(), "\t")
	if head[0] != "file" {
		return nil, fmt.Errorf("corpus: %s/INDEX.tsv: the first column is %q, not \"file\"", dir, head[0])
	}
	var out []Entry
	for line := 2; sc.Scan(); line++ {
		col := strings.Split(sc.Text(), "\t")
		if len(col) != len(head) {
			return nil, fmt.Errorf("corpus: %s/INDEX.tsv:%d: %d columns, the header has %d", dir, line, len(col), len(head))
		}
		e := Entry{File: col[0], Col: make(map[string]string, len(head))}
		for i, h := range head {
			e.Col[h] = col[i]
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.File)))
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		e.SDP = string(b)
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: %s/INDEX.tsv: %w", dir, err)
	}
	return out, nil
}
