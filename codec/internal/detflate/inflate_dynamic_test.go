package detflate

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// clSym is a symbol of the code-length alphabet and the value of its
// extra bits.
type clSym struct{ sym, extra uint8 }

// dynWriter writes a final dynamic-Huffman block field by field, so that
// a test can make any stream, valid or not.
type dynWriter struct {
	bw        bitWriter
	lit, dist []code
}

// newDynWriter writes the definition of the codes: the header fields for
// hlit literal/length and hdist distance code lengths and hclen code-length
// code lengths, the first hclen of cl in clOrder, and items coded with the
// code-length code. lit and dist are the code lengths whose canonical codes
// sym and dsym then write (they need not be those items define).
func newDynWriter(hlit, hdist, hclen int, cl []uint8, items []clSym, lit, dist []uint8) *dynWriter {
	w := &dynWriter{lit: make([]code, len(lit)), dist: make([]code, len(dist))}
	w.bw.put(dynamicFinalHeader, 3)
	w.bw.put(uint32(hlit-257)&31, 5)
	w.bw.put(uint32(hdist-1)&31, 5)
	w.bw.put(uint32(hclen-4), 4)
	for _, s := range clOrder[:hclen] {
		w.bw.put(uint32(cl[s]), 3)
	}
	var clCodes [numCL]code
	canonical(cl, clCodes[:])
	for _, it := range items {
		c := clCodes[it.sym]
		w.bw.put(c.bits, c.n)
		w.bw.put(uint32(it.extra), clExtra[it.sym])
	}
	canonical(lit, w.lit)
	canonical(dist, w.dist)
	return w
}

// sym writes the code of the literal/length symbol s, and extra bits.
func (w *dynWriter) sym(s int, extra ...uint32) *dynWriter {
	w.bw.put(w.lit[s].bits, w.lit[s].n)
	return w.raw(extra...)
}

// dsym writes the code of the distance symbol s, and extra bits.
func (w *dynWriter) dsym(s int, extra ...uint32) *dynWriter {
	w.bw.put(w.dist[s].bits, w.dist[s].n)
	return w.raw(extra...)
}

// raw writes bits given as (value, count) pairs.
func (w *dynWriter) raw(vn ...uint32) *dynWriter {
	for i := 0; i+1 < len(vn); i += 2 {
		w.bw.put(vn[i], vn[i+1])
	}
	return w
}

func (w *dynWriter) bytes() []byte { return w.bw.flush() }

// allCL is a complete code-length code with a code for every symbol.
var allCL = []uint8{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 3, 3}

// plainItems codes every length with its own symbol.
func plainItems(lengths ...[]uint8) []clSym {
	var items []clSym
	for _, l := range lengths {
		for _, v := range l {
			items = append(items, clSym{sym: v})
		}
	}
	return items
}

// block starts a block with the codes lit and dist, their lengths coded
// one by one with allCL.
func block(lit, dist []uint8) *dynWriter {
	return newDynWriter(len(lit), len(dist), numCL, allCL, plainItems(lit, dist), lit, dist)
}

// lengthsOf returns n code lengths, zero but for the given symbol/length
// pairs.
func lengthsOf(n int, symLen ...int) []uint8 {
	l := make([]uint8, n)
	for i := 0; i+1 < len(symLen); i += 2 {
		l[symLen[i]] = uint8(symLen[i+1])
	}
	return l
}

