package fixedflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// errClass is what a caller of Decompress can tell apart.
func errClass(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrTooLarge):
		return "too large"
	case errors.Is(err, ErrTrailingData):
		return "trailing data"
	}
	return "invalid"
}

// sameAsFlate checks that Decompress (the fixed-code decoder where it
// applies) and decompressFlate give the same result on stream: the same
// output or the same error.
func sameAsFlate(t testing.TB, stream, dict []byte, max int) {
	t.Helper()
	got, err := Decompress(stream, dict, max)
	want, werr := decompressFlate(stream, dict, max)
	if errClass(err) != errClass(werr) {
		t.Fatalf("max %d, len(dict) %d, stream %x: got %v, compress/flate %v", max, len(dict), stream, err, werr)
	}
	if err != nil {
		if err.Error() != werr.Error() {
			t.Fatalf("stream %x: error %q, compress/flate %q", stream, err, werr)
		}
		if got != nil {
			t.Fatalf("output of %d bytes with error %v", len(got), err)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("max %d, len(dict) %d, stream %x: output differs (len %d, compress/flate %d)", max, len(dict), stream, len(got), len(want))
	}
	if got == nil || len(got) > max && len(got) > 0 {
		t.Fatalf("output nil or of %d bytes > max %d", len(got), max)
	}
}

// allCorpusFiles lists every SDP of the corpus.
func allCorpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.sdp"))
	if err != nil || len(files) == 0 {
		t.Skipf("no corpus in %s", corpusDir)
	}
	return files
}

// FuzzDecompressDiff compares the fixed-code decoder with compress/flate.
// mode selects the dictionary (bits 0-1), whether the first three bits are
// forced to a final fixed-code block (bit 2), and the output limit: max
// itself or, with bit 3, a limit near the length compress/flate decodes.
func FuzzDecompressDiff(f *testing.F) {
	dicts := [][]byte{nil, SDPDictionary, []byte("abc"), bytes.Repeat([]byte("xyz\n"), 9000)}
	add := func(stream []byte) {
		f.Add(stream, uint8(1), uint16(50000))
		f.Add(stream, uint8(1|8), uint16(0xffff)) // just below the length
	}
	for _, s := range []string{"", "a", "aaaaaaaaaa", "abcabcabc", "v=0\n", "a=rtcp-mux\na=rtcp-mux\n"} {
		add(Compress(nil, []byte(s), SDPDictionary))
	}
	f.Add(Compress(nil, bytes.Repeat([]byte("a"), 1000), nil), uint8(0), uint16(100))
	f.Add([]byte{0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'}, uint8(0), uint16(3)) // stored block
	if files, _ := filepath.Glob(filepath.Join(corpusDir, "*.sdp")); len(files) > 0 {
		for _, name := range files[:min(len(files), 20)] {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			add(Compress(nil, src, SDPDictionary))
		}
	}
	f.Fuzz(func(t *testing.T, stream []byte, mode uint8, max uint16) {
		dict := dicts[mode&3]
		if mode&4 != 0 && len(stream) > 0 {
			stream = append([]byte{stream[0]&^7 | fixedFinalHeader}, stream[1:]...)
		}
		m := int(max)
		if mode&8 != 0 {
			// Limits around the length of the output, to exercise the
			// precedence of ErrTooLarge over later errors.
			m = decodedLength(stream, dict) + int(int16(max))%4
		}
		sameAsFlate(t, stream, dict, m)
	})
}

// decodedLength returns how many bytes compress/flate decodes from stream
// (up to 1 MiB) before it ends or fails.
func decodedLength(stream, dict []byte) int {
	out, _ := io.ReadAll(io.LimitReader(flate.NewReaderDict(bytes.NewReader(stream), dict), 1<<20))
	return len(out)
}

// TestDecompressCorpusDiff round-trips every corpus SDP through the
// dedicated decoders and compares it with compress/flate on the stream, on
// every truncation of it, with a trailing byte, at limits around its length
// and, for a few files, with every single bit flipped.
func TestDecompressCorpusDiff(t *testing.T) {
	for i, name := range allCorpusFiles(t) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		// As Compress makes it (the shorter of the fixed and the dynamic
		// block) and as the fixed block.
		for _, stream := range [][]byte{Compress(nil, src, SDPDictionary), encode(nil, fastTokens(src, SDPDictionary), src)} {
			got, err := Decompress(stream, SDPDictionary, len(src))
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("%s: round trip: err %v, equal %v", name, err, bytes.Equal(got, src))
			}
			checkAround(t, stream, SDPDictionary, i%25 == 0 && !testing.Short())
		}
	}
}

