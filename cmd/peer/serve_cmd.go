package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
	"github.com/peer-sdp/peer/web"
	qrcode "github.com/skip2/go-qrcode"
)

func init() {
	register("serve", "serve the web page and pair a browser with this peer", cmdServe)
}

// serveMaxBody bounds the codes the HTTP API accepts.
const serveMaxBody = 64 << 10

// cmdServe serves the web page (package web) and holds one Go peer that a
// page can pair with, in either role, through a small HTTP API on the same
// origin:
//
//	GET  /api/offer   the Go peer's offer: {"code": qr form, "link": link, "base": base URL}
//	POST /api/answer  body: the page's answer to that offer (any text form); 204 when applied
//	POST /api/offer   body: the page's offer; the Go peer answers it: {"code": answer, qr form}
//
// Errors are JSON {"error": message, "class": class}, where class is a codec
// error class (SPEC.md §9: "binding" for an answer made for another offer),
// "role" for a code of the wrong kind, or "state" once the peer is paired.
// The first line of stdout is the page's URL. Once paired and connected, the
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
	if *base != "" {
		u, err := url.Parse(*base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("-base %q is not an http(s) URL", *base)
		}
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
	s := &serveState{base: *base, cfg: cfg, ready: make(chan struct{}), paired: make(chan struct{})}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
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
		close(s.ready)
		return fmt.Errorf("serve: %w", err)
	}
	s.mu.Lock()
	s.offer, s.offerCode = offer, code
	s.mu.Unlock()
	close(s.ready)
	link := codec.Link(s.base, code)
	fmt.Fprintf(e.stderr, "peer serve: open %s in a browser, or open this link to pair with this peer:\n%s\n", pageURL, link)
	if *showQR || e.stderrTTY {
		if q, err := qrcode.New(link, qrcode.Low); err == nil {
			fmt.Fprint(e.stderr, q.ToSmallString(false))
		}
	}

	select {
	case <-s.paired:
	case <-offer.Done():
	case <-ctx.Done():
	}
	s.mu.Lock()
	conn := s.conn
	if conn == nil {
		s.offer = nil // refuse later pairings
	}
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

// serveState is the Go peer of `peer serve` and its pairing state.
type serveState struct {
	base  string
	cfg   *ref.Config
	ready chan struct{} // closed once the offer exists (or failed)

	mu        sync.Mutex
	offer     *ref.Conn // the Go peer's offer, until a page pairs
	offerCode []byte
	conn      *ref.Conn     // the paired connection
	paired    chan struct{} // closed when conn is set
}

func (s *serveState) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/offer", s.getOffer)
	mux.HandleFunc("POST /api/answer", s.postAnswer)
	mux.HandleFunc("POST /api/offer", s.postOffer)
	files := http.FileServerFS(web.FS)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
	return mux
}

type serveError struct {
	Error string `json:"error"`
	Class string `json:"class"`
}

func serveJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// serveCodeError answers a request whose code was refused.
func serveCodeError(w http.ResponseWriter, err error) {
	class := codec.ClassName(err)
	switch {
	case errors.Is(err, ref.ErrCode):
		class = "role"
	case errors.Is(err, ref.ErrState):
		class = "state"
	case class == "":
		class = "connection"
	}
	status := http.StatusBadRequest
	if class == "binding" || class == "state" {
		status = http.StatusConflict
	}
	serveJSON(w, status, serveError{Error: err.Error(), Class: class})
}

// readCode reads a code in any text form from the request body.
func (s *serveState) readCode(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, serveMaxBody))
	if err != nil {
		serveJSON(w, http.StatusRequestEntityTooLarge, serveError{Error: "peer: code too large", Class: "limit"})
		return nil, false
	}
	code, err := codec.ParseText(strings.TrimSpace(string(body)))
	if err != nil {
		serveCodeError(w, err)
		return nil, false
	}
	return code, true
}

func (s *serveState) waitReady(w http.ResponseWriter, r *http.Request) bool {
	select {
	case <-s.ready:
		return true
	case <-r.Context().Done():
		return false
	}
}

// pairedLocked reports (and answers) a request that comes after pairing.
func (s *serveState) pairedLocked(w http.ResponseWriter) bool {
	if s.conn != nil || s.offer == nil {
		serveJSON(w, http.StatusConflict, serveError{Error: "peer: this peer is already paired", Class: "state"})
		return true
	}
	return false
}

func (s *serveState) getOffer(w http.ResponseWriter, r *http.Request) {
	if !s.waitReady(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pairedLocked(w) {
		return
	}
	serveJSON(w, http.StatusOK, map[string]string{
		"code": codec.FormatText(s.offerCode, codec.FormQR),
		"link": codec.Link(s.base, s.offerCode),
		"base": s.base,
	})
}

func (s *serveState) postAnswer(w http.ResponseWriter, r *http.Request) {
	code, ok := s.readCode(w, r)
	if !ok || !s.waitReady(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pairedLocked(w) {
		return
	}
	if err := s.offer.Complete(r.Context(), code); err != nil {
		serveCodeError(w, err)
		return
	}
	s.conn = s.offer
	close(s.paired)
	w.WriteHeader(http.StatusNoContent)
}

func (s *serveState) postOffer(w http.ResponseWriter, r *http.Request) {
	code, ok := s.readCode(w, r)
	if !ok || !s.waitReady(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pairedLocked(w) {
		return
	}
	conn, answer, err := ref.Answer(r.Context(), s.cfg, code)
	if err != nil {
		serveCodeError(w, err)
		return
	}
	s.offer.Close() // the Go peer's own offer is no longer needed
	s.conn = conn
	close(s.paired)
	serveJSON(w, http.StatusOK, map[string]string{"code": codec.FormatText(answer, codec.FormQR)})
}
