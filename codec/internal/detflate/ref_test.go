package detflate

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// bruteLongest is a direct transcription of longest(p) of the
// specification: every distance is tried, byte by byte.
func bruteLongest(w []byte, n, p int) (int, int) {
	cur := n + p
	maxL := len(w) - cur
	if maxL > maxMatch {
		maxL = maxMatch
	}
	bestL, bestD := 0, 0
	for d := 1; d <= WindowSize && d <= cur; d++ {
		l := 0
		for l < maxL && w[cur-d+l] == w[cur+l] {
			l++
		}
		if l >= minMatch && l > bestL {
			bestL, bestD = l, d
		}
	}
	return bestL, bestD
}

// bruteTokens is a direct transcription of the parse of the specification
// on top of bruteLongest (O(n·window)).
func bruteTokens(src, dict []byte) []token {
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	n := len(dict)
	w := append(append([]byte{}, dict...), src...)
	memo := make([][2]int, len(src))
	done := make([]bool, len(src))
	longest := func(p int) (int, int) {
		if !done[p] {
			l, d := bruteLongest(w, n, p)
			memo[p] = [2]int{l, d}
			done[p] = true
		}
		return memo[p][0], memo[p][1]
	}
	var toks []token
	p := 0
	for p < len(src) {
		l, d := longest(p)
		for l != 0 && p+1 < len(src) {
			l1, d1 := longest(p + 1)
			if l1 <= l {
				break
			}
			toks = append(toks, literalToken(src[p]))
			p++
			l, d = l1, d1
		}
		if l == 0 {
			toks = append(toks, literalToken(src[p]))
			p++
			continue
		}
		toks = append(toks, matchToken(l, d))
		p += l
	}
	return toks
}

// fastTokens returns a copy of the tokens of the real compressor.
func fastTokens(src, dict []byte) []token {
	var c compressor
	return append([]token(nil), c.tokenize(src, dict)...)
}

func tokenString(t token) string {
	if t.isMatch() {
		return fmt.Sprintf("<%d,%d>", t.length(), t.dist())
	}
	return fmt.Sprintf("%q", byte(t))
}

// diffTokens describes the first difference between two token sequences,
// or returns "" if they are equal.
func diffTokens(got, want []token) string {
	pos := 0
	for i := 0; i < len(got) || i < len(want); i++ {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			g, w := "end", "end"
			if i < len(got) {
				g = tokenString(got[i])
			}
			if i < len(want) {
				w = tokenString(want[i])
			}
			return fmt.Sprintf("token %d (src offset %d): got %s, want %s", i, pos, g, w)
		}
		if got[i].isMatch() {
			pos += got[i].length()
		} else {
			pos++
		}
	}
	return ""
}

// bitReader reads an RFC 1951 bit stream, for the independent checker below.
type bitReader struct {
	b   []byte
	pos int // in bits
}

func (r *bitReader) bit() (uint32, error) {
	if r.pos >= 8*len(r.b) {
		return 0, errors.New("unexpected end of stream")
	}
	v := uint32(r.b[r.pos>>3]>>(r.pos&7)) & 1
	r.pos++
	return v, nil
}

// bitsLSB reads n bits, least significant first (header fields, extra bits).
func (r *bitReader) bitsLSB(n int) (uint32, error) {
	var v uint32
	for i := 0; i < n; i++ {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		v |= b << i
	}
	return v, nil
}

// bitsMSB reads n bits, most significant first (Huffman codes).
func (r *bitReader) bitsMSB(n int) (uint32, error) {
	var v uint32
	for i := 0; i < n; i++ {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		v = v<<1 | b
	}
	return v, nil
}

