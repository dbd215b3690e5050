package js

// This Go test runs the JavaScript test suite, so that `go test ./...`
// covers the JavaScript code too.

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestJavaScript runs `node --test` in this directory: every vector, corpus
// parity with the Go encoder, and the unit tests. It skips when node is not
// installed (or node_modules is missing, which only the dist check needs),
// unless PEER_REQUIRE_BROWSERS=1, where it fails instead.
func TestJavaScript(t *testing.T) {
	required := os.Getenv("PEER_REQUIRE_BROWSERS") == "1"
	skip := func(msg string) {
		t.Helper()
		msg += `; to run the JavaScript tests: cd js && npm ci && npm test`
		if required {
			t.Fatal(msg + " (PEER_REQUIRE_BROWSERS=1: not skipping)")
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join("node_modules", ".bin", "esbuild")); err != nil && required {
		skip("js/node_modules is missing (the dist/ check needs esbuild)")
	}
	if testing.Short() && !required {
		t.Skip("-short: not running the JavaScript tests")
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec")
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("%s", out)
	}
}
