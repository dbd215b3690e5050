package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadCollections loads every collection of testdata: each row's file
// exists, is a description (starts with v=0) and has a type.
func TestLoadCollections(t *testing.T) {
	for _, c := range []struct {
		dir string
		min int
	}{{"corpus", 100}, {"stacks", 10}, {"av", 100}} {
		es, err := Load(filepath.Join("..", "..", "testdata", c.dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(es) < c.min {
			t.Errorf("%s: %d entries, want at least %d", c.dir, len(es), c.min)
		}
		for _, e := range es {
			if !strings.HasPrefix(e.SDP, "v=0") {
				t.Errorf("%s/%s does not start with v=0", c.dir, e.File)
			}
			if e.Type() != "offer" && !e.Answer() {
				t.Errorf("%s/%s has type %q", c.dir, e.File, e.Type())
			}
		}
	}
}

// TestLoadRejects: a short row and a missing file are errors.
func TestLoadRejects(t *testing.T) {
	for name, index := range map[string]string{
		"short row":    "file\ttype\na.sdp\n",
		"missing file": "file\ttype\nnone.sdp\toffer\n",
		"no header":    "",
		"wrong header": "name\ttype\n",
	} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a.sdp"), []byte("v=0\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "INDEX.tsv"), []byte(index), 0o644)
		if _, err := Load(dir); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
