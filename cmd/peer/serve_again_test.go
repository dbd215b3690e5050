package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// pairAsPage pairs a Go peer with serve through its API as the page does:
// answering serve's offer (POST /api/answer) or offering (POST /api/offer),
// and waits for the channel to open. The connection is closed at the end
// of the test.
func pairAsPage(t *testing.T, ctx context.Context, s *serveProc, pageOffers bool) *ref.Conn {
	t.Helper()
	var conn *ref.Conn
	if !pageOffers {
		c, answer, err := ref.Answer(ctx, &ref.Config{Loopback: true}, mustParse(t, s.link))
		if err != nil {
			t.Fatal(err)
		}
		conn = c
		if st, e := s.post(t, "api/answer", codec.FormatText(answer, codec.FormLink)); st != http.StatusNoContent {
			t.Fatalf("POST api/answer: %d %+v", st, e)
		}
	} else {
		c, offer, err := ref.Offer(ctx, &ref.Config{Loopback: true})
		if err != nil {
			t.Fatal(err)
		}
		conn = c
		st, j := s.post(t, "api/offer", codec.FormatText(offer, codec.FormQR))
		if st != http.StatusOK {
			t.Fatalf("POST api/offer: %d %+v", st, j)
		}
		if err := conn.Complete(ctx, mustParse(t, j["code"])); err != nil {
			t.Fatalf("Complete(%v): %v", j, err)
		}
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	return conn
}

// readN reads n bytes from r within the test's patience.
func readN(t *testing.T, r io.Reader, n int, what string) string {
	t.Helper()
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, n)
		k, _ := io.ReadFull(r, b)
		got <- b[:k]
	}()
	select {
	case b := <-got:
		return string(b)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not arrive", what)
	}
	return ""
}

// TestServePairsAgain: a serve left running pairs again after the page
// hangs up (its Disconnect used to end serve with status 1): a new offer
// with a new pairing secret, a new link printed, the old secret refused;
// stdin and stdout go on with the next page; Ctrl-C exits 0.
func TestServePairsAgain(t *testing.T) {
	s := startServe(t, "-loopback")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	first := *s
	page := pairAsPage(t, ctx, s, false)
	io.WriteString(s.in, "to the first page\n")
	if got := readN(t, page.Channel(), len("to the first page\n"), "serve's stdin"); got != "to the first page\n" {
		t.Fatalf("the first page got %q", got)
	}
	page.Channel().Write([]byte("from the first page\n"))
	if got := readN(t, s.out, len("from the first page\n"), "the first page's line"); got != "from the first page\n" {
		t.Fatalf("serve's stdout: %q", got)
	}
	page.Close() // the page's Disconnect: a CLOSE frame

	s.nextLink(t)
	if s.secret == first.secret || mustParse(t, s.link) == nil || bytes.Equal(mustParse(t, s.link), mustParse(t, first.link)) {
		t.Fatalf("the new link %s repeats the secret or the offer of %s", s.link, first.link)
	}
	if !strings.Contains(s.stderr.String(), "peer serve: the page hung up") {
		t.Errorf("stderr does not say the page hung up:\n%s", s.stderr)
	}
	for _, r := range []struct{ method, path, body string }{{"GET", "api/offer", ""}, {"POST", "api/offer", "P:"}} {
		if st, b := s.request(t, r.method, r.path, r.body, first.auth()); st != http.StatusUnauthorized {
			t.Errorf("%s %s with the first pairing's secret: %d %s, want 401", r.method, r.path, st, b)
		}
	}
	page2 := pairAsPage(t, ctx, s, true) // the second page offers
	io.WriteString(s.in, "to the second page\n")
	if got := readN(t, page2.Channel(), len("to the second page\n"), "serve's stdin"); got != "to the second page\n" {
		t.Fatalf("the second page got %q", got)
	}
	page2.Channel().Write([]byte("from the second page\n"))
	if got := readN(t, s.out, len("from the second page\n"), "the second page's line"); got != "from the second page\n" {
		t.Fatalf("serve's stdout: %q", got)
	}
	s.stop() // Ctrl-C
	if st := s.exit(t); st != 0 {
		t.Fatalf("Ctrl-C: status %d, want 0; stderr:\n%s", st, s.stderr)
	}
	select {
	case <-page2.Done():
	case <-time.After(10 * time.Second):
		t.Errorf("the second page did not see serve close")
	}
}

