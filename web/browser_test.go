package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/peer-sdp/peer/internal/qrsize"
	"github.com/peer-sdp/peer/web"
)

// howToRun is what a skipped browser test says.
const howToRun = "real-browser tests need Debian's browsers and the harness: " +
	"apt-get install chromium firefox-esr zbar-tools; cd web && npm ci " +
	"(set PEER_REQUIRE_BROWSERS=1 to make this a failure)"

// browserSuites are the node test files of web/test, run one after another
// (each starts its own browsers and `peer` processes and stops them).
var browserSuites = []string{"flows", "pairs", "go", "qr", "wait", "call"}

// TestBrowsers runs the real-browser tests (web/test/*.test.mjs, node's test
// runner driving Chromium and Firefox ESR through puppeteer-core) against a
// `peer` binary built from this repository. Without browsers or
// node_modules it skips, unless PEER_REQUIRE_BROWSERS=1 (CI), where it fails.
func TestBrowsers(t *testing.T) {
	required := os.Getenv("PEER_REQUIRE_BROWSERS") == "1"
	missing := func(what string) {
		t.Helper()
		if required {
			t.Fatalf("PEER_REQUIRE_BROWSERS=1 but %s is missing; %s", what, howToRun)
		}
		t.Skipf("%s is missing; %s", what, howToRun)
	}
	if testing.Short() && !required {
		t.Skip("-short: " + howToRun)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node")
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/firefox-esr", "/usr/bin/zbarimg"} {
		if _, err := os.Stat(p); err != nil {
			missing(p)
		}
	}
	if _, err := os.Stat("node_modules/puppeteer-core/package.json"); err != nil {
		missing("web/node_modules (npm ci)")
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "peer")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	build := exec.Command(gobin, "build", "-o", bin, "../cmd/peer")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/peer: %v\n%s", err, out)
	}
	results := filepath.Join(dir, "results")
	if err := os.Mkdir(results, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, suite := range browserSuites {
		t.Run(suite, func(t *testing.T) {
			runNodeSuite(t, node, "test/"+suite+".test.mjs", bin, results)
		})
	}
	reportResults(t, results)
}

// runNodeSuite runs one node test file, streaming its output to the test
// log, and fails the test when node reports a failure. node and everything
// it starts run in their own process group, which is killed (by its id) if
// the suite overruns.
func runNodeSuite(t *testing.T, node, file, bin, results string) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-concurrency=1", "--test-reporter=spec", file)
	cmd.Env = append(os.Environ(), "PEER_BIN="+bin, "PEER_RESULTS="+results, "NO_COLOR=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		io.Copy(io.Discard, pr)
	}()
	start := time.Now()
	err := cmd.Run()
	pw.Close()
	<-done
	t.Logf("%s: %v", file, time.Since(start).Round(time.Second))
	if ctx.Err() != nil {
		t.Fatalf("%s overran its time and was killed", file)
	}
	if err != nil {
		t.Fatalf("%s failed: %v", file, err)
	}
}

// reportResults logs the numbers the suites measured (web/README.md states
// them).
func reportResults(t *testing.T, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			b, _ = json.MarshalIndent(v, "", "  ")
		}
		t.Logf("%s:\n%s", e.Name(), b)
	}
	logQRVersions(t, filepath.Join(dir, "qr.json"))
}

// logQRVersions reports, as the Go side computes them (internal/qrsize, level
// L), the QR versions of the codes and links the pages showed.
func logQRVersions(t *testing.T, file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	var runs map[string]map[string]struct {
		Bytes  int    `json:"bytes"`
		QRForm string `json:"qrForm"`
		Link   string `json:"link"`
	}
	if err := json.Unmarshal(b, &runs); err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	for name, run := range runs {
		for _, role := range []string{"offer", "answer"} {
			c := run[role]
			frag := c.Link[strings.LastIndex(c.Link, "#")+1:]
			t.Logf("QR version (Go, level L) %s %s: %d B code; qr form v%d, link form v%d, link (%d chars) v%d",
				name, role, c.Bytes, qrsize.Version(c.QRForm, qrsize.L), qrsize.Version(frag, qrsize.L),
				len(c.Link), qrsize.Version(c.Link, qrsize.L))
		}
	}
}

// TestFS checks that the embedded page holds its files.
func TestFS(t *testing.T) {
	for _, name := range []string{"index.html", "app.js", "codes.js", "serve-api.js",
		"chat-mode.js", "call-mode.js", "style.css", "favicon.svg", "vendor/peer-codec.js", "vendor/peer.js",
		"vendor/jsQR.js", "vendor/jsQR.LICENSE", "vendor/qrcode.mjs", "vendor/qrcode-generator.LICENSE"} {
		b, err := fs.ReadFile(web.FS, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	idx, _ := fs.ReadFile(web.FS, "index.html")
	for _, ref := range []string{`src="app.js"`, `src="vendor/jsQR.js"`, `href="style.css"`, `href="favicon.svg"`} {
		if !strings.Contains(string(idx), ref) {
			t.Errorf("index.html does not load %s", ref)
		}
	}
}

// TestVendored checks that the page's copies are those of their sources:
// the npm packages pinned in package.json. (The codec is not copied: FS
// serves package js's bundle.)
func TestVendored(t *testing.T) {
	pairs := [][2]string{
		{"static/vendor/jsQR.js", "node_modules/jsqr/dist/jsQR.js"},
		{"static/vendor/jsQR.LICENSE", "node_modules/jsqr/LICENSE"},
		{"static/vendor/qrcode.mjs", "node_modules/qrcode-generator/dist/qrcode.mjs"},
	}
	for _, p := range pairs {
		src, err := os.ReadFile(p[1])
		if err != nil {
			t.Logf("%s: not checked (%v); run npm ci in web/", p[0], err)
			continue
		}
		got, err := os.ReadFile(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, src) {
			t.Errorf("%s differs from %s: copy it again (cp %s %s)", p[0], p[1], p[1], p[0])
		}
	}
}
