package detflate

import (
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newRand returns a seeded generator and logs the seed, so that a failure
// can be reproduced with FIXEDFLATE_SEED.
func newRand(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FIXEDFLATE_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FIXEDFLATE_SEED: %v", err)
		}
	}
	t.Logf("seed %d (set FIXEDFLATE_SEED to reproduce)", seed)
	return rand.New(rand.NewPCG(seed, seed^0x5eed))
}

// stdInflate decodes with the standard library only.
func stdInflate(t testing.TB, stream, dict []byte) []byte {
	t.Helper()
	r := flate.NewReaderDict(bytes.NewReader(stream), dict)
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("compress/flate: %v", err)
	}
	return out
}

// check compresses src with dict and verifies everything that can be
// verified cheaply: the standard library round trip, Decompress, and the
// block structure (one final fixed block, zero padding, same tokens as the
// compressor produced).
func check(t testing.TB, src, dict []byte) []byte {
	t.Helper()
	prefix := []byte("prefix")
	out := Compress(append([]byte(nil), prefix...), src, dict)
	if !bytes.Equal(out[:len(prefix)], prefix) {
		t.Fatalf("Compress did not preserve dst")
	}
	stream := out[len(prefix):]
	if got := stdInflate(t, stream, dict); !bytes.Equal(got, src) {
		t.Fatalf("round trip mismatch: len %d, want %d", len(got), len(src))
	}
	got, err := Decompress(stream, dict, len(src))
	if err != nil || !bytes.Equal(got, src) {
		t.Fatalf("Decompress: err %v, equal %v", err, bytes.Equal(got, src))
	}
	toks, dynamic, err := parseBlock(stream)
	if err != nil {
		t.Fatalf("block structure: %v", err)
	}
	if d := diffTokens(toks, fastTokens(src, dict)); d != "" {
		t.Fatalf("encoded tokens differ from parse: %s", d)
	}
	// The block is the shorter of the two, fixed on a tie, and the sizes
	// the choice is made on are those of the blocks written.
	fixed := encode(nil, toks, src)
	if p := new(dynPlan); p.plan(toks) {
		dyn := p.write(nil, toks)
		if len(dyn) != p.bytes || len(fixed) != p.fixedBytes {
			t.Fatalf("planned %d and %d bytes, written %d and %d", p.bytes, p.fixedBytes, len(dyn), len(fixed))
		}
		if got, _, err := parseBlock(dyn); err != nil || diffTokens(got, toks) != "" {
			t.Fatalf("dynamic block does not hold the tokens: %v", err)
		}
		if want := len(dyn) < len(fixed); dynamic != want {
			t.Fatalf("dynamic block chosen %v with %d bytes against %d fixed", dynamic, len(dyn), len(fixed))
		}
	} else if dynamic {
		t.Fatalf("dynamic block for no tokens")
	}
	return stream
}

// checkExact also compares the parse with the brute-force reference.
func checkExact(t testing.TB, src, dict []byte) {
	t.Helper()
	check(t, src, dict)
	if d := diffTokens(fastTokens(src, dict), bruteTokens(src, dict)); d != "" {
		t.Fatalf("fast parse differs from brute force (len(src)=%d, len(dict)=%d): %s", len(src), len(dict), d)
	}
}

func TestEmpty(t *testing.T) {
	for _, dict := range [][]byte{nil, []byte("abc"), SDPDictionary} {
		out := check(t, nil, dict)
		if !bytes.Equal(out, []byte{0x03, 0x00}) {
			t.Errorf("empty input: got %x, want 0300", out)
		}
		got, err := Decompress(out, dict, 0)
		if err != nil || len(got) != 0 {
			t.Errorf("Decompress(empty): %q, %v", got, err)
		}
	}
}

