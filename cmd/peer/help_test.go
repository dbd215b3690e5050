package main

import (
	"strings"
	"testing"
)

// TestHelp: 'peer help CMD' and 'peer CMD -h' print the command's help on
// stdout and exit 0, as 'peer -h' does; the help says what the command
// does and what it reads and writes, then its flags.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}} {
		st, out, errs := runPeer(t, "", args...)
		if st != 0 || errs != "" || !strings.HasPrefix(out, "usage: peer <command>") {
			t.Errorf("peer %v: status %d, stdout %.40q, stderr %q", args, st, out, errs)
		}
	}
	for name := range commands {
		st, out, errs := runPeer(t, "", "help", name)
		if st != 0 || errs != "" {
			t.Errorf("peer help %s: status %d, stderr %q", name, st, errs)
			continue
		}
		if !strings.HasPrefix(out, "usage: peer "+name+" [flags]\n\n") {
			t.Errorf("peer help %s starts %.60q", name, out)
		}
		if !strings.Contains(out, "stdin") && !strings.Contains(out, "stdout") {
			t.Errorf("peer help %s does not say what it reads or writes:\n%s", name, out)
		}
		if name != "demo" && !strings.Contains(out, "\nflags:\n  -") {
			t.Errorf("peer help %s lists no flags:\n%s", name, out)
		}
		st2, out2, errs2 := runPeer(t, "", name, "-h")
		if st2 != 0 || out2 != out || errs2 != "" {
			t.Errorf("peer %s -h: status %d, stderr %q, stdout differs from peer help %s: %v", name, st2, errs2, name, out2 != out)
		}
	}
}

// TestUsageErrors: a misuse exits 2 with one line that starts with "peer:",
// says what is wrong in the command's words, and where the help is.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"offer", "-form", "xyz"}, `peer: offer: -form "xyz": want link, qr or bin; see 'peer help offer'` + "\n"},
		{[]string{"answer", "-form", "png"}, `peer: answer: -form "png": want link, qr or bin; see 'peer help answer'` + "\n"},
		{[]string{"encode", "-form", "png"}, `peer: encode: -form "png": want link, qr or bin; see 'peer help encode'` + "\n"},
		{[]string{"serve", "-ice", "http://x"}, `peer: serve: -ice "http://x": unknown scheme "http" (want stun, stuns, turn or turns); see 'peer help serve'` + "\n"},
		{[]string{"decode", "-nope"}, "peer: decode: flag provided but not defined: -nope; see 'peer help decode'\n"},
		{[]string{"decode", "extra"}, "peer: decode: unexpected argument \"extra\" (a command reads its input on stdin); see 'peer help decode'\n"},
		{[]string{"frobnicate"}, "peer: unknown command \"frobnicate\"; 'peer help' lists the commands\n"},
		{[]string{"help", "frobnicate"}, "peer: unknown command \"frobnicate\"; 'peer help' lists the commands\n"},
	} {
		st, out, errs := runPeer(t, "", c.args...)
		if st != 2 || errs != c.want || out != "" {
			t.Errorf("peer %v: status %d, stdout %q, stderr\n%q, want\n%q", c.args, st, out, errs, c.want)
		}
	}
}
