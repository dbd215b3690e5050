package detflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
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

// sameAsFlate checks that Decompress (the dedicated decoders where they
// apply) and decompressFlate give the same result on stream: the same
// output or the same error; and that DecompressText gives it too, and
// reports exactly whether the output is plain text.
func sameAsFlate(t testing.TB, stream, dict []byte, max int) {
	t.Helper()
	got, err := Decompress(stream, dict, max)
	want, werr := decompressFlate(stream, dict, max)
	text, plain, terr := DecompressText(stream, dict, max)
	if !bytes.Equal(text, got) || (text == nil) != (got == nil) || fmt.Sprint(terr) != fmt.Sprint(err) {
		t.Fatalf("stream %x: DecompressText gives %d bytes, error %v; Decompress %d bytes, error %v", stream, len(text), terr, len(got), err)
	}
	if plain != (err == nil && plainText(got)) {
		t.Fatalf("stream %x, dictionary %q: plain %v for %q", stream, dict[len(dict)-min(len(dict), 40):], plain, got)
	}
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

// plainText reports whether every byte of b is TAB, LF or one of 0x20 to
// 0x7e, byte by byte.
func plainText(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' {
			return false
		}
	}
	return true
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

// FuzzDecompressDiff compares the fixed-code decoder with compress/flate
// (and checks what DecompressText reports, see sameAsFlate). mode selects
// the dictionary (bits 0-1; with bit 4, one that is not plain text),
// whether the first three bits are forced to a final fixed-code block (bit
// 2), and the output limit: max itself or, with bit 3, a limit near the
// length compress/flate decodes.
func FuzzDecompressDiff(f *testing.F) {
	dicts := [][]byte{nil, SDPDictionary, []byte("abc"), bytes.Repeat([]byte("xyz\n"), 9000)}
	notPlain := notPlainDicts()
	add := func(stream []byte) {
		f.Add(stream, uint8(1), uint16(50000))
		f.Add(stream, uint8(1|8), uint16(0xffff)) // just below the length
	}
	for _, s := range []string{"", "a", "aaaaaaaaaa", "abcabcabc", "v=0\n", "a=rtcp-mux\na=rtcp-mux\n"} {
		add(Compress(nil, []byte(s), SDPDictionary))
	}
	f.Add(Compress(nil, bytes.Repeat([]byte("a"), 1000), nil), uint8(0), uint16(100))
	f.Add([]byte{0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'}, uint8(0), uint16(3)) // stored block
	for d := range notPlain {
		for _, s := range []string{"a", "abcabc", "a=x\r\n", "y\x7f\n\x7f"} {
			f.Add(Compress(nil, []byte(s), notPlain[d]), uint8(16|d), uint16(1000))
		}
	}
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
		if mode&16 != 0 {
			dict = notPlain[mode&3]
		}
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

// notPlainDicts returns dictionaries that are not plain text, for the
// fuzz targets: empty but for a 2-byte UTF-8 letter, SDPDictionary with
// CRLF line ends, one with a CR among letters, and a long one with DEL
// bytes.
func notPlainDicts() [][]byte {
	return [][]byte{
		[]byte("\xc3\xa9"),
		bytes.ReplaceAll(SDPDictionary, []byte("\n"), []byte("\r\n")),
		[]byte("a\rc"),
		bytes.Repeat([]byte("xy\x7f\n"), 9000),
	}
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
	allocs = testing.AllocsPerRun(50, func() { DecompressText(stream, SDPDictionary, len(src)) })
	if allocs > 1 {
		t.Errorf("DecompressText allocates %.1f times per call", allocs)
	}
}

// TestDecompressTextCorpus checks that DecompressText finds every corpus
// SDP plain text if and only if it is: with LF line ends (as the codec
// compresses it) all but those with non-ASCII text, if any, and none with
// CRLF line ends; as Compress makes it, as the fixed-code block and as
// compress/flate's dynamic block, with SDPDictionary and with a copy of it
// (which it does not know).
func TestDecompressTextCorpus(t *testing.T) {
	dicts := [][]byte{SDPDictionary, bytes.Clone(SDPDictionary)}
	plainFiles := 0
	for _, name := range allCorpusFiles(t) {
		crlf, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range [][]byte{readSDP(t, name), crlf} {
			want := plainText(src)
			if want {
				plainFiles++
			}
			for _, dict := range dicts {
				for _, stream := range [][]byte{
					Compress(nil, src, dict),
					encode(nil, fastTokens(src, dict), src),
					flateFinal(src, dict, flate.BestCompression),
				} {
					out, plain, err := DecompressText(stream, dict, len(src))
					if err != nil || !bytes.Equal(out, src) || plain != want {
						t.Fatalf("%s (header %03b): err %v, equal %v, plain %v, want %v", name, stream[0]&7, err, bytes.Equal(out, src), plain, want)
					}
				}
			}
		}
	}
	t.Logf("%d plain-text SDPs", plainFiles)
	if plainFiles == 0 {
		t.Fatal("no plain-text SDP in the corpus")
	}
}

// TestDecompressText checks the plain flag on texts with one byte that is
// or is not plain text, as a literal, in a repeat and at the end, coded
// as Compress makes it, as the fixed-code block, as dynamic blocks of
// compress/flate and as a stored block (which compress/flate decodes).
func TestDecompressText(t *testing.T) {
	for _, b := range []byte{'\r', 0x7f, 0xc3, 0x00, 0x0b, 0x1f, 0x80, 0xff, '\t', '\n', ' ', '~', 'a'} {
		want := b == '\t' || b == '\n' || b >= 0x20 && b < 0x7f
		for _, src := range []string{
			string(b),
			"v=0\n" + string(b) + "o=- 1 2 IN IP4 0.0.0.0\n",
			"a=x" + strings.Repeat(string(b)+"y", 40) + "\n",
			"a=rtpmap:111 opus/48000/2\na=rtpmap:111 opus/48000/2" + string(b),
		} {
			for _, stream := range [][]byte{
				Compress(nil, []byte(src), SDPDictionary),
				encode(nil, fastTokens([]byte(src), SDPDictionary), []byte(src)),
				flateFinal([]byte(src), SDPDictionary, flate.HuffmanOnly),
				flateFinal([]byte(src), SDPDictionary, flate.BestCompression),
				flateFinal([]byte(src), SDPDictionary, flate.NoCompression),
			} {
				out, plain, err := DecompressText(stream, SDPDictionary, 1000)
				if err != nil || string(out) != src || plain != want {
					t.Fatalf("%q (header %03b): err %v, output %q, plain %v, want %v", src, stream[0]&7, err, out, plain, want)
				}
				sameAsFlate(t, stream, SDPDictionary, 1000)
			}
		}
	}
	// Errors are not plain text.
	if out, plain, err := DecompressText([]byte{0x03}, nil, 10); err == nil || out != nil || plain {
		t.Errorf("truncated stream: %q, %v, %v", out, plain, err)
	}
}

// TestDecompressTextDictionary checks the plain flag where the output
// copies from a dictionary that is not plain text: the copied bytes
// decide, whether the dictionary is shorter or longer than the output.
func TestDecompressTextDictionary(t *testing.T) {
	long := strings.Repeat("m=audio 9 UDP/TLS/RTP/SAVPF 111\n", 4)
	cases := []struct {
		dict, src string
		want      bool
	}{
		{"a=x\r\nb=y\n", "a=x\r\n", false},                // a copy of the CR
		{"a=x\r\nb=y\n", "b=y\nb=y\n", true},              // a copy of plain text only
		{"a=x\r\nb=y\n", "b=y\n" + long, true},            // dictionary shorter than the output
		{"\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", false}, // UTF-8 copied
		{"\xc3\xa9t\xc3\xa9", "t\xc3\xa9t", false},
		{"\x7f" + long, long + long, true}, // a long plain copy
		{"\x7f" + long, "\x7f" + long, false},
		{"x\ry", "x\ry" + long, false},
		{"", "abc", true},
	}
	for _, c := range cases {
		dict, src := []byte(c.dict), []byte(c.src)
		for _, stream := range [][]byte{
			Compress(nil, src, dict),
			flateFinal(src, dict, flate.BestCompression),
		} {
			out, plain, err := DecompressText(stream, dict, 1000)
			if err != nil || !bytes.Equal(out, src) || plain != c.want {
				t.Errorf("dict %q, %q (header %03b): err %v, output %q, plain %v, want %v", c.dict, c.src, stream[0]&7, err, out, plain, c.want)
			}
		}
	}
	// Only the last WindowSize bytes of a dictionary are used.
	dict := append([]byte("\r\r\r"), bytes.Repeat([]byte("a=x\n"), WindowSize/4)...)
	src := []byte("a=x\na=x\n")
	out, plain, err := DecompressText(Compress(nil, src, dict), dict, 100)
	if err != nil || !bytes.Equal(out, src) || !plain {
		t.Errorf("long dictionary: err %v, output %q, plain %v", err, out, plain)
	}
	// The literals decide alone where the dictionary is plain text.
	if !plainDict(SDPDictionary, 0) || !plainDict(nil, 0) || plainDict([]byte("a\rb"), 3) || plainDict([]byte("ab"), 1) {
		t.Error("plainDict")
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

// decompressText is DecompressText without the plain flag.
func decompressText(src, dict []byte, max int) ([]byte, error) {
	out, _, err := DecompressText(src, dict, max)
	return out, err
}

// benchDecoders decodes streams (total bytes of output) per iteration,
// with Decompress ("fast"), DecompressText ("text") and with compress/flate
// ("old").
func benchDecoders(b *testing.B, streams [][]byte, total int) {
	for _, bc := range []struct {
		name string
		f    func(src, dict []byte, max int) ([]byte, error)
	}{{"fast", Decompress}, {"text", decompressText}, {"old", decompressFlate}} {
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
