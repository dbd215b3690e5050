package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/ref/peer"
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

// TestChatLongLine: a 50 KiB line reaches the other chat and the session
// goes on (the receiver used to close it as a protocol error, IDENTITY.md
// §3.1's 40 KiB).
func TestChatLongLine(t *testing.T) {
	dir := t.TempDir()
	args := loopbackChat(dir)
	a := startChat(t, args("a")...)
	offer := a.line(t, 20*time.Second)
	b := startChat(t, append(args("b"), "-answer")...)
	io.WriteString(b.in, offer+"\n")
	answer := b.line(t, 20*time.Second)
	io.WriteString(a.in, answer+"\n")
	ida, err := peer.LoadIdentity(filepath.Join(dir, "a.key"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 50<<10)
	io.WriteString(a.in, long+"\n")
	if l := b.line(t, 30*time.Second); l != ida.ID().Short()+": "+long {
		t.Fatalf("b printed %d bytes, want the 50 KiB line", len(l))
	}
	io.WriteString(a.in, "and a short one\n")
	if l := b.line(t, 30*time.Second); l != ida.ID().Short()+": and a short one" {
		t.Fatalf("b printed %q", l)
	}
	if strings.Contains(b.stderr.String(), "reconnecting") || strings.Contains(b.stderr.String(), "left") {
		t.Errorf("the session was lost; b's stderr:\n%s", b.stderr)
	}
	a.end(t)
	b.end(t)
}
