package peer

import (
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadme runs README.md's commands from this checkout as they are
// written, the connecting ones in pseudo-terminals as a person runs them
// (the file transfer, the chat), and checks that every number of README.md
// comes from the command it names: each check adds the numbers it
// verified, and a number of the README that no check verified fails the
// test (readme_numbers_test.go).
func TestReadme(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: TestReadme runs the README's commands (about a minute)")
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	r := &readme{text: string(b), verified: map[string]bool{}}
	r.parse()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	gobin := filepath.Dir(goBin)
	r.bin = t.TempDir()
	sep := string(os.PathListSeparator)
	r.env = []string{"PATH=" + r.bin + sep + gobin + sep + os.Getenv("PATH"), "GOBIN=" + r.bin}
	if out, err := r.run(".", r.command(t, "go install ./cmd/peer")); err != nil {
		t.Fatalf("README's install: %v\n%s", err, out)
	}
	t.Run("demo", r.demo)
	t.Run("test command", r.testCommand)
	t.Run("usage", r.usage)
	t.Run("exit statuses", r.exitStatuses)
	t.Run("file transfer", r.fileTransfer)
	t.Run("chat", r.chat)
	t.Run("bench numbers", r.benchNumbers)
	t.Run("test numbers", r.testNumbers)
	t.Run("every number", r.everyNumber)
}

type readme struct {
	text       string
	shLines    []string // the lines of the ```sh blocks
	usageLines []string // the lines of the ```text blocks
	prose      string   // the rest, inline code, link targets and section numbers removed
	bin        string   // where README's install put peer
	env        []string
	verified   map[string]bool
}

func (r *readme) parse() {
	var prose strings.Builder
	var block *[]string
	for _, l := range strings.Split(r.text, "\n") {
		switch {
		case block == nil && l == "```sh":
			block = &r.shLines
		case block == nil && l == "```text":
			block = &r.usageLines
		case block == nil && strings.HasPrefix(l, "```"):
			block = new([]string)
		case block != nil && l == "```":
			block = nil
		case block != nil:
			*block = append(*block, l)
		default:
			prose.WriteString(l + "\n")
		}
	}
	p := regexp.MustCompile("`[^`]*`").ReplaceAllString(prose.String(), " ")
	p = regexp.MustCompile(`\]\([^)]*\)`).ReplaceAllString(p, "]")
	r.prose = regexp.MustCompile(`§\d+(\.\d+)*`).ReplaceAllString(p, " ")
}

// command returns the command of the README's sh line that starts with
// prefix, as written (without its comment).
func (r *readme) command(t *testing.T, prefix string) string {
	t.Helper()
	for _, l := range r.shLines {
		if strings.HasPrefix(l, prefix) {
			cmd, _, _ := strings.Cut(l, "#")
			return strings.TrimSpace(cmd)
		}
	}
	t.Fatalf("README.md has no command line %q in a sh block", prefix)
	return ""
}

// run runs a command line with sh in dir (relative to the checkout).
func (r *readme) run(dir, line string) ([]byte, error) {
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), r.env...)
	return cmd.CombinedOutput()
}

// verify records numbers a check found in what a command printed.
func (r *readme) verify(numbers ...string) {
	for _, n := range numbers {
		r.verified[n] = true
	}
}

// find returns the submatches of re in the README's prose, or fails.
func (r *readme) find(t *testing.T, re string) []string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(strings.Join(strings.Fields(r.prose), " "))
	if m == nil {
		t.Fatalf("README.md does not say %s", re)
	}
	return m
}

func (r *readme) demo(t *testing.T) {
	out, err := r.run(".", r.command(t, "go run ./cmd/peer demo"))
	if err != nil || !strings.Contains(string(out), "time from offer to open channel") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
}

// testCommand: README's test command is the one CI runs.
func (r *readme) testCommand(t *testing.T) {
	cmd := r.command(t, "go test ./...")
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^go test .*\./\.\.\.$`).Match(ci) {
		t.Errorf(".ci/run does not run %q", cmd)
	}
}

// usage: every command peer has is in the README's synopsis, and every flag
// the synopsis names is one of the command's.
func (r *readme) usage(t *testing.T) {
	out, err := r.run(".", "peer help")
	if err != nil {
		t.Fatalf("peer help: %v\n%s", err, out)
	}
	listed := map[string]string{}
	for _, l := range r.usageLines {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "peer" {
			listed[f[1]] = l
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^  (\w+) `).FindAllStringSubmatch(string(out), -1) {
		l, ok := listed[m[1]]
		if !ok {
			t.Errorf("README's synopsis lacks peer %s", m[1])
			continue
		}
		if m[1] == "help" {
			continue
		}
		help, err := r.run(".", "peer help "+m[1])
		if err != nil {
			t.Errorf("peer help %s: %v", m[1], err)
		}
		syn, _, _ := strings.Cut(l, "#")
		for _, flag := range regexp.MustCompile(`\[(-[a-z0-9-]+)`).FindAllStringSubmatch(syn, -1) {
			if !strings.Contains(string(help), "\n  "+flag[1]+" ") && !strings.Contains(string(help), "\n  "+flag[1]+"\n") {
				t.Errorf("README: peer %s %s, which peer help %s does not list", m[1], flag[1], m[1])
			}
		}
	}
}

// exitStatuses: the statuses README promises, with their one peer: line.
func (r *readme) exitStatuses(t *testing.T) {
	m := r.find(t, `gives exit status (\d+) and one\s+line`)
	u := r.find(t, `a usage error exits (\d+)`)
	for _, c := range []struct{ line, want string }{{"echo hello | peer decode", m[1]}, {"peer decode -nope", u[1]}} {
		cmd := exec.Command("/bin/sh", "-c", c.line)
		cmd.Env = append(os.Environ(), r.env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.Run()
		got := cmd.ProcessState.ExitCode()
		if want := c.want; got != atoi(t, want) || !strings.HasPrefix(stderr.String(), "peer: ") || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: status %d, stderr %q; README says %s and one peer: line", c.line, got, stderr.String(), want)
		}
	}
	r.verify(m[1], u[1])
}

// randomFile writes n random bytes to dir/name.
func randomFile(t *testing.T, dir, name string, n int) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
