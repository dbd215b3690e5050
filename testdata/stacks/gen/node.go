package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// parseNodeLines reads the JSON lines the scripts print: {name, stack,
// version, type, how, sdp}.
func parseNodeLines(out string) ([]entry, error) {
	var es []entry
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var j struct{ Name, Stack, Version, Type, How, SDP string }
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			return nil, fmt.Errorf("printed %q: %w", l, err)
		}
		es = append(es, entry{j.Name, j.Stack, j.Version, j.Type, j.How, j.SDP})
	}
	return es, nil
}
