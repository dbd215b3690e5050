package codec

import (
	"fmt"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
)

// equal reports whether m and o have the same pairs.
func (m *numMap) equal(o *numMap) bool {
	return m.pairs == o.pairs && m.to == o.to
}

// renumberings generates renumberings: for each kind, up to 24 pairs (now
// and then up to every number of the kind), either of random distinct
// numbers to random distinct others or a run z → z + s moved alike, and at
// least one pair in all.
func renumberings() gopter.Gen {
	return func(gp *gopter.GenParameters) *gopter.GenResult {
		r := gp.Rng
		m := newNumMap()
		for kind := range m.to {
			lim := numLimit[kind]
			n := r.Intn(25)
			if r.Intn(8) == 0 {
				n = r.Intn(lim + 1)
			}
			from, to := r.Perm(lim)[:n], r.Perm(lim)[:n]
			if r.Intn(2) == 0 {
				s, z0 := 1+r.Intn(8), r.Intn(lim)
				from, to = nil, nil
				for z := z0; z < min(z0+n, lim-s); z++ {
					from, to = append(from, z), append(to, z+s)
				}
			}
			for i := range from {
				if from[i] != to[i] {
					m.set(kind, from[i], to[i]) // not when either is in a pair already
				}
			}
		}
		if m.pairs[numPT]+m.pairs[numExt] == 0 {
			m.set(numPT, 96, 97)
		}
		return gopter.NewGenResult(m, gopter.NoShrinker)
	}
}

// TestRenumberPairsProperty: every renumbering's RENUMBER (§14.5) reads
// back as the same pairs, to its last byte, and each pair costs at most 3
// bytes (4 for an id past 134, whose gap takes a second byte), and 1 when it
// continues a run of numbers moved alike (the gap 0 and the shift of the
// pair before it).
func TestRenumberPairsProperty(t *testing.T) {
	props := gopter.NewProperties(propParameters(t, 3000))
	props.Property("RENUMBER round trip and size", prop.ForAll(func(m *numMap) string {
		b := appendRenumber(nil, m)
		p := 0
		got, msg := parseRenumber(b, &p)
		switch {
		case msg != "" || got == nil:
			return fmt.Sprintf("% x: %s", b, msg)
		case p != len(b):
			return fmt.Sprintf("% x: read %d bytes", b, p)
		case !got.equal(m):
			return fmt.Sprintf("% x: other pairs", b)
		}
		most := 2 + 2 + 2 // 11 17 and two counts of at most 256
		for kind := range m.to {
			last, shift := -2, 0
			for z := range m.to[kind] {
				x := m.image(kind, z)
				switch {
				case x < 0:
					continue
				case z == last+1 && x-z == shift:
					most++
				case z > 134:
					most += 4
				default:
					most += 3
				}
				last, shift = z, x-z
			}
		}
		if len(b) > most {
			return fmt.Sprintf("% x: %d bytes, at most %d", b, len(b), most)
		}
		return ""
	}, renumberings()))
	props.TestingRun(t)
}
