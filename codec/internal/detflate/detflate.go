// Package detflate implements the deterministic raw DEFLATE (RFC 1951)
// compressor with a preset dictionary that SPEC.md §4.7 specifies (the
// parse) and Appendix E (the dynamic-Huffman block), and a size-limited
// decompressor that accepts any valid raw DEFLATE stream.
//
// The compressor's output is one final block, fixed- or dynamic-Huffman,
// whichever is shorter: independent implementations of the specification
// produce the same bytes for the same input and dictionary. The
// specification is the one normative text; the comments here say how this
// implementation meets it (hash chains instead of an exhaustive scan, where
// it reaches the same matches; package-merge without following packages).
package detflate

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
var ErrTooLarge = errors.New("detflate: decompressed data exceeds limit")

// ErrTrailingData is returned by Decompress when bytes follow the final
// DEFLATE block.
var ErrTrailingData = errors.New("detflate: trailing data after final block")

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

// CompressSplit is Compress with the dictionary shared ‖ extra, where
// shared was given to Share: the same bytes, without building the chains
// of shared's positions again (only extra's), for a dictionary that
// differs from one call to the next only by what follows shared.
func CompressSplit(dst, src, shared, extra []byte) []byte {
	c := pool.Get().(*compressor)
	toks := c.tokenizeSplit(src, shared, extra)
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
			return nil, fmt.Errorf("detflate: %w", err)
		}
	}
	if br.Len() != 0 {
		return nil, ErrTrailingData
	}
	return buf, nil
}
