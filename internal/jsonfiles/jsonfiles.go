// Package jsonfiles writes generated test vectors: one indented JSON file
// per entry, replacing the directory's previous *.json files, so that a
// generator run is reproducible byte for byte.
package jsonfiles

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
)

// Replace removes every *.json file of dir (creating dir if needed) and
// writes each entry of files as <name>.json, indented by two spaces, HTML
// characters unescaped, in name order.
func Replace[V any](dir string, files map[string]V) error {
	old, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(files[n]); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, n+".json"), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