// TestDecompressDynamicCases pins hand-made dynamic blocks, valid and
// not, and compares each (and its truncations, limits and bit flips) with
// compress/flate. It is longer than 80 lines: each hand-made block is
// built bit by bit next to the comment that says what it holds.
func TestDecompressDynamicCases(t *testing.T) {
	// A complete literal/length code of eight 3-bit codes over 258
	// symbols, and a complete distance code of four 2-bit codes.
	lit := lengthsOf(258, 'a', 3, 'b', 3, 'c', 3, 'd', 3, 'x', 3, 'y', 3, 256, 3, 257, 3)
	dist := lengthsOf(4, 0, 2, 1, 2, 2, 2, 3, 2)
	valid := func() *dynWriter { return block(lit, dist) }
	with := func(l []uint8, sym, n int) []uint8 { l = bytes.Clone(l); l[sym] = uint8(n); return l }
	// Codes of 1 to 15 bits: 'a' has 1 bit ... the end of block 15.
	var longLit, longDist []uint8
	{
		longLit = make([]uint8, 286)
		syms := []int{'a', 257, 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 256, 285}
		for i, s := range syms {
			longLit[s] = uint8(min(i+1, 15))
		}
		longDist = make([]uint8, 30)
		for i := range 16 {
			longDist[i+14] = uint8(min(i+1, 15))
		}
	}
	long := func() *dynWriter { return block(longLit, longDist) }
	// The repeat symbols: zeros for 0 to 'a'-1 (18), 'c' to 'e' as 'b'
	// (16), zeros for 'f' to 255 (18 twice); for rep, a repeat of the
	// length of 283 from 284 into the distance code lengths (16), and for
	// zero, zeros from 258 into the distance code lengths (18).
	repLit := lengthsOf(258, 'a', 2, 'b', 3, 'c', 3, 'd', 3, 'e', 3, 256, 3, 257, 3)
	repDist := lengthsOf(4, 0, 1, 1, 2, 2, 3, 3, 3)
	repItems := append([]clSym{{18, 'a' - 11}, {2, 0}, {3, 0}, {16, 0}, {18, 127}, {18, 256 - 'f' - 138 - 11}, {3, 0}, {3, 0}}, plainItems(repDist)...)
	crossLit := lengthsOf(286, 256, 2, 283, 2, 284, 2, 285, 2)
	crossItems := append(plainItems(crossLit[:284]), clSym{16, 3})
	zeroLit := lengthsOf(286, 'a', 1, 256, 2, 257, 2)
	zeroItems := append(plainItems(zeroLit[:258]), clSym{18, 28 + 29 - 11}, clSym{1, 0})
	window := make([]byte, WindowSize)
	cases := []struct {
		name   string
		stream []byte
		dict   []byte
		want   string
		out    string
	}{
		{"literals and a match", valid().sym('a').sym('b').sym(257).dsym(0).sym(256).bytes(), nil, "ok", "abbbb"},
		{"match into the dictionary", valid().sym(257).dsym(3).sym('c').sym(256).bytes(), []byte("wxyz"), "ok", "wxyc"},
		{"distance before the dictionary", valid().sym(257).dsym(3).sym(256).bytes(), []byte("xyz"), "invalid", ""},
		{"distance before the output", valid().sym('a').sym(257).dsym(1).sym(256).bytes(), nil, "invalid", ""},
		{"no end of block", valid().sym('a').bytes(), nil, "invalid", ""},
		{"end of block only", valid().sym(256).bytes(), nil, "ok", ""},
		{"header cut", valid().bytes()[:2], nil, "invalid", ""},
		{"HLIT 30", newDynWriter(287, 4, numCL, allCL, nil, nil, nil).bytes(), nil, "invalid", ""},
		{"HLIT 31", newDynWriter(288, 4, numCL, allCL, nil, nil, nil).bytes(), nil, "invalid", ""},
		{"HDIST 30", newDynWriter(258, 31, numCL, allCL, nil, nil, nil).bytes(), nil, "invalid", ""},
		{"HDIST 31", newDynWriter(258, 32, numCL, allCL, nil, nil, nil).bytes(), nil, "invalid", ""},
		{"16 first", newDynWriter(258, 4, numCL, allCL, append([]clSym{{16, 0}}, plainItems(lit, dist)...), lit, dist).sym(256).bytes(), nil, "invalid", ""},
		{"repeat past the end", newDynWriter(258, 4, numCL, allCL, append(plainItems(lit, dist[:3]), clSym{17, 0}), lit, dist).sym(256).bytes(), nil, "invalid", ""},
		{"repeats", newDynWriter(258, 4, numCL, allCL, repItems, repLit, repDist).sym('a').sym('c').sym(257).dsym(3).sym(256).bytes(), []byte("wxyz"), "ok", "acyza"},
		{"repeat into the distance code lengths", newDynWriter(286, 4, numCL, allCL, crossItems, crossLit, lengthsOf(4, 0, 2, 1, 2, 2, 2, 3, 2)).sym(285).dsym(0).sym(256).bytes(), []byte("x"), "ok", ""},
		{"zeros into the distance code lengths", newDynWriter(286, 30, numCL, allCL, zeroItems, zeroLit, lengthsOf(30, 29, 1)).sym('a').sym(257).dsym(29, 0, 13).sym(256).bytes(), window, "ok", "a\x00\x00\x00"},
		{"over-subscribed literal/length code", block(with(lit, 'e', 3), dist).sym(256).bytes(), nil, "invalid", ""},
		{"incomplete literal/length code", block(with(lit, 'a', 0), dist).sym(256).bytes(), nil, "invalid", ""},
		{"incomplete distance code", block(lit, with(dist, 0, 0)).sym(256).bytes(), nil, "invalid", ""},
		{"over-subscribed distance code", block(lit, append(bytes.Clone(dist), 2)).sym(256).bytes(), nil, "invalid", ""},
		{"single literal/length code", block(lengthsOf(257, 256, 1), dist).sym(256).bytes(), nil, "ok", ""},
		{"single literal/length code, other bit", block(lengthsOf(257, 256, 1), dist).raw(1, 1).bytes(), nil, "invalid", ""},
		{"single 2-bit code", block(lengthsOf(257, 256, 2), dist).sym(256).bytes(), nil, "invalid", ""},
		{"no literal/length code", block(lengthsOf(257), dist).bytes(), nil, "invalid", ""},
		{"no end-of-block code", block(with(with(lit, 256, 0), 'e', 3), dist).sym('a').sym('e').bytes(), nil, "invalid", ""},
		{"single distance code", block(lit, lengthsOf(1, 0, 1)).sym('a').sym(257).dsym(0).sym(256).bytes(), nil, "ok", "aaaa"},
		{"single distance code, other bit", block(lit, lengthsOf(1, 0, 1)).sym('a').sym(257).raw(1, 1).sym(256).bytes(), nil, "invalid", ""},
		{"single distance code 29", block(lit, lengthsOf(30, 29, 1)).sym(257).dsym(29, 0, 13).sym(256).bytes(), window, "ok", "\x00\x00\x00"},
		{"no distance code", block(lit, lengthsOf(1)).sym('a').sym(256).bytes(), nil, "ok", "a"},
		{"no distance code, a match", block(lit, lengthsOf(1)).sym('a').sym(257).sym(256).bytes(), nil, "invalid", ""},
		{"no code-length code", newDynWriter(258, 4, numCL, make([]uint8, numCL), nil, lit, dist).bytes(), nil, "invalid", ""},
		{"single code-length code", newDynWriter(258, 4, numCL, lengthsOf(numCL, 8, 1), plainItems(bytes.Repeat([]byte{8}, 262)), nil, nil).bytes(), nil, "invalid", ""},
		{"single code-length code, other bit", newDynWriter(258, 4, numCL, lengthsOf(numCL, 8, 1), nil, nil, nil).raw(1, 1).bytes(), nil, "invalid", ""},
		{"over-subscribed code-length code", newDynWriter(258, 4, numCL, with(allCL, 0, 1), nil, nil, nil).bytes(), nil, "invalid", ""},
		{"4 code-length code lengths", newDynWriter(258, 4, 4, lengthsOf(numCL, 16, 1, 0, 1), nil, nil, nil).bytes(), nil, "invalid", ""},
		{"long codes", long().sym('a').sym('m').sym(285).dsym(29, 8191, 13).sym(257).dsym(14, 0, 6).sym(256).bytes(), window, "ok", ""},
		{"long codes, distance too far", long().sym('a').sym('m').sym(285).dsym(29, 8191, 13).sym(256).bytes(), make([]byte, 8*1024), "invalid", ""},
		// The end-of-block code has 15 bits and 'a' 1: compress/flate
		// reads 15 bits before it decodes 'a'.
		{"short code, long end of block", long().sym('a').sym('a').sym(256).bytes(), nil, "ok", "aa"},
		{"short code, long end of block, match too far", long().sym(257).dsym(14, 0, 6).sym(256).bytes(), nil, "invalid", ""},
		{"short code, long end of block, no distance code", block(longLit, lengthsOf(1)).sym('a').sym(257).sym(256).bytes(), nil, "invalid", ""},
	}
	for _, c := range cases {
		got, err := Decompress(c.stream, c.dict, 1<<20)
		_, ferr := decompressFlate(c.stream, c.dict, 1<<20)
		if errClass(err) != c.want || errClass(ferr) != c.want {
			t.Errorf("%s (%x): got %v, compress/flate %v, want %s", c.name, c.stream, err, ferr, c.want)
		}
		if err == nil && c.out != "" && string(got) != c.out {
			t.Errorf("%s: output %q, want %q", c.name, got, c.out)
		}
		checkAround(t, c.stream, c.dict, true)
	}
}