// TestGolden pins a few exact outputs (test vectors for other
// implementations). Two were checked by hand, bit by bit:
//
//	"aaaaaaaaaa": header 1,1,0; literal 'a' (8-bit code 10010001); match
//	length 9 (symbol 263, 7-bit code 0000111) distance 1 (code 00000);
//	end of block 0000000 → 4b 84 03 00.
//	"a=rtcp-mux\n" with itself as dictionary: match length 11 (symbol 265,
//	code 0001001, extra bit 0) distance 11 (code 00110, extra bits 10 →
//	value 2); end of block → 43 62 02 00.
//
// zlib's output differs on several of these: it never matches against
// position 0 and it drops far length-3 matches, so it is no reference.
func TestGolden(t *testing.T) {
	cases := []struct{ src, dict, hex string }{
		{"", "", "0300"},
		{"a", "", "4b0400"},
		{"aaaaaaaaaa", "", "4b840300"},
		{"abcabcabc", "", "4b4c4a862000"},
		{"hello hello", "", "cb48cdc9c957009300"},
		{"a=rtcp-mux\n", "a=rtcp-mux\n", "43620200"},
		{"a=rtpmap:111 opus/48000/2\n", "a=rtpmap:96 opus/48000/2\n", "834b181a1aa2ca0000"},
	}
	for _, c := range cases {
		out := check(t, []byte(c.src), []byte(c.dict))
		if hex.EncodeToString(out) != c.hex {
			t.Errorf("Compress(%q, dict %q) = %x, want %s", c.src, c.dict, out, c.hex)
		}
	}
}

func TestRoundTripRandom(t *testing.T) {
	rng := newRand(t)
	iters := 300
	if testing.Short() {
		iters = 50
	}
	for i := 0; i < iters; i++ {
		n := rng.IntN(4000)
		var src, dict []byte
		switch rng.IntN(4) {
		case 0:
			src = randomBytes(rng, n, 256)
		case 1:
			src = randomBytes(rng, n, 1+rng.IntN(4))
		case 2:
			src = sdpLike(rng, n)
		default:
			src = mutate(rng, sdpLike(rng, n), rng.IntN(20))
		}
		switch rng.IntN(3) {
		case 0:
		case 1:
			dict = SDPDictionary
		default:
			dict = randomBytes(rng, rng.IntN(3000), 1+rng.IntN(8))
		}
		check(t, src, dict)
	}
}

func TestLongRuns(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 257, 258, 259, 260, 261, 516, 517, 1000, 70000} {
		for _, pat := range []string{"a", "ab", "abc", "abcdefg"} {
			src := []byte(strings.Repeat(pat, n/len(pat)+1)[:n])
			if n <= 1000 {
				checkExact(t, src, nil)
				checkExact(t, src, []byte(pat))
			} else {
				check(t, src, nil)
				check(t, src, []byte(pat))
			}
		}
	}
	// A run of 1 000 'a' is one literal followed by matches at distance 1.
	toks := fastTokens(bytes.Repeat([]byte("a"), 1000), nil)
	if toks[0] != literalToken('a') || toks[1] != matchToken(258, 1) {
		t.Errorf("run parse starts %s %s", tokenString(toks[0]), tokenString(toks[1]))
	}
}

// TestLargeWindow uses dictionaries and inputs longer than the window.
func TestLargeWindow(t *testing.T) {
	rng := newRand(t)
	big := sdpLike(rng, 100000)
	// Dictionary longer than 32 KiB: only its tail may matter.
	dict := append(randomBytes(rng, 50000, 256), big[:40000]...)
	src := big[40000:]
	check(t, src, dict)
	if !bytes.Equal(Compress(nil, src, dict), Compress(nil, src, dict[len(dict)-WindowSize:])) {
		t.Errorf("bytes before the last 32 KiB of the dictionary changed the output")
	}
	// Input longer than the window, with and without dictionary.
	check(t, big, nil)
	check(t, big, SDPDictionary)
	// Exactness at the window edge: a pattern that only occurs exactly
	// 32768 or 32769 bytes back.
	for _, back := range []int{WindowSize - 1, WindowSize, WindowSize + 1} {
		pat := []byte("UNIQUE-PATTERN-0123456789")
		filler := randomBytes(rng, back-len(pat), 4)
		dict := append(append([]byte("0123456789"), pat...), filler...)
		src := append(append([]byte(nil), pat...), "tail"...)
		checkExact(t, src, dict)
	}
	// Brute-force comparison with a dictionary over 32 KiB and a short src.
	d2 := append(randomBytes(rng, 20000, 256), sdpLike(rng, 20000)...)
	checkExact(t, sdpLike(rng, 600), d2)
}

