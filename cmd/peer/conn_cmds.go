package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

const aboutOfferAnswer = `Connects to one other peer through two codes, with no server: the offerer
shows its code, the answerer reads it and shows its answer's code, the
offerer reads that; then they connect. Both run on the same network (or
give -ice servers).

At a terminal, the codes and prompts are on the terminal even when stdin or
stdout carries data, so that

    peer offer < file          # on one computer
    peer answer > copy         # on the other

moves a file: paste each side's code into the other; both exit when the file
is across. Once connected, stdin goes to the other side and what it sends
comes out on stdout, each direction ending with its end of stream (Ctrl-D at
a terminal). A bad code is asked for again. Without a terminal (a program),
or with -stdio, this side's code is the first line of stdout and the other
side's code the first line of stdin.

The printed code is in the link form (P-…) unless -form says otherwise; the
QR code drawn on the terminal holds the qr form (P:…), which the web page
scans. Exit status 0 when both directions ended, 1 with one "peer:" line
otherwise.

` + aboutMedia + ` A side that sends media plays its
files once and ends its stream after them, so that both sides end when all
was sent: a recording holds all the other side played.`

func init() {
	register("offer", "connect to a peer: show an offer's code, read the answer's, then send stdin and receive to stdout",
		aboutOfferAnswer, cmdOffer)
	register("answer", "connect to a peer: read an offer's code, show the answer's, then send stdin and receive to stdout",
		aboutOfferAnswer, cmdAnswer)
	register("demo", "connect two peers in this process over loopback and show their codes",
		`Runs an offerer and an answerer in this process, over loopback: shows each
code with its size and its QR code, connects them through the codes alone,
exchanges a message each way and prints the time from offer to open
channel. Reads nothing; writes to stdout.`, cmdDemo)
}

// connFlags are the flags of offer and answer.
type connFlags struct {
	netFlags
	form  string
	qr    bool
	stdio bool
	wait  time.Duration
	media mediaFlags
	sess  *session // the media, once the flags are read
}

func (f *connFlags) add(fs *flag.FlagSet, offerer bool) {
	f.netFlags.add(fs)
	fs.StringVar(&f.form, "form", "link", formUsage)
	fs.BoolVar(&f.qr, "qr", false, "draw the code as a QR code on stderr even without a terminal")
	fs.BoolVar(&f.stdio, "stdio", false, "exchange the codes as the first lines of stdout and stdin even at a terminal (for programs)")
	f.media.add(fs)
	if offerer {
		fs.DurationVar(&f.wait, "wait", ref.DefaultOfferTimeout, "how long the offer waits for the answer's code")
	} else {
		fs.DurationVar(&f.wait, "wait", ref.DefaultAnswerTimeout, "how long to wait for the offerer to apply the answer and connect")
	}
}

func (f *connFlags) config(offerer bool) (*ref.Config, codec.Form, error) {
	form, err := parseFormFlag(f.form)
	if err != nil {
		return nil, 0, err
	}
	cfg, err := f.netFlags.config()
	if err != nil {
		return nil, 0, err
	}
	if offerer {
		cfg.OfferTimeout = f.wait
	} else {
		cfg.AnswerTimeout = f.wait
	}
	if f.sess, err = f.media.setup(cfg, offerer, false); err != nil {
		return nil, 0, err
	}
	return cfg, form, nil
}

// setup parses the flags of offer or answer and opens the console.
func setupConn(e *env, name string, args []string) (*connFlags, *ref.Config, codec.Form, *console, error) {
	fs := newFlagSet(name)
	f := &connFlags{}
	f.add(fs, name == "offer")
	if err := parseFlags(e, fs, args); err != nil {
		return nil, nil, 0, nil, err
	}
	cfg, form, err := f.config(name == "offer")
	if err != nil {
		return nil, nil, 0, nil, err
	}
	return f, cfg, form, newConsole(e, f.stdio), nil
}

func cmdOffer(e *env, args []string) error {
	f, cfg, form, con, err := setupConn(e, "offer", args)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := e.context()
	conn, code, err := ref.Offer(ctx, cfg)
	if err != nil {
		return interrupted(ctx, explainConn(err))
	}
	defer conn.Close()
	if err := showCode(e, con, f, "offer", code, form); err != nil {
		return err
	}
	con.sayf("peer: give it to the other side ('peer answer', or the page of 'peer serve', reads it)\n")
	err = con.askCode(ctx, conn.Done(), "answer", func(c []byte) error { return conn.Complete(ctx, c) })
	if err != nil {
		if cerr := conn.Err(); cerr != nil {
			return explainConn(cerr)
		}
		return interrupted(ctx, codeReadError("answer", err))
	}
	con.sayf("peer: connecting…\n")
	return mediaBridge(ctx, conn, con, e, f.sess)
}

