package codec

import (
	"strings"
	"testing"
)

// TestIsNormalForm compares isNormalForm with its definition on every
// string of up to 8 characters over {a, CR, LF}.
func TestIsNormalForm(t *testing.T) {
	alphabet := []byte{'a', '\r', '\n'}
	buf := make([]byte, 0, 8)
	var walk func()
	checked := 0
	walk = func() {
		s := string(buf)
		if want := strings.Join(splitLines(s), "\n") == s; isNormalForm(s) != want {
			t.Fatalf("isNormalForm(%q) = %v, want %v", s, !want, want)
		}
		checked++
		if len(buf) == cap(buf) {
			return
		}
		for _, c := range alphabet {
			buf = append(buf, c)
			walk()
			buf = buf[:len(buf)-1]
		}
	}
	walk()
	if checked != 9841 { // 3^0 + 3^1 + ... + 3^8
		t.Fatalf("checked %d strings", checked)
	}
}
