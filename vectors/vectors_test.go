package vectors_test

import (
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/peer-sdp/peer/vectors"
)

// TestFS checks that the embedded files load: a move of the vectors must not
// leave consumers with an empty set. codec/vectors_test.go runs them.
func TestFS(t *testing.T) {
	names, err := fs.Glob(vectors.FS, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 45 {
		t.Fatalf("%d vectors in vectors.FS, want at least 45", len(names))
	}
	for _, n := range names {
		b, err := fs.ReadFile(vectors.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Description string `json:"description"`
			Expect      string `json:"expect"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.Description == "" || v.Expect == "" {
			t.Errorf("%s: not a vector (%v)", n, err)
		}
	}
}
