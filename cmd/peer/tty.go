package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// openControllingTTY opens the process's controlling terminal, where a
// command talks to the person when stdin or stdout carries data. A process
// without one (a program, a service) gets an error.
func openControllingTTY() (io.ReadWriteCloser, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}
