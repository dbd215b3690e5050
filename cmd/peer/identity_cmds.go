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
	register("id", "show this peer's identity (full and short ID), creating it on first use", `Writes to stdout this peer's ID (52 characters) and its short form (19),
which others see in 'peer chat', each on a labelled line, then the files
that hold the identity: the key (-identity, created with mode 0600 on first use)
and its DTLS certificate, the same name with .cert added (created or renewed
as needed). IDENTITY.md says what the ID is.`, cmdID)
	register("chat", "chat with a peer: pair by code once, then reconnect by itself (IDENTITY.md)", `Pairs with another 'peer chat' once, by code: one side runs 'peer chat' and
shows its code, the other runs 'peer chat -answer', pastes that code and
shows its answer's code, which the first side pastes. Both remember each
other (-store) and later reconnect by themselves, with no code: run 'peer
chat' again on both sides (-pair pairs with someone new).

Each line of stdin goes to every connected peer; received lines are printed
on stdout after the sender's short ID, with control characters escaped.
Session events go to stderr. It ends at the end of stdin (Ctrl-D).`, cmdChat)
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

// identityUsage is the help of -identity.
const identityUsage = "identity `file` (created with mode 0600 on first use; default: the user config dir's peer/identity)"

func identityFlag(fs *flag.FlagSet) *string { return fs.String("identity", "", identityUsage) }

// identityPath is the identity file: path, or the default one.
func identityPath(path string) (string, error) {
	if path == "" {
		return defaultFile("identity")
	}
	return path, nil
}

func loadIdentity(path string) (*peer.Identity, error) {
	path, err := identityPath(path)
	if err != nil {
		return nil, err
	}
	if err := checkDir(path, "-identity"); err != nil {
		return nil, err
	}
	id, err := peer.LoadIdentity(path)
	return id, trimPrefix(err)
}

// checkDir fails with a clear message when the directory of path does not
// exist (the files are written through a temporary file in it, whose name
// would be all an error said).
func checkDir(path, flagName string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist: create it, or give %s a file in another one", dir, flagName)
	case err != nil:
		return fmt.Errorf("the directory %s: %v", dir, err)
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory: give %s a file in a directory", dir, flagName)
	}
	return nil
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

