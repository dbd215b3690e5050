package codec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pion/sdp/v3"
)

// BenchmarkAV times Encode and Decode of the Chromium audio+video+data
// offer and of an answer to it (coded against it), and pion/sdp's
// Unmarshal of the same SDP, in one run: the ratios are enc-x-of-pion and
// dec-x-of-pion.
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
	for _, c := range []struct {
		name string
		d    Description
		o    []byte
	}{
		{"chromium-avdata-offer", Description{Type: Offer, SDP: offerSDP}, nil},
		{"pion-avdata-answer", Description{Type: Answer, SDP: read("pion-avdata-answer-to-chromium.sdp")}, offer},
	} {
		code, err := Encode(c.d, c.o, nil)
		if err != nil {
			b.Fatal(err)
		}
		dec, err := DecOptions{Offer: c.o}.Decoder()
		if err != nil {
			b.Fatal(err)
		}
		var tEnc, tDec, tPion float64
		b.Run(c.name+"/encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Encode(c.d, c.o, nil); err != nil {
					b.Fatal(err)
				}
			}
			tEnc = float64(b.Elapsed()) / float64(b.N)
		})
		b.Run(c.name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := dec.Decode(code); err != nil {
					b.Fatal(err)
				}
			}
			tDec = float64(b.Elapsed()) / float64(b.N)
		})
		b.Run(c.name+"/pion-unmarshal", func(b *testing.B) {
			raw := []byte(c.d.SDP)
			for b.Loop() {
				var s sdp.SessionDescription
				if err := s.Unmarshal(raw); err != nil {
					b.Fatal(err)
				}
			}
			tPion = float64(b.Elapsed()) / float64(b.N)
			b.ReportMetric(tEnc/tPion, "enc-x-of-pion")
			b.ReportMetric(tDec/tPion, "dec-x-of-pion")
		})
	}
}