// TestExactRandom is the key test: the hash-chain search must give the
// same parse as an exhaustive search.
func TestExactRandom(t *testing.T) {
	rng := newRand(t)
	iters := 400
	if testing.Short() {
		iters = 60
	}
	for i := 0; i < iters; i++ {
		n := rng.IntN(1500)
		var src, dict []byte
		switch rng.IntN(5) {
		case 0:
			src = randomBytes(rng, n, 256)
		case 1:
			src = randomBytes(rng, n, 1+rng.IntN(3))
		case 2:
			src = sdpLike(rng, n)
		case 3:
			// Repeated blocks with mutations: long competing matches.
			blk := randomBytes(rng, 1+rng.IntN(300), 1+rng.IntN(30))
			for len(src) < n {
				src = append(src, mutate(rng, blk, rng.IntN(4))...)
			}
		default:
			src = mutate(rng, sdpLike(rng, n), rng.IntN(30))
		}
		switch rng.IntN(4) {
		case 0:
		case 1:
			dict = SDPDictionary
		case 2:
			dict = sdpLike(rng, rng.IntN(3000))
		default:
			dict = randomBytes(rng, rng.IntN(2000), 1+rng.IntN(3))
		}
		checkExact(t, src, dict)
	}
}

// TestExactCorpus compares the fast and brute-force parses on real SDP.
func TestExactCorpus(t *testing.T) {
	files := corpusFiles(t)
	if testing.Short() && len(files) > 8 {
		files = files[:8]
	}
	for _, f := range files {
		src := readSDP(t, f)
		checkExact(t, src, SDPDictionary)
		checkExact(t, src, nil)
	}
}

func TestDecompressErrors(t *testing.T) {
	rng := newRand(t)
	src := sdpLike(rng, 3000)
	for _, dict := range [][]byte{nil, SDPDictionary} {
		stream := Compress(nil, src, dict)
		// Every strict prefix is truncated.
		for i := 0; i < len(stream); i++ {
			if _, err := Decompress(stream[:i], dict, 1<<20); err == nil {
				t.Fatalf("truncated stream (%d of %d bytes) accepted", i, len(stream))
			}
		}
		// Trailing bytes after the final block.
		for _, tail := range []string{"\x00", "x", "\x03\x00"} {
			_, err := Decompress(append(append([]byte(nil), stream...), tail...), dict, 1<<20)
			if !errors.Is(err, ErrTrailingData) {
				t.Errorf("trailing %q: err %v, want ErrTrailingData", tail, err)
			}
		}
		// Output limit.
		if _, err := Decompress(stream, dict, len(src)-1); !errors.Is(err, ErrTooLarge) {
			t.Errorf("max = len-1: err %v, want ErrTooLarge", err)
		}
		if got, err := Decompress(stream, dict, len(src)); err != nil || !bytes.Equal(got, src) {
			t.Errorf("max = len: err %v", err)
		}
	}
	// Invalid streams: reserved block type, bad stored length.
	for _, bad := range []string{"\x07", "\x01\x00\x00\x00\x00", "\xff\xff\xff"} {
		if _, err := Decompress([]byte(bad), nil, 1<<20); err == nil {
			t.Errorf("invalid stream %x accepted", bad)
		}
	}
	// Any valid DEFLATE stream is accepted, e.g. stdlib dynamic blocks.
	var buf bytes.Buffer
	w, _ := flate.NewWriterDict(&buf, flate.BestCompression, SDPDictionary)
	w.Write(src)
	w.Close()
	if got, err := Decompress(buf.Bytes(), SDPDictionary, len(src)); err != nil || !bytes.Equal(got, src) {
		t.Errorf("stdlib stream: err %v", err)
	}
}