func cmdAnswer(e *env, args []string) error {
	f, cfg, form, con, err := setupConn(e, "answer", args)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := e.context()
	var conn *ref.Conn
	var code []byte
	err = con.askCode(ctx, nil, "offer", func(offer []byte) (err error) {
		conn, code, err = ref.Answer(ctx, cfg, offer)
		return err
	})
	if err != nil {
		return interrupted(ctx, codeReadError("offer", err))
	}
	defer conn.Close()
	if err := showCode(e, con, f, "answer", code, form); err != nil {
		return err
	}
	con.sayf("peer: give it to the other side, which waits for it; then this side connects by itself\n")
	return mediaBridge(ctx, conn, con, e, f.sess)
}

// mediaBridge is connBridge with the session's media: the files play
// while stdin is sent (the stream ends after both), the peer's tracks are
// recorded until the connection ends.
func mediaBridge(ctx context.Context, conn *ref.Conn, con *console, e *env, sess *session) error {
	sess.start(ctx, conn)
	if len(sess.files) > 0 {
		con.data = bufio.NewReader(sess.afterPlayback(con.data))
	}
	err := connBridge(ctx, conn, con, e)
	conn.Close()
	saved, merr := sess.wait()
	for _, p := range saved {
		con.sayf("peer: recorded %s\n", p)
	}
	if err == nil && merr != nil {
		err = fmt.Errorf("media: %w", merr)
	}
	return err
}

// codeReadError is the error of reading the other side's code: a refused
// code says why itself; the rest says what was being read.
func codeReadError(what string, err error) error {
	if isCodeProblem(err) {
		return err
	}
	return fmt.Errorf("reading the %s's code: %w", what, explainConn(err))
}

// interrupted is errInterrupted when ctx ended (Ctrl-C), else err.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return err
}

// showCode writes this side's code: the code line (see console) and, for a
// person (or with -qr), its QR code.
func showCode(e *env, con *console, f *connFlags, what string, code []byte, form codec.Form) error {
	con.sayf("peer: this side's %s code (%d bytes; the QR code below holds the same):\n", what, len(code))
	if _, err := fmt.Fprintln(con.codeOut, codec.FormatText(code, form)); err != nil {
		return err
	}
	warnEUI64(e.stderr, code)
	qr := qrText(codec.FormatText(code, codec.FormQR))
	switch {
	case con.talking():
		con.sayf("%s", qr)
	case f.qr:
		fmt.Fprintf(e.stderr, "%s code: %d bytes\n%s", what, len(code), qr)
	}
	return nil
}

func cmdDemo(e *env, args []string) error {
	fs := newFlagSet("demo")
	noQR := fs.Bool("noqr", false, "do not draw the QR codes")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.context(), 60*time.Second)
	defer cancel()
	cfg := &ref.Config{Loopback: true}
	w := e.stdout
	show := func(what string, code []byte) {
		text := codec.FormatText(code, codec.FormLink)
		fmt.Fprintf(w, "%s code: %d bytes, %d characters in the link form:\n%s\n", what, len(code), len(text), text)
		if !*noQR {
			fmt.Fprint(w, qrText(codec.FormatText(code, codec.FormQR)))
		}
	}
	fmt.Fprintln(w, "Two peers in this process, connected over loopback through their codes only.")
	start := time.Now()
	o, offer, err := ref.Offer(ctx, cfg)
	if err != nil {
		return explainConn(err)
	}
	defer o.Close()
	show("offer", offer)
	// The answerer gets the offer as the text a person would copy.
	offerRead, err := codec.ParseText(codec.FormatText(offer, codec.FormLink))
	if err != nil {
		return err
	}
	a, answer, err := ref.Answer(ctx, cfg, offerRead)
	if err != nil {
		return explainConn(err)
	}
	defer a.Close()
	show("answer", answer)
	answerRead, err := codec.ParseText(codec.FormatText(answer, codec.FormQR))
	if err != nil {
		return err
	}
	if err := o.Complete(ctx, answerRead); err != nil {
		return explainConn(err)
	}
	for _, c := range []*ref.Conn{o, a} {
		if err := c.WaitOpen(ctx); err != nil {
			return explainConn(err)
		}
	}
	elapsed := time.Since(start)
	if err := demoExchange(ctx, w, o, a); err != nil {
		return err
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

// demoExchange sends a message each way and prints what arrived.
func demoExchange(ctx context.Context, w interface{ Write([]byte) (int, error) }, o, a *ref.Conn) error {
	for _, m := range []struct {
		from, to *ref.Conn
		who, msg string
	}{
		{o, a, "offerer", "hello from the offerer"},
		{a, o, "answerer", "hello back from the answerer"},
	} {
		if err := m.from.Channel().Send(ctx, []byte(m.msg)); err != nil {
			return explainConn(err)
		}
		got, err := m.to.Channel().Receive(ctx)
		if err != nil {
			return explainConn(err)
		}
		fmt.Fprintf(w, "%s sent: %q\n", m.who, got)
	}
	return nil
}
