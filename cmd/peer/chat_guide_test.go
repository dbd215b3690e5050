package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestChatSaysWhatToDo: a first 'peer chat' (no remembered peer) says that
// the other side runs 'peer chat -answer' and pastes the code; 'peer chat
// -answer' asks for the offer's code before anything is pasted, then says
// where its own code goes. They printed a code and nothing else.
func TestChatSaysWhatToDo(t *testing.T) {
	args := loopbackChat(t.TempDir())
	a := startChat(t, args("a")...)
	offer := a.line(t, 20*time.Second)
	if !strings.HasPrefix(offer, "P-") {
		t.Errorf("the code %q is not in the link form", offer)
	}
	waitStderr(t, a.stderr, "it runs 'peer chat -answer' and pastes it; then paste its answer's code here")
	b := startChat(t, append(args("b"), "-answer")...)
	waitStderr(t, b.stderr, "peer: paste the offer's code that 'peer chat' shows on the other side")
	io.WriteString(b.in, offer+"\n")
	answer := b.line(t, 20*time.Second)
	waitStderr(t, b.stderr, "give this answer's code to the other side")
	io.WriteString(a.in, answer+"\n")
	waitStderr(t, a.stderr, "peer: paired with ")
	a.end(t)
	b.end(t)
}

// loopbackChat returns the flags of a chat on loopback named name, its
// files in dir, with no listener for direct reconnection.
func loopbackChat(dir string) func(name string) []string {
	return func(name string) []string {
		return []string{"-identity", filepath.Join(dir, name+".key"), "-store", filepath.Join(dir, name+".json"),
			"-loopback", "-listen", "none", "-gather", "300ms"}
	}
}

func waitStderr(t *testing.T, b *chatSyncBuf, want string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(b.String(), want); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr never said %q:\n%s", want, b)
		}
	}
}
