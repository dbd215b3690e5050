package detflate

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestShareAndOneOffIndex checks that the chains a dictionary gets do not
// change the output: a dictionary used once for a short input (level 0
// only), the same dictionary shared (every level), and a long input (every
// level, built anew) all give the stream of the exhaustive reference parse.
func TestShareAndOneOffIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dict := append(bytes.Clone(SDPDictionary), bytes.Repeat([]byte("a=rtcp-fb:96 nack pli\na=ssrc:\x0e3 cname:\x0f1\n"), 300)...)
	var inputs [][]byte
	for range 20 {
		start := r.IntN(len(dict) - 600)
		in := bytes.Clone(dict[start : start+50+r.IntN(500)])
		for k := 0; k < len(in); k += 1 + r.IntN(20) {
			in[k] = byte('a' + r.IntN(26))
		}
		inputs = append(inputs, in)
	}
	inputs = append(inputs, bytes.Repeat([]byte("a=x:yz\n"), 1000)) // over oneOffInput
	oneOff := make([][]byte, len(inputs))
	for i, in := range inputs {
		oneOff[i] = Compress(nil, in, bytes.Clone(dict))
		if got, err := Decompress(oneOff[i], dict, 1<<20); err != nil || !bytes.Equal(got, in) {
			t.Fatalf("input %d does not round-trip: %v", i, err)
		}
		if len(in) < 2000 { // brute force is slow
			checkExact(t, in, dict)
		}
	}
	sharedDict := bytes.Clone(dict)
	Share(sharedDict)
	Share(sharedDict) // a second time keeps the first
	for i, in := range inputs {
		if got := Compress(nil, in, sharedDict); !bytes.Equal(got, oneOff[i]) {
			t.Fatalf("input %d: the shared index gives another stream", i)
		}
	}
}
