package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/internal/qrsize"
)

// Encodings measured, in table order.
const (
	encRaw      = iota // the SDP text
	encGzip            // gzip -9 of the SDP text
	encBrotli          // brotli quality 11 of the SDP text
	encDict            // raw deflate -9 with the preset dictionary (held-out half only)
	encJSON            // base64(JSON{"type","sdp"}), pion examples' signal form
	encJSONGzip        // base64(gzip -9(JSON)), pion examples' signal form with compression
	encBin             // our binary code
	encQR              // our qr text form
	encLink            // our link text form
	numEnc
)

// encNames are the column names of the encodings.
var encNames = [numEnc]string{"raw", "gzip-9", "brotli-11", "dict-deflate", "b64(json)", "b64(gz(json))", "ours-bin", "ours-qr", "ours-link"}

// encText marks the encodings whose QR version is that of their text (the
// QR encoder picks alphanumeric segments); the others count in byte mode.
var encText = [numEnc]bool{encQR: true, encLink: true}

// dictBytes is the size limit of the preset dictionary: the DEFLATE window.
const dictBytes = 32 << 10

// buildDictionary returns the preset dictionary built from the training
// SDPs: every distinct line (CRLF-terminated), ordered by the number of
// training descriptions it appears in, fewest first, so that the most
// frequent lines end up last, nearest to the data (the shortest DEFLATE
// distances); ties by line text. It is truncated from the front to 32 KiB.
func buildDictionary(train []string) []byte {
	count := map[string]int{}
	for _, s := range train {
		seen := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimRight(l, "\r")
			if l == "" || seen[l] {
				continue
			}
			seen[l] = true
			count[l]++
		}
	}
	lines := make([]string, 0, len(count))
	for l := range count {
		lines = append(lines, l)
	}
	sort.Slice(lines, func(i, j int) bool {
		if count[lines[i]] != count[lines[j]] {
			return count[lines[i]] < count[lines[j]]
		}
		return lines[i] < lines[j]
	})
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	d := b.Bytes()
	if len(d) > dictBytes {
		d = d[len(d)-dictBytes:]
	}
	return d
}

// measurement is the size of one input in every encoding.
type measurement struct {
	input
	// size is the size in bytes (characters for text forms); -1 when the
	// encoding is not measured for this input (dict-deflate on the training
	// half).
	size [numEnc]int
	// qrL and qrM are QR versions at ECC L and M; 0 when no version holds
	// the payload, -1 when not measured.
	qrL, qrM [numEnc]int
	// residual marks codes in the residual (lossless, compressed) form,
	// av those in the compact audio/video form (heads 18 and 19).
	residual, av bool
}

// measurer computes measurements; it is safe for concurrent use.
type measurer struct {
	dict  []byte
	offer []byte // the offer code answers are bound to

	mu       sync.Mutex
	byteVers map[[2]int]int
}

func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func brotliBytes(b []byte) []byte {
	var out bytes.Buffer
	w := brotli.NewWriterOptions(&out, brotli.WriterOptions{Quality: 11})
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func deflateDict(b, dict []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriterDict(&out, flate.BestCompression, dict)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// signalJSON is the JSON pion's examples exchange (webrtc.SessionDescription).
type signalJSON struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

// signalForms returns pion's examples' signal encodings of a description:
// base64(JSON) and base64(gzip(JSON)), as their signal.Encode does it.
func signalForms(typ, sdp string) (plain, zipped string) {
	j, _ := json.Marshal(signalJSON{Type: typ, SDP: sdp})
	return base64.StdEncoding.EncodeToString(j), base64.StdEncoding.EncodeToString(gzipBytes(j))
}

// byteVersion returns the QR version holding n bytes in byte mode at level
// (index 0 for L, 1 for M), 0 if none does.
func (m *measurer) byteVersion(n, level int) int {
	m.mu.Lock()
	v, ok := m.byteVers[[2]int{n, level}]
	m.mu.Unlock()
	if ok {
		return v
	}
	lv := qrsize.L
	if level == 1 {
		lv = qrsize.M
	}
	// Lower-case letters are outside the alphanumeric set: the QR encoder
	// uses a single byte-mode segment for them.
	v = qrsize.Version(strings.Repeat("a", n), lv)
	m.mu.Lock()
	m.byteVers[[2]int{n, level}] = v
	m.mu.Unlock()
	return v
}

// measure encodes in in every form. Inputs the codec rejects fail.
func (m *measurer) measure(in input) (measurement, error) {
	r := measurement{input: in}
	typ, err := codec.ParseType(in.typ)
	if err != nil {
		return r, err
	}
	var offer []byte
	if typ == codec.Answer {
		offer = m.offer
	}
	code, err := codec.Encode(codec.Description{Type: typ, SDP: in.sdp}, offer, nil)
	if err != nil {
		return r, fmt.Errorf("bench: %s: %w", in.name, err)
	}
	r.residual, r.av = isResidual(code), isAV(code)
	raw := []byte(in.sdp)
	plain, zipped := signalForms(in.typ, in.sdp)
	r.size[encRaw] = len(raw)
	r.size[encGzip] = len(gzipBytes(raw))
	r.size[encBrotli] = len(brotliBytes(raw))
	r.size[encDict] = -1
	if !in.train {
		r.size[encDict] = len(deflateDict(raw, m.dict))
	}
	r.size[encJSON] = len(plain)
	r.size[encJSONGzip] = len(zipped)
	r.size[encBin] = len(code)
	qr := codec.FormatText(code, codec.FormQR)
	link := codec.FormatText(code, codec.FormLink)
	r.size[encQR] = len(qr)
	r.size[encLink] = len(link)
	for e := range numEnc {
		switch {
		case r.size[e] < 0:
			r.qrL[e], r.qrM[e] = -1, -1
		case encText[e]:
			text := qr
			if e == encLink {
				text = link
			}
			r.qrL[e], r.qrM[e] = qrsize.Version(text, qrsize.L), qrsize.Version(text, qrsize.M)
		default:
			r.qrL[e], r.qrM[e] = m.byteVersion(r.size[e], 0), m.byteVersion(r.size[e], 1)
		}
	}
	return r, nil
}

// headResidual is the head bit of the residual form (SPEC.md §4.1): a
// code's first item is its head, an unsigned integer below 24, so its first
// byte is the head itself.
const headResidual = 0x10

// isResidual tells a residual code (the lossless form, SDP text compressed
// with the format's preset dictionary) from a compact one.
func isResidual(code []byte) bool {
	return len(code) > 0 && (code[0] == headResidual || code[0] == headResidual+1)
}

// isAV tells a code of the compact audio/video form (heads 18 and 19).
func isAV(code []byte) bool {
	return len(code) > 0 && (code[0] == 18 || code[0] == 19)
}
