package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// TestServeHijackWithoutSecret is another host of the LAN that races the
// phone: it reads the Go peer's offer and answers it, or offers its own,
// without the pairing secret the printed link carries. Every such request
// is refused, and the holder of the link still pairs.
func TestServeHijackWithoutSecret(t *testing.T) {
	s := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	attacker, offer, err := ref.Offer(ctx, &ref.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer attacker.Close()
	// The attacker cannot read the offer, so it answers the one it saw on
	// the screen: an answer the Go peer would apply.
	ans, answer, err := ref.Answer(ctx, &ref.Config{}, mustParse(t, s.link))
	if err != nil {
		t.Fatal(err)
	}
	defer ans.Close()
	wrong := strings.Repeat("A", 26)
	if wrong == s.secret {
		wrong = strings.Repeat("B", 26)
	}
	short := strings.TrimSuffix(s.secret, s.secret[len(s.secret)/2:])
	for _, hdr := range []map[string]string{
		nil,
		{"Authorization": "Bearer " + wrong},
		{"Authorization": "Bearer " + short},
		{"Authorization": "Bearer " + s.secret + "A"},
		{"Authorization": "Basic " + s.secret},
		{"Authorization": s.secret},
	} {
		for _, r := range []struct{ method, path, body string }{
			{"GET", "api/offer", ""},
			{"POST", "api/offer", codec.FormatText(offer, codec.FormQR)},
			{"POST", "api/answer", codec.FormatText(answer, codec.FormQR)},
		} {
			if st, b := s.request(t, r.method, r.path, r.body, hdr); st != http.StatusUnauthorized {
				t.Errorf("%s %s with %v: %d %s, want 401", r.method, r.path, hdr, st, b)
			}
		}
	}
	// The phone, which holds the link, pairs.
	if st, e := s.post(t, "api/answer", codec.FormatText(answer, codec.FormQR)); st != http.StatusNoContent {
		t.Fatalf("POST api/answer with the secret: %d %v", st, e)
	}
	if err := ans.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestServeCrossSite is a web page of another site in the user's browser
// posting to the API (a cross-site text/plain POST needs no preflight), even
// with the secret: refused with 403, by Origin or by Sec-Fetch-Site. The
// page's own requests (same origin) pass.
func TestServeCrossSite(t *testing.T) {
	s := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, offer, err := ref.Offer(ctx, &ref.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := codec.FormatText(offer, codec.FormQR)
	origin := strings.TrimSuffix(s.url, "/")
	otherPort := "http://127.0.0.1:1" // same site, another origin
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Origin": "null"},
		{"Origin": otherPort},
		{"Origin": "https://" + strings.TrimPrefix(origin, "http://")},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Sec-Fetch-Site": "none"},
		{"Sec-Fetch-Site": "cross-site", "Origin": origin},
	} {
		for k, v := range s.auth() {
			h[k] = v
		}
		for _, r := range []struct{ method, path, body string }{
			{"POST", "api/offer", body},
			{"POST", "api/answer", body},
			{"GET", "api/offer", ""},
		} {
			if st, b := s.request(t, r.method, r.path, r.body, h); st != http.StatusForbidden {
				t.Errorf("%s %s with %v: %d %s, want 403", r.method, r.path, h, st, b)
			}
		}
	}
	// The page's own requests: Origin of the page, Sec-Fetch-Site same-origin.
	same := map[string]string{"Origin": origin, "Sec-Fetch-Site": "same-origin"}
	for k, v := range s.auth() {
		same[k] = v
	}
	if st, b := s.request(t, "GET", "api/offer", "", same); st != http.StatusOK {
		t.Fatalf("GET api/offer from the page: %d %s", st, b)
	}
	if st, b := s.request(t, "POST", "api/offer", body, same); st != http.StatusOK {
		t.Fatalf("POST api/offer from the page: %d %s", st, b)
	}
}

// TestServeHostCheck is DNS rebinding: a name of the attacker's that now
// resolves to this machine reaches the server with its own Host. Only the
// hosts serve printed are served: its address, localhost and the -base
// host; others get 421 (page and API alike).
func TestServeHostCheck(t *testing.T) {
	s := startServe(t, "-base", "https://Example.NET/peer/")
	port := s.url[strings.LastIndex(s.url, ":")+1 : len(s.url)-1]
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:" + port, true},
		{"localhost:" + port, true},
		{"LOCALHOST:" + port, true},
		{"example.net", true},
		{"example.net:443", true},
		{"rebind.evil.example:" + port, false},
		{"rebind.evil.example", false},
		{"localhost.evil.example:" + port, false},
		{"127.0.0.1:1" + port, false},
		{"example.net:" + port, false},
		{"example.net:80", false},
	} {
		hdr := s.auth()
		hdr["Host"] = c.host
		for _, path := range []string{"", "app.js", "api/offer"} {
			st, b := s.request(t, "GET", path, "", hdr)
			if c.ok && st != http.StatusOK || !c.ok && st != http.StatusMisdirectedRequest {
				t.Errorf("GET /%s with Host %q: %d %.60s, want ok=%v (421 if not)", path, c.host, st, b, c.ok)
			}
		}
	}
	// The page loaded through -base has the base's origin.
	for origin, want := range map[string]int{"https://example.net": 200, "http://example.net": 403, "https://example.net:8443": 403} {
		hdr := s.auth()
		hdr["Host"], hdr["Origin"] = "example.net", origin
		if st, b := s.request(t, "GET", "api/offer", "", hdr); st != want {
			t.Errorf("Origin %s: %d %s, want %d", origin, st, b, want)
		}
	}

	// Listening on every address: this machine's own addresses are served.
	all := startServe(t, "-addr", "0.0.0.0:0")
	allPort := all.url[strings.LastIndex(all.url, ":")+1 : len(all.url)-1]
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if st, _ := all.request(t, "GET", "", "", map[string]string{"Host": net.JoinHostPort(ipn.IP.String(), allPort)}); st != 200 {
			t.Errorf("listening on 0.0.0.0: Host %s: %d, want 200", ipn.IP, st)
		}
	}
	if st, _ := all.request(t, "GET", "", "", map[string]string{"Host": "rebind.evil.example:" + allPort}); st != http.StatusMisdirectedRequest {
		t.Errorf("listening on 0.0.0.0: Host rebind.evil.example: %d, want 421", st)
	}
}

