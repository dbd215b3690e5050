package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/peer-sdp/peer/ref"
	qrcode "github.com/skip2/go-qrcode"
)

func init() {
	register("serve", "serve the web page and pair a browser with this peer", cmdServe)
}

// cmdServe serves the web page (package web) and holds one Go peer that a
// page can pair with, in either role, through a small HTTP API on the same
// origin:
//
//	GET  /api/offer   the Go peer's offer: {"code": qr form, "link": link, "base": base URL}
//	POST /api/answer  body: the page's answer to that offer (any text form); 204 when applied
//	POST /api/offer   body: the page's offer; the Go peer answers it: {"code": answer, qr form}
//
// Every API request carries the pairing secret (Authorization: Bearer
// SECRET), which only the link printed on stderr holds (web/README.md).
// Errors are JSON {"error": message, "class": class}, where class is a codec
// error class (SPEC.md §9: "binding" for an answer made for another offer),
// "role" for a code of the wrong kind, "state" once the peer is paired, or
// "secret" (401) without the secret. The first line of stdout is the page's
// URL, without the secret. Once paired and connected, the
// peer bridges stdin and stdout like `peer answer`: stdin goes to the page,
// what the page sends goes to stdout; each direction ends with the in-band
// end-of-stream, and the command exits 0 when both have ended.
func cmdServe(e *env, args []string) error {
	fs := newFlagSet("serve", e.stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: a free port)")
	base := fs.String("base", "", "base `URL` of the links (default: the served URL); a phone needs an address it can reach")
	showQR := fs.Bool("qr", false, "draw the QR code of the Go peer's link on stderr even when it is not a terminal")
	cfg := &ref.Config{}
	policyFlags(fs, &cfg.Policy)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var baseURL *url.URL
	if *base != "" {
		u, err := url.Parse(*base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("-base %q is not an http(s) URL", *base)
		}
		baseURL = u
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %v", err)
	}
	pageURL := servePageURL(ln.Addr().(*net.TCPAddr))
	if *base == "" {
		*base = pageURL
	}
	s := newServeState(*base, cfg, *showQR)
	p := newPairing()
	s.cur = p
	guard := newServeGuard(ln.Addr().(*net.TCPAddr), baseURL, s.handler())
	srv := newServeServer(guard)
	go srv.Serve(newLimitListener(ln, serveConnsPerAddr, serveConns))
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if _, err := fmt.Fprintln(e.stdout, pageURL); err != nil {
		return err
	}

	offer, code, err := ref.Offer(ctx, cfg)
	if err != nil {
		close(p.ready)
		return fmt.Errorf("serve: %w", err)
	}
	s.mu.Lock()
	p.offer, p.code = offer, code
	s.mu.Unlock()
	close(p.ready)
	s.announce(e, p)

	select {
	case <-s.paired:
	case <-offer.Done():
	case <-ctx.Done():
	}
	s.mu.Lock()
	conn := s.conn
	p.done = true // refuse later pairings
	s.mu.Unlock()
	if conn == nil {
		offer.Close()
		if ctx.Err() != nil {
			return fmt.Errorf("serve: interrupted")
		}
		return fmt.Errorf("serve: %w", offer.Err())
	}
	defer conn.Close()
	if err := conn.WaitOpen(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(e.stderr, "peer serve: connected (%s)\n", conn.ID())
	return serveBridge(ctx, conn, e.stdin, e.stdout)
}

// announce prints a pairing's link (and its QR code) and the page's URL
// with its secret on stderr. Both carry the secret: whoever opens either
// can pair, so they are shown only where the user looks.
func (s *serveState) announce(e *env, p *pairing) {
	link := serveLink(s.base, p.secret, p.code)
	fmt.Fprintf(e.stderr, "peer serve: open this link to pair a browser with this peer (it holds a one-time pairing secret):\n%s\n", link)
	warnEUI64(e.stderr, p.code)
	fmt.Fprintf(e.stderr, "peer serve: or open %s and let the page make the offer\n", servePageLink(s.base, p.secret))
	if s.showQR || e.stderrTTY {
		if q, err := qrcode.New(link, qrcode.Low); err == nil {
			fmt.Fprint(e.stderr, q.ToSmallString(false))
		}
	}
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

// serveBridge sends in to the peer and writes what the peer sends to out,
// until both directions have ended, then drains and closes the connection.
func serveBridge(ctx context.Context, conn *ref.Conn, in io.Reader, out io.Writer) error {
	ch := conn.Channel()
	sent := make(chan error, 1)
	go func() {
		_, err := io.Copy(ch, in)
		if err == nil {
			err = ch.CloseWrite()
		}
		sent <- err
	}()
	_, rerr := io.Copy(out, ch)
	if rerr != nil {
		return fmt.Errorf("serve: receiving: %w", rerr)
	}
	select {
	case err := <-sent:
		if err != nil {
			return fmt.Errorf("serve: sending: %w", err)
		}
	case <-conn.Done():
		if errors.Is(conn.Err(), ref.ErrPeerClosed) {
			return nil // the peer hung up after ending its stream
		}
		return fmt.Errorf("serve: %w", conn.Err())
	case <-ctx.Done():
		return fmt.Errorf("serve: interrupted")
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Shutdown(sctx); err != nil && !errors.Is(conn.Err(), ref.ErrPeerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