// finalFirstBlock returns stream with its first block made final and the
// rest cut off (compress/flate ends a stream with an empty final block).
func finalFirstBlock(stream, dict []byte) []byte {
	if len(stream) == 0 {
		return stream
	}
	s := bytes.Clone(stream)
	s[0] |= 1
	br := bytes.NewReader(s)
	io.Copy(io.Discard, flate.NewReaderDict(br, dict))
	return s[:len(s)-br.Len()]
}

// flateStreams caches compress/flate writers by level and dictionary.
var flateStreams struct {
	sync.Mutex
	w map[flateKey]*flate.Writer
}

type flateKey struct {
	level int
	dict  *byte
	n     int
}

// flateFinal compresses src with compress/flate at level with dict and
// makes the first block final.
func flateFinal(src, dict []byte, level int) []byte {
	flateStreams.Lock()
	defer flateStreams.Unlock()
	k := flateKey{level, nil, len(dict)}
	if len(dict) > 0 {
		k.dict = &dict[0]
	}
	var buf bytes.Buffer
	fw := flateStreams.w[k]
	if fw == nil {
		var err error
		if fw, err = flate.NewWriterDict(&buf, level, dict); err != nil {
			panic(err)
		}
		if flateStreams.w == nil {
			flateStreams.w = map[flateKey]*flate.Writer{}
		}
		flateStreams.w[k] = fw
	} else {
		fw.Reset(&buf)
	}
	fw.Write(src)
	fw.Close()
	return finalFirstBlock(buf.Bytes(), dict)
}

