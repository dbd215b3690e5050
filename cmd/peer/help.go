package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns the flag set of command name; it reports errors
// instead of printing them or exiting (parseFlags does both).
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args. -h prints the command's help on stdout and
// returns errHelp (exit 0); a bad flag or argument is a usage error.
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e.stdout, fs)
			return errHelp
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (a command reads its input on stdin)", fs.Arg(0))
	}
	return nil
}

// printHelp writes a command's help: its synopsis, what it does, reads and
// writes, and its flags.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	name := fs.Name()
	fmt.Fprintf(w, "usage: peer %s [flags]\n\n", name)
	about := strings.TrimSpace(commands[name].about)
	if about == "" {
		about = commands[name].summary
	}
	fmt.Fprintf(w, "%s\n", about)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintf(w, "\nflags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}