// parseBlock checks that stream is exactly one final block, fixed or
// dynamic Huffman, with zero padding, and returns its tokens and whether it
// is dynamic. It is written from RFC 1951 independently of huffman.go and
// dynamic.go.
func parseBlock(stream []byte) (toks []token, dynamic bool, err error) {
	r := &bitReader{b: stream}
	hdr, err := r.bitsLSB(3)
	if err != nil {
		return nil, false, err
	}
	switch hdr {
	case 3:
		toks, err = parseFixedBody(r)
	case 5:
		dynamic = true
		toks, err = parseDynamicBody(r)
	default:
		return nil, false, fmt.Errorf("header %03b, want BFINAL=1 and BTYPE 01 or 10", hdr)
	}
	if err != nil {
		return nil, dynamic, err
	}
	if (r.pos+7)/8 != len(stream) {
		return nil, dynamic, fmt.Errorf("stream is %d bytes, block ends in byte %d", len(stream), (r.pos+7)/8)
	}
	for r.pos < 8*len(stream) {
		if b, _ := r.bit(); b != 0 {
			return nil, dynamic, errors.New("non-zero padding bit")
		}
	}
	return toks, dynamic, nil
}

// refCode maps the (length, code) pairs of a canonical Huffman code
// (RFC 1951 §3.2.2) to symbols.
type refCode map[[2]uint32]int

func newRefCode(lengths []int) refCode {
	var count [16]uint32
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	var next [16]uint32
	code := uint32(0)
	for bits := 1; bits < 16; bits++ {
		code = (code + count[bits-1]) << 1
		next[bits] = code
	}
	m := refCode{}
	for s, l := range lengths {
		if l > 0 {
			m[[2]uint32{uint32(l), next[l]}] = s
			next[l]++
		}
	}
	return m
}

func (m refCode) read(r *bitReader) (int, error) {
	var v uint32
	for n := uint32(1); n <= 15; n++ {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		v = v<<1 | b
		if s, ok := m[[2]uint32{n, v}]; ok {
			return s, nil
		}
	}
	return 0, errors.New("no code matches")
}

// parseDynamicBody reads a dynamic block after its BTYPE bits into tokens,
// straight from RFC 1951 §3.2.7 and independently of inflate.go. It is
// longer than 80 lines: the header, the code-length codes and the symbols
// are read in one piece, in the order the RFC lists them.
func parseDynamicBody(r *bitReader) ([]token, error) {
	var h [3]uint32
	for i, n := range []int{5, 5, 4} {
		v, err := r.bitsLSB(n)
		if err != nil {
			return nil, err
		}
		h[i] = v
	}
	hlit, hdist, hclen := int(h[0])+257, int(h[1])+1, int(h[2])+4
	order := []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
	clLens := make([]int, 19)
	for _, s := range order[:hclen] {
		v, err := r.bitsLSB(3)
		if err != nil {
			return nil, err
		}
		clLens[s] = int(v)
	}
	cl := newRefCode(clLens)
	var lens []int
	for len(lens) < hlit+hdist {
		s, err := cl.read(r)
		if err != nil {
			return nil, err
		}
		rep, val := 1, s
		switch s {
		case 16:
			if len(lens) == 0 {
				return nil, errors.New("repeat with no previous length")
			}
			e, err := r.bitsLSB(2)
			if err != nil {
				return nil, err
			}
			rep, val = 3+int(e), lens[len(lens)-1]
		case 17, 18:
			n, base := 3, 3
			if s == 18 {
				n, base = 7, 11
			}
			e, err := r.bitsLSB(n)
			if err != nil {
				return nil, err
			}
			rep, val = base+int(e), 0
		}
		for range rep {
			lens = append(lens, val)
		}
	}
	if len(lens) != hlit+hdist {
		return nil, errors.New("code lengths overrun")
	}
	lit, dist := newRefCode(lens[:hlit]), newRefCode(lens[hlit:])
	var toks []token
	for {
		sym, err := lit.read(r)
		if err != nil {
			return nil, err
		}
		if sym < 256 {
			toks = append(toks, literalToken(byte(sym)))
			continue
		}
		if sym == 256 {
			return toks, nil
		}
		i := sym - 257
		e, err := r.bitsLSB(int(lenExtra[i]))
		if err != nil {
			return nil, err
		}
		dc, err := dist.read(r)
		if err != nil {
			return nil, err
		}
		de, err := r.bitsLSB(int(distExtra(dc)))
		if err != nil {
			return nil, err
		}
		toks = append(toks, matchToken(int(lenBase[i])+int(e), int(distBase[dc])+int(de)))
	}
}

