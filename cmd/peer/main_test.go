package main

import (
	"os"
	"strconv"
	"syscall"
	"testing"
)

// TestMain runs the command itself instead of the tests when
// PEER_TEST_MAIN=1: tests start this test binary as a `peer` process (for a
// process of its own, with its own limits), with the command's arguments.
// PEER_TEST_NOFILE lowers the process's file descriptor limit first (Go
// raises the soft limit to the hard one at start).
func TestMain(m *testing.M) {
	if os.Getenv("PEER_TEST_MAIN") == "1" {
		if n, err := strconv.ParseUint(os.Getenv("PEER_TEST_NOFILE"), 10, 64); err == nil {
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
				os.Stderr.WriteString("peer test: setrlimit: " + err.Error() + "\n")
				os.Exit(3)
			}
		}
		os.Exit(run(osEnv(), os.Args[1:]))
	}
	os.Exit(m.Run())
}
