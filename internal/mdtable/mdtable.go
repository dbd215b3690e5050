// Package mdtable reads the tables of the project's Markdown specifications
// (SPEC.md, IDENTITY.md), so that tests can keep registry tables and Go
// constants in sync.
package mdtable

import (
	"fmt"
	"strings"
)

// After returns the rows of the first table after the line that starts with
// heading, each cell trimmed, without the header and delimiter rows.
func After(doc, heading string) ([][]string, error) {
	i := strings.Index(doc, "\n"+heading)
	if i < 0 {
		return nil, fmt.Errorf("no heading %q", heading)
	}
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(doc[i+1:], "\n")[1:] {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for k := range cells {
			cells[k] = strings.TrimSpace(cells[k])
		}
		if strings.Trim(cells[0], ":-") == "" {
			continue // the delimiter row
		}
		rows = append(rows, cells)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("the table after %q has no rows", heading)
	}
	return rows[1:], nil
}
