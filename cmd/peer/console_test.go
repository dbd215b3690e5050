package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fakeTerm is a terminal for in-process runs: what the person types goes
// to its reader, what the command writes shows on its screen.
type fakeTerm struct {
	keys   *io.PipeReader
	typing *io.PipeWriter
	screen *chatSyncBuf
}

func newFakeTerm() *fakeTerm {
	r, w := io.Pipe()
	return &fakeTerm{keys: r, typing: w, screen: &chatSyncBuf{}}
}

func (f *fakeTerm) Read(p []byte) (int, error)  { return f.keys.Read(p) }
func (f *fakeTerm) Write(p []byte) (int, error) { return f.screen.Write(p) }
func (f *fakeTerm) Close() error                { return nil }

// typeLine types s and Enter.
func (f *fakeTerm) typeLine(s string) { io.WriteString(f.typing, s+"\n") }

// waitScreen waits until re matches the screen after its first from bytes,
// and returns the match and the screen length after it.
func (f *fakeTerm) waitScreen(t *testing.T, re *regexp.Regexp, from int, what string) ([]string, int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		s := f.screen.String()
		if loc := re.FindStringSubmatchIndex(s[from:]); loc != nil {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[from+loc[2*i] : from+loc[2*i+1]]
				}
			}
			return m, from + loc[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %s; it shows:\n%s", what, s)
		}
	}
}

// runAtTerminal runs peer in-process with the streams a shell gives it:
// term is the controlling terminal, and each of stdin and stdout is term
// unless a file or pipe is given.
func runAtTerminal(term *fakeTerm, stdin io.Reader, stdout io.Writer, args ...string) <-chan int {
	e := &env{stdin: term, stdout: term, stderr: term, stdinTTY: true, stdoutTTY: true, stderrTTY: true,
		openTTY: func() (io.ReadWriteCloser, error) { return term, nil }}
	if stdin != nil {
		e.stdin, e.stdinTTY = stdin, false
	}
	if stdout != nil {
		e.stdout, e.stdoutTTY = stdout, false
	}
	st := make(chan int, 1)
	go func() { st <- run(e, args) }()
	return st
}

var (
	linkCodeLine = regexp.MustCompile(`(?m)^(P-[A-Z2-7]+)\n`)
	anyCodeLine  = regexp.MustCompile(`(?m)^P[-:]`)
)

// TestFileAtTerminals is README's file transfer as a person does it, with a
// terminal on each side: `peer offer < file` and `peer answer > copy`. The
// codes and prompts are on the terminals (the offer read the answer's code
// from the file, and the answer wrote its code into the copy), each side
// says when it is connected, a bad paste is asked again on both sides, the
// codes shown are the link form (no spaces), and both exit 0 once the file
// is across, with no Ctrl-D (the answerer's terminal stays open).
func TestFileAtTerminals(t *testing.T) {
	file := make([]byte, 1<<20+777)
	rand.NewChaCha8([32]byte{9}).Read(file)
	ta, tb := newFakeTerm(), newFakeTerm()
	var copyBuf chatSyncBuf
	offerSt := runAtTerminal(ta, bytes.NewReader(file), nil, "offer", "-loopback")
	answerSt := runAtTerminal(tb, nil, &copyBuf, "answer", "-loopback")
	defer tb.typing.Close()

	m, at := ta.waitScreen(t, linkCodeLine, 0, "the offer's code")
	offer := m[1]
	_, at = ta.waitScreen(t, regexp.MustCompile(`paste the answer's code`), at, "a prompt for the answer's code")
	_, bt := tb.waitScreen(t, regexp.MustCompile(`paste the offer's code`), 0, "a prompt for the offer's code")

	tb.typeLine(offer[:len(offer)-5]) // a bad paste: asked again
	_, bt = tb.waitScreen(t, regexp.MustCompile(`peer: this code is damaged.*\n.*paste the offer's code`), bt, "the damaged code, asked again")
	tb.typeLine(offer)
	m, bt = tb.waitScreen(t, linkCodeLine, bt, "the answer's code")
	answer := m[1]

	ta.typeLine(offer) // its own offer where the answer goes: asked again
	_, at = ta.waitScreen(t, regexp.MustCompile(`peer: this is an offer's code, not an answer's.*\n.*paste the answer's code`), at, "the wrong kind, asked again")
	ta.typeLine(answer)
	ta.waitScreen(t, regexp.MustCompile(`peer: connected`), at, "connected")
	tb.waitScreen(t, regexp.MustCompile(`peer: connected`), bt, "connected")

	for name, st := range map[string]<-chan int{"offer": offerSt, "answer": answerSt} {
		select {
		case s := <-st:
			if s != 0 {
				t.Fatalf("%s exited %d; its terminal:\n%s", name, s, map[string]*fakeTerm{"offer": ta, "answer": tb}[name].screen)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%s did not exit without a Ctrl-D; terminals:\n%s\n----\n%s", name, ta.screen, tb.screen)
		}
	}
	if got := copyBuf.String(); got != string(file) {
		t.Fatalf("copy has %d bytes, the file %d: cmp fails", len(got), len(file))
	}
	for name, term := range map[string]*fakeTerm{"offer": ta, "answer": tb} {
		s := term.screen.String()
		t.Logf("%s's terminal:\n%s", name, regexp.MustCompile(`(?m)^\x1b\[38.*\n`).ReplaceAllString(s, ""))
		if !strings.Contains(s, "peer: done: ") {
			t.Errorf("%s's terminal does not say it is done:\n%s", name, s)
		}
		for _, l := range strings.Split(s, "\n") {
			if anyCodeLine.MatchString(l) && !linkCodeLine.MatchString(l+"\n") {
				t.Errorf("%s's terminal shows a code that is not in the link form: %q", name, l)
			}
		}
	}
}