// cmdID prints the full ID, the short form and the identity's files, each
// on a labelled line.
func cmdID(e *env, args []string) error {
	fs := newFlagSet("id")
	idPath := identityFlag(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	path, err := identityPath(*idPath)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(path)
	id, err := loadIdentity(path)
	if err != nil {
		return err
	}
	created := ""
	if errors.Is(statErr, os.ErrNotExist) {
		created = " (created now)"
	}
	fmt.Fprintf(e.stdout, "id:          %s\n", id.ID())
	fmt.Fprintf(e.stdout, "short id:    %s\n", id.ID().Short())
	fmt.Fprintf(e.stdout, "key:         %s%s\n", path, created)
	fmt.Fprintf(e.stdout, "certificate: %s.cert\n", path)
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
	fs := newFlagSet("chat")
	var f chatFlags
	f.add(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	form, err := parseFormFlag(f.form)
	if err != nil {
		return err
	}
	p, st, err := newChatPeer(e, &f)
	if err != nil {
		return err
	}
	defer p.Close()

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
	if f.pair || len(st.List()) == 0 {
		if err := chatPair(e, p, in, f.answer, form, printf); err != nil {
			return err
		}
	} else {
		for _, r := range st.List() {
			printf(e.stderr, "peer: reconnecting to %s\n", r.ID.Short())
		}
		printf(e.stderr, "peer: (to pair with someone new: peer chat -pair)\n")
	}
	return chatLines(e, p, in, printf)
}

// chatFlags are the flags of chat.
type chatFlags struct {
	identity, store, listen, form     string
	answer, pair, loopback, dropEUI64 bool
	gather                            time.Duration
}

func (f *chatFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.identity, "identity", "", identityUsage)
	fs.StringVar(&f.store, "store", "", "store `file` of remembered peers (mode 0600; default: the user config dir's peer/peers.json)")
	fs.BoolVar(&f.answer, "answer", false, "pair as the answerer: read the offer's code from stdin, print the answer's")
	fs.BoolVar(&f.pair, "pair", false, "pair by code even when peers are remembered")
	fs.StringVar(&f.listen, "listen", "", "TCP `address` for direct reconnection by remembered peers (default: a port derived from the ID on every interface; \"none\" to disable)")
	fs.BoolVar(&f.loopback, "loopback", false, "use only loopback candidates and addresses (both peers on this host)")
	fs.StringVar(&f.form, "form", "link", formUsage)
	fs.DurationVar(&f.gather, "gather", ref.DefaultGatherTimeout, "bound on candidate gathering")
	fs.BoolVar(&f.dropEUI64, "drop-eui64", false, dropEUI64Usage)
}

// newChatPeer loads the identity and the store and starts the peer.
func newChatPeer(e *env, f *chatFlags) (*peer.Peer, *peer.Store, error) {
	id, err := loadIdentity(f.identity)
	if err != nil {
		return nil, nil, err
	}
	storePath := f.store
	if storePath == "" {
		if storePath, err = defaultFile("peers.json"); err != nil {
			return nil, nil, err
		}
	} else if err := checkDir(storePath, "-store"); err != nil {
		return nil, nil, err
	}
	st, err := peer.OpenStore(storePath)
	if err != nil {
		return nil, nil, trimPrefix(err)
	}
	addr := f.listen
	switch addr {
	case "none":
		addr = ""
	case "":
		host := ""
		if f.loopback {
			host = "127.0.0.1"
		}
		addr = net.JoinHostPort(host, fmt.Sprint(chatPort(id.ID())))
	}
	cfg := &peer.Config{Identity: id, Store: st, Listen: addr,
		Conn: ref.Config{Loopback: f.loopback, GatherTimeout: f.gather, Policy: codec.CandidatePolicy{DropEUI64: f.dropEUI64}}}
	p, err := peer.New(cfg)
	if err != nil && f.listen == "" && addr != "" {
		fmt.Fprintf(e.stderr, "peer: cannot listen at %s (%v); direct reconnection off\n", addr, err)
		cfg.Listen = ""
		p, err = peer.New(cfg)
	}
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(e.stderr, "peer: you are %s\n", id.ID().Short())
	return p, st, nil
}

// chatLines sends each line of in to every peer, until the end of in.
func chatLines(e *env, p *peer.Peer, in *bufio.Reader, printf func(io.Writer, string, ...any)) error {
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
	// The other side's code, a line bounded by the code text limit (SPEC.md
	// §8); a person at a terminal who pastes a bad one is asked again.
	askCode := func(what string, use func([]byte) error) error {
		for {
			line, err := readCodeLine(ctx, in, nil)
			if errors.Is(err, errEmptyLine) && e.stdinTTY {
				continue
			}
			if err != nil {
				return fmt.Errorf("reading the %s's code: %w", what, err)
			}
			code, err := codec.ParseText(line)
			if err == nil {
				err = use(code)
			}
			if err = describe(err, what); err == nil || !e.stdinTTY || !isCodeProblem(err) {
				return err
			}
			printf(e.stderr, "peer: %s\npeer: paste the %s's code again:\n", oneLine(err.Error()), what)
		}
	}
	var pr *peer.Pairing
	if answer {
		printf(e.stderr, "peer: paste the offer's code that 'peer chat' shows on the other side, and press Enter\n")
		if err := askCode("offer", func(c []byte) (err error) { pr, err = p.Answer(ctx, c); return err }); err != nil {
			return err
		}
		showChatCode(e, pr.Code(), form, printf)
		printf(e.stderr, "peer: give this answer's code to the other side, which pastes it into its 'peer chat'\n")
	} else {
		var err error
		if pr, err = p.Offer(ctx); err != nil {
			return err
		}
		showChatCode(e, pr.Code(), form, printf)
		printf(e.stderr, "peer: give this code to the other side: it runs 'peer chat -answer' and pastes it; then paste its answer's code here\n")
		if err := askCode("answer", func(c []byte) error { return pr.Complete(ctx, c) }); err != nil {
			pr.Close()
			return err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	id, err := pr.Wait(wctx)
	if err != nil {
		return explainConn(err)
	}
	printf(e.stderr, "peer: paired with %s; type a line to send it (Ctrl-D ends)\n", id.Short())
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
