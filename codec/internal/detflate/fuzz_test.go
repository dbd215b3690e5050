package detflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"testing"
)

const fuzzMax = 1 << 16

// FuzzDecompress feeds arbitrary streams to Decompress: it must not panic,
// must respect the output limit, and must agree with compress/flate on the
// streams it accepts.
func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0x03, 0x00}, false)
	f.Add(Compress(nil, []byte("a=rtpmap:111 opus/48000/2\n"), SDPDictionary), true)
	f.Add(Compress(nil, bytes.Repeat([]byte("a=x\n"), 5000), nil), false)
	f.Add([]byte{0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'}, false) // stored block
	f.Add([]byte{0x07}, false)
	f.Fuzz(func(t *testing.T, data []byte, useDict bool) {
		var dict []byte
		if useDict {
			dict = SDPDictionary
		}
		out, err := Decompress(data, dict, fuzzMax)
		if err != nil {
			if out != nil {
				t.Fatalf("output %d bytes with error %v", len(out), err)
			}
			return
		}
		if len(out) > fuzzMax {
			t.Fatalf("output %d bytes > max %d", len(out), fuzzMax)
		}
		// The standard library must agree and consume exactly the stream.
		br := bytes.NewReader(data)
		want, err := io.ReadAll(io.LimitReader(flate.NewReaderDict(br, dict), fuzzMax+1))
		if err != nil || !bytes.Equal(out, want) || br.Len() != 0 {
			t.Fatalf("compress/flate disagrees: err %v, equal %v, left %d", err, bytes.Equal(out, want), br.Len())
		}
		// A trailing byte must be rejected.
		if _, err := Decompress(append(data[:len(data):len(data)], 0), dict, fuzzMax); !errors.Is(err, ErrTrailingData) {
			t.Fatalf("trailing byte: err %v", err)
		}
	})
}

// FuzzCompress checks the round trip, the block structure and, on small
// inputs, equality of the parse with the brute-force reference.
func FuzzCompress(f *testing.F) {
	f.Add([]byte(""), uint8(0))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), uint8(0))
	f.Add([]byte("a=rtcp-fb:96 nack\na=rtcp-fb:96 nack pli\na=rtcp-fb:97 nack\n"), uint8(1))
	f.Add([]byte("abcabcabdabcabcabd"), uint8(2))
	f.Add([]byte("v=0\no=- 123 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n"), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, mode uint8) {
		var dict []byte
		switch mode % 3 {
		case 1:
			dict = SDPDictionary
		case 2:
			// Use the first part of the input as the dictionary.
			k := int(mode) % (len(src) + 1)
			dict, src = src[:k], src[k:]
		}
		if len(src) > 1<<16 {
			src = src[:1<<16]
		}
		check(t, src, dict)
		if len(src) <= 1024 {
			if d := diffTokens(fastTokens(src, dict), bruteTokens(src, dict)); d != "" {
				t.Fatalf("fast parse differs from brute force: %s", d)
			}
		}
	})
}