// TestDecompressDynamicCorpus compresses every corpus SDP with
// compress/flate at levels 1, 6 and 9 and SDPDictionary, makes the first
// (and only) block final, and checks the round trip and the agreement with
// compress/flate at several limits, on every truncation, with a trailing
// byte and, for a few, with every bit flipped.
func TestDecompressDynamicCorpus(t *testing.T) {
	dynamic := 0
	for i, name := range allCorpusFiles(t) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []int{1, 6, 9} {
			stream := flateFinal(src, SDPDictionary, level)
			if stream[0]&7 == dynamicFinalHeader {
				dynamic++
			}
			got, err := Decompress(stream, SDPDictionary, len(src))
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("%s, level %d: round trip: err %v, equal %v", name, level, err, bytes.Equal(got, src))
			}
			checkAround(t, stream, SDPDictionary, i%25 == 0 && level == 6 && !testing.Short())
		}
	}
	if dynamic == 0 {
		t.Fatal("no dynamic block")
	}
}

// chooser makes the decisions of randomBlock: from a seeded generator, or
// from the bytes of a fuzz input (zero once they run out).
type chooser struct {
	rng *rand.Rand
	b   []byte
}

// intn returns a choice in [0, n).
func (c *chooser) intn(n int) int {
	if n <= 1 {
		return 0
	}
	if c.rng != nil {
		return c.rng.IntN(n)
	}
	v := 0
	for k := n - 1; k > 0; k >>= 8 {
		v <<= 8
		if len(c.b) > 0 {
			v |= int(c.b[0])
			c.b = c.b[1:]
		}
	}
	return v % n
}

// randomCode sets the lengths of k ≥ 1 symbols of lengths, chosen by c
// (keep first, if ≥ 0, among them), to those of a complete code of at most
// limit bits, or a single code of length 1 for k = 1.
func randomCode(c *chooser, lengths []uint8, k, limit, keep int) {
	clear(lengths)
	lens := []uint8{0}
	for len(lens) < k {
		i := c.intn(len(lens))
		for int(lens[i]) >= limit {
			i = (i + 1) % len(lens)
		}
		lens[i]++
		lens = append(lens, lens[i])
	}
	if k == 1 {
		lens[0] = 1
	}
	syms := make([]int, len(lengths))
	for i := range syms {
		syms[i] = i
	}
	i := 0
	if keep >= 0 {
		syms[0], syms[keep] = keep, 0
		lengths[keep] = lens[0]
		i++
	}
	for ; i < len(lens); i++ {
		j := i + c.intn(len(syms)-i)
		syms[i], syms[j] = syms[j], syms[i]
		lengths[syms[i]] = lens[i]
	}
}

