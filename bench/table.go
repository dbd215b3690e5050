package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// table is a titled table of text cells; the first column is left-aligned,
// the others right-aligned.
type table struct {
	title  string
	notes  []string // paragraphs printed under the title
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

// writeText writes t with space-padded columns.
func (t *table) writeText(w io.Writer) {
	width := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	fmt.Fprintf(w, "%s\n", t.title)
	for _, n := range t.notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
	fmt.Fprintln(w)
}

// writeMarkdown writes t as a GitHub-flavoured Markdown table under a
// level-3 heading.
func (t *table) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "### %s\n\n", t.title)
	for _, n := range t.notes {
		fmt.Fprintf(w, "%s\n\n", n)
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	cells := make([]string, len(t.header))
	for i, h := range t.header {
		cells[i] = esc(h)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	for i := range cells {
		if i == 0 {
			cells[i] = "---"
		} else {
			cells[i] = "---:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(cells, "|"))
	for _, r := range t.rows {
		for i, c := range r {
			cells[i] = esc(c)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells[:len(r)], " | "))
	}
	fmt.Fprintln(w)
}

// writeCSV writes the header and rows of t as CSV.
func (t *table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(t.header)
	cw.WriteAll(t.rows)
	return cw.Error()
}