// TestDecompressBomb checks that a stream expanding to far more than max
// costs memory in proportion to max, not to the stream's output.
func TestDecompressBomb(t *testing.T) {
	huge := make([]byte, 50<<20)
	bomb := Compress(nil, huge, nil) // about 50 MiB / 258 * 10 bits
	const max = 4096
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, err := Decompress(bomb, nil, max)
	runtime.ReadMemStats(&m1)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
	alloc := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("bomb of %d bytes (→ %d), max %d: allocated %d bytes", len(bomb), len(huge), max, alloc)
	if alloc > 2*max+128<<10 {
		t.Errorf("allocated %d bytes for max %d", alloc, max)
	}
}

func TestCompressAllocs(t *testing.T) {
	src := sdpLike(rand.New(rand.NewPCG(1, 2)), 5000)
	dst := make([]byte, 0, 8192)
	Compress(dst, src, SDPDictionary) // warm the pool
	allocs := testing.AllocsPerRun(50, func() { Compress(dst[:0], src, SDPDictionary) })
	if allocs > 1 {
		t.Errorf("Compress allocates %.1f times per call with a large enough dst", allocs)
	}
}

const corpusDir = "../../../testdata/corpus"

// corpusFiles lists the audio/video corpus files: those whose name contains
// "-audio-", "-video-" or "-mixed-".
func corpusFiles(t testing.TB) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(corpusDir, "*.sdp"))
	if err != nil || len(all) == 0 {
		t.Skipf("no corpus in %s", corpusDir)
	}
	var files []string
	for _, f := range all {
		b := filepath.Base(f)
		if strings.Contains(b, "-audio-") || strings.Contains(b, "-video-") || strings.Contains(b, "-mixed-") {
			files = append(files, f)
		}
	}
	return files
}

func readSDP(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

func stdBest(t testing.TB, src, dict []byte) int {
	var buf bytes.Buffer
	w, err := flate.NewWriterDict(&buf, flate.BestCompression, dict)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(src)
	w.Close()
	return buf.Len()
}

// TestDictionaryGain measures SDPDictionary on the audio/video corpus.
func TestDictionaryGain(t *testing.T) {
	if len(SDPDictionary) > 8192 {
		t.Errorf("dictionary is %d bytes, limit 8192", len(SDPDictionary))
	}
	for i, c := range SDPDictionary {
		if c >= 0x80 || c == '\r' || (c < 0x20 && c != '\n') {
			t.Fatalf("dictionary byte %d is %#x: want printable ASCII and LF", i, c)
		}
	}
	files := corpusFiles(t)
	var raw, noDict, withDict, best, bestNoDict int
	for _, f := range files {
		src := readSDP(t, f)
		a := len(Compress(nil, src, nil))
		b := len(Compress(nil, src, SDPDictionary))
		c := stdBest(t, src, SDPDictionary)
		d := stdBest(t, src, nil)
		raw += len(src)
		noDict += a
		withDict += b
		best += c
		bestNoDict += d
		if testing.Verbose() {
			t.Logf("%-45s %6d raw %5d fixed %5d fixed+dict %5d best+dict", filepath.Base(f), len(src), a, b, c)
		}
	}
	t.Logf("%d files: raw %d, fixed-Huffman %d, fixed-Huffman+dict %d, stdlib best %d, stdlib best+dict %d (dictionary %d bytes)",
		len(files), raw, noDict, withDict, bestNoDict, best, len(SDPDictionary))
	if withDict >= noDict {
		t.Errorf("dictionary does not help: %d >= %d", withDict, noDict)
	}
}

func BenchmarkCompress(b *testing.B) {
	inputs := []struct {
		name string
		src  []byte
	}{{"sdplike-5KB", sdpLike(rand.New(rand.NewPCG(1, 2)), 5000)}}
	if src, err := os.ReadFile(filepath.Join(corpusDir, "chrome-mixed-offer-09.sdp")); err == nil {
		inputs = append(inputs, struct {
			name string
			src  []byte
		}{"chrome-mixed-offer-09", bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))})
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			var dst []byte
			for b.Loop() {
				dst = Compress(dst[:0], in.src, SDPDictionary)
			}
			b.ReportMetric(float64(len(dst)), "out-bytes")
		})
	}
}
