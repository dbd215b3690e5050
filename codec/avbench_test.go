package codec

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corpusdata "github.com/peer-sdp/peer/internal/corpus"
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

// BenchmarkAVStages times, on every A/V offer of testdata/corpus, Encode,
// Decode and pion/sdp's Unmarshal and the stages of Encode and Decode, each
// the sum over the offers of its fastest run (as BenchmarkAV's ratio), in
// µs per offer: where the time of the two goes. The stages run on data of
// their own, so a stage's cache is warmer than inside Encode or Decode
// (the text item's compression most: its chains are large).
func BenchmarkAVStages(b *testing.B) {
	type offer struct {
		sdp  string
		code []byte
		m    *model     // the decoded model
		p    *parsedSDP // its rendered description, parsed
		m2   *model     // and extracted again, with its edits
	}
	var fs []offer
	es, err := corpusdata.Load(filepath.Join("..", "testdata", "corpus"))
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range es {
		code, err := Encode(Description{Type: Offer, SDP: e.SDP}, nil, nil)
		var s sdp.SessionDescription
		if err != nil || e.Type() != "offer" || code[0] != headAVOffer || s.Unmarshal([]byte(e.SDP)) != nil {
			continue
		}
		f := offer{sdp: e.SDP, code: code}
		f.m, _ = defaultDecoder.readModel(code)
		f.p, _ = parseSDPPlain(f.m.av.sdp, f.m.av.skel.renderedPlain)
		f.m2, _ = avModel(f.p, false, &CandidatePolicy{KeepComponent2: true})
		f.m2.av.makeEdits(len(avProfiles) - 1)
		fs = append(fs, f)
	}
	stages := []struct {
		name string
		op   func(f *offer)
	}{
		{"pion", func(f *offer) { var s sdp.SessionDescription; _ = s.Unmarshal([]byte(f.sdp)) }},
		{"encode", func(f *offer) { _, _ = Encode(Description{Type: Offer, SDP: f.sdp}, nil, nil) }},
		{"decode", func(f *offer) { _, _ = defaultDecoder.Decode(f.code) }},
		{"parse", func(f *offer) { _, _ = parseSDP(f.sdp) }},
		{"extract", func(f *offer) { avModel(f.p, false, &CandidatePolicy{KeepComponent2: true}) }},
		{"search", func(f *offer) { appendEdits(nil, nil, f.m2.av.skel.parts, nil, len(avProfiles)-1) }},
		{"compress", func(f *offer) { f.m2.av.compress() }},
		{"readModel", func(f *offer) { _, _ = defaultDecoder.readModel(f.code) }},
		{"render", func(f *offer) { _, _ = f.m.av.skel.render(MaxMaxSDPBytes) }},
		{"checkAV", func(f *offer) { _ = f.m.checkAV(f.code) }},
		{"parseRendered", func(f *offer) { _, _ = parseSDPPlain(f.m.av.sdp, f.m.av.skel.renderedPlain) }},
		{"searchSeeded", func(f *offer) {
			searchEdits(nil, nil, f.m2.av.skel.parts, nil, nil, f.m.av.profiles, f.m.av.seeds)
		}},
	}
	best := make([][]time.Duration, len(stages))
	for k := range best {
		best[k] = slices.Repeat([]time.Duration{time.Hour}, len(fs))
	}
	for b.Loop() {
		for i := range fs {
			for k, st := range stages {
				st.op(&fs[i]) // timed on its second run, as BenchmarkAV's ratio
				t0 := time.Now()
				st.op(&fs[i])
				best[k][i] = min(best[k][i], time.Since(t0))
			}
		}
	}
	for k, st := range stages {
		var sum time.Duration
		for _, d := range best[k] {
			sum += d
		}
		b.ReportMetric(float64(sum.Nanoseconds())/1e3/float64(len(fs)), st.name+"-us")
	}
	b.ReportMetric(float64(len(fs)), "offers")
}