// checkAround compares Decompress with compress/flate on stream at limits
// around the length of its output, on every truncation, with a trailing
// byte and, if flips, with every single bit after the header flipped.
func checkAround(t *testing.T, stream, dict []byte, flips bool) {
	t.Helper()
	n := decodedLength(stream, dict)
	for _, m := range []int{0, 1, n / 2, n - 1, n, n + 1, math.MaxInt} {
		sameAsFlate(t, stream, dict, m)
	}
	for k := range stream {
		sameAsFlate(t, stream[:k], dict, n)
		sameAsFlate(t, stream[:k], dict, max(n-1, 0))
	}
	sameAsFlate(t, append(stream[:len(stream):len(stream)], 0), dict, n)
	if flips {
		mut := bytes.Clone(stream)
		for b := 3; b < 8*len(mut); b++ {
			mut[b/8] ^= 1 << (b % 8)
			sameAsFlate(t, mut, dict, n)
			sameAsFlate(t, mut, dict, max(n-1, 0))
			mut[b/8] ^= 1 << (b % 8)
		}
	}
}

// TestDecompressFixedErrors pins the errors of hand-made fixed-code blocks.
func TestDecompressFixedErrors(t *testing.T) {
	// w writes a fixed-code block: header, then codes (already reversed
	// where Huffman codes) given as (bits, n) pairs, then padding.
	w := func(codes ...uint32) []byte {
		var acc uint64
		var nb uint32
		put := func(v, n uint32) { acc |= uint64(v) << nb; nb += n }
		put(fixedFinalHeader, 3)
		for i := 0; i < len(codes); i += 2 {
			put(codes[i], codes[i+1])
		}
		var out []byte
		for ; nb > 0 || len(out) == 0; nb -= min(nb, 8) {
			out = append(out, byte(acc))
			acc >>= 8
		}
		return out
	}
	lit := func(s int) (uint32, uint32) { c := fixedLitCode(s); return c.bits, c.n }
	a, an := lit('a')
	eob, eobn := lit(256)
	len3, len3n := lit(257)
	s286, s286n := lit(286)
	s287, s287n := lit(287)
	cases := []struct {
		name   string
		stream []byte
		dict   []byte
		max    int
		want   string
		out    string // if want is "ok"
	}{
		{"literal", w(a, an, eob, eobn), nil, 1, "ok", "a"},
		{"literal over max", w(a, an, eob, eobn), nil, 0, "too large", ""},
		{"symbol 286", w(s286, s286n, eob, eobn), nil, 10, "invalid", ""},
		{"symbol 287", w(s287, s287n, eob, eobn), nil, 10, "invalid", ""},
		{"too large before symbol 287", w(a, an, a, an, s287, s287n), nil, 1, "too large", ""},
		{"distance code 30", w(a, an, len3, len3n, reverse(30, 5), 5, eob, eobn), nil, 10, "invalid", ""},
		{"distance code 31", w(a, an, len3, len3n, reverse(31, 5), 5, eob, eobn), nil, 10, "invalid", ""},
		{"distance 2 after 1 byte", w(a, an, len3, len3n, reverse(1, 5), 5, eob, eobn), nil, 10, "invalid", ""},
		{"distance into dictionary", w(len3, len3n, reverse(1, 5), 5, eob, eobn), []byte("xy"), 10, "ok", "xyx"},
		{"copy across the dictionary's end", w(a, an, len3, len3n, reverse(2, 5), 5, eob, eobn), []byte("xy"), 10, "ok", "axya"},
		{"overlapping copy", w(a, an, len3, len3n, 0, 5, eob, eobn), nil, 10, "ok", "aaaa"},
		{"distance before dictionary", w(len3, len3n, reverse(2, 5), 5, eob, eobn), []byte("xy"), 10, "invalid", ""},
		{"match over max", w(a, an, len3, len3n, 0, 5, eob, eobn), nil, 3, "too large", ""},
		{"bad distance beats max", w(a, an, len3, len3n, reverse(1, 5), 5, eob, eobn), nil, 3, "invalid", ""},
		{"no end of block", w(a, an), nil, 10, "invalid", ""},
		{"trailing byte", append(w(a, an, eob, eobn), 0), nil, 10, "trailing data", ""},
		{"too large beats trailing", append(w(a, an, a, an, eob, eobn), 0), nil, 1, "too large", ""},
	}
	for _, c := range cases {
		got, err := Decompress(c.stream, c.dict, c.max)
		_, ferr := decompressFlate(c.stream, c.dict, c.max)
		if errClass(err) != c.want || errClass(ferr) != c.want {
			t.Errorf("%s (%x): got %v, compress/flate %v, want %s", c.name, c.stream, err, ferr, c.want)
		}
		sameAsFlate(t, c.stream, c.dict, c.max)
		if err == nil && string(got) != c.out {
			t.Errorf("%s: output %q, want %q", c.name, got, c.out)
		}
	}
}