// startServeProcess runs `peer serve` as a process of its own (this test
// binary, see TestMain) with at most nofile file descriptors, and returns
// its URL, its pairing secret and its pid. It is killed (by its pid) at the
// end of the test.
func startServeProcess(t *testing.T, nofile int) (url, secret string, pid int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), "PEER_TEST_MAIN=1", "PEER_TEST_NOFILE="+strconv.Itoa(nofile))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &chatSyncBuf{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("peer serve: no URL: %v; stderr:\n%s", err, stderr)
	}
	url = strings.TrimSpace(line)
	for deadline := time.Now().Add(30 * time.Second); secret == ""; time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`#K-([A-Z2-7]{26})#`).FindStringSubmatch(stderr.String()); m != nil {
			secret = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no link on stderr:\n%s", stderr)
		}
	}
	return url, secret, cmd.Process.Pid
}

// slowRequest opens a connection from laddr (nil: any) and sends the head
// of a POST whose body never comes.
func slowRequest(url, secret string, laddr net.Addr) (net.Conn, error) {
	d := net.Dialer{LocalAddr: laddr, Timeout: 5 * time.Second}
	host := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")
	c, err := d.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	_, err = fmt.Fprintf(c, "POST /api/answer HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: text/plain\r\nContent-Length: 60000\r\n\r\nP:", host, secret)
	return c, err
}

func openFDs(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// TestServeSlowClientFlood is a host of the LAN that opens connections and
// sends requests whose body never arrives, more than the server has file
// descriptors (here 200, as a small ulimit would). The phone, another
// address (127.0.0.2), must still be served: each address gets a bounded
// number of connections, and a body that does not arrive is timed out.
func TestServeSlowClientFlood(t *testing.T) {
	const nofile, flood = 200, 400
	url, secret, pid := startServeProcess(t, nofile)
	fdsBefore := openFDs(pid)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < flood; i++ {
		c, err := slowRequest(url, secret, nil)
		if err != nil {
			t.Fatalf("attacker connection %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	time.Sleep(time.Second) // let the server accept what it can
	fdsAttack := openFDs(pid)

	phone := &http.Client{Timeout: 8 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	req, _ := http.NewRequest("GET", url+"api/offer", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	start := time.Now()
	r, err := phone.Do(req)
	took := time.Since(start)
	t.Logf("file descriptors of peer serve: %d before, %d with %d slow requests from one address (limit %d); the phone's GET /api/offer took %v",
		fdsBefore, fdsAttack, flood, nofile, took.Round(time.Millisecond))
	if err != nil {
		t.Fatalf("the phone was not served during the flood: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("the phone's GET /api/offer: %s", r.Status)
	}
}

// TestServeSlowBody: a request whose body never arrives is timed out (it
// held its connection forever).
func TestServeSlowBody(t *testing.T) {
	s := startServe(t)
	c, err := slowRequest(s.url, s.secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(serveReadTimeout + 15*time.Second))
	_, err = io.Copy(io.Discard, c) // ends when the server closes the connection
	if isTimeout(err) {
		t.Fatalf("the server still held the connection after %v", time.Since(start).Round(time.Second))
	}
	t.Logf("connection closed by the server after %v", time.Since(start).Round(time.Millisecond))
}

// TestServeSlowAnswers: twenty requests whose answers are slow (held here
// until the test releases them) must not delay the others: a GET
// /api/offer meanwhile is answered at once. Then one of them pairs and the
// rest get 409.
func TestServeSlowAnswers(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 20)
	serveAnswer = func(ctx context.Context, cfg *ref.Config, offer []byte) (*ref.Conn, []byte, error) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return ref.Answer(ctx, cfg, offer)
	}
	defer func() { serveAnswer = ref.Answer }()
	s := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o, offer, err := ref.Offer(ctx, &ref.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	type reply struct {
		status int
		code   string
	}
	replies := make(chan reply, 20)
	for i := 0; i < 20; i++ {
		go func() {
			st, j := s.post(t, "api/offer", codec.FormatText(offer, codec.FormQR))
			replies <- reply{st, j["code"]}
		}()
	}
	<-started
	client := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest("GET", s.url+"api/offer", nil)
	req.Header.Set("Authorization", "Bearer "+s.secret)
	start := time.Now()
	r, err := client.Do(req)
	t.Logf("GET /api/offer while %d answers were held (20 requests): %v", 1+len(started), time.Since(start).Round(time.Microsecond))
	close(release)
	if err != nil {
		t.Fatalf("GET /api/offer while answers are slow: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("GET /api/offer while answers are slow: %s", r.Status)
	}
	var won []string
	for i := 0; i < 20; i++ {
		switch rp := <-replies; rp.status {
		case 200:
			won = append(won, rp.code)
		case 409:
		default:
			t.Errorf("POST /api/offer: %d", rp.status)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d requests paired, want 1", len(won))
	}
	if err := o.Complete(ctx, mustParse(t, won[0])); err != nil {
		t.Fatal(err)
	}
	if err := o.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
}
