package main

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/peer-sdp/peer/codec"
)

// internals are words of the layers under the command that a person's
// message must not show.
var internals = regexp.MustCompile(`\b(ref|codec|peer serve):|connection [A-Za-z0-9+/]{4}:|\(at \d+\)|items`)

// personLine checks a person's error: status 1, one line starting with
// "peer:", none of the layers' words, and the words it must say.
func personLine(t *testing.T, what string, st int, errs string, want ...string) {
	t.Helper()
	if st != 1 || !strings.HasPrefix(errs, "peer: ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("%s: status %d, stderr %q: want 1 and one line starting with peer:", what, st, errs)
		return
	}
	if m := internals.FindString(strings.TrimPrefix(errs, "peer: ")); m != "" {
		t.Errorf("%s: %q shows the internal %q", what, errs, m)
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			t.Errorf("%s: %q does not say %q", what, errs, w)
		}
	}
}

// TestPersonMessages: what went wrong and what to do, in the command's
// words (web/static's messages are the model).
func TestPersonMessages(t *testing.T) {
	valid := strings.TrimSpace(mustRun(t, corpusFile(t, "chrome-datachannel-offer-04.sdp"), "encode"))
	for _, c := range []struct {
		name, stdin string
		args        []string
		want        []string
	}{
		{"encode of nothing", "", []string{"encode"}, []string{"stdin is empty", "session description"}},
		{"encode of blanks", " \n\n", []string{"encode"}, []string{"stdin is empty"}},
		{"decode of an empty line", "\n", []string{"decode"}, []string{"stdin is empty", "P-"}},
		{"decode of a cut code", valid[:len(valid)-7], []string{"decode"}, []string{"damaged", "copy or scan it again"}},
		{"decode of a word", "hello", []string{"decode"}, []string{"not a peer code", "P-"}},
		{"answer of an empty line", "\n", []string{"answer", "-loopback"}, []string{"offer's code", "empty"}},
		{"answer of a cut code", valid[:len(valid)-7] + "\n", []string{"answer", "-loopback"}, []string{"damaged"}},
	} {
		st, _, errs := runPeer(t, c.stdin, c.args...)
		personLine(t, c.name, st, errs, c.want...)
	}
}

// TestWrongKindOfCode: an offer's code where an answer's goes, and the
// reverse, say so and say which code to paste (they said "ref: connection
// GKPl: complete: wrong kind of code").
func TestWrongKindOfCode(t *testing.T) {
	in, inW := io.Pipe()
	out, res := startCmd([]string{"offer", "-loopback"}, in)
	own, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(inW, own) // its own offer, pasted back
	go io.Copy(io.Discard, out)
	r := waitCmd(t, "offer", res)
	inW.Close()
	personLine(t, "offer given an offer", r.status, r.stderr, "this is an offer's code, not an answer's", "peer answer")

	// An answer's code given to peer answer.
	_, answer := loopbackCodes(t)
	st, _, errs := runPeer(t, codec.FormatText(answer, codec.FormLink)+"\n", "answer", "-loopback")
	personLine(t, "answer given an answer", st, errs, "this is an answer's code, not an offer's", "peer offer")
}
