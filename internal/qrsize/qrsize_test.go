package qrsize

import (
	"strings"
	"testing"
)

// Capacities from ISO/IEC 18004 (alphanumeric and byte mode), checked at the
// edges: the largest text of a version fits it, one more character does not.
func TestCapacityEdges(t *testing.T) {
	cases := []struct {
		version, n int
		level      Level
		char       string
	}{
		{5, 154, L, "A"}, {5, 122, M, "A"}, {6, 195, L, "A"}, {4, 114, L, "A"},
		{5, 106, L, "a"}, {6, 134, L, "a"}, {10, 271, L, "a"},
	}
	for _, c := range cases {
		if v := Version(strings.Repeat(c.char, c.n), c.level); v != c.version {
			t.Errorf("%d x %q at level %v: version %d, want %d", c.n, c.char, c.level, v, c.version)
		}
		if v := Version(strings.Repeat(c.char, c.n+1), c.level); v != c.version+1 {
			t.Errorf("%d x %q at level %v: version %d, want %d", c.n+1, c.char, c.level, v, c.version+1)
		}
	}
}
