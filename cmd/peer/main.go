// Command peer encodes and decodes compact WebRTC session descriptions and
// connects peers through them without a signaling server.
//
// Usage:
//
//	peer <command> [flags]
//
// Each command lives in its own file and registers itself in commands.
// Exit status: 0 on success, 1 when the input or the connection is bad (one
// line on stderr starting with "peer:"), 2 on a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one sub-command of peer.
type command struct {
	summary string
	// run executes the command with its arguments (without the command
	// name). It returns a usageError for bad flags or arguments.
	run func(env *env, args []string) error
}

// env is what a command may touch: the standard streams, so that tests can
// run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stderrTTY reports whether stderr is a terminal (QR codes are drawn there).
	stderrTTY bool
}

var commands = map[string]command{}

// register adds a command; each command file calls it from init.
func register(name, summary string, run func(*env, []string) error) {
	if _, dup := commands[name]; dup {
		panic("peer: command registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

// usageError marks a misuse of the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("peer "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError{""}
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

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
	fmt.Fprintln(w, "\nRun 'peer <command> -h' for a command's flags.")
}

// run executes peer with the given arguments and returns the exit status.
func run(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "peer: unknown command %q\n", args[0])
		printUsage(e.stderr)
		return 2
	}
	err := cmd.run(e, args[1:])
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		if ue.msg != "" {
			fmt.Fprintf(e.stderr, "peer %s: %s\n", args[0], ue.msg)
		}
		return 2
	}
	fmt.Fprintf(e.stderr, "peer: %s\n", oneLine(err.Error()))
	return 1
}

// oneLine keeps an error message on a single line.
func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stderrTTY: isTerminal(os.Stderr)}
	os.Exit(run(e, os.Args[1:]))
}
