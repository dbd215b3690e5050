package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// serveProc is one `peer serve` run in-process.
type serveProc struct {
	url    string // the page's URL (stdout's first line)
	link   string // the link printed on stderr: the offer and the pairing secret
	secret string // the pairing secret (empty if the link has none)
	in     *io.PipeWriter
	out    *bufio.Reader // stdout after its first line
	status <-chan int
	stderr *chatSyncBuf
	stop   context.CancelFunc // Ctrl-C
}

var serveLinkRE = regexp.MustCompile(`(http\S*#P-[A-Z2-7]+)\n`)

// startServe runs `peer serve` in-process and waits for its URL and link.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	stderr := &chatSyncBuf{}
	status := make(chan int, 1)
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		st := run(&env{ctx: ctx, stdin: inR, stdout: outW, stderr: stderr}, append([]string{"serve"}, args...))
		outW.Close()
		status <- st
	}()
	out := bufio.NewReader(outR)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("no URL line: %v; stderr:\n%s", err, stderr)
	}
	s := &serveProc{url: strings.TrimSpace(line), in: inW, out: out, status: status, stderr: stderr, stop: stop}
	t.Cleanup(func() { stop(); inW.Close(); go io.Copy(io.Discard, out) })
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || !strings.HasSuffix(s.url, "/") {
		t.Fatalf("first line %q is not the page's URL", s.url)
	}
	s.nextLink(t)
	return s
}

// nextLink waits for a link other than the one s holds (the first, or the
// one of the next pairing) and makes it s's link and secret.
func (s *serveProc) nextLink(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		links := serveLinkRE.FindAllStringSubmatch(s.stderr.String(), -1)
		if len(links) > 0 && links[len(links)-1][1] != s.link {
			s.link = links[len(links)-1][1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new link on stderr:\n%s", s.stderr)
		}
	}
	for _, part := range strings.Split(s.link, "#")[1:] {
		if k, ok := strings.CutPrefix(part, "K-"); ok {
			s.secret = k
		}
	}
}

// exit waits for serve to exit and returns its status.
func (s *serveProc) exit(t *testing.T) int {
	t.Helper()
	select {
	case st := <-s.status:
		return st
	case <-time.After(30 * time.Second):
		t.Fatalf("peer serve did not exit; stderr:\n%s", s.stderr)
	}
	return -1
}

// request sends a request to the server; hdr adds headers ("Host" sets the
// Host header).
func (s *serveProc) request(t *testing.T, method, path, body string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/plain")
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, b
}

// auth is the header that carries the pairing secret.
func (s *serveProc) auth() map[string]string {
	return map[string]string{"Authorization": "Bearer " + s.secret}
}