func parseFixedBody(r *bitReader) ([]token, error) {
	var toks []token
	for {
		// Fixed literal/length code: read 7 bits, extend as needed.
		v, err := r.bitsMSB(7)
		if err != nil {
			return nil, err
		}
		var sym int
		switch {
		case v <= 0x17:
			sym = 256 + int(v)
		default:
			b, err := r.bitsMSB(1)
			if err != nil {
				return nil, err
			}
			v = v<<1 | b
			switch {
			case v >= 0x30 && v <= 0xbf:
				sym = int(v - 0x30)
			case v >= 0xc0 && v <= 0xc7:
				sym = 280 + int(v-0xc0)
			default:
				b, err := r.bitsMSB(1)
				if err != nil {
					return nil, err
				}
				v = v<<1 | b
				sym = 144 + int(v-0x190)
			}
		}
		if sym < 256 {
			toks = append(toks, literalToken(byte(sym)))
			continue
		}
		if sym == 256 {
			break
		}
		if sym > 285 {
			return nil, fmt.Errorf("invalid length symbol %d", sym)
		}
		i := sym - 257
		e, err := r.bitsLSB(int(lenExtra[i]))
		if err != nil {
			return nil, err
		}
		length := int(lenBase[i]) + int(e)
		dc, err := r.bitsMSB(5)
		if err != nil {
			return nil, err
		}
		if dc >= 30 {
			return nil, fmt.Errorf("invalid distance code %d", dc)
		}
		de, err := r.bitsLSB(int(distExtra(int(dc))))
		if err != nil {
			return nil, err
		}
		toks = append(toks, matchToken(length, int(distBase[dc])+int(de)))
	}
	return toks, nil
}

// sdpLike generates SDP-like text of about size bytes: repeated line
// templates with varying numbers, the kind of redundancy of real input.
func sdpLike(rng *rand.Rand, size int) []byte {
	templates := []string{
		"a=rtpmap:%d opus/48000/2\n",
		"a=rtpmap:%d VP8/90000\n",
		"a=rtpmap:%d rtx/90000\n",
		"a=fmtp:%d apt=%d\n",
		"a=rtcp-fb:%d goog-remb\n",
		"a=rtcp-fb:%d transport-cc\n",
		"a=rtcp-fb:%d ccm fir\n",
		"a=rtcp-fb:%d nack\n",
		"a=rtcp-fb:%d nack pli\n",
		"a=fmtp:%d level-asymmetry-allowed=1;packetization-mode=%d;profile-level-id=42e01f\n",
		"a=extmap:%d urn:ietf:params:rtp-hdrext:sdes:mid\n",
		"a=ssrc:%d cname:%x\n",
		"a=ssrc-group:FID %d %d\n",
		"a=candidate:%d 1 udp %d 192.168.%d.%d 5%d typ host generation 0\n",
		"m=video %d UDP/TLS/RTP/SAVPF %d %d\n",
		"a=mid:%d\n",
	}
	var sb strings.Builder
	for sb.Len() < size {
		t := templates[rng.IntN(len(templates))]
		args := make([]any, strings.Count(t, "%"))
		for i := range args {
			switch rng.IntN(3) {
			case 0:
				args[i] = rng.IntN(128)
			case 1:
				args[i] = 96 + rng.IntN(32)
			default:
				args[i] = rng.Uint32()
			}
		}
		fmt.Fprintf(&sb, t, args...)
	}
	return []byte(sb.String()[:size])
}

// randomBytes returns n bytes over an alphabet of k symbols (k <= 256), so
// that small k gives many short, overlapping and competing matches.
func randomBytes(rng *rand.Rand, n, k int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(k))
	}
	return b
}

// mutate copies b with a few random changes, making long near-matches.
func mutate(rng *rand.Rand, b []byte, changes int) []byte {
	out := append([]byte(nil), b...)
	for i := 0; i < changes && len(out) > 0; i++ {
		out[rng.IntN(len(out))] = byte(rng.IntN(256))
	}
	return out
}
