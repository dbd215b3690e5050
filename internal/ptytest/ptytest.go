// Package ptytest runs a command in a pseudo-terminal, as a person runs it
// in a terminal window: its stdin, stdout and stderr are the terminal, the
// terminal is its controlling terminal (/dev/tty), and a test types into it
// and reads what it shows. Linux only; the standard library alone
// (posix_openpt is an open of /dev/ptmx and two ioctls).
package ptytest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// open returns a new pseudo-terminal: its master (the test's side) and its
// slave (the process's terminal).
func open() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := m.Fd()
	unlock := int32(0)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, s, nil
}

// Term is a command running in a pseudo-terminal.
type Term struct {
	Name   string // for messages
	master *os.File
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited and its output is read

	mu     sync.Mutex
	screen strings.Builder
	status int
}

// Start runs the shell command line with sh in a new pseudo-terminal, in
// dir, with env added to the environment. The process is killed (by its
// process group, which it leads) at the end of the test if it still runs.
func Start(t testing.TB, name, dir string, env []string, line string) *Term {
	t.Helper()
	m, s, err := open()
	if err != nil {
		t.Fatalf("pseudo-terminal: %v", err)
	}
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	s.Close()
	p := &Term{Name: name, master: m, cmd: cmd, exited: make(chan struct{})}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.screen.WriteString(strings.ReplaceAll(string(buf[:n]), "\r", ""))
			p.mu.Unlock()
			if err != nil { // EIO once the last process holding the terminal is gone
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-read
		p.mu.Lock()
		p.status = cmd.ProcessState.ExitCode()
		if err != nil && !errors.As(err, new(*exec.ExitError)) {
			p.status = -1
		}
		p.mu.Unlock()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-p.exited
		}
		m.Close()
	})
	return p
}

// Type types s (a line ends with "\n"; "\x04" is Ctrl-D, "\x03" Ctrl-C).
func (p *Term) Type(s string) error {
	_, err := p.master.WriteString(s)
	return err
}

// Screen is all the terminal has shown (carriage returns removed).
func (p *Term) Screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.String()
}

// WaitFor waits up to d until re matches what the terminal shows after its
// first from bytes; it returns the submatches and where the match ends.
func (p *Term) WaitFor(re *regexp.Regexp, from int, d time.Duration) ([]string, int, error) {
	deadline := time.Now().Add(d)
	for {
		s := p.Screen()
		if from > len(s) {
			from = len(s)
		}
		if loc := re.FindStringSubmatchIndex(s[from:]); loc != nil {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[from+loc[2*i] : from+loc[2*i+1]]
				}
			}
			return m, from + loc[1], nil
		}
		select {
		case <-p.exited:
			if re.MatchString(p.Screen()[from:]) {
				continue
			}
			return nil, from, fmt.Errorf("%s exited (status %d) before showing %s", p.Name, p.Status(), re)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, from, fmt.Errorf("%s did not show %s within %v", p.Name, re, d)
		}
	}
}

// Wait waits up to d for the process to exit and returns its status.
func (p *Term) Wait(d time.Duration) (int, error) {
	select {
	case <-p.exited:
		return p.Status(), nil
	case <-time.After(d):
		return 0, fmt.Errorf("%s did not exit within %v", p.Name, d)
	}
}

// Status is the exit status (valid once exited).
func (p *Term) Status() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}
