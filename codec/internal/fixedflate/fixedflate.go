// Package fixedflate implements a deterministic raw DEFLATE (RFC 1951)
// compressor with a preset dictionary, restricted to a single block, and a
// size-limited decompressor.
//
// The compressor is specified as an exact algorithm so that independent
// implementations produce byte-identical output for the same input and
// dictionary. The decompressor accepts any valid raw DEFLATE stream.
//
// # Compression algorithm (normative)
//
// Inputs are the data src and a preset dictionary dict. If dict is longer
// than 32768 bytes, only its last 32768 bytes are used (dict is replaced by
// dict[len(dict)-32768:]); the earlier bytes have no effect on the output.
// Let n = len(dict) after this truncation, and let W = dict ‖ src be the
// concatenation of the dictionary and the data, so that W[n+p] = src[p].
//
// Longest match. For a position p with 0 ≤ p < len(src), a match of length L
// at distance d means 1 ≤ d ≤ min(32768, n+p), 3 ≤ L ≤ 258, p+L ≤ len(src),
// and W[n+p-d+i] = W[n+p+i] for every i with 0 ≤ i < L. The comparison is
// done on the bytes of W, so a match may overlap the current position
// (d < L), exactly as an LZ77 decoder reproduces it byte by byte; a match
// may start inside the dictionary. longest(p) is the match with the
// greatest length L among all matches at p and, among all distances
// achieving that length, the smallest distance d. If there is no match of
// length at least 3 at p, longest(p) is "no match". The search is
// exhaustive: every distance from 1 to min(32768, n+p) is considered.
//
// Parsing (lazy evaluation). Start with p = 0 and repeat while p < len(src):
//
//  1. Let (L, d) = longest(p), unless it was already determined by step 3.
//  2. If there is no match at p, emit the literal src[p] and set p = p+1.
//  3. Otherwise, if p+1 < len(src) and longest(p+1) = (L1, d1) has L1 > L,
//     emit the literal src[p], set p = p+1 and (L, d) = (L1, d1), and go
//     back to step 2 with this match (the same rule is applied to it again).
//  4. Otherwise emit the match (L, d) (a length/distance pair) and set
//     p = p+L.
//
// Encoding. The output is exactly one DEFLATE block with BFINAL = 1
// holding the tokens in the order emitted, followed by the end-of-block
// symbol 256: the block coded with the fixed Huffman codes of RFC 1951
// §3.2.6 (BTYPE = 01, first byte's low three bits 011), or a block coded
// with dynamic Huffman codes (BTYPE = 10, low bits 101) built from the
// tokens' frequencies by the exact rules of SPEC.md §4.7 (package-merge
// code lengths of at most 15 and 7 bits, a fixed run-length coding of the
// code lengths), whichever takes fewer bytes, the fixed block on a tie.
// Bits are packed into bytes starting with the least significant bit,
// Huffman codes most significant bit first and header fields and extra bits
// least significant bit first, as RFC 1951 §3.1.1 specifies. The unused
// high bits of the last byte are zero. An empty src produces a fixed block
// containing only the end-of-block symbol (the two bytes 0x03 0x00).
//
// Each length and distance is coded with the unique code of the tables of
// RFC 1951 §3.2.5; in particular length 258 is coded as symbol 285 without
// extra bits (never as symbol 284 with extra bits 31).
package fixedflate

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// WindowSize is the DEFLATE window: the greatest match distance and the
// number of trailing dictionary bytes that are used.
const WindowSize = 32768

const (
	minMatch = 3
	maxMatch = 258
)

// ErrTooLarge is returned by Decompress when the output would exceed the
// given maximum.
var ErrTooLarge = errors.New("fixedflate: decompressed data exceeds limit")

// ErrTrailingData is returned by Decompress when bytes follow the final
// DEFLATE block.
var ErrTrailingData = errors.New("fixedflate: trailing data after final block")

var pool = sync.Pool{New: func() any { return new(compressor) }}