// randomItems codes lengths with the code-length alphabet, choosing
// between the ways to, now and then not a valid one.
func randomItems(c *chooser, lengths []uint8) []clSym {
	var items []clSym
	for i := 0; i < len(lengths); {
		v, r := lengths[i], 1
		for i+r < len(lengths) && lengths[i+r] == v {
			r++
		}
		switch {
		case v == 0 && r >= 11 && c.intn(4) != 0:
			k := 11 + c.intn(min(r, 138)-10)
			items = append(items, clSym{18, uint8(k - 11)})
			i += k
		case v == 0 && r >= 3 && c.intn(4) != 0:
			k := 3 + c.intn(min(r, 10)-2)
			items = append(items, clSym{17, uint8(k - 3)})
			i += k
		case i > 0 && lengths[i-1] == v && r >= 3 && c.intn(4) != 0:
			k := 3 + c.intn(min(r, 6)-2)
			items = append(items, clSym{16, uint8(k - 3)})
			i += k
		default:
			items = append(items, clSym{sym: v})
			i++
		}
	}
	if c.intn(32) == 0 {
		items = append(items, clSym{uint8(16 + c.intn(3)), uint8(c.intn(128))})
	}
	if c.intn(64) == 0 && len(items) > 0 {
		items[0] = clSym{16, 0}
	}
	return items
}

// randomBlock writes a final dynamic-Huffman block with codes and symbols
// chosen by c: mostly valid, with distances mostly within dictLen bytes
// of dictionary and the output. It is longer than 80 lines: it writes a
// whole block, header, code-length codes and symbols, in the order RFC 1951
// §3.2.7 lays them out.
func randomBlock(c *chooser, dictLen int) []byte {
	nlit, ndist := 257+c.intn(30), 1+c.intn(30)
	if c.intn(32) == 0 {
		nlit, ndist = 257+c.intn(32), 1+c.intn(32)
	}
	lit := make([]uint8, nlit)
	dist := make([]uint8, ndist)
	keep := 256
	if c.intn(16) == 0 {
		keep = -1
	}
	randomCode(c, lit[:min(nlit, numLitLen)], 1+c.intn(min(nlit, numLitLen)), maxCodeBits, keep)
	if k := c.intn(min(ndist, numDist) + 1); k > 0 {
		randomCode(c, dist[:min(ndist, numDist)], k, maxCodeBits, -1)
	}
	if c.intn(16) == 0 { // most likely an invalid code
		i := c.intn(nlit + ndist)
		v := uint8(c.intn(16))
		if i < nlit {
			lit[i] = v
		} else {
			dist[i-nlit] = v
		}
	}
	items := randomItems(c, append(lit[:nlit:nlit], dist...))
	var cl [numCL]uint8
	var used []uint8
	for _, it := range items {
		if cl[it.sym] == 0 {
			cl[it.sym] = 1
			used = append(used, it.sym)
		}
	}
	var clLens [numCL]uint8
	if len(used) > 0 {
		randomCode(c, clLens[:len(used)], len(used), maxCLCodeBits, -1)
	}
	cl = [numCL]uint8{}
	for i, s := range used {
		cl[s] = clLens[i]
	}
	if c.intn(32) == 0 {
		cl[c.intn(numCL)] = uint8(c.intn(8))
	}
	hclen := numCL
	for hclen > 4 && cl[clOrder[hclen-1]] == 0 {
		hclen--
	}
	hclen += c.intn(numCL - hclen + 1)
	w := newDynWriter(nlit, ndist, hclen, cl[:], items, lit, dist)
	var lits, lens, dists []int
	for s, n := range lit[:min(nlit, numLitLen)] {
		switch {
		case n == 0 || s == 256:
		case s < 256:
			lits = append(lits, s)
		default:
			lens = append(lens, s)
		}
	}
	for s, n := range dist[:min(ndist, numDist)] {
		if n > 0 {
			dists = append(dists, s)
		}
	}
	out := 0
	for range c.intn(200) {
		if len(lens) > 0 && (len(lits) == 0 || c.intn(3) == 0) {
			s := lens[c.intn(len(lens))]
			x := uint32(c.intn(1 << lenExtra[s-257]))
			w.sym(s, x, uint32(lenExtra[s-257]))
			length := int(lenBase[s-257]) + int(x)
			if len(dists) == 0 {
				break
			}
			d := dists[c.intn(len(dists))]
			if c.intn(8) != 0 {
				// A distance within reach, if there is one.
				for _, e := range dists {
					if int(distBase[e]) <= dictLen+out-1 && int(distBase[d]) > dictLen+out-1 {
						d = e
					}
				}
			}
			n := distExtra(d)
			x = uint32(c.intn(1 << n))
			if reach := dictLen + out - int(distBase[d]); c.intn(8) != 0 && reach >= 0 {
				x = min(x, uint32(reach))
			}
			w.dsym(d, x, n)
			out += length
		} else if len(lits) > 0 {
			w.sym(lits[c.intn(len(lits))])
			out++
		}
	}
	if lit[256] != 0 {
		w.sym(256)
	}
	return w.bytes()
}