// TestServeOfferExpires: an offer no page used within -wait is replaced by
// a new one, with a new link and secret; serve goes on.
func TestServeOfferExpires(t *testing.T) {
	s := startServe(t, "-loopback", "-wait", "2s")
	first := *s
	s.nextLink(t)
	if s.secret == first.secret {
		t.Fatal("the new link has the old secret")
	}
	if !strings.Contains(s.stderr.String(), "no page paired within 2s") {
		t.Errorf("stderr does not say why there is a new link:\n%s", s.stderr)
	}
	if st, _ := s.request(t, "GET", "api/offer", "", first.auth()); st != http.StatusUnauthorized {
		t.Errorf("the expired pairing's secret: %d, want 401", st)
	}
	s.getOffer(t)
}

// TestServeNetFlags: serve takes the network flags of offer and answer;
// -loopback makes an offer of loopback candidates only.
func TestServeNetFlags(t *testing.T) {
	s := startServe(t, "-loopback", "-ice", "stun:127.0.0.1:9", "-gather", "500ms")
	d, err := codec.Decode(mustParse(t, s.link), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(d.SDP, "\r\n") {
		if f := strings.Fields(l); strings.HasPrefix(l, "a=candidate:") && len(f) > 4 {
			n++
			if ip := net.ParseIP(f[4]); ip == nil || !ip.IsLoopback() {
				t.Errorf("-loopback: candidate %q", l)
			}
		}
	}
	if n == 0 {
		t.Errorf("no candidate in the offer:\n%s", d.SDP)
	}
}

// TestServeSaysWhoCanReach: listening beyond loopback, serve says who can
// now reach the page, and that the links need -base.
func TestServeSaysWhoCanReach(t *testing.T) {
	lan := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("192.168.1.20"), net.ParseIP("2001:db8::5")}
	if n := reachNote("127.0.0.1:80", &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}, nil, lan); n != "" {
		t.Errorf("loopback: %q", n)
	}
	n := reachNote("0.0.0.0:8080", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, nil, lan)
	for _, want := range []string{"0.0.0.0:8080", "every device that can reach any address of this computer (192.168.1.20, 2001:db8::5) on port 8080",
		"pairing secret", "-base http://"} {
		if !strings.Contains(n, want) {
			t.Errorf("0.0.0.0 note %q lacks %q", n, want)
		}
	}
	base, _ := url.Parse("http://192.168.1.20:8080/")
	n = reachNote("192.168.1.20:8080", &net.TCPAddr{IP: net.ParseIP("192.168.1.20"), Port: 8080}, base, lan)
	if !strings.Contains(n, "reach 192.168.1.20 on port 8080") || strings.Contains(n, "-base") {
		t.Errorf("note with -base: %q", n)
	}
	s := startServe(t, "-addr", "0.0.0.0:0", "-loopback")
	if !strings.Contains(s.stderr.String(), "peer serve: listening on 0.0.0.0:") ||
		!strings.Contains(s.stderr.String(), "every device that can reach") {
		t.Errorf("serve -addr 0.0.0.0:0 does not say who can reach it:\n%s", s.stderr)
	}
}

// TestServePairsAgainAfterAVanishedPage: a page that disappears without a
// word (a killed browser, a phone out of range) is noticed at the dead-peer
// deadline (ref: 10 s), and serve pairs again; it used to exit 1. The page
// here is a `peer answer` process of its own, killed (by its pid).
func TestServePairsAgainAfterAVanishedPage(t *testing.T) {
	s := startServe(t, "-loopback")
	page := exec.Command(os.Args[0], "answer", "-stdio", "-loopback")
	page.Env = append(os.Environ(), "PEER_TEST_MAIN=1")
	page.Stdin = strings.NewReader(s.link + "\n")
	out, err := page.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := page.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { page.Process.Kill(); page.Wait() }()
	answer, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the page's answer: %v", err)
	}
	if st, e := s.post(t, "api/answer", strings.TrimSpace(answer)); st != http.StatusNoContent {
		t.Fatalf("POST api/answer: %d %+v", st, e)
	}
	waitStderr(t, s.stderr, "peer serve: connected")
	first := s.link
	page.Process.Signal(syscall.SIGKILL)
	start := time.Now()
	s.nextLink(t) // waits up to 30 s: the deadline is 10 s
	t.Logf("serve paired again %v after the page vanished", time.Since(start).Round(100*time.Millisecond))
	if s.link == first || !strings.Contains(s.stderr.String(), "stopped answering") {
		t.Fatalf("no new pairing after the page vanished:\n%s", s.stderr)
	}
	s.getOffer(t)
}
