package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
	"github.com/peer-sdp/peer/ref/peer"
)

func init() {
	register("id", "show this peer's identity (full and short ID), creating it on first use", cmdID)
	register("chat", "chat with a peer: pair by code once, then reconnect by itself (IDENTITY.md)", cmdChat)
}

// defaultFile returns the default path of an identity or store file:
// $XDG_CONFIG_HOME/peer/NAME (or the OS equivalent), creating the
// directory with mode 0700.
func defaultFile(name string) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "peer")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

func identityFlag(fs *flag.FlagSet) *string {
	return fs.String("identity", "", "identity `file` (created with mode 0600 on first use; default: the user config dir's peer/identity)")
}

func loadIdentity(path string) (*peer.Identity, error) {
	if path == "" {
		var err error
		if path, err = defaultFile("identity"); err != nil {
			return nil, err
		}
	}
	id, err := peer.LoadIdentity(path)
	return id, trimPrefix(err)
}

// trimPrefix drops the package prefix "peer: " that main adds again.
func trimPrefix(err error) error {
	if err == nil {
		return nil
	}
	if s, ok := strings.CutPrefix(err.Error(), "peer: "); ok {
		return fmt.Errorf("%s%w", "", errors.New(s))
	}
	return err
}

// cmdID prints the full ID on the first line and the short form on the
// second.
func cmdID(e *env, args []string) error {
	fs := newFlagSet("id", e.stderr)
	idPath := identityFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := loadIdentity(*idPath)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, id.ID().String())
	fmt.Fprintln(e.stdout, id.ID().Short())
	return nil
}

// chatPort is the default listening port of `peer chat`: stable for an
// identity, so that remembered peers find it again after a restart.
func chatPort(id peer.ID) int { return 20000 + (int(id[0])<<8|int(id[1]))%20000 }

