package codec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec/internal/detflate"
)

// Decoding takes time linear in the size of its input (SPEC.md §8, §11).
// BenchmarkDecodeScaling decodes codes of growing size, shape by shape, and
// reports the time per byte of SDP text the code carries (ns/sdp-byte):
// flat across sizes when every step is linear. TestScalingShapes checks that
// each shape decodes to what the benchmark claims (or fails with the class
// it claims) without timing anything.
//
//	go test ./codec -run '^$' -bench DecodeScaling -benchtime 20x

// scalingSizes are the SDP sizes, in bytes, of the inputs of each shape.
var scalingSizes = []int{8 << 10, 32 << 10, 128 << 10, 512 << 10}

// scalingLimits are decoder limits large enough for every input.
var scalingLimits = DecOptions{MaxCodeBytes: MaxMaxCodeBytes, MaxSDPBytes: MaxMaxSDPBytes, MaxCandidates: MaxMaxCandidates}

// scalingShape builds an SDP text of about n bytes; want is nil when the
// code decodes, otherwise the class it must fail with.
type scalingShape struct {
	name  string
	build func(n int) string
	want  error
}

const scalingHead = "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\n"

const scalingDC = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\nc=IN IP4 0.0.0.0\n" +
	"a=ice-ufrag:abcd\na=ice-pwd:0123456789abcdefghijklmn\n" +
	"a=fingerprint:sha-256 AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB\n" +
	"a=setup:actpass\na=mid:0\na=sctp-port:5000\na=max-message-size:262144\n"

var scalingShapes = []scalingShape{
	// One BUNDLE group naming one mid many times, and a media section
	// with many lines before its a=mid.
	{"bundle-mids", func(n int) string {
		var b strings.Builder
		b.WriteString(scalingHead + "a=group:BUNDLE")
		for b.Len() < n/2 {
			b.WriteString(" 0")
		}
		b.WriteString("\nm=audio 9 RTP/AVP 0\n")
		for b.Len() < n {
			b.WriteString("a=x\n")
		}
		b.WriteString("a=mid:0")
		return b.String()
	}, nil},
	// Many media sections, each with its mid, all in one BUNDLE group.
	{"media-sections", func(n int) string {
		k := n / 40
		var b strings.Builder
		b.WriteString(scalingHead + "a=group:BUNDLE")
		for i := 0; i < k; i++ {
			b.WriteString(" m" + strconv.Itoa(i))
		}
		for i := 0; i < k; i++ {
			b.WriteString("\nm=audio 9 RTP/AVP 0\na=mid:m" + strconv.Itoa(i))
		}
		return b.String()
	}, nil},
	// The same attribute line over and over.
	{"repeated-lines", func(n int) string {
		return scalingHead + "m=audio 9 RTP/AVP 0\n" + strings.TrimSuffix(strings.Repeat("a=rtcp-mux\n", n/11), "\n")
	}, nil},
	// A data-channel description with many distinct candidates carried as
	// residual text: a decoder must find it eligible for the compact form
	// and reject the code as non-canonical.
	{"residual-candidates", func(n int) string {
		var b strings.Builder
		b.WriteString(scalingHead + scalingDC)
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "a=candidate:1 1 udp 1 10.%d.%d.%d 1000 typ host\n", i>>16&255, i>>8&255, i&255)
		}
		return strings.TrimSuffix(b.String(), "\n")
	}, ErrNonCanonical},
	// A compact code with many extra media lines (ext key 7), long enough
	// that the largest input stays within 4096 of them (SPEC.md §7 step 3).
	{"extra-lines", func(n int) string {
		var b strings.Builder
		b.WriteString(scalingHead + scalingDC)
		pad := strings.Repeat("y", 200)
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "a=x-%d:%s\n", i, pad)
		}
		return b.String()
	}, nil},
}

// scalingCode returns the code of shape s at size n and its SDP size.
func scalingCode(tb testing.TB, s scalingShape, n int) ([]byte, int) {
	tb.Helper()
	text := s.build(n)
	m := &model{residual: true, text: text}
	p, err := parseSDP(text)
	if err != nil {
		tb.Fatalf("%s: %v", s.name, err)
	}
	if c, ok := compactModel(p, false, &CandidatePolicy{}); ok && s.want == nil {
		m = c
	}
	return m.appendBinary(nil, detflate.Compress(nil, []byte(text), detflate.SDPDictionary)), len(text)
}

func TestScalingShapes(t *testing.T) {
	d, err := scalingLimits.Decoder()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scalingShapes {
		code, _ := scalingCode(t, s, 8<<10)
		_, err := d.Decode(code)
		if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
			t.Errorf("%s: decode: %v, want %v", s.name, err, s.want)
		}
	}
}

func BenchmarkDecodeScaling(b *testing.B) {
	d, err := scalingLimits.Decoder()
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range scalingShapes {
		for _, n := range scalingSizes {
			b.Run(fmt.Sprintf("%s/%dKiB", s.name, n>>10), func(b *testing.B) {
				code, size := scalingCode(b, s, n)
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					d.Decode(code)
				}
				b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/float64(size), "ns/sdp-byte")
				b.ReportMetric(float64(len(code)), "B/code")
			})
		}
	}
}
