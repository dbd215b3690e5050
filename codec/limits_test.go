package codec

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// SPEC.md §8: an encoder refuses, with the limit class, a code that a
// decoder with the same limits (by default, the default decoder) would
// reject: one longer than the code limit, or one that decodes to a
// description longer than the SDP limit.

// randomSDP returns a valid description of about n bytes whose lines are
// random printable text, which DEFLATE cannot shrink much.
func randomSDP(r *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString(scalingHead + "m=audio 9 RTP/AVP 0\n")
	for b.Len() < n-80 {
		b.WriteString("a=x:")
		for i := 0; i < 70; i++ {
			b.WriteByte(byte(0x21 + r.IntN(0x5e)))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestEncodeRefusesLongCode(t *testing.T) {
	sdp := randomSDP(rand.New(rand.NewPCG(1, 2)), DefaultMaxSDPBytes-2048)
	if len(sdp) > DefaultMaxSDPBytes {
		t.Fatalf("input of %d bytes", len(sdp))
	}
	code, err := Encode(Description{Type: Offer, SDP: sdp}, nil, nil)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Encode of %d random bytes: %d-byte code, err %v; want the limit class", len(sdp), len(code), err)
	}
	// A larger code limit lets the same description through, and a
	// decoder with that limit accepts the code.
	code, err = Encode(Description{Type: Offer, SDP: sdp}, nil, &EncOptions{MaxCodeBytes: 64 << 10})
	if err != nil || len(code) <= DefaultMaxCodeBytes {
		t.Fatalf("with MaxCodeBytes 64 KiB: %d bytes, %v", len(code), err)
	}
	if _, err := Decode(code, &DecOptions{MaxCodeBytes: 64 << 10}); err != nil {
		t.Fatalf("decoder with the same limit: %v", err)
	}
}

func TestEncodeRefusesLongDescription(t *testing.T) {
	// Short LF-terminated lines: the decoded description ends its lines
	// with CRLF, so it is longer than the input.
	var b strings.Builder
	b.WriteString(scalingHead + "m=audio 9 RTP/AVP 0\n")
	for b.Len() < DefaultMaxSDPBytes-8 {
		b.WriteString("a=x\n")
	}
	sdp := b.String()
	code, err := Encode(Description{Type: Offer, SDP: sdp}, nil, nil)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Encode: %d-byte code, err %v; want the limit class", len(code), err)
	}
	// A compact description whose extra lines grow the same way.
	var c strings.Builder
	c.WriteString(scalingHead + scalingDC)
	for c.Len() < DefaultMaxSDPBytes-8 {
		c.WriteString("a=y\n")
	}
	code, err = Encode(Description{Type: Offer, SDP: c.String()}, nil, nil)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Encode of a compact description: %d-byte code, err %v; want the limit class", len(code), err)
	}
	// More extra lines at one level than a CBOR array may hold (SPEC.md
	// §7 step 3), in a description well within the SDP limit.
	c.Reset()
	c.WriteString(scalingHead + scalingDC)
	for i := 0; i <= maxArrayItems; i++ {
		c.WriteString("a=y\n")
	}
	code, err = Encode(Description{Type: Offer, SDP: c.String()}, nil, nil)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Encode of %d extra lines: %d-byte code, err %v; want the limit class", maxArrayItems+1, len(code), err)
	}
}

// TestErrorPosition: an encoder's error names the SDP line (Line), a
// decoder's the byte offset in the code (Offset), each leaving the other
// unset.
func TestErrorPosition(t *testing.T) {
	_, err := Encode(Description{Type: Offer, SDP: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nnot a line\r\n"}, nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.Line != 3 || e.Offset != -1 {
		t.Errorf("encode: %v: want Line 3 and Offset -1, got %+v", err, e)
	}
	_, err = Decode([]byte{0x00, 0x41}, nil)
	if !errors.As(err, &e) || e.Line != 0 || e.Offset < 0 {
		t.Errorf("decode: %v: want an Offset and Line 0, got %+v", err, e)
	}
}

// TestDecoderParseText: a Decoder's ParseText takes its text limit from the
// decoder's code limit, where the package-level one uses the default.
func TestDecoderParseText(t *testing.T) {
	d, err := DecOptions{MaxCodeBytes: 64}.Decoder()
	if err != nil {
		t.Fatal(err)
	}
	long := PrefixQR + strings.Repeat("0", 2*64+4096)
	if _, err := d.ParseText(long); !errors.Is(err, ErrLimit) {
		t.Errorf("a %d-character text with a 64-byte code limit: %v, want limit", len(long), err)
	}
	if _, err := ParseText(long); errors.Is(err, ErrLimit) {
		t.Errorf("the default limit refused a %d-character text", len(long))
	}
}
