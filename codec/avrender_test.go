package codec

import "testing"

// TestPrintableRun checks printableRun against a byte-by-byte scan: it
// never passes a byte outside 0x20 to 0x7e, and stops short of such a
// byte or the end by less than 8.
func TestPrintableRun(t *testing.T) {
	for c := range 256 {
		for pos := range 20 {
			for n := pos + 1; n <= 24; n++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = 'a'
				}
				b[pos] = byte(c)
				l := string(b)
				for k := range n {
					want := k
					for want < n && l[want] >= 0x20 && l[want] < 0x7f {
						want++
					}
					got := printableRun(l, k)
					if got < k || got > want || want-got >= 8 {
						t.Fatalf("printableRun(%q, %d) = %d, the run ends at %d", l, k, got, want)
					}
				}
			}
		}
	}
}
