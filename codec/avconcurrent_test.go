package codec

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestAVConcurrent encodes and decodes an A/V answer against its offer
// from several goroutines at once: the offer caches (the offer codes'
// models, each offer skeleton's indexes, ids and dictionary) are shared,
// and each goroutine must still get the code and description of one
// goroutine alone. Run with -race.
func TestAVConcurrent(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "av", "batch1", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	offer, err := Encode(Description{Type: Offer, SDP: read("chromium-avdata-offer-to-pion.sdp")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	answer := Description{Type: Answer, SDP: read("pion-avdata-answer-to-chromium.sdp")}
	want, err := Encode(answer, offer, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec, err := DecOptions{Offer: offer}.Decoder()
			if err != nil {
				errs <- err
				return
			}
			for range 20 {
				code, err := Encode(answer, offer, nil)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(code, want) {
					t.Errorf("code %x, alone %x", code, want)
					return
				}
				if _, err := dec.Decode(code); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
