package js

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// browserSuites are the library's real-browser suites (btest/*.suite.mjs):
// Chromium and Firefox pages with ref/ and ref/peer (Go), and with each
// other.
var browserSuites = []string{"go", "browsers", "bundle", "deadpeer", "glare", "identity", "intro", "mediarestart", "mesh", "peermedia", "redial", "refuse", "restart"}

// TestBrowsers runs the peer library's real-browser suites with a `peer`
// binary, js/internal/introducer, js/internal/restarter and
// js/internal/turnrelay built from this repository (ref/ and
// ref/peer on the Go side). The browsers are driven by web/test/lib.mjs
// (puppeteer-core from web/node_modules).
// It skips without browsers or web/node_modules, unless
// PEER_REQUIRE_BROWSERS=1 (CI), where it fails. The suites' todo tests (known
// browser problems) run only with PEER_TODO=1, the set-up time test takes
// PEER_SETUP_ROUNDS rounds (js/README.md, "The todo tests" and "Time").
func TestBrowsers(t *testing.T) {
	required := os.Getenv("PEER_REQUIRE_BROWSERS") == "1"
	missing := func(what string) {
		t.Helper()
		msg := what + " is missing; apt-get install chromium firefox-esr; cd web && npm ci"
		if required {
			t.Fatal(msg + " (PEER_REQUIRE_BROWSERS=1: not skipping)")
		}
		t.Skip(msg)
	}
	if testing.Short() && !required {
		t.Skip("-short: not running the browser suites")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node")
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/firefox-esr", "../web/node_modules/puppeteer-core/package.json"} {
		if _, err := os.Stat(p); err != nil {
			missing(p)
		}
	}
	dir := t.TempDir()
	bin, intro, restarter, relay := filepath.Join(dir, "peer"), filepath.Join(dir, "introducer"), filepath.Join(dir, "restarter"), filepath.Join(dir, "turnrelay")
	for _, b := range [][2]string{{bin, "../cmd/peer"}, {intro, "./internal/introducer"}, {restarter, "./internal/restarter"}, {relay, "./internal/turnrelay"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	for _, suite := range browserSuites {
		t.Run(suite, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, "--test", "--test-concurrency=1", "--test-reporter=spec", "btest/"+suite+".suite.mjs")
			cmd.Env = append(os.Environ(), "PEER_BIN="+bin, "PEER_INTRODUCER_BIN="+intro, "PEER_RESTARTER_BIN="+restarter, "PEER_TURNRELAY_BIN="+relay, "NO_COLOR=1")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			cmd.WaitDelay = 10 * time.Second
			out, err := cmd.CombinedOutput()
			t.Logf("%s", out)
			if ctx.Err() != nil {
				t.Fatalf("btest/%s.suite.mjs overran its time and was killed", suite)
			}
			if err != nil {
				t.Fatalf("btest/%s.suite.mjs failed: %v", suite, err)
			}
		})
	}
}
