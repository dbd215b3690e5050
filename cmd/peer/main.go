// Command peer encodes and decodes compact WebRTC session descriptions and
// connects peers through them without a signaling server.
//
// Usage:
//
//	peer <command> [flags]
//	peer help <command>
//
// Each command lives in its own file and registers itself in commands.
// Exit status: 0 on success, 1 when the input or the connection is bad, 2 on
// a usage error; either way one line on stderr starting with "peer:".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
)

// command is one sub-command of peer.
type command struct {
	summary string // one line for the command list
	about   string // what it does, what it reads and writes (its help)
	// run executes the command with its arguments (without the command
	// name). It returns a usageError for bad flags or arguments.
	run func(env *env, args []string) error
}

// env is what a command may touch: the standard streams and the terminal,
// so that tests can run commands in-process.
type env struct {
	// ctx ends when the person interrupts the command (Ctrl-C); see
	// context.
	ctx context.Context
	// catchInterrupt makes context catch Ctrl-C (SIGINT) from its first
	// call: a command that asks for its context handles Ctrl-C itself (and
	// closes its connections), the others are ended by it.
	catchInterrupt bool
	stdin          io.Reader
	stdout         io.Writer
	stderr         io.Writer
	// Which standard streams are a terminal. Codes, prompts and QR codes go
	// to the terminal; a stream that is not one carries data.
	stdinTTY, stdoutTTY, stderrTTY bool
	// openTTY opens the controlling terminal (/dev/tty) when a standard
	// stream carries data; nil or an error: there is none (a program).
	openTTY func() (io.ReadWriteCloser, error)
}

// context returns the command's context, which ends on Ctrl-C when
// catchInterrupt is set (else never, unless a test set ctx).
func (e *env) context() context.Context {
	if e.ctx == nil {
		e.ctx = context.Background()
		if e.catchInterrupt {
			e.ctx, _ = signal.NotifyContext(e.ctx, os.Interrupt)
		}
	}
	return e.ctx
}

var commands = map[string]command{}

// register adds a command; each command file calls it from init.
func register(name, summary, about string, run func(*env, []string) error) {
	if _, dup := commands[name]; dup {
		panic("peer: command registered twice: " + name)
	}
	commands[name] = command{summary: summary, about: about, run: run}
}

// usageError marks a misuse of the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// errHelp is returned by a command asked for its help (-h): exit status 0.
var errHelp = errors.New("help")

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: peer <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "what a command does, reads and writes, and its flags: peer help <command> (or peer <command> -h)")
}

func isHelpArg(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// run executes peer with the given arguments and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	if isHelpArg(args[0]) || (args[0] == "help" && len(args) == 1) {
		printUsage(e.stdout)
		return 0
	}
	if args[0] == "help" {
		// peer help CMD is peer CMD -h.
		args = []string{args[1], "-h"}
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "peer: unknown command %q; 'peer help' lists the commands\n", args[0])
		return 2
	}
	err := cmd.run(e, args[1:])
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "peer: %s: %s; see 'peer help %s'\n", args[0], oneLine(ue.msg), args[0])
		return 2
	}
	fmt.Fprintf(e.stderr, "peer: %s\n", oneLine(err.Error()))
	return 1
}

// oneLine keeps an error message on a single line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// osEnv is the environment of the process: the standard streams, the
// controlling terminal, and Ctrl-C for the commands that handle it.
func osEnv() *env {
	return &env{catchInterrupt: true, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdinTTY: isTerminal(os.Stdin), stdoutTTY: isTerminal(os.Stdout), stderrTTY: isTerminal(os.Stderr),
		openTTY: openControllingTTY}
}

func main() {
	os.Exit(run(osEnv(), os.Args[1:]))
}
