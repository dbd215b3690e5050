package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Error classes of the generator; every error it returns wraps one.
var (
	// ErrHelper: a helper (a browser driver or the pion helper) failed to
	// start, broke the protocol, or exited.
	ErrHelper = errors.New("avgen: helper failed")
	// ErrRefused: a stack refused a request (an offer, an answer, or a
	// remote description) with an error of its own.
	ErrRefused = errors.New("avgen: stack refused")
	// ErrSetup: the machine could not be prepared (namespaces, build).
	ErrSetup = errors.New("avgen: setup failed")
	// ErrCheck: a made description failed a check (addresses, codec).
	ErrCheck = errors.New("avgen: check failed")
)

// request is one line of the helper protocol (testdata/av/gen/browser.mjs
// documents it; the pion helper speaks it too).
type request struct {
	Op       string `json:"op"`
	ID       string `json:"id,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	SDP      string `json:"sdp,omitempty"`
}

// reply is a helper's answer to one request.
type reply struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	SDP     string `json:"sdp,omitempty"`
	Version string `json:"version,omitempty"`
	State   string `json:"state,omitempty"`
}

// maxReply bounds one reply line: a description is a few kilobytes.
const maxReply = 1 << 20

// helper is a running helper process: one stack in one address mode.
type helper struct {
	name string // chromium, chromium-mdns, firefox, firefox-mdns, pion
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	log  *os.File
}

// startHelper starts argv (already wrapped in `ip netns exec`) with its
// stderr going to logPath, in its own process group so that stop can end
// what it started (a browser) by the group's id.
func startHelper(name string, argv []string, dir, logPath string) (*helper, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSetup, name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		log.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrHelper, name, err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrHelper, name, err)
	}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrHelper, name, err)
	}
	return &helper{name: name, cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10), log: log}, nil
}

// call sends req and waits for its reply; a reply with ok false is an
// ErrRefused error carrying the stack's message.
func (h *helper) call(ctx context.Context, req request) (reply, error) {
	line, err := json.Marshal(req)
	if err != nil {
		return reply{}, fmt.Errorf("%w: %s: %v", ErrHelper, h.name, err)
	}
	if _, err := h.in.Write(append(line, '\n')); err != nil {
		return reply{}, fmt.Errorf("%w: %s: write: %v (log %s)", ErrHelper, h.name, err, h.log.Name())
	}
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := readLine(h.out, maxReply)
		ch <- result{b, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		h.kill()
		return reply{}, fmt.Errorf("%w: %s: %s: %v (log %s)", ErrHelper, h.name, req.Op, ctx.Err(), h.log.Name())
	}
	if r.err != nil {
		return reply{}, fmt.Errorf("%w: %s: read: %v (log %s)", ErrHelper, h.name, r.err, h.log.Name())
	}
	var rep reply
	if err := json.Unmarshal(r.b, &rep); err != nil {
		return reply{}, fmt.Errorf("%w: %s: bad reply %.80q: %v", ErrHelper, h.name, r.b, err)
	}
	if !rep.OK {
		return rep, fmt.Errorf("%w: %s: %s %s: %s", ErrRefused, h.name, req.Op, req.Scenario, rep.Error)
	}
	return rep, nil
}

// readLine reads one line of at most limit bytes.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var b []byte
	for {
		part, more, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		b = append(b, part...)
		if len(b) > limit {
			return nil, fmt.Errorf("line over %d bytes", limit)
		}
		if !more {
			return b, nil
		}
	}
}

// stop ends the helper: stdin closed, then its process group killed if it
// has not exited within grace.
func (h *helper) stop(grace time.Duration) {
	h.in.Close()
	done := make(chan struct{})
	go func() {
		_ = h.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(grace):
		h.kill()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	h.log.Close()
}

// kill asks the helper's process group to end. SIGTERM, not SIGKILL:
// puppeteer starts the browser in a process group of its own and closes it
// when its node process gets SIGTERM.
func (h *helper) kill() {
	if h.cmd.Process != nil {
		_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGTERM)
	}
}