// cmdChat pairs once by code (unless peers are remembered, or with
// -pair), then sends stdin's lines to every peer and prints received lines
// with the sender's short ID. Session events go to stderr. It ends at the
// end of stdin.
func cmdChat(e *env, args []string) error {
	fs := newFlagSet("chat", e.stderr)
	idPath := identityFlag(fs)
	storePath := fs.String("store", "", "store `file` of remembered peers (mode 0600; default: the user config dir's peer/peers.json)")
	answer := fs.Bool("answer", false, "pair as the answerer: read the offer's code from stdin, print the answer's")
	pair := fs.Bool("pair", false, "pair by code even when peers are remembered")
	listen := fs.String("listen", "", "TCP `address` for direct reconnection by remembered peers (default: a port derived from the ID on every interface; \"none\" to disable)")
	loopback := fs.Bool("loopback", false, "use only loopback candidates and addresses (both peers on this host)")
	formName := fs.String("form", "qr", "form of the printed code: qr, link or bin")
	gather := fs.Duration("gather", ref.DefaultGatherTimeout, "bound on candidate gathering")
	dropEUI64 := fs.Bool("drop-eui64", false, dropEUI64Usage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	form, err := codec.ParseForm(*formName)
	if err != nil {
		return usagef("%v", err)
	}
	id, err := loadIdentity(*idPath)
	if err != nil {
		return err
	}
	if *storePath == "" {
		if *storePath, err = defaultFile("peers.json"); err != nil {
			return err
		}
	}
	st, err := peer.OpenStore(*storePath)
	if err != nil {
		return trimPrefix(err)
	}
	addr := *listen
	switch addr {
	case "none":
		addr = ""
	case "":
		host := ""
		if *loopback {
			host = "127.0.0.1"
		}
		addr = net.JoinHostPort(host, fmt.Sprint(chatPort(id.ID())))
	}
	cfg := &peer.Config{Identity: id, Store: st, Listen: addr,
		Conn: ref.Config{Loopback: *loopback, GatherTimeout: *gather, Policy: codec.CandidatePolicy{DropEUI64: *dropEUI64}}}
	p, err := peer.New(cfg)
	if err != nil && *listen == "" && addr != "" {
		fmt.Fprintf(e.stderr, "peer: cannot listen at %s (%v); direct reconnection off\n", addr, err)
		cfg.Listen = ""
		p, err = peer.New(cfg)
	}
	if err != nil {
		return err
	}
	defer p.Close()
	fmt.Fprintf(e.stderr, "peer: you are %s\n", id.ID().Short())

	var outMu sync.Mutex
	printf := func(w io.Writer, format string, a ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(w, format, a...)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer p.Close()
	wg.Add(2)
	go func() {
		defer wg.Done()
		for ev := range p.Events() {
			if ev.Err != nil {
				printf(e.stderr, "peer: %s %s (%s)\n", ev.Peer.Short(), ev.Type, terminalText([]byte(ev.Err.Error())))
			} else {
				printf(e.stderr, "peer: %s %s\n", ev.Peer.Short(), ev.Type)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			m, err := p.Receive(context.Background())
			if err != nil {
				return
			}
			printf(e.stdout, "%s: %s\n", m.From.Short(), terminalText(bytes.TrimSuffix(m.Data, []byte("\n"))))
		}
	}()

	in := bufio.NewReaderSize(e.stdin, 64<<10)
	if *pair || len(st.List()) == 0 {
		if err := chatPair(e, p, in, *answer, form, printf); err != nil {
			return err
		}
	} else {
		for _, r := range st.List() {
			printf(e.stderr, "peer: reconnecting to %s\n", r.ID.Short())
		}
	}
	for {
		line, err := in.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); line != "" || err == nil {
			if serr := chatSend(p, []byte(line)); serr != nil {
				printf(e.stderr, "peer: %v\n", serr)
			}
		}
		if err == io.EOF {
			time.Sleep(200 * time.Millisecond) // let the last lines drain
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func chatPair(e *env, p *peer.Peer, in *bufio.Reader, answer bool, form codec.Form, printf func(io.Writer, string, ...any)) error {
	ctx := context.Background()
	// The first line is bounded by the code text limit (SPEC.md §8).
	readCode := func(what string) ([]byte, error) {
		line, err := readCodeLine(ctx, in, nil)
		if err != nil {
			return nil, fmt.Errorf("reading the %s's code: %v", what, err)
		}
		return codec.ParseText(strings.TrimSpace(line))
	}
	var pr *peer.Pairing
	if answer {
		code, err := readCode("offer")
		if err != nil {
			return err
		}
		if pr, err = p.Answer(ctx, code); err != nil {
			return err
		}
		showChatCode(e, pr.Code(), form, printf)
	} else {
		var err error
		if pr, err = p.Offer(ctx); err != nil {
			return err
		}
		showChatCode(e, pr.Code(), form, printf)
		code, err := readCode("answer")
		if err != nil {
			pr.Close()
			return err
		}
		if err := pr.Complete(ctx, code); err != nil {
			pr.Close()
			return err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	id, err := pr.Wait(wctx)
	if err != nil {
		return err
	}
	printf(e.stderr, "peer: paired with %s\n", id.Short())
	return nil
}

// showChatCode prints this side's pairing code on stdout, and on stderr the
// warning for an address made from a MAC address.
func showChatCode(e *env, code []byte, form codec.Form, printf func(io.Writer, string, ...any)) {
	printf(e.stdout, "%s\n", codec.FormatText(code, form))
	if w := eui64Warning(code); w != "" {
		printf(e.stderr, "%s\n", w)
	}
}

// chatSend sends a line to every session, waiting (up to a minute) for
// one to exist and for reconnecting ones to come back.
func chatSend(p *peer.Peer, line []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for len(p.Peers()) == 0 {
		select {
		case <-ctx.Done():
			return errors.New("no peer connected; line dropped")
		case <-p.Done():
			return peer.ErrClosed
		case <-time.After(100 * time.Millisecond):
		}
	}
	var errs []error
	for _, id := range p.Peers() {
		if err := p.Send(ctx, id, line); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
