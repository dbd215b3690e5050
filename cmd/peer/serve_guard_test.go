package main

import (
	"context"
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
