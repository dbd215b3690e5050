package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peer-sdp/peer/ref/peer"
)

func TestIDCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "id")
	st, out, errs := runPeer(t, "", "id", "-identity", path)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	// Labelled lines: the ID, its short form, the key file (created now)
	// and the certificate file beside it.
	re := regexp.MustCompile(`^id: +([a-z2-7]{52})\nshort id: +([A-Z2-7]{4}(-[A-Z2-7]{4}){3})\nkey: +(\S+) \(created now\)\ncertificate: +(\S+)\n$`)
	m := re.FindStringSubmatch(out)
	if m == nil || m[4] != path || m[5] != path+".cert" {
		t.Fatalf("output %q", out)
	}
	if _, err := os.Stat(path + ".cert"); err != nil {
		t.Fatalf("the certificate file it names: %v", err)
	}
	_, out2, _ := runPeer(t, "", "id", "-identity", path)
	if strings.Contains(out2, "created") || strings.Split(out2, "\n")[0] != strings.Split(out, "\n")[0] {
		t.Fatalf("ID changed or created again: %q then %q", out, out2)
	}
	// A directory that does not exist is named as such (it was a temporary
	// file's name).
	missing := filepath.Join(t.TempDir(), "nodir", "id")
	st, _, errs = runPeer(t, "", "id", "-identity", missing)
	if st != 1 || errs != "peer: the directory "+filepath.Dir(missing)+" does not exist: create it, or give -identity a file in another one\n" {
		t.Fatalf("missing directory: status %d, stderr %q", st, errs)
	}
	os.Chmod(path, 0o644)
	st, _, errs = runPeer(t, "", "id", "-identity", path)
	if st != 1 || !strings.HasPrefix(errs, "peer: ") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("readable identity: status %d, stderr %q", st, errs)
	}
	if st, _, _ := runPeer(t, "", "id", "extra"); st != 2 {
		t.Fatalf("usage error: status %d", st)
	}
}

type chatSyncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *chatSyncBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *chatSyncBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// chatProc is one `peer chat` run in-process.
type chatProc struct {
	in     *io.PipeWriter
	lines  chan string
	stderr *chatSyncBuf
	status chan int
}

func startChat(t *testing.T, args ...string) *chatProc {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &chatProc{in: inW, lines: make(chan string, 16), stderr: &chatSyncBuf{}, status: make(chan int, 1)}
	go func() {
		st := run(&env{stdin: inR, stdout: outW, stderr: c.stderr}, append([]string{"chat"}, args...))
		outW.Close()
		inR.Close()
		c.status <- st
	}()
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	return c
}

func (c *chatProc) line(t *testing.T, d time.Duration) string {
	t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			t.Fatalf("chat ended; stderr:\n%s", c.stderr)
		}
		return l
	case <-time.After(d):
		t.Fatalf("no line within %v; stderr:\n%s", d, c.stderr)
	}
	return ""
}

func (c *chatProc) end(t *testing.T) {
	t.Helper()
	c.in.Close()
	select {
	case st := <-c.status:
		if st != 0 {
			t.Fatalf("chat exited %d; stderr:\n%s", st, c.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("chat did not exit at the end of stdin")
	}
}

func freeTCP(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestChatPairsThenReconnects: two chats pair by code, exchange lines,
// exit; restarted with the same files they reconnect with no code.
func TestChatPairsThenReconnects(t *testing.T) {
	dir := t.TempDir()
	args := func(name, listen string) []string {
		return []string{"-identity", filepath.Join(dir, name+".key"), "-store", filepath.Join(dir, name+".json"),
			"-loopback", "-listen", listen, "-gather", "300ms"}
	}
	la, lb := freeTCP(t), freeTCP(t)
	a := startChat(t, args("a", la)...)
	offer := a.line(t, 20*time.Second)
	b := startChat(t, append(args("b", lb), "-answer")...)
	io.WriteString(b.in, offer+"\n")
	answer := b.line(t, 20*time.Second)
	io.WriteString(a.in, answer+"\n")
	ida, err := peer.LoadIdentity(filepath.Join(dir, "a.key"))
	if err != nil {
		t.Fatal(err)
	}
	idb, _ := peer.LoadIdentity(filepath.Join(dir, "b.key"))
	io.WriteString(a.in, "hello from a\n")
	if l := b.line(t, 30*time.Second); l != ida.ID().Short()+": hello from a" {
		t.Fatalf("b printed %q", l)
	}
	io.WriteString(b.in, "hello from b\n")
	if l := a.line(t, 30*time.Second); l != idb.ID().Short()+": hello from b" {
		t.Fatalf("a printed %q", l)
	}
	a.end(t)
	b.end(t)

	// Restart: no code; they find each other at the remembered address.
	a = startChat(t, args("a", la)...)
	b = startChat(t, args("b", lb)...)
	io.WriteString(a.in, "a is back\n")
	if l := b.line(t, 60*time.Second); l != ida.ID().Short()+": a is back" {
		t.Fatalf("b printed %q", l)
	}
	if !strings.Contains(a.stderr.String(), "reconnecting to "+idb.ID().Short()) {
		t.Errorf("a's stderr:\n%s", a.stderr)
	}
	a.end(t)
	b.end(t)
}
