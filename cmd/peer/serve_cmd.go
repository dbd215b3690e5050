package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/peer-sdp/peer/ref"
)

func init() {
	register("serve", "serve the web page and pair browsers with this peer, one after another", `Serves the web page (web/) and holds a Go peer that a page pairs with: the
link it shows (and its QR code) holds the Go peer's offer and a one-time
pairing secret; a page opened from it answers by itself. The page's URL is
the first line of stdout; the link and messages go to stderr.

Once paired, stdin goes to the page and what the page sends comes out on
stdout (a file the page sends, chat lines). When the page hangs up, serve
makes a new offer with a new pairing secret, shows the new link, and waits
for the next page; stdin is read once, by whichever page is connected. It
exits 0 when both directions of a session have ended (stdin and the page's
stream), or on Ctrl-C.

It listens on 127.0.0.1 unless -addr says otherwise; a phone needs an
address it can reach (-addr 0.0.0.0:8080 -base http://LAN-ADDRESS:8080/).
web/README.md has the API and the pairing secret.

`+aboutMedia+` serve plays the files again and again
while a page is paired (the page shows them in its video call), and records
each session's tracks in DIR/session-N/.`, cmdServe)
}

// serveFlags are the flags of serve.
type serveFlags struct {
	netFlags
	addr  string
	base  string
	qr    bool
	wait  time.Duration
	media mediaFlags
}

func (f *serveFlags) add(fs *flag.FlagSet) {
	f.netFlags.add(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: a free port)")
	fs.StringVar(&f.base, "base", "", "base `URL` of the links (default: the served URL); a phone needs an address it can reach")
	fs.BoolVar(&f.qr, "qr", false, "draw the QR code of the link on stderr even when it is not a terminal")
	fs.DurationVar(&f.wait, "wait", ref.DefaultOfferTimeout, "how long an offer waits for a page; then serve makes a new one")
	f.media.add(fs)
}

// config checks the flags and returns the Go peer's configuration and the
// -base URL (nil without one).
func (f *serveFlags) config() (*ref.Config, *url.URL, error) {
	cfg, err := f.netFlags.config()
	if err != nil {
		return nil, nil, err
	}
	cfg.OfferTimeout = f.wait
	if f.base == "" {
		return cfg, nil, nil
	}
	u, err := url.Parse(f.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, usagef("-base %q is not an http(s) URL", f.base)
	}
	return cfg, u, nil
}

// cmdServe serves the web page (package web) and a Go peer that a page can
// pair with, in either role, through a small HTTP API on the same origin
// (serve_api.go; every request carries the pairing secret of the current
// pairing, serve_guard.go checks where requests come from). Pairings follow
// each other (serveState.loop).
func cmdServe(e *env, args []string) error {
	fs := newFlagSet("serve")
	var f serveFlags
	f.add(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	cfg, baseURL, err := f.config()
	if err != nil {
		return err
	}
	ctx := e.context()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("serve: cannot listen on %s: %v", f.addr, err)
	}
	lnAddr := ln.Addr().(*net.TCPAddr)
	pageURL := servePageURL(lnAddr)
	base := f.base
	if base == "" {
		base = pageURL
	}
	media, err := f.media.setup(cfg, true, true)
	if err != nil {
		return err
	}
	s := newServeState(base, cfg, f.qr)
	s.media = media
	srv := newServeServer(newServeGuard(lnAddr, baseURL, s.handler()))
	go srv.Serve(newLimitListener(ln, serveConnsPerAddr, serveConns))
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if _, err := fmt.Fprintln(e.stdout, pageURL); err != nil {
		return err
	}
	if note := reachNote(f.addr, lnAddr, baseURL, localAddrs()); note != "" {
		fmt.Fprintln(e.stderr, note)
	}
	return s.loop(ctx, e)
}

// servePageURL is the URL printed for a listening address: an unspecified
// address (0.0.0.0, ::) is shown as 127.0.0.1, which this machine can open.
func servePageURL(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(a.Port)) + "/"
}

