package codec

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pion/sdp/v3"
)

// BenchmarkAV times Encode and Decode of the Chromium audio+video+data
// offer and of an answer to it (coded against it), of a Firefox answer to
// a Chromium audio+video offer, and pion/sdp's
// Unmarshal of the same SDP, in one run. The ratios enc-x-of-pion and
// dec-x-of-pion are those of <case>/ratio, which runs the three operations
// in turn in the same loop and keeps the fastest run of each (as
// bench.BenchmarkRatio does): other work on a shared machine only ever adds
// time, so the fastest runs compare the operations under the same
// conditions, where the means of three benchmarks run one after the other
// do not.
func BenchmarkAV(b *testing.B) {
	read := func(name string) string {
		t, err := os.ReadFile(filepath.Join("..", "testdata", "av", "batch1", name))
		if err != nil {
			b.Fatal(err)
		}
		return string(t)
	}
	offerSDP := read("chromium-avdata-offer-to-pion.sdp")
	offer, err := Encode(Description{Type: Offer, SDP: offerSDP}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	// A Firefox answer to a Chromium offer inserts a line: its text item
	// is compressed with the offer's skeleton in the dictionary.
	avOffer, err := Encode(Description{Type: Offer, SDP: read("chromium-av-offer-to-firefox.sdp")}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		d    Description
		o    []byte
	}{
		{"chromium-avdata-offer", Description{Type: Offer, SDP: offerSDP}, nil},
		{"pion-avdata-answer", Description{Type: Answer, SDP: read("pion-avdata-answer-to-chromium.sdp")}, offer},
		{"firefox-av-answer", Description{Type: Answer, SDP: read("firefox-av-answer-to-chromium.sdp")}, avOffer},
	} {
		code, err := Encode(c.d, c.o, nil)
		if err != nil {
			b.Fatal(err)
		}
		dec, err := DecOptions{Offer: c.o}.Decoder()
		if err != nil {
			b.Fatal(err)
		}
		raw := []byte(c.d.SDP)
		ops := [3]func(b *testing.B){
			func(b *testing.B) {
				if _, err := Encode(c.d, c.o, nil); err != nil {
					b.Fatal(err)
				}
			},
			func(b *testing.B) {
				if _, err := dec.Decode(code); err != nil {
					b.Fatal(err)
				}
			},
			func(b *testing.B) {
				var s sdp.SessionDescription
				if err := s.Unmarshal(raw); err != nil {
					b.Fatal(err)
				}
			},
		}
		for k, name := range [3]string{"encode", "decode", "pion-unmarshal"} {
			b.Run(c.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ops[k](b)
				}
			})
		}
		b.Run(c.name+"/ratio", func(b *testing.B) {
			best := [3]time.Duration{time.Hour, time.Hour, time.Hour}
			for b.Loop() {
				// Each operation runs twice in a row and the second run is
				// timed, so that each is measured right after itself.
				for k, op := range ops {
					op(b)
					t0 := time.Now()
					op(b)
					best[k] = min(best[k], time.Since(t0))
				}
			}
			b.ReportMetric(float64(best[0])/float64(best[2]), "enc-x-of-pion")
			b.ReportMetric(float64(best[1])/float64(best[2]), "dec-x-of-pion")
		})
	}
}
