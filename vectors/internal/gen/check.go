package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fxamacker/cbor/v2"
	"github.com/peer-sdp/peer/codec"
)

// Building and checking vectors with the reference codec.

func (p *policy) codec() codec.CandidatePolicy {
	if p == nil {
		return codec.CandidatePolicy{}
	}
	return codec.CandidatePolicy{
		MaxCandidates: p.MaxCandidates, DropTCPActive: p.DropTCPActive, DropTCP: p.DropTCP,
		KeepComponent2: p.KeepComponent2, DropIPv6: p.DropIPv6, DropMDNS: p.DropMDNS, DropPrivate: p.DropPrivate,
	}
}

func (l *limits) options(offer []byte) *codec.DecOptions {
	o := &codec.DecOptions{Offer: offer}
	if l != nil {
		o.MaxCodeBytes, o.MaxSDPBytes, o.MaxCandidates = l.MaxCodeBytes, l.MaxSDPBytes, l.MaxCandidates
	}
	return o
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// encode adds a positive vector: sdp encoded with pol (bound to offer when
// it is an answer). It returns the code, or nil after recording an error.
func (g *gen) encode(name, desc string, t codec.Type, sdp string, pol *policy, offer []byte) []byte {
	if g.err != nil {
		return nil
	}
	in := codec.Description{Type: t, SDP: sdp}
	p := pol.codec()
	bin, err := codec.Encode(in, offer, &codec.EncOptions{Policy: p})
	if err != nil {
		g.fail(name, "encode: %v", err)
		return nil
	}
	out, err := codec.Decode(bin, &codec.DecOptions{Offer: offer})
	if err != nil {
		g.fail(name, "decode: %v", err)
		return nil
	}
	if err := codec.Equivalent(in, out, &p); err != nil {
		g.fail(name, "not equivalent: %v", err)
		return nil
	}
	// residual_* and av_residual_* (descriptions the A/V form does not
	// take) are residual codes, every other av_* an A/V code.
	residualName := strings.HasPrefix(name, "residual_") || strings.HasPrefix(name, "av_residual_")
	if residual := bin[0] == 0x10 || bin[0] == 0x11; residual != residualName {
		g.fail(name, "residual form %v, but only residual_ and av_residual_ vectors use it", residual)
		return nil
	}
	if av := bin[0] == 0x12 || bin[0] == 0x13; av != (strings.HasPrefix(name, "av_") && !residualName) {
		g.fail(name, "A/V form %v, but only av_ vectors use it", av)
		return nil
	}
	// The decoded description encodes to the same code (every candidate it
	// has was kept once already).
	again, err := codec.Encode(out, offer, &codec.EncOptions{Policy: codec.CandidatePolicy{KeepComponent2: true}})
	if err != nil || !bytes.Equal(again, bin) {
		g.fail(name, "Encode(Decode(bin)) = %x, %v; want bin", again, err)
		return nil
	}
	g.add(name, vector{
		Description: desc, Type: t.String(), SDP: sdp, Policy: pol, OfferBin: hexOf(offer), Bin: hexOf(bin),
		QR: codec.FormatText(bin, codec.FormQR), Link: codec.FormatText(bin, codec.FormLink),
		DecodedSDP: out.SDP, Expect: "success",
	})
	return bin
}

// decodeOK adds a positive decode-only vector for a code built by hand.
func (g *gen) decodeOK(name, desc string, bin, offer []byte) {
	if g.err != nil {
		return
	}
	out, err := codec.Decode(bin, &codec.DecOptions{Offer: offer})
	if err != nil {
		g.fail(name, "decode: %v", err)
		return
	}
	g.add(name, vector{
		Description: desc, Type: out.Type.String(), OfferBin: hexOf(offer), Bin: hexOf(bin),
		QR: codec.FormatText(bin, codec.FormQR), Link: codec.FormatText(bin, codec.FormLink),
		DecodedSDP: out.SDP, Expect: "success",
	})
}

// checkClass records an error unless err belongs to class.
func (g *gen) checkClass(name string, err error, class string) bool {
	if codec.ClassByName(class) == nil {
		g.fail(name, "unknown class %q", class)
		return false
	}
	if got := codec.ClassName(err); got != class || !errors.Is(err, codec.ClassByName(class)) {
		g.fail(name, "want class %s, got %q (%v)", class, got, err)
		return false
	}
	if *verbose {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	}
	return true
}

// encodeFail adds a negative encoder vector.
func (g *gen) encodeFail(name, desc string, t codec.Type, sdp string, offer []byte, class string) {
	if g.err != nil {
		return
	}
	_, err := codec.Encode(codec.Description{Type: t, SDP: sdp}, offer, nil)
	if g.checkClass(name, err, class) {
		g.add(name, vector{Description: desc, Type: t.String(), SDP: sdp, OfferBin: hexOf(offer), Expect: class})
	}
}

// decodeFail adds a negative decoder vector; typ is informative ("" when
// the code claims no type).
func (g *gen) decodeFail(name, desc, typ string, bin, offer []byte, lim *limits, class string) {
	if g.err != nil {
		return
	}
	_, err := codec.Decode(bin, lim.options(offer))
	if g.checkClass(name, err, class) {
		g.add(name, vector{Description: desc, Type: typ, OfferBin: hexOf(offer), Bin: hexOf(bin), Limits: lim, Expect: class})
	}
}

// textFail adds a negative vector for a text form: ParseText, then Decode.
func (g *gen) textFail(name, desc, text, class string) {
	if g.err != nil {
		return
	}
	bin, err := codec.ParseText(text)
	if err == nil {
		_, err = codec.Decode(bin, nil)
	}
	if g.checkClass(name, err, class) {
		g.add(name, vector{Description: desc, Text: text, Expect: class})
	}
}

// CBOR surgery for hand-built codes: the generator writes the documented
// layout (SPEC.md §4) directly.

// head appends a CBOR head in its shortest form.
func head(dst []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(dst, m|byte(n))
	case n <= 0xff:
		return append(dst, m|24, byte(n))
	case n <= 0xffff:
		return append(dst, m|25, byte(n>>8), byte(n))
	}
	return append(dst, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func bstr(b []byte) []byte { return append(head(nil, 2, uint64(len(b))), b...) }

// items splits a code into its top-level CBOR items. An A/V code without
// inserted lines has no text item: items gives it as the empty byte string
// (item 6), which avJoin leaves out again.
func items(code []byte) [][]byte {
	var out [][]byte
	for rest := code; len(rest) > 0; {
		var raw cbor.RawMessage
		next, err := cbor.UnmarshalFirst(rest, &raw)
		if err != nil {
			panic(err)
		}
		out = append(out, raw)
		rest = next
	}
	if isAVCode(code) && (len(out) == 6 || len(out) == 7 && out[6][0]>>5 == 5) {
		out = slices.Insert(out, 6, []byte{0x40})
	}
	return out
}

// isAVCode reports whether code's head is 18 or 19 (the A/V form).
func isAVCode(code []byte) bool { return len(code) > 0 && (code[0] == 18 || code[0] == 19) }

// avJoin joins the items of an A/V code, leaving out an empty text item
// (item 6), which an encoder does not write.
func avJoin(parts ...[]byte) []byte {
	if len(parts) > 6 && bytes.Equal(parts[6], []byte{0x40}) {
		parts = append(parts[:6:6], parts[7:]...)
	}
	return join(parts...)
}

// content returns the content of a byte-string item.
func content(item []byte) []byte {
	var b []byte
	if err := cbor.Unmarshal(item, &b); err != nil {
		panic(err)
	}
	return b
}

func join(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// readBatch reads a description of testdata/av: file (without .sdp) of batch.
func readBatch(batch, file string) (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "av", batch, file+".sdp"))
	return string(b), err
}

// batchReader returns a reader of batch's descriptions (file without
// .sdp) that records a failure of vector name when one cannot be read.
func (g *gen) batchReader(batch, name string) func(file string) string {
	return func(file string) string {
		s, err := readBatch(batch, file)
		if err != nil {
			g.fail(name, "%v", err)
		}
		return s
	}
}
