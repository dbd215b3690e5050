package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// console is where a connecting command talks to the person: where it
// writes its own code, prompts and progress, and where it reads the other
// side's code. With a person at a terminal, that is the terminal even when
// stdin or stdout carries data: `peer offer < file` reads the answer's code
// from the terminal, `peer answer > copy` shows its code there, and only
// the data goes through stdin and stdout. Without a terminal (a program, or
// -stdio) the codes are the first line of stdout and of stdin, and nothing
// else is said.
type console struct {
	codeOut io.Writer     // this side's code, one line
	say     io.Writer     // prompts, QR codes, progress (io.Discard for a program)
	in      *bufio.Reader // the other side's code
	data    *bufio.Reader // stdin, the data to send (the same reader as in when codes come on stdin)
	person  bool          // a person types the codes: a bad one is asked again
	tty     io.Closer     // the terminal, when the console opened it
}

// newConsole chooses where the command talks (see console). stdio keeps
// the codes on stdin and stdout even when a terminal is there.
func newConsole(e *env, stdio bool) *console {
	c := &console{data: bufio.NewReaderSize(e.stdin, 64<<10), codeOut: e.stdout, say: io.Discard}
	c.in = c.data
	var tty io.ReadWriteCloser
	if !stdio && (!e.stdinTTY || !e.stdoutTTY) && e.openTTY != nil {
		if t, err := e.openTTY(); err == nil {
			tty = t
			c.tty = t
		}
	}
	switch {
	case e.stderrTTY:
		c.say = e.stderr
	case tty != nil:
		c.say = tty
	}
	if !stdio && !e.stdoutTTY && (e.stderrTTY || tty != nil) {
		c.codeOut = c.say
	}
	if !e.stdinTTY && tty != nil {
		c.in = bufio.NewReaderSize(tty, 4<<10)
	}
	c.person = e.stdinTTY || tty != nil
	return c
}

// close closes the terminal if the console opened it.
func (c *console) close() {
	if c.tty != nil {
		c.tty.Close()
	}
}

// sayf writes a line (or more) for the person; a program gets none.
func (c *console) sayf(format string, a ...any) {
	fmt.Fprintf(c.say, format, a...)
}

// talking reports whether a person is told things.
func (c *console) talking() bool { return c.say != io.Discard }

// askCode reads the other side's code (want: "offer" or "answer") and
// passes it to use until use accepts it. A person who pastes a bad code is
// told why and asked again; a program gets the error. It gives up when stop
// closes or ctx ends.
func (c *console) askCode(ctx context.Context, stop <-chan struct{}, want string, use func([]byte) error) error {
	prompt := fmt.Sprintf("peer: paste the %s's code (P-…, P:… or a link) and press Enter: ", want)
	for {
		c.sayf("%s", prompt)
		line, err := readCodeLine(ctx, c.in, stop)
		if errors.Is(err, errEmptyLine) && c.person {
			continue
		}
		if err != nil {
			return err
		}
		code, err := codec.ParseText(line)
		if err == nil {
			err = use(code)
		}
		err = describe(err, want)
		if err == nil {
			return nil
		}
		if !c.person || !isCodeProblem(err) {
			return err
		}
		c.sayf("peer: %s\n", oneLine(err.Error()))
	}
}

// errEmptyLine is an empty line where a code was expected.
var errEmptyLine = errors.New("the first line is empty: paste a code (P-… or P:…) or a link")

// readCodeLine reads one line of r (a code in any text form), at most the
// code text limit (SPEC.md §8). It gives up when stop closes or ctx ends.
func readCodeLine(ctx context.Context, r *bufio.Reader, stop <-chan struct{}) (string, error) {
	type result struct {
		s   string
		err error
	}
	res := make(chan result, 1)
	go func() {
		var b strings.Builder
		for b.Len() <= codec.DefaultMaxTextBytes {
			frag, isPrefix, err := r.ReadLine()
			b.Write(frag)
			if err != nil {
				if err == io.EOF && b.Len() > 0 {
					err = nil
				} else if err == io.EOF {
					err = errors.New("the input ended before a code came")
				}
				res <- result{b.String(), err}
				return
			}
			if !isPrefix {
				res <- result{b.String(), nil}
				return
			}
		}
		res <- result{"", fmt.Errorf("the line is longer than a code can be (%d bytes)", codec.DefaultMaxTextBytes)}
	}()
	select {
	case r := <-res:
		if r.err == nil && strings.TrimSpace(r.s) == "" {
			return "", errEmptyLine
		}
		return r.s, r.err
	case <-stop:
		return "", errors.New("stopped")
	case <-ctx.Done():
		return "", errInterrupted
	}
}

// errInterrupted reports that the person interrupted the command (Ctrl-C).
var errInterrupted = errors.New("interrupted")