// reachNote says who can reach serve when it listens beyond loopback, and
// that the links need -base then; "" on loopback. asked is -addr, ln the
// address it listens on, addrs this machine's addresses (for an unspecified
// listening address, which Go listens on in both families).
func reachNote(asked string, ln *net.TCPAddr, base *url.URL, addrs []net.IP) string {
	if ln.IP.IsLoopback() {
		return ""
	}
	where := ln.IP.String()
	if ln.IP.IsUnspecified() {
		var names []string
		for _, a := range addrs {
			if !a.IsLoopback() {
				names = append(names, a.String())
			}
		}
		where = "any address of this computer"
		if len(names) > 0 {
			where += " (" + strings.Join(names, ", ") + ")"
		}
	}
	shown := ln.String()
	if host, _, err := net.SplitHostPort(asked); err == nil {
		shown = net.JoinHostPort(host, fmt.Sprint(ln.Port))
	}
	msg := fmt.Sprintf("peer serve: listening on %s: every device that can reach %s on port %d can open the page; "+
		"only the one that holds the link below can pair (its pairing secret)", shown, where, ln.Port)
	if base == nil {
		msg += "\npeer serve: the links point at 127.0.0.1, which another device cannot open: add -base http://ADDRESS:PORT/ with an address it reaches"
	}
	return msg
}

// localAddrs lists this machine's IP addresses.
func localAddrs() []net.IP {
	as, _ := net.InterfaceAddrs()
	var out []net.IP
	for _, a := range as {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
			out = append(out, ipn.IP)
		}
	}
	return out
}

// announce prints a pairing's link (and its QR code) and the page's URL
// with its secret on stderr. Both carry the secret: whoever opens either
// can pair, so they are shown only where the user looks.
func (s *serveState) announce(e *env, p *pairing, again bool) {
	link := serveLink(s.base, p.secret, p.code)
	if again {
		fmt.Fprintf(e.stderr, "peer serve: a new link, with a new pairing secret (the last one no longer pairs):\n%s\n", link)
	} else {
		fmt.Fprintf(e.stderr, "peer serve: open this link to pair a browser with this peer (it holds a one-time pairing secret):\n%s\n", link)
	}
	warnEUI64(e.stderr, p.code)
	fmt.Fprintf(e.stderr, "peer serve: or open %s and let the page make the offer\n", servePageLink(s.base, p.secret))
	if s.showQR || e.stderrTTY {
		fmt.Fprint(e.stderr, qrText(link))
	}
}

// loop pairs the Go peer with a page, bridges stdin and stdout with it, and
// pairs again when the page hangs up (or an offer expires unused). It ends
// when a session has finished both ways, or on Ctrl-C (ctx): both exit 0.
func (s *serveState) loop(ctx context.Context, e *env) error {
	pump := newStdinPump(e.stdin)
	for n := 0; ; n++ {
		p, err := s.newPairing(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("serve: %w", explainConn(err))
		}
		s.announce(e, p, n > 0)
		conn := s.waitPaired(ctx, p)
		switch {
		case ctx.Err() != nil:
			if conn != nil {
				conn.Close()
			}
			fmt.Fprintln(e.stderr, "peer serve: stopped")
			return nil
		case conn == nil:
			fmt.Fprintf(e.stderr, "peer serve: no page paired within %v (-wait)\n", s.cfg.OfferTimeout)
			continue
		}
		sess := s.media.next(n)
		end, err := serveSession(ctx, e, conn, pump, sess)
		switch end {
		case sessionFinished:
			return err
		case sessionStopped:
			fmt.Fprintln(e.stderr, "peer serve: stopped")
			return nil
		}
		fmt.Fprintf(e.stderr, "peer serve: %s\n", oneLine(err.Error()))
	}
}

// newPairing makes the next pairing current (its secret alone authorises
// the API from now on) and makes its offer.
func (s *serveState) newPairing(ctx context.Context) (*pairing, error) {
	p := newPairing()
	s.mu.Lock()
	s.cur = p
	s.mu.Unlock()
	offer, code, err := ref.Offer(ctx, s.cfg)
	s.mu.Lock()
	p.offer, p.code = offer, code
	s.mu.Unlock()
	close(p.ready)
	return p, err
}

// waitPaired waits until a page pairs with p (it returns the connection),
// p's offer expires or ctx ends (nil). Either way p takes no more requests.
func (s *serveState) waitPaired(ctx context.Context, p *pairing) *ref.Conn {
	select {
	case <-p.paired:
	case <-p.offer.Done():
	case <-ctx.Done():
	}
	s.mu.Lock()
	conn := p.conn
	p.done = true
	s.mu.Unlock()
	if conn != p.offer {
		p.offer.Close()
	}
	return conn
}

// errWriter remembers the first write error of w (stdout), to tell it from
// an error of the connection.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}
