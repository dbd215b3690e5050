package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatBadStore: a store file with a null record (which made the
// loader dereference nil) ends `peer chat` with status 1 and one
// "peer:" line, not a panic.
func TestChatBadStore(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "peers.json")
	text := `{"version": 1, "peers": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": null}}`
	if err := os.WriteFile(store, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	st, _, errs := runPeer(t, "", "chat", "-identity", filepath.Join(dir, "key"), "-store", store, "-listen", "none", "-loopback")
	if st != 1 || !strings.HasPrefix(errs, "peer: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "store") {
		t.Fatalf("status %d, stderr %q; want 1 and one peer: line about the store", st, errs)
	}
}
