package codec

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestParseDigest compares parseDigest with a definition made of
// strings.Split and encoding/hex, on random strings over the characters
// that matter (hex digits of both cases, ':', a non-digit), and on the
// longest digest.
func TestParseDigest(t *testing.T) {
	want := func(s string) ([]byte, byte, bool) {
		groups := strings.Split(s, ":")
		if len(groups) > 64 || strings.ContainsAny(s, "ABCDEF") && strings.ContainsAny(s, "abcdef") {
			return nil, 0, false
		}
		for _, g := range groups {
			if len(g) != 2 {
				return nil, 0, false
			}
		}
		raw, err := hex.DecodeString(strings.Join(groups, ""))
		if err != nil {
			return nil, 0, false
		}
		if strings.ContainsAny(s, "abcdef") {
			return raw, mkDigestLow, true
		}
		return raw, mkDigestUp, true
	}
	r := rand.New(rand.NewPCG(3, 4))
	const chars = "09afAF:g"
	cases := []string{"", "0", "00", strings.Repeat("AB:", 63) + "AB", strings.Repeat("ab:", 64) + "ab"}
	valid := 0
	for range 100000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
			if i%3 == 2 && r.IntN(8) != 0 {
				b[i] = ':'
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		var buf [64]byte
		raw, mk, ok := parseDigest(s, buf[:0])
		wraw, wmk, wok := want(s)
		if ok != wok || ok && (mk != wmk || !bytes.Equal(raw, wraw)) {
			t.Fatalf("parseDigest(%q) = %x, %d, %v; want %x, %d, %v", s, raw, mk, ok, wraw, wmk, wok)
		}
		if ok {
			valid++
		}
	}
	if valid < 2000 {
		t.Fatalf("only %d valid digests", valid)
	}
}
