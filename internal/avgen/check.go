package main

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// addressLines are the line prefixes that carry addresses.
var addressLines = []string{"o=", "c=", "a=candidate:", "a=rtcp:"}

// checkAddresses fails when sdp carries an IP address outside the
// documentation ranges, other than the unspecified addresses and 127.0.0.1
// (the placeholders stacks write in o= and c= lines): a machine's real
// address must never reach a committed file.
func checkAddresses(sdp string) error {
	for _, line := range strings.FieldsFunc(sdp, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if !hasAnyPrefix(line, addressLines) {
			continue
		}
		for _, tok := range strings.Fields(line) {
			a, err := netip.ParseAddr(tok)
			if err != nil || a.IsUnspecified() || a == netip.MustParseAddr("127.0.0.1") || isDoc(a) {
				continue
			}
			return fmt.Errorf("%w: address %s outside the documentation ranges in %.60q", ErrCheck, a, line)
		}
	}
	return nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func isDoc(a netip.Addr) bool {
	for _, p := range docPrefixes {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// cliResult is the outcome of `peer encode` then `peer decode` on one file.
type cliResult struct {
	file    string
	codeLen int // bytes of the binary code
	err     error
}

// peerCLI runs the peer command (built from ./cmd/peer) on descriptions.
type peerCLI struct {
	bin, tmp string
}

// buildPeer builds ./cmd/peer of the repository at root into tmp.
func buildPeer(ctx context.Context, root, tmp string) (*peerCLI, error) {
	bin := filepath.Join(tmp, "peer")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/peer")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: go build ./cmd/peer: %v: %s", ErrSetup, err, out)
	}
	return &peerCLI{bin: bin, tmp: tmp}, nil
}

// roundTrip encodes the description at path (`peer encode -type T -form
// bin`, with -offer for an answer) and decodes the code (`peer decode`,
// with -offer for an answer). offerCode is the offer's code file for an
// answer. It returns the code's file.
func (c *peerCLI) roundTrip(ctx context.Context, path, typ, offerCode string) (string, cliResult) {
	res := cliResult{file: path}
	sdp, err := os.ReadFile(path)
	if err != nil {
		res.err = err
		return "", res
	}
	args := []string{"encode", "-type", typ, "-form", "bin"}
	dargs := []string{"decode"}
	if typ == "answer" {
		args = append(args, "-offer", "@"+offerCode)
		dargs = append(dargs, "-offer", "@"+offerCode)
	}
	code, err := c.run(ctx, sdp, args...)
	if err != nil {
		res.err = err
		return "", res
	}
	res.codeLen = len(code)
	codeFile := filepath.Join(c.tmp, strings.ReplaceAll(filepath.Base(path), ".sdp", ".code"))
	if err := os.WriteFile(codeFile, code, 0o644); err != nil {
		res.err = err
		return "", res
	}
	out, err := c.run(ctx, code, dargs...)
	if err == nil && !bytes.HasPrefix(out, []byte("v=0")) {
		err = fmt.Errorf("%w: peer decode printed %.20q", ErrCheck, out)
	}
	res.err = err
	return codeFile, res
}

func (c *peerCLI) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: peer %s: %v: %s", ErrCheck, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
