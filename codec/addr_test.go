package codec

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestParseIPv4 holds parseIPv4 against netip.ParseAddr: every text it
// accepts, netip accepts as that IPv4 address with that canonical text,
// and it accepts every canonical IPv4 text; on texts near the grammar
// (leading zeros, octets over 255, missing or extra fields, other bytes)
// it accepts only what netip accepts.
func TestParseIPv4(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	alphabet := "0123456789.....:ax "
	for k := range 100000 {
		var s string
		if k%2 == 0 {
			a := netip.AddrFrom4([4]byte{byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			s = a.String()
		} else {
			b := make([]byte, rng.IntN(17))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			s = string(b)
		}
		ip, ok := parseIPv4(s)
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Is4() && a.String() == s
		if ok != want || ok && a.As4() != ip {
			t.Fatalf("parseIPv4(%q) = %v %v; netip: %v %v", s, ip, ok, a, err)
		}
		if k%2 == 0 && !ok {
			t.Fatalf("parseIPv4(%q) rejects a canonical address", s)
		}
	}
	for _, s := range []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "01.2.3.4", "1.2.3.256", "1.2.3", "1.2.3.4.5", "1..3.4", ".1.2.3", "1.2.3.4.", "1.2.3.00"} {
		ip, ok := parseIPv4(s)
		a, err := netip.ParseAddr(s)
		if want := err == nil && a.Is4(); ok != want || ok && a.As4() != ip {
			t.Errorf("parseIPv4(%q) = %v %v; netip: %v %v", s, ip, ok, a, err)
		}
	}
}
