package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// startServe runs `peer serve` in-process and returns its URL, its stdin
// writer, a reader of the rest of its stdout and its exit status channel.
func startServe(t *testing.T, args ...string) (string, *io.PipeWriter, *bufio.Reader, <-chan int) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr bytes.Buffer
	status := make(chan int, 1)
	go func() {
		st := run(&env{stdin: inR, stdout: outW, stderr: &lockedWriter{w: &stderr}}, append([]string{"serve"}, args...))
		outW.Close()
		status <- st
	}()
	out := bufio.NewReader(outR)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("no URL line: %v", err)
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("first line %q is not the page's URL", url)
	}
	t.Cleanup(func() { inW.Close(); go io.Copy(io.Discard, out) })
	return url, inW, out, status
}

// lockedWriter serialises writes from the command's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func getOffer(t *testing.T, url string) map[string]string {
	t.Helper()
	r, err := http.Get(url + "api/offer")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("GET api/offer: %s", r.Status)
	}
	var j map[string]string
	if err := json.NewDecoder(r.Body).Decode(&j); err != nil {
		t.Fatal(err)
	}
	return j
}

func post(t *testing.T, url, body string) (int, serveError) {
	t.Helper()
	r, err := http.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var e serveError
	json.NewDecoder(r.Body).Decode(&e)
	return r.StatusCode, e
}

func TestServePage(t *testing.T) {
	url, _, _, _ := startServe(t)
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !bytes.Contains(b, []byte(`src="app.js"`)) {
		t.Fatalf("GET /: %s\n%s", r.Status, b)
	}
	for _, path := range []string{"app.js", "vendor/peer-codec.js", "vendor/qrcode.mjs"} {
		r, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if ct := r.Header.Get("Content-Type"); r.StatusCode != 200 || !strings.Contains(ct, "javascript") {
			t.Errorf("GET %s: %s, Content-Type %q", path, r.Status, ct)
		}
	}
	j := getOffer(t, url)
	if !strings.HasPrefix(j["code"], codec.PrefixQR) || j["link"] != codec.Link(url, mustParse(t, j["code"])) || j["base"] != url {
		t.Errorf("GET api/offer = %v", j)
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
	url, _, _, _ := startServe(t, "-base", "https://example.net/peer/")
	j := getOffer(t, url)
	if !strings.HasPrefix(j["link"], "https://example.net/peer/#P-") {
		t.Errorf("link %q does not use -base", j["link"])
	}
	if st := run(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}, []string{"serve", "-base", "ftp://x"}); st != 2 {
		t.Errorf("-base ftp://x: status %d, want 2", st)
	}
}

func TestServeRefusesBadCodes(t *testing.T) {
	url, _, _, _ := startServe(t)
	other, _, _, _ := startServe(t)
	// An answer made for another offer.
	ctx := context.Background()
	oc := mustParse(t, getOffer(t, other)["code"])
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
		{getOffer(t, url)["code"], http.StatusBadRequest, "role"}, // an offer where an answer goes
	} {
		st, e := post(t, url+"api/answer", c.body)
		if st != c.status || e.Class != c.class {
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
			url, in, out, status := startServe(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var conn *ref.Conn
			if role == "serve offers" {
				c, answer, err := ref.Answer(ctx, &ref.Config{}, mustParse(t, getOffer(t, url)["code"]))
				if err != nil {
					t.Fatal(err)
				}
				conn = c
				if st, e := post(t, url+"api/answer", codec.FormatText(answer, codec.FormLink)); st != http.StatusNoContent {
					t.Fatalf("POST api/answer: %d %+v", st, e)
				}
			} else {
				c, offer, err := ref.Offer(ctx, &ref.Config{})
				if err != nil {
					t.Fatal(err)
				}
				conn = c
				r, err := http.Post(url+"api/offer", "text/plain", strings.NewReader(codec.FormatText(offer, codec.FormQR)))
				if err != nil {
					t.Fatal(err)
				}
				var j map[string]string
				json.NewDecoder(r.Body).Decode(&j)
				r.Body.Close()
				if err := conn.Complete(ctx, mustParse(t, j["code"])); err != nil {
					t.Fatalf("Complete(%v): %v", j, err)
				}
				if st, e := post(t, url+"api/offer", codec.FormatText(offer, codec.FormQR)); st != http.StatusConflict || e.Class != "state" {
					t.Errorf("second pairing: %d %+v, want 409 state", st, e)
				}
			}
			defer conn.Close()
			if err := conn.WaitOpen(ctx); err != nil {
				t.Fatal(err)
			}
			ch := conn.Channel()
			toServe := bytes.Repeat([]byte("browser to go "), 50000)
			fromServe := bytes.Repeat([]byte("go to browser "), 40000)
			go func() {
				in.Write(fromServe)
				in.Close()
			}()
			go func() {
				ch.Write(toServe)
				ch.CloseWrite()
			}()
			got, err := io.ReadAll(ch)
			if err != nil || !bytes.Equal(got, fromServe) {
				t.Fatalf("received %d bytes (%v), want %d", len(got), err, len(fromServe))
			}
			rest, _ := io.ReadAll(out)
			if !bytes.Equal(rest, toServe) {
				t.Fatalf("serve's stdout has %d bytes, want %d", len(rest), len(toServe))
			}
			select {
			case st := <-status:
				if st != 0 {
					t.Fatalf("peer serve exited %d", st)
				}
			case <-ctx.Done():
				t.Fatal("peer serve did not exit")
			}
		})
	}
}