// TestDecompressDynamicRandom compares Decompress with compress/flate on
// random dynamic blocks with random codes of up to 15 bits.
func TestDecompressDynamicRandom(t *testing.T) {
	c := &chooser{rng: newRand(t)}
	n := 3000
	if testing.Short() {
		n = 300
	}
	dicts := [][]byte{nil, []byte("abc"), SDPDictionary}
	for i := range n {
		dict := dicts[i%len(dicts)]
		stream := randomBlock(c, len(dict))
		if i%100 == 0 {
			checkAround(t, stream, dict, i%500 == 0)
			continue
		}
		sameAsFlate(t, stream, dict, 1<<20)
		sameAsFlate(t, stream, dict, decodedLength(stream, dict)-1)
		sameAsFlate(t, stream[:c.intn(len(stream))], dict, 1<<20)
	}
}

// FuzzDecompressDynamicDiff compares the dynamic-block decoder with
// compress/flate (and checks what DecompressText reports, see
// sameAsFlate). mode selects the dictionary (bits 0-1), the output limit
// (bit 3: a limit near the length compress/flate decodes, else max) and
// what the stream is (bits 4-5): the stream itself (0), with the first
// three bits forced to a final dynamic block if bit 2 is set, or the same
// with a dictionary that is not plain text (3); the stream compressed by
// compress/flate at the level bits 6-7 select, first block made final (1);
// or a block randomBlock makes with the stream's bytes as its choices (2).
// In the last two, bit 2 selects a dictionary that is not plain text, and
// if bit 15 of max is set, the bit max&0x7fff (modulo the length) of the
// stream is flipped. It is longer than 80 lines: most of it is the seed
// corpus, one kind of stream after another.
func FuzzDecompressDynamicDiff(f *testing.F) {
	dicts := [][]byte{nil, SDPDictionary, []byte("abc"), bytes.Repeat([]byte("xyz\n"), 9000)}
	notPlain := notPlainDicts()
	levels := []int{flate.HuffmanOnly, flate.BestSpeed, flate.DefaultCompression, flate.BestCompression}
	strs := []string{"", "a", "aaaaaaaaaa", "abcabcabc", "v=0\n", "a=rtcp-mux\na=rtcp-mux\n"}
	for d := range dicts[:3] {
		for level := range 10 {
			if level == 0 {
				level = flate.HuffmanOnly
			}
			for _, s := range strs {
				f.Add(flateFinal([]byte(s), dicts[d], level), uint8(d), uint16(50000))
			}
		}
	}
	if files, _ := filepath.Glob(filepath.Join(corpusDir, "*.sdp")); len(files) > 0 {
		for i, name := range files[:min(len(files), 12)] {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			level := 1 + i%9
			stream := flateFinal(src, SDPDictionary, level)
			f.Add(stream, uint8(1), uint16(50000))
			f.Add(stream, uint8(1|8), uint16(0xffff)) // just below the length
			f.Add(Compress(nil, src, SDPDictionary), uint8(1), uint16(50000))
			f.Add(src[:min(len(src), 500)], uint8(1|1<<4|uint8(i%4)<<6), uint16(0x8000|i*97))
		}
	}
	// Forced headers: other blocks read as dynamic ones.
	f.Add([]byte("\x05\x00\x00"), uint8(4), uint16(100))
	for _, s := range strs {
		f.Add(encode(nil, fastTokens([]byte(s), SDPDictionary), []byte(s)), uint8(1|4), uint16(50000))
		f.Add(flateFinal([]byte(s), nil, flate.NoCompression), uint8(4), uint16(50000))
	}
	// Dictionaries that are not plain text.
	for d := range notPlain {
		for _, s := range []string{"a", "abcabc", "a=x\r\na=x\r\n", "y\x7f\n\x7f"} {
			f.Add([]byte(s), uint8(1<<4|4|d|d<<6), uint16(50000))
			f.Add(flateFinal([]byte(s), notPlain[d], flate.HuffmanOnly), uint8(3<<4|d), uint16(50000))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		choices := make([]byte, 64+rng.IntN(400))
		for j := range choices {
			choices[j] = byte(rng.Uint32())
		}
		f.Add(choices, uint8(2<<4|i%3), uint16(50000))
		f.Add(choices, uint8(2<<4|8|i%3), uint16(0x8000|i*131))
	}
	f.Fuzz(func(t *testing.T, stream []byte, mode uint8, max uint16) {
		dict := dicts[mode&3]
		kind := mode >> 4 & 3
		if kind == 3 || kind != 0 && mode&4 != 0 {
			dict = notPlain[mode&3]
		}
		switch kind {
		case 0, 3:
			if mode&4 != 0 && len(stream) > 0 {
				stream = append([]byte{stream[0]&^7 | dynamicFinalHeader}, stream[1:]...)
			}
		case 1:
			stream = flateFinal(stream, dict, levels[mode>>6])
		case 2:
			stream = randomBlock(&chooser{b: stream}, len(dict))
		}
		if mode>>4&3 == 1 || mode>>4&3 == 2 {
			if max&0x8000 != 0 && len(stream) > 0 {
				b := int(max&0x7fff) % (8 * len(stream))
				stream[b/8] ^= 1 << (b % 8)
			}
			max = 0xffff
		}
		m := int(max)
		if mode&8 != 0 {
			m = decodedLength(stream, dict) + int(int16(max))%4
		}
		sameAsFlate(t, stream, dict, m)
	})
}

// BenchmarkDecompressDynamic decodes the corpus compressed by
// compress/flate at levels 1, 6 and 9 with SDPDictionary, first block made
// final (all dynamic blocks), with the dedicated decoder and with
// compress/flate.
func BenchmarkDecompressDynamic(b *testing.B) {
	for _, level := range []int{1, 6, 9} {
		streams, total := dynamicStreams(b, func(src []byte) []byte { return flateFinal(src, SDPDictionary, level) })
		b.Run("level"+string(rune('0'+level)), func(b *testing.B) { benchDecoders(b, streams, total) })
	}
}

// BenchmarkDynamicTables reads the definitions of the codes of the
// dynamic blocks Compress makes of the corpus with SDPDictionary and
// builds their tables (dynamicTables.read), reporting the time per block.
func BenchmarkDynamicTables(b *testing.B) {
	streams, _ := dynamicStreams(b, func(src []byte) []byte { return Compress(nil, src, SDPDictionary) })
	t := dynamicPool.Get().(*dynamicTables)
	for b.Loop() {
		for _, s := range streams {
			if _, _, _, err := t.read(s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(streams)), "ns/block")
}

// dynamicStreams returns the streams that compress makes of the corpus
// files and that start with a dynamic block, and the total length of
// these files.
func dynamicStreams(b *testing.B, compress func(src []byte) []byte) (streams [][]byte, total int) {
	for _, name := range allCorpusFiles(b) {
		src, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		if s := compress(src); s[0]&7 == dynamicFinalHeader {
			streams = append(streams, s)
			total += len(src)
		}
	}
	return streams, total
}