// getOffer reads the Go peer's offer with the pairing secret.
func (s *serveProc) getOffer(t *testing.T) map[string]string {
	t.Helper()
	st, b := s.request(t, "GET", "api/offer", "", s.auth())
	if st != 200 {
		t.Fatalf("GET api/offer: %d %s", st, b)
	}
	var j map[string]string
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// post posts body with the pairing secret and reads the JSON reply.
func (s *serveProc) post(t *testing.T, path, body string) (int, map[string]string) {
	t.Helper()
	st, b := s.request(t, "POST", path, body, s.auth())
	var j map[string]string
	json.Unmarshal(b, &j)
	return st, j
}

func TestServePage(t *testing.T) {
	s := startServe(t)
	st, b := s.request(t, "GET", "", "", nil)
	if st != 200 || !bytes.Contains(b, []byte(`src="app.js"`)) {
		t.Fatalf("GET /: %d\n%s", st, b)
	}
	for _, path := range []string{"app.js", "vendor/peer-codec.js", "vendor/qrcode.mjs"} {
		r, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if ct := r.Header.Get("Content-Type"); r.StatusCode != 200 || !strings.Contains(ct, "javascript") {
			t.Errorf("GET %s: %s, Content-Type %q", path, r.Status, ct)
		}
	}
	j := s.getOffer(t)
	code := mustParse(t, j["code"])
	if !strings.HasPrefix(j["code"], codec.PrefixQR) || j["link"] != s.link || j["base"] != s.url {
		t.Errorf("GET api/offer = %v; printed link %s", j, s.link)
	}
	if want := s.url + "#K-" + s.secret + "#" + codec.FormatText(code, codec.FormLink); s.link != want {
		t.Errorf("link %s, want %s", s.link, want)
	}
	if len(s.secret) != 26 || !regexp.MustCompile(`^[A-Z2-7]+$`).MatchString(s.secret) {
		t.Errorf("secret %q is not 26 characters of Base32 (128 bits)", s.secret)
	}
	if got := mustParse(t, s.link); !bytes.Equal(got, code) {
		t.Errorf("the codec does not read the offer from the link (SPEC.md §5.4)")
	}
	if !strings.Contains(s.stderr.String(), " "+s.url+"#K-"+s.secret+" ") {
		t.Errorf("stderr does not show the page's URL with the secret:\n%s", s.stderr)
	}
}

func mustParse(t *testing.T, s string) []byte {
	t.Helper()
	b, err := codec.ParseText(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestServeBase(t *testing.T) {
	s := startServe(t, "-base", "https://example.net/peer/")
	if !strings.HasPrefix(s.link, "https://example.net/peer/#K-"+s.secret+"#P-") {
		t.Errorf("link %q does not use -base", s.link)
	}
	if j := s.getOffer(t); j["link"] != s.link || j["base"] != "https://example.net/peer/" {
		t.Errorf("GET api/offer = %v", j)
	}
	if st := run(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}, []string{"serve", "-base", "ftp://x"}); st != 2 {
		t.Errorf("-base ftp://x: status %d, want 2", st)
	}
}

func TestServeRefusesBadCodes(t *testing.T) {
	s := startServe(t)
	other := startServe(t)
	// An answer made for another offer.
	ctx := context.Background()
	oc := mustParse(t, other.getOffer(t)["code"])
	conn, answer, err := ref.Answer(ctx, &ref.Config{}, oc)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, c := range []struct {
		body   string
		status int
		class  string
	}{
		{codec.FormatText(answer, codec.FormQR), http.StatusConflict, "binding"},
		{"hello", http.StatusBadRequest, "foreign"},
		{"P:", http.StatusBadRequest, "malformed"},
		{s.getOffer(t)["code"], http.StatusBadRequest, "role"}, // an offer where an answer goes
	} {
		st, e := s.post(t, "api/answer", c.body)
		if st != c.status || e["class"] != c.class {
			t.Errorf("POST api/answer %.20q: %d %+v, want %d %s", c.body, st, e, c.status, c.class)
		}
	}
}

// TestServeGoPeer pairs a Go answerer with the peer of `peer serve` through
// the HTTP API (the page's part) and moves data both ways through its
// stdin and stdout.
func TestServeGoPeer(t *testing.T) {
	for _, role := range []string{"serve offers", "serve answers"} {
		t.Run(role, func(t *testing.T) {
			s := startServe(t, "-loopback")
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			conn := pairAsPage(t, ctx, s, role == "serve answers")
			if role == "serve answers" {
				o, offer, err := ref.Offer(ctx, &ref.Config{Loopback: true})
				if err != nil {
					t.Fatal(err)
				}
				defer o.Close()
				if st, e := s.post(t, "api/offer", codec.FormatText(offer, codec.FormQR)); st != http.StatusConflict || e["class"] != "state" {
					t.Errorf("second pairing: %d %+v, want 409 state", st, e)
				}
			}
			ch := conn.Channel()
			toServe := bytes.Repeat([]byte("browser to go "), 50000)
			fromServe := bytes.Repeat([]byte("go to browser "), 40000)
			go func() {
				s.in.Write(fromServe)
				s.in.Close()
			}()
			go func() {
				ch.Write(toServe)
				ch.CloseWrite()
			}()
			got, err := io.ReadAll(ch)
			if err != nil || !bytes.Equal(got, fromServe) {
				t.Fatalf("received %d bytes (%v), want %d", len(got), err, len(fromServe))
			}
			rest, _ := io.ReadAll(s.out)
			if !bytes.Equal(rest, toServe) {
				t.Fatalf("serve's stdout has %d bytes, want %d", len(rest), len(toServe))
			}
			select {
			case st := <-s.status:
				if st != 0 {
					t.Fatalf("peer serve exited %d", st)
				}
			case <-ctx.Done():
				t.Fatal("peer serve did not exit")
			}
		})
	}
}
