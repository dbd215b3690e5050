// Command avgen makes a batch of real audio/video session descriptions:
// offers and answers of Debian's Chromium and Firefox ESR (headless, fake
// camera and microphone, driven by testdata/av/gen/browser.mjs) and of
// pion/webrtc, for the scenarios of testdata/av/README.md, each stack inside
// a network namespace of its own that holds only documentation addresses.
//
//	go run ./internal/avgen            # as root, from the repository: next batchN
//	go run ./internal/avgen -batch batch7
//	go run ./internal/avgen -set habits  # the habits scenarios
//	go run ./internal/avgen -set renego  # a call negotiated again
//	PEER_CHROMIUM=/path/to/chromium PEER_CHROMIUM_FROM="where it came from" \
//	  go run ./internal/avgen -with chromium  # another Chromium version's pairs
//
// It writes testdata/av/<batch>/*.sdp and <batch>/RUN.md and adds the
// batch's rows to testdata/av/INDEX.tsv. Every offer is set as the remote
// description by its answerer and every answer by its offerer; every file is
// checked for addresses outside the documentation ranges and run through
// `peer encode` and `peer decode`. `avgen pion` is the pion helper it starts
// inside pion's namespace.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) == 2 && os.Args[1] == "pion" {
		if err := servePion(ctx, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "avgen pion:", err)
			os.Exit(1)
		}
		return
	}
	batch := flag.String("batch", "", "name of the new batch directory under testdata/av (default: the next batchN)")
	set := flag.String("set", "base", "the scenarios: base (the defaults), habits or renego (testdata/av/README.md)")
	with := flag.String("with", "", "keep only the pairs with this stack (chromium, firefox or pion) on a side")
	flag.Parse()
	if err := generate(ctx, *batch, *set, *with); err != nil {
		fmt.Fprintln(os.Stderr, "avgen:", err)
		os.Exit(1)
	}
}

// generateTimeout bounds a whole batch (about 40 pairs of a few seconds).
const generateTimeout = 45 * time.Minute

// generate makes one batch.
func generate(ctx context.Context, batch, set, with string) error {
	ctx, cancel := context.WithTimeout(ctx, generateTimeout)
	defer cancel()
	ps, err := planFor(set)
	if err != nil {
		return err
	}
	if ps, err = withStack(ps, with); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: needs root (it creates network namespaces)", ErrSetup)
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	avDir := filepath.Join(root, "testdata", "av")
	if batch == "" {
		if batch, err = nextBatch(avDir); err != nil {
			return err
		}
	}
	outDir := filepath.Join(avDir, batch)
	if _, err := os.Stat(outDir); err == nil {
		return fmt.Errorf("%w: %s exists: a batch is never remade in place", ErrSetup, outDir)
	}
	tmp, err := os.MkdirTemp("", "avgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cli, err := buildPeer(ctx, root, tmp)
	if err != nil {
		return err
	}
	nets := netPlan(fmt.Sprintf("avgen%d", os.Getpid()))
	for i, n := range nets {
		if err := n.create(ctx); err != nil {
			for _, m := range nets[:i] {
				m.remove(context.Background())
			}
			return err
		}
		defer n.remove(context.Background())
	}
	res, err := makeBatch(ctx, root, tmp, nets, ps)
	if err != nil {
		return err
	}
	res.batch, res.cli = batch, cli
	return res.write(ctx, avDir, outDir)
}

// batchRun is what makeBatch made.
type batchRun struct {
	batch    string
	nets     []*netns
	versions map[string]string // stack -> version text
	made     []made
	cli      *peerCLI
	started  time.Time
}

// makeBatch starts the helpers in their namespaces and runs the plan.
func makeBatch(ctx context.Context, root, tmp string, nets []*netns, ps []pair) (*batchRun, error) {
	ns := map[string]*netns{"chromium": nets[0], "firefox": nets[1], "pion": nets[2]}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	hs := map[string]*helper{}
	defer func() {
		for _, h := range hs {
			h.stop(20 * time.Second)
		}
	}()
	for _, name := range []string{"chromium", "chromium-mdns", "firefox", "firefox-mdns", "pion"} {
		stack, mode := stackOf(name), "real"
		if strings.HasSuffix(name, "-mdns") {
			mode = "mdns"
		}
		argv := ns[stack].exec(self, "pion")
		if stack != "pion" {
			argv = ns[stack].exec("node", "testdata/av/gen/browser.mjs", stack, mode)
		}
		h, err := startHelper(name, argv, root, filepath.Join(tmp, name+".log"))
		if err != nil {
			return nil, err
		}
		hs[name] = h
	}
	run := &batchRun{nets: nets, versions: map[string]string{}, started: time.Now().UTC()}
	for name, h := range hs {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		r, err := h.call(cctx, request{Op: "version"})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("%w (log: %s)", err, tail(h.log.Name()))
		}
		run.versions[stackOf(name)] = versionText(stackOf(name), r.Version)
	}
	for i, p := range ps {
		m := p.run(ctx, hs, i)
		fmt.Fprintf(os.Stderr, "avgen: %-9s %-13s -> %-13s %v\n", p.scenario, p.offerer, p.answerer, errText(m.err))
		run.made = append(run.made, m)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return run, nil
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// tail is the end of a helper's log, for an error message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return strings.TrimSpace(string(b))
}

// versionText turns a helper's version into the browser_version column.
func versionText(stack, v string) string {
	_, num, _ := strings.Cut(v, "/")
	switch stack {
	case "chromium":
		from := "Debian"
		if os.Getenv("PEER_CHROMIUM") != "" {
			from = os.Getenv("PEER_CHROMIUM_FROM") // where that binary came from
		}
		return "Chromium " + num + " (" + from + ", headless)"
	case "firefox":
		return "Firefox ESR " + num + " (Debian, headless)"
	}
	return v
}

// repoRoot is the enclosing directory of the peer module's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/peer-sdp/peer\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: run it inside the peer repository", ErrSetup)
		}
		dir = parent
	}
}

var batchDir = regexp.MustCompile(`^batch(\d+)$`)

// nextBatch is batchN for the first N above every existing batch.
func nextBatch(avDir string) (string, error) {
	ents, err := os.ReadDir(avDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var nums []int
	for _, e := range ents {
		if m := batchDir.FindStringSubmatch(e.Name()); m != nil && e.IsDir() {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	next := 1
	if len(nums) > 0 {
		next = nums[len(nums)-1] + 1
	}
	return fmt.Sprintf("batch%d", next), nil
}

// madeBy names the generator's commit, +dirty when its files (tests aside)
// differ from it.
func madeBy(ctx context.Context, root string) string {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		out, _ := cmd.Output()
		return strings.TrimSpace(string(out))
	}
	c := git("rev-parse", "--short", "HEAD")
	if git("status", "--porcelain", "--", "internal/avgen", "testdata/av/gen", ":!*_test.go") != "" {
		c += "+dirty"
	}
	return "go run ./internal/avgen (commit " + c + ")"
}
