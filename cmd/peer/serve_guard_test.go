package main

import (
	"context"
	"net"
	"net/http"
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
