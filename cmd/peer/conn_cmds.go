package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

func init() {
	register("offer", "connect to a peer: print an offer's code, read the answer's, then bridge stdin/stdout", cmdOffer)
	register("answer", "connect to a peer: read an offer's code, print the answer's, then bridge stdin/stdout", cmdAnswer)
	register("demo", "connect two peers in this process over loopback and show their codes", cmdDemo)
}

// connFlags are the flags shared by offer and answer.
type connFlags struct {
	form     string
	qr       bool
	loopback bool
	ice      stringList
	gather   time.Duration
	wait     time.Duration
	policy   codec.CandidatePolicy
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func (f *connFlags) add(fs *flag.FlagSet, offerer bool) {
	fs.StringVar(&f.form, "form", "qr", "form of the printed code: qr, link or bin")
	fs.BoolVar(&f.qr, "qr", false, "draw the code as a QR code on stderr even when stderr is not a terminal")
	fs.BoolVar(&f.loopback, "loopback", false, "use only loopback candidates (both peers on this host)")
	fs.Var(&f.ice, "ice", "ICE server `URL` (stun:host:port, or turn:user:password@host:port); repeatable")
	fs.DurationVar(&f.gather, "gather", ref.DefaultGatherTimeout, "bound on candidate gathering")
	if offerer {
		fs.DurationVar(&f.wait, "wait", ref.DefaultOfferTimeout, "how long the offer waits for the answer's code")
	} else {
		fs.DurationVar(&f.wait, "wait", ref.DefaultAnswerTimeout, "how long to wait for the offerer to apply the answer and connect")
	}
	policyFlags(fs, &f.policy)
}

func (f *connFlags) config(offerer bool) (*ref.Config, codec.Form, error) {
	form, err := codec.ParseForm(f.form)
	if err != nil {
		return nil, 0, usagef("%v", err)
	}
	cfg := &ref.Config{Loopback: f.loopback, GatherTimeout: f.gather, Policy: f.policy}
	if offerer {
		cfg.OfferTimeout = f.wait
	} else {
		cfg.AnswerTimeout = f.wait
	}
	for _, u := range f.ice {
		s, err := parseICEServer(u)
		if err != nil {
			return nil, 0, usagef("-ice %q: %v", u, err)
		}
		cfg.ICEServers = append(cfg.ICEServers, s)
	}
	return cfg, form, nil
}

// parseICEServer reads stun:host:port or turn(s):user:password@host:port.
func parseICEServer(u string) (webrtc.ICEServer, error) {
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok || rest == "" {
		return webrtc.ICEServer{}, errors.New("want stun:host:port or turn:user:password@host:port")
	}
	switch scheme {
	case "stun", "stuns":
		return webrtc.ICEServer{URLs: []string{u}}, nil
	case "turn", "turns":
		cred, hostport, ok := strings.Cut(rest, "@")
		if !ok {
			return webrtc.ICEServer{URLs: []string{u}}, nil
		}
		user, pass, _ := strings.Cut(cred, ":")
		return webrtc.ICEServer{URLs: []string{scheme + ":" + hostport}, Username: user, Credential: pass}, nil
	}
	return webrtc.ICEServer{}, fmt.Errorf("unknown scheme %q", scheme)
}

func cmdOffer(e *env, args []string) error {
	fs := newFlagSet("offer", e.stderr)
	var f connFlags
	f.add(fs, true)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, form, err := f.config(true)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	conn, code, err := ref.Offer(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := showCode(e, &f, "offer", code, form); err != nil {
		return err
	}
	in := bufio.NewReaderSize(e.stdin, 64<<10)
	line, err := readCodeLine(ctx, in, conn.Done())
	if err != nil {
		if cerr := conn.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("reading the answer's code: %v", err)
	}
	answer, err := codec.ParseText(line)
	if err != nil {
		return fmt.Errorf("the answer's code: %w", describe(err))
	}
	if err := conn.Complete(ctx, answer); err != nil {
		if isCodecError(err) {
			return fmt.Errorf("the answer's code: %w", describe(err))
		}
		return err
	}
	return connBridge(ctx, conn, in, e.stdout)
}

func cmdAnswer(e *env, args []string) error {
	fs := newFlagSet("answer", e.stderr)
	var f connFlags
	f.add(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, form, err := f.config(false)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	in := bufio.NewReaderSize(e.stdin, 64<<10)
	line, err := readCodeLine(ctx, in, nil)
	if err != nil {
		return fmt.Errorf("reading the offer's code: %v", err)
	}
	offer, err := codec.ParseText(line)
	if err != nil {
		return fmt.Errorf("the offer's code: %w", describe(err))
	}
	conn, code, err := ref.Answer(ctx, cfg, offer)
	if err != nil {
		if isCodecError(err) {
			return fmt.Errorf("the offer's code: %w", describe(err))
		}
		return err
	}
	defer conn.Close()
	if err := showCode(e, &f, "answer", code, form); err != nil {
		return err
	}
	return connBridge(ctx, conn, in, e.stdout)
}

func isCodecError(err error) bool {
	for _, c := range []error{codec.ErrForeign, codec.ErrMalformed, codec.ErrNonCanonical, codec.ErrVersion, codec.ErrLimit, codec.ErrBinding, codec.ErrSDP} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// showCode prints the code as the first line of stdout and, on a terminal
// (or with -qr), its QR code on stderr.
func showCode(e *env, f *connFlags, what string, code []byte, form codec.Form) error {
	if _, err := fmt.Fprintln(e.stdout, codec.FormatText(code, form)); err != nil {
		return err
	}
	warnEUI64(e.stderr, code)
	if e.stderrTTY || f.qr {
		text := codec.FormatText(code, codec.FormQR)
		fmt.Fprintf(e.stderr, "%s code: %d bytes\n%s", what, len(code), qrText(text))
		if what == "offer" {
			fmt.Fprintln(e.stderr, "paste the answer's code on stdin")
		}
	}
	return nil
}

// qrText renders s as a QR code (ECC level L) in half-block characters.
func qrText(s string) string {
	q, err := qrcode.New(s, qrcode.Low)
	if err != nil {
		return fmt.Sprintf("(no QR code: %v)\n", err)
	}
	return q.ToSmallString(false)
}

// readCodeLine reads the first line of r (a code in any text form). It
// gives up when stop closes or ctx is done.
func readCodeLine(ctx context.Context, r *bufio.Reader, stop <-chan struct{}) (string, error) {
	type result struct {
		s   string
		err error
	}
	res := make(chan result, 1)
	go func() {
		var b strings.Builder
		for b.Len() <= codec.DefaultMaxTextBytes {
			frag, isPrefix, err := r.ReadLine()
			b.Write(frag)
			if err != nil {
				if err == io.EOF && b.Len() > 0 {
					err = nil
				} else if err == io.EOF {
					err = errors.New("stdin ended before a code")
				}
				res <- result{b.String(), err}
				return
			}
			if !isPrefix {
				res <- result{b.String(), nil}
				return
			}
		}
		res <- result{"", fmt.Errorf("the first line is longer than %d bytes", codec.DefaultMaxTextBytes)}
	}()
	select {
	case r := <-res:
		if r.err == nil && strings.TrimSpace(r.s) == "" {
			return "", errors.New("the first line is empty")
		}
		return r.s, r.err
	case <-stop:
		return "", errors.New("stopped")
	case <-ctx.Done():
		return "", errors.New("interrupted")
	}
}

// connBridge waits for the connection, then sends in to the peer and writes
// what the peer sends to out, until both directions have ended; then it
// drains what it sent and closes. When ctx ends (an interrupt), it closes
// the connection at once, which the peer sees within a second.
func connBridge(ctx context.Context, conn *ref.Conn, in io.Reader, out io.Writer) error {
	if err := conn.WaitOpen(ctx); err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
		return err
	}
	bridged := make(chan struct{})
	defer close(bridged)
	go func() {
		select {
		case <-ctx.Done():
			conn.Close()
		case <-bridged:
		}
	}()
	ch := conn.Channel()
	sent := make(chan error, 1)
	go func() {
		_, err := io.Copy(ch, in)
		if err != nil {
			sent <- err
			return
		}
		if err := ch.CloseWrite(); err != nil {
			sent <- err
			return
		}
		// The end-of-stream is out: a peer that closes now has had
		// everything (it closes only after reading our end-of-stream).
		if err := ch.Flush(ctx); err != nil && !errors.Is(err, ref.ErrPeerClosed) {
			sent <- err
			return
		}
		sent <- nil
	}()
	if _, err := io.Copy(out, ch); err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
		return err
	}
	if f, ok := out.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return err
		}
	}
	// Our receiving direction has ended; wait for the sending one (it ends
	// at once with an error if the connection is gone).
	if err := <-sent; err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn.Shutdown(sctx)
	return nil
}

