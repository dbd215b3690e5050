package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
	"github.com/peer-sdp/peer/web"
)

// serveState is the Go peer of `peer serve` and its pairing state.
type serveState struct {
	base   string
	cfg    *ref.Config
	showQR bool     // draw the link's QR code even when stderr is not a terminal
	media  *session // the files to play and where to record (each session gets its own copy: next)

	answering chan struct{} // bounds the answers made at once (serveAnswers)

	mu  sync.Mutex
	cur *pairing // the current pairing; its secret alone authorises the API
}

// pairing is one offer of the Go peer and the secret that goes with it. A
// new pairing gets a new offer and a new secret; the secret of an earlier
// one is worth nothing.
type pairing struct {
	secret string        // 26 Base32 characters, 128 random bits (rand.Text)
	ready  chan struct{} // closed once offer and code are set (or failed)
	offer  *ref.Conn     // the Go peer's offer (set before ready closes)
	code   []byte
	paired chan struct{} // closed when conn is set

	// Guarded by serveState.mu:
	done bool      // paired or given up: later requests get "state"
	conn *ref.Conn // the paired connection
}

// serveAnswers bounds the answers (each a new peer connection) that
// POST /api/offer makes at once; more requests wait for a turn.
const serveAnswers = 4

func newServeState(base string, cfg *ref.Config, showQR bool) *serveState {
	return &serveState{base: base, cfg: cfg, showQR: showQR, answering: make(chan struct{}, serveAnswers)}
}

func newPairing() *pairing {
	return &pairing{secret: rand.Text(), ready: make(chan struct{}), paired: make(chan struct{})}
}

// serveLink is the link of a pairing: base, the secret, then the offer's
// code, the last '#'-part (web/README.md, SPEC.md §5.3–5.4).
func serveLink(base, secret string, code []byte) string {
	return servePageLink(base, secret) + "#" + codec.FormatText(code, codec.FormLink)
}

// servePageLink is the page's URL with the pairing secret and no code.
func servePageLink(base, secret string) string {
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	return base + "#K-" + secret
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

// authorize returns the current pairing when the request carries its
// secret (Authorization: Bearer SECRET, compared in constant time), and
// otherwise answers 401.
func (s *serveState) authorize(w http.ResponseWriter, r *http.Request) (*pairing, bool) {
	s.mu.Lock()
	p := s.cur
	s.mu.Unlock()
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if p != nil && ok && subtle.ConstantTimeCompare([]byte(token), []byte(p.secret)) == 1 {
		return p, true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="peer serve"`)
	serveJSON(w, http.StatusUnauthorized, serveError{
		Error: "this request lacks the pairing secret of peer serve's current link: open the link it shows now", Class: "secret"})
	return nil, false
}

// readCode reads a code in any text form from the request body.
func readCode(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, codec.DefaultMaxTextBytes))
	if err != nil {
		serveJSON(w, http.StatusRequestEntityTooLarge, serveError{Error: "this code is larger than the limit (SPEC.md §8)", Class: "limit"})
		return nil, false
	}
	code, err := codec.ParseText(strings.TrimSpace(string(body)))
	if err != nil {
		serveCodeError(w, err)
		return nil, false
	}
	return code, true
}

// ready authorises the request and waits for its pairing's offer.
func (s *serveState) ready(w http.ResponseWriter, r *http.Request) (*pairing, bool) {
	p, ok := s.authorize(w, r)
	if !ok {
		return nil, false
	}
	select {
	case <-p.ready:
		return p, true
	case <-r.Context().Done():
		return nil, false
	}
}

// readPost authorises a POST, waits for its pairing's offer and reads the
// code in its body.
func (s *serveState) readPost(w http.ResponseWriter, r *http.Request) (*pairing, []byte, bool) {
	p, ok := s.ready(w, r)
	if !ok {
		return nil, nil, false
	}
	code, ok := readCode(w, r)
	return p, code, ok
}

// pairedLocked reports (and answers) a request that comes after pairing.
func (s *serveState) pairedLocked(w http.ResponseWriter, p *pairing) bool {
	if p.done || p.offer == nil || s.cur != p {
		serveJSON(w, http.StatusConflict, serveError{
			Error: "peer serve is paired with another page; when that one hangs up, peer serve shows a new link", Class: "state"})
		return true
	}
	return false
}

func (s *serveState) getOffer(w http.ResponseWriter, r *http.Request) {
	p, ok := s.ready(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pairedLocked(w, p) {
		return
	}
	serveJSON(w, http.StatusOK, map[string]string{
		"code": codec.FormatText(p.code, codec.FormQR),
		"link": serveLink(s.base, p.secret, p.code),
		"base": s.base,
	})
}

// The slow work of a request (applying an answer, making one: gathering
// takes up to ref.DefaultGatherTimeout) runs outside the state lock, so a
// slow request never delays another; the first to finish pairs, the others
// get 409 and their connection is closed.

func (s *serveState) postAnswer(w http.ResponseWriter, r *http.Request) {
	p, code, ok := s.readPost(w, r)
	if !ok || !s.unpaired(w, p) {
		return
	}
	if err := p.offer.Complete(r.Context(), code); err != nil {
		serveCodeError(w, err)
		return
	}
	if !s.pair(w, p, p.offer) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *serveState) postOffer(w http.ResponseWriter, r *http.Request) {
	p, code, ok := s.readPost(w, r)
	if !ok || !s.unpaired(w, p) {
		return
	}
	select {
	case s.answering <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	conn, answer, err := serveAnswer(r.Context(), s.cfg, code)
	if errors.Is(err, ref.ErrMedia) {
		// A page's offer without the media of -video or -audio (a chat):
		// answer it without them.
		cfg := *s.cfg
		cfg.Tracks = nil
		conn, answer, err = serveAnswer(r.Context(), &cfg, code)
	}
	<-s.answering
	if err != nil {
		serveCodeError(w, err)
		return
	}
	if !s.pair(w, p, conn) {
		conn.Close()
		return
	}
	p.offer.Close() // the Go peer's own offer is no longer needed
	serveJSON(w, http.StatusOK, map[string]string{"code": codec.FormatText(answer, codec.FormQR)})
}

// unpaired reports whether p can still be paired, and answers 409 if not.
func (s *serveState) unpaired(w http.ResponseWriter, p *pairing) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.pairedLocked(w, p)
}

// pair makes conn the paired connection of p, unless another request
// paired first (it answers 409 then).
func (s *serveState) pair(w http.ResponseWriter, p *pairing, conn *ref.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pairedLocked(w, p) {
		return false
	}
	p.done = true
	p.conn = conn
	close(p.paired)
	return true
}

// serveAnswer answers an offer (tests hold it to make answers slow).
var serveAnswer = ref.Answer
