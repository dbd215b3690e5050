package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
	"github.com/peer-sdp/peer/ref/peer"
)

// TestChatTerminalInjection is a hostile peer that pairs with `peer chat`
// and sends text with terminal control sequences: CR and erase-line (to
// overwrite its own name with a forged sender), a newline (to start a
// forged line), OSC 0 (to set the window title), raw and UTF-8 C1 CSI, and
// a bidi override. The chat must print one line, under the peer's real
// name, with every such character escaped visibly.
func TestChatTerminalInjection(t *testing.T) {
	dir := t.TempDir()
	c := startChat(t, "-identity", filepath.Join(dir, "a.key"), "-store", filepath.Join(dir, "a.json"),
		"-loopback", "-listen", "none", "-gather", "300ms")
	offer := c.line(t, 20*time.Second)

	id, err := peer.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	evil, err := peer.New(&peer.Config{Identity: id, Conn: ref.Config{Loopback: true, GatherTimeout: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer evil.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr, err := evil.Answer(ctx, mustParse(t, offer))
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c.in, codec.FormatText(pr.Code(), codec.FormQR)+"\n")
	victim, err := pr.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	payload := "\x1b[2K\rABCD-EFGH-IJKL-MNOP: forged\nQRST: second line\x1b]0;pwned\x07 \x9b31m \u009b1m \u202eevil\u202c tab\there \\x1b"
	if err := evil.Send(ctx, victim, []byte(payload)); err != nil {
		t.Fatal(err)
	}
	got := c.line(t, 30*time.Second)
	want := id.ID().Short() + `: \x1b[2K\rABCD-EFGH-IJKL-MNOP: forged\nQRST: second line\x1b]0;pwned\x07 \x9b31m \u009b1m \u202eevil\u202c tab\there \\x1b`
	if got != want {
		t.Errorf("chat printed\n%q\nwant\n%q", got, want)
	}
	// Whatever came, no control character reached the terminal.
	if i := strings.IndexFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }); i >= 0 {
		t.Errorf("a control character reached stdout at %d: %q", i, got)
	}
	c.end(t)
}

// TestTerminalText: printable text passes unchanged, the rest is escaped.
func TestTerminalText(t *testing.T) {
	for in, want := range map[string]string{
		"héllo wörld, 你好 🙂":  "héllo wörld, 你好 🙂",
		"a\\b":               "a\\\\b",
		"\x00\x07\x7f":       `\x00\x07\x7f`,
		"\xff\xfe":           `\xff\xfe`,
		"\u200b\u2066\u2069": `\u200b\u2066\u2069`,
		"\U000e0041":         `\U000e0041`,
		"\u00a0":             `\u00a0`,
	} {
		if got := terminalText([]byte(in)); got != want {
			t.Errorf("terminalText(%q) = %q, want %q", in, got, want)
		}
	}
}

// countingReader yields n bytes of 'A', then a newline, and counts what
// was read.
type countingReader struct{ n, read int }

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read > r.n {
		return 0, io.EOF
	}
	k := min(len(p), r.n+1-r.read)
	copy(p[:k], bytes.Repeat([]byte("A"), k))
	if r.read+k > r.n {
		p[k-1] = '\n'
	}
	r.read += k
	return k, nil
}

// TestChatAnswerLongLine: `peer chat -answer` given a first line of 64 MiB
// stops reading at the code text limit (SPEC.md §8) and says so.
func TestChatAnswerLongLine(t *testing.T) {
	dir := t.TempDir()
	in := &countingReader{n: 64 << 20}
	var stderr bytes.Buffer
	st := run(&env{stdin: in, stdout: io.Discard, stderr: &stderr}, []string{"chat", "-answer",
		"-identity", filepath.Join(dir, "a.key"), "-store", filepath.Join(dir, "a.json"), "-loopback", "-listen", "none"})
	msg := stderr.String()
	if st != 1 || !strings.HasPrefix(msg, "peer: ") || !strings.Contains(msg, "longer than") {
		t.Errorf("status %d, stderr %q", st, msg)
	}
	if max := codec.DefaultMaxTextBytes + 128<<10; in.read > max {
		t.Errorf("read %d bytes of stdin, want at most %d", in.read, max)
	}
}