func cmdDemo(e *env, args []string) error {
	fs := newFlagSet("demo", e.stderr)
	noQR := fs.Bool("noqr", false, "do not draw the QR codes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := &ref.Config{Loopback: true}
	w := e.stdout
	show := func(what string, code []byte) {
		text := codec.FormatText(code, codec.FormQR)
		fmt.Fprintf(w, "%s code: %d bytes (%d characters in the qr form)\n%s\n", what, len(code), len(text), text)
		if !*noQR {
			fmt.Fprint(w, qrText(text))
		}
	}
	fmt.Fprintln(w, "Two peers in this process, connected over loopback through their codes only.")
	start := time.Now()
	o, offer, err := ref.Offer(ctx, cfg)
	if err != nil {
		return err
	}
	defer o.Close()
	show("offer", offer)
	// The answerer gets the offer as the text a QR code would carry.
	offerRead, err := codec.ParseText(codec.FormatText(offer, codec.FormQR))
	if err != nil {
		return err
	}
	a, answer, err := ref.Answer(ctx, cfg, offerRead)
	if err != nil {
		return err
	}
	defer a.Close()
	show("answer", answer)
	answerRead, err := codec.ParseText(codec.FormatText(answer, codec.FormQR))
	if err != nil {
		return err
	}
	if err := o.Complete(ctx, answerRead); err != nil {
		return err
	}
	if err := o.WaitOpen(ctx); err != nil {
		return err
	}
	if err := a.WaitOpen(ctx); err != nil {
		return err
	}
	elapsed := time.Since(start)
	for _, m := range []struct {
		from, to *ref.Conn
		who, msg string
	}{
		{o, a, "offerer", "hello from the offerer"},
		{a, o, "answerer", "hello back from the answerer"},
	} {
		if err := m.from.Channel().Send(ctx, []byte(m.msg)); err != nil {
			return err
		}
		got, err := m.to.Channel().Receive(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s sent: %q\n", m.who, got)
	}
	fmt.Fprintf(w, "time from offer to open channel: %v\n", elapsed.Round(time.Millisecond))
	o.Close()
	select {
	case <-a.Done():
		fmt.Fprintf(w, "the answerer saw the offerer close (%v)\n", errors.Is(a.Err(), ref.ErrPeerClosed))
	case <-ctx.Done():
		return errors.New("the answerer did not see the close")
	}
	return nil
}