// TestDecompressNoAlias checks that outputs stay valid after later calls.
func TestDecompressNoAlias(t *testing.T) {
	s1 := Compress(nil, []byte("a=rtpmap:111 opus/48000/2\n"), SDPDictionary)
	s2 := Compress(nil, []byte("a=rtpmap:96 VP8/90000\n"), SDPDictionary)
	o1, err1 := Decompress(s1, SDPDictionary, 1000)
	o2, err2 := Decompress(s2, SDPDictionary, 1000)
	if err1 != nil || err2 != nil || string(o1) != "a=rtpmap:111 opus/48000/2\n" || string(o2) != "a=rtpmap:96 VP8/90000\n" {
		t.Fatalf("got %q %v, %q %v", o1, err1, o2, err2)
	}
}

func TestDecompressAllocs(t *testing.T) {
	src := sdpLike(newRand(t), 5000)
	stream := Compress(nil, src, SDPDictionary)
	Decompress(stream, SDPDictionary, len(src)) // warm the pool
	allocs := testing.AllocsPerRun(50, func() { Decompress(stream, SDPDictionary, len(src)) })
	if allocs > 1 {
		t.Errorf("Decompress allocates %.1f times per call", allocs)
	}
}

// BenchmarkDecompress decodes the whole corpus compressed with
// SDPDictionary per iteration, as Compress makes it (fixed or dynamic
// blocks) and as the fixed-code block, with the dedicated decoders and
// with compress/flate.
func BenchmarkDecompress(b *testing.B) {
	var streams, fixed [][]byte
	var total int
	for _, name := range allCorpusFiles(b) {
		src, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		streams = append(streams, Compress(nil, src, SDPDictionary))
		fixed = append(fixed, encode(nil, fastTokens(src, SDPDictionary), src))
		total += len(src)
	}
	b.Run("compress", func(b *testing.B) { benchDecoders(b, streams, total) })
	b.Run("fixed", func(b *testing.B) { benchDecoders(b, fixed, total) })
}

// benchDecoders decodes streams (total bytes of output) per iteration,
// with Decompress ("fast") and with compress/flate ("old").
func benchDecoders(b *testing.B, streams [][]byte, total int) {
	for _, bc := range []struct {
		name string
		f    func(src, dict []byte, max int) ([]byte, error)
	}{{"fast", Decompress}, {"old", decompressFlate}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(total))
			for b.Loop() {
				for _, s := range streams {
					if _, err := bc.f(s, SDPDictionary, 1<<16); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(streams)), "files")
		})
	}
}
