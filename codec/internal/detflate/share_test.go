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

// TestCompressSplit checks that CompressSplit gives the stream of Compress
// with the joined dictionary: extras of every length around the window
// (none, shorter and longer than dictReach bytes of the shared dictionary
// left in the window, longer than the window), inputs that copy from
// either part and from the seam between them, and a shared dictionary
// shorter than the window; and that it falls back for a dictionary that
// was not shared.
func TestCompressSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	big := append(bytes.Clone(SDPDictionary), bytes.Repeat([]byte("a=rtcp-fb:96 nack pli\na=ssrc:\x0e3 cname:\x0f1\n"), 300)...)
	small := bytes.Clone(SDPDictionary[:5000])
	unshared := bytes.Clone(SDPDictionary[:7000])
	Share(big)
	Share(small)
	mix := func(b []byte) []byte {
		b = bytes.Clone(b)
		for k := 0; k < len(b); k += 1 + r.IntN(15) {
			b[k] = byte('a' + r.IntN(26))
		}
		return b
	}
	for _, shared := range [][]byte{big, small, unshared} {
		tail := shared[max(len(shared)-WindowSize, 0):]
		for _, n := range []int{0, 1, 31, 100, 2000, WindowSize - len(tail) + 10, WindowSize - 40, WindowSize - 31, WindowSize - 20, WindowSize, WindowSize + 500} {
			if n < 0 {
				continue
			}
			extra := mix(big[len(big)-min(n, len(big)):])
			joined := append(bytes.Clone(shared), extra...)
			for k := range 4 {
				var in []byte
				switch k {
				case 0: // from the seam
					seam := joined[max(len(shared)-200, 0):min(len(shared)+200, len(joined))]
					in = mix(seam)
				case 1:
					in = mix(extra[len(extra)/2:])
				case 2:
					start := r.IntN(len(tail) - 300)
					in = mix(tail[start : start+300])
				default:
					in = []byte("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n")
				}
				want := Compress(nil, in, joined)
				if got := CompressSplit(nil, in, shared, extra); !bytes.Equal(got, want) {
					t.Fatalf("shared %d B, extra %d B, input %d: CompressSplit differs from Compress", len(shared), n, k)
				}
			}
		}
	}
}