// Compress appends the raw DEFLATE stream of src, compressed with the
// preset dictionary dict by the algorithm of the package documentation, to
// dst and returns the extended slice.
func Compress(dst, src, dict []byte) []byte {
	c := pool.Get().(*compressor)
	toks := c.tokenize(src, dict)
	dst = writeBlock(dst, toks, src, &c.dyn)
	c.release()
	pool.Put(c)
	return dst
}

// Decompress inflates the raw DEFLATE stream src using the preset
// dictionary dict (of which only the last 32768 bytes are used). It returns
// an error if the stream is invalid or truncated, if any byte follows the
// final block (ErrTrailingData), or if the output would be longer than max
// bytes (ErrTooLarge).
//
// A stream that starts with a final block of fixed or dynamic Huffman
// codes, which includes every stream Compress makes, is decoded by a
// dedicated decoder (inflate.go, inflate_dynamic.go); any other stream by
// compress/flate. Both give the same result for every input: the same
// output or the same error.
// Which error wins where several apply: ErrTooLarge as soon as the output
// decoded so far exceeds max (even if the stream is corrupt further on),
// then any error of the stream itself (invalid or truncated), then
// ErrTrailingData. Memory use is bounded by max plus the dictionary.
func Decompress(src, dict []byte, max int) ([]byte, error) {
	out, _, err := decompress(src, dict, max, false)
	return out, err
}

// DecompressText is Decompress, and also reports whether the output is
// plain text: plain is true if and only if every byte of out is TAB
// (0x09), LF (0x0a) or one of 0x20 to 0x7e (so no CR, no other control
// byte and no byte from 0x7f on); on an error it is false.
//
// For the streams the dedicated decoders take (see Decompress), every
// stream Compress makes, it costs almost nothing more: they check each
// literal as they write it, and a back-reference copies bytes of the
// output before it, checked already, or of the dictionary, which is known
// to be plain text if empty, if SDPDictionary (checked once: it must not
// be modified) or once checked because it is no longer than the output.
// Only where the dictionary is not known to be plain text and all the
// literals are is the output checked afterwards, as it is for the streams
// compress/flate decodes. The caller need not check it again.
func DecompressText(src, dict []byte, max int) (out []byte, plain bool, err error) {
	return decompress(src, dict, max, true)
}

// decompress is DecompressText, or Decompress with plain false if not
// text.
func decompress(src, dict []byte, max int, text bool) (out []byte, plain bool, err error) {
	if max < 0 {
		max = 0
	}
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	if len(src) > 0 {
		switch src[0] & 7 {
		case fixedFinalHeader:
			return inflateFixed(src, dict, max, text)
		case dynamicFinalHeader:
			return inflateDynamic(src, dict, max, text)
		}
	}
	out, err = decompressFlate(src, dict, max)
	return out, err == nil && text && isPlain(out), err
}

// decompressFlate is Decompress implemented with compress/flate, for any
// raw DEFLATE stream. The output buffer never grows beyond max+1 bytes.
func decompressFlate(src, dict []byte, max int) ([]byte, error) {
	if max < 0 {
		max = 0
	}
	if max == math.MaxInt {
		max-- // so that max+1 below does not overflow
	}
	if len(dict) > WindowSize {
		dict = dict[len(dict)-WindowSize:]
	}
	br := bytes.NewReader(src) // an io.ByteReader: flate reads no byte beyond the stream
	fr := flate.NewReaderDict(br, dict)
	defer fr.Close()

	limit := max + 1 // reading max+1 bytes proves the output is too large
	size := 4*len(src) + 256
	if size > limit {
		size = limit
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			size := 2 * cap(buf)
			if size > limit {
				size = limit
			}
			nb := make([]byte, len(buf), size)
			copy(nb, buf)
			buf = nb
		}
		k, err := fr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if len(buf) > max {
			return nil, ErrTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("fixedflate: %w", err)
		}
	}
	if br.Len() != 0 {
		return nil, ErrTrailingData
	}
	return buf, nil
}
