package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
)

// netnsEUI64 creates a network namespace whose one interface (a veth)
// has a global IPv6 address with an EUI-64 interface identifier and an IPv4
// address, and returns its name and that IPv6 address. It is deleted at the
// end of the test. It skips when network namespaces are unavailable (they
// need root and iproute2, which .ci/run installs).
func netnsEUI64(t *testing.T) (string, string) {
	t.Helper()
	const eui = "2001:db8:1:0:211:22ff:fe33:4455"
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2): cannot create a network namespace with an EUI-64 address")
	}
	ns := fmt.Sprintf("peer-eui64-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("ip netns add: %v: %s (network namespaces need root)", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	for _, args := range [][]string{
		{"link", "add", "va", "type", "veth", "peer", "name", "vb"},
		{"addr", "add", eui + "/64", "dev", "va", "nodad"},
		{"addr", "add", "10.99.0.1/24", "dev", "va"},
		{"link", "set", "va", "up"},
		{"link", "set", "vb", "up"},
		{"link", "set", "lo", "up"}, // peer serve listens on 127.0.0.1
	} {
		if out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	return ns, eui
}

// runInNetns runs `peer args...` (this test binary, see TestMain) in ns
// with stdin, until it exits or stderr contains until, then kills it (by
// its pid); it returns stdout and stderr.
func runInNetns(t *testing.T, ns, stdin, until string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), "PEER_TEST_MAIN=1")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr chatSyncBuf
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	deadline := time.After(60 * time.Second)
	for until == "" || !strings.Contains(stderr.String(), until) {
		select {
		case <-done:
			return stdout.String(), stderr.String()
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatalf("peer %v did not finish; stderr:\n%s", args, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-done
	return stdout.String(), stderr.String()
}

// TestEUI64Warning runs the commands that make codes on a host whose
// interface has a global EUI-64 IPv6 address: each code carries it and the
// command warns on stderr, in one line that names the address and the flag;
// with -drop-eui64 the code leaves it out (keeping the IPv4 address) and
// there is no warning.
func TestEUI64Warning(t *testing.T) {
	ns, eui := netnsEUI64(t)
	dir := t.TempDir()
	offerOut, _ := runInNetns(t, ns, "", "", "offer")
	offer := strings.SplitN(offerOut, "\n", 2)[0]
	cmds := map[string]struct {
		args         []string
		stdin, until string
	}{
		"offer":  {[]string{"offer"}, "", ""},
		"answer": {[]string{"answer", "-wait", "5s"}, offer + "\n", ""},
		"chat": {[]string{"chat", "-identity", filepath.Join(dir, "id"), "-store", filepath.Join(dir, "peers.json"),
			"-listen", "none"}, "", ""},
		"serve": {[]string{"serve"}, "", "let the page make the offer"},
	}
	for name, c := range cmds {
		for _, drop := range []bool{false, true} {
			args := c.args
			if drop {
				args = append(args[:1:1], append([]string{"-drop-eui64"}, args[1:]...)...)
			}
			stdout, stderr := runInNetns(t, ns, c.stdin, c.until, args...)
			code := codeIn(t, name, stdout, stderr)
			if d, err := codec.Decode(code, nil); err != nil || strings.Contains(d.SDP, eui) == drop || !strings.Contains(d.SDP, "10.99.0.1") {
				t.Errorf("%v: the code's candidates are wrong (%v):\n%s", args, err, d.SDP)
			}
			var warnings []string
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "peer: warning: ") {
					warnings = append(warnings, l)
				}
			}
			if drop && len(warnings) != 0 || !drop && (len(warnings) != 1 || !strings.Contains(warnings[0], eui) || !strings.Contains(warnings[0], "-drop-eui64")) {
				t.Errorf("%v: warnings %q; stderr:\n%s", args, warnings, stderr)
			}
		}
	}
}

// codeIn finds the code a command printed: the first line of stdout, or
// for serve the link on stderr.
func codeIn(t *testing.T, name, stdout, stderr string) []byte {
	t.Helper()
	text := strings.SplitN(stdout, "\n", 2)[0]
	if name == "serve" {
		m := serveLinkRE.FindStringSubmatch(stderr)
		if m == nil {
			t.Fatalf("serve printed no link:\n%s", stderr)
		}
		text = m[1]
	}
	code, err := codec.ParseText(text)
	if err != nil {
		t.Fatalf("%s: no code in %q (%v); stderr:\n%s", name, text, err, stderr)
	}
	return code
}
