package peer

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/internal/ptytest"
)

const readmePatience = 60 * time.Second

var codeLine = regexp.MustCompile(`(?m)^(P-[A-Z2-7]{20,})$`)

// must stops the test with what both terminals show.
func must(t *testing.T, err error, terms ...*ptytest.Term) {
	t.Helper()
	if err == nil {
		return
	}
	var b strings.Builder
	for _, p := range terms {
		b.WriteString("\n---- " + p.Name + ":\n" + stripColours(p.Screen()))
	}
	t.Fatalf("%v%s", err, b.String())
}

// stripColours drops SGR sequences (the QR codes' colours) from a screen.
func stripColours(s string) string {
	return regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(s, "")
}

// nextCode waits for a code line on p after from that is not skip (a
// pasted code echoes on the terminal).
func nextCode(t *testing.T, p *ptytest.Term, from int, skip string, others ...*ptytest.Term) (string, int) {
	t.Helper()
	for {
		m, at, err := p.WaitFor(codeLine, from, readmePatience)
		must(t, err, append(others, p)...)
		if m[1] != skip {
			return m[1], at
		}
		from = at
	}
}

// fileTransfer: README's file transfer, each side in a terminal of its own,
// a person copying the codes between them; then README's cmp.
func (r *readme) fileTransfer(t *testing.T) {
	dir := t.TempDir()
	randomFile(t, dir, "file", 1<<20+333)
	a := ptytest.Start(t, "computer A", dir, r.env, r.command(t, "peer offer < file"))
	offer, _ := nextCode(t, a, 0, "")
	b := ptytest.Start(t, "computer B", dir, r.env, r.command(t, "peer answer > copy"))
	_, bt, err := b.WaitFor(regexp.MustCompile(`paste the offer's code`), 0, readmePatience)
	must(t, err, a, b)
	must(t, b.Type(offer+"\n"), a, b)
	answer, _ := nextCode(t, b, bt, offer, a)
	_, _, err = a.WaitFor(regexp.MustCompile(`paste the answer's code`), 0, readmePatience)
	must(t, err, a, b)
	must(t, a.Type(answer+"\n"), a, b)
	for _, p := range []*ptytest.Term{a, b} {
		st, err := p.Wait(readmePatience) // no Ctrl-D: both end once the file is across
		must(t, err, a, b)
		if st != 0 {
			must(t, fmt.Errorf("%s exited %d", p.Name, st), a, b)
		}
		if !strings.Contains(p.Screen(), "peer: connected") || !strings.Contains(p.Screen(), "peer: done") {
			must(t, fmt.Errorf("%s did not say connected and done", p.Name), a, b)
		}
	}
	if out, err := r.run(dir, r.command(t, "cmp file copy")); err != nil {
		t.Fatalf("cmp file copy: %v %s", err, out)
	}
	t.Logf("computer B's terminal:\n%s", regexp.MustCompile(`(?m)^\x1b.*\n`).ReplaceAllString(b.Screen(), ""))
}

// chat: README's chat, each side in a terminal with its own config
// directory (identity, remembered peers); a line goes across, and Ctrl-D
// ends both.
func (r *readme) chat(t *testing.T) {
	env := func() []string {
		d := t.TempDir()
		return append([]string{"HOME=" + d, "XDG_CONFIG_HOME=" + d}, r.env...)
	}
	dir := t.TempDir()
	a := ptytest.Start(t, "first side", dir, env(), r.command(t, "peer chat "))
	offer, _ := nextCode(t, a, 0, "")
	b := ptytest.Start(t, "other side", dir, env(), r.command(t, "peer chat -answer"))
	_, bt, err := b.WaitFor(regexp.MustCompile(`paste the offer's code`), 0, readmePatience)
	must(t, err, a, b)
	must(t, b.Type(offer+"\n"), a, b)
	answer, _ := nextCode(t, b, bt, offer, a)
	must(t, a.Type(answer+"\n"), a, b)
	_, _, err = a.WaitFor(regexp.MustCompile(`paired with`), 0, readmePatience)
	must(t, err, a, b)
	must(t, a.Type("hello from the first side\n"), a, b)
	_, _, err = b.WaitFor(regexp.MustCompile(`(?m)^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}: hello from the first side$`), 0, readmePatience)
	must(t, err, a, b)
	for _, p := range []*ptytest.Term{a, b} {
		must(t, p.Type("\x04"), a, b)
		st, err := p.Wait(readmePatience)
		must(t, err, a, b)
		if st != 0 {
			must(t, fmt.Errorf("%s exited %d after Ctrl-D", p.Name, st), a, b)
		}
	}
}
