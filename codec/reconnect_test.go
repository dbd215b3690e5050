package codec_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/peer-sdp/peer/codec"
)

const knownPeer = -1 // IDENTITY.md's key; any key works the same

// sdpDigest returns the sha-256 fingerprint of an SDP as bytes.
func sdpDigest(t *testing.T, sdp string) [32]byte {
	t.Helper()
	m := regexp.MustCompile(`a=fingerprint:sha-256 ([0-9A-Fa-f:]+)`).FindStringSubmatch(sdp)
	b, err := hex.DecodeString(strings.ReplaceAll(m[1], ":", ""))
	if err != nil || len(b) != 32 {
		t.Fatalf("fingerprint %q: %v", m[1], err)
	}
	return [32]byte(b)
}

// TestDetachDigest: the digest that ends a compact code's body comes out,
// the code carries the mark under the key instead (so that a decoder that
// does not know the key refuses it as unsupported), and AttachDigest
// gives the code back byte for byte.
func TestDetachDigest(t *testing.T) {
	offer := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	answer := mustEncode(codec.Description{Type: codec.Answer, SDP: chromeAnswer}, offer)
	for name, c := range map[string]struct {
		full []byte
		sdp  string
	}{"offer": {offer, chromeOffer}, "answer": {answer, chromeAnswer}} {
		mark := []byte{1, 2, 3, 4}
		code, digest, ok := codec.DetachDigest(c.full, knownPeer, mark)
		if !ok {
			t.Fatalf("%s: no digest to detach", name)
		}
		if digest != sdpDigest(t, c.sdp) {
			t.Errorf("%s: detached %x, not the SDP's fingerprint", name, digest)
		}
		if want := len(c.full) - 32 + 1 + 1 + len(mark); len(code) != want && len(code) != want+1 {
			t.Errorf("%s: %d bytes without the digest, from %d", name, len(code), len(c.full))
		}
		if _, err := codec.Decode(code, nil); !errors.Is(err, codec.ErrUnsupported) {
			t.Errorf("%s: Decode of the detached code: %v, want unsupported", name, err)
		}
		if !codec.HasExtKey(code, knownPeer) || codec.HasExtKey(c.full, knownPeer) {
			t.Errorf("%s: HasExtKey wrong", name)
		}
		got, full, err := codec.AttachDigest(code, knownPeer, digest)
		if err != nil || !bytes.Equal(got, mark) || !bytes.Equal(full, c.full) {
			t.Fatalf("%s: AttachDigest = %x, %x, %v; want the mark and %x", name, got, full, err, c.full)
		}
		if _, _, ok := codec.DetachDigest(code, knownPeer, mark); ok {
			t.Errorf("%s: a digest detached twice", name)
		}
	}
}

// TestDetachDigestRefused: codes whose body does not end with one digest,
// or that are not canonical, have no detached form.
func TestDetachDigestRefused(t *testing.T) {
	offer := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	body := bytes.Repeat([]byte{7}, 40)
	enc := func(items ...any) []byte {
		var b []byte
		for _, it := range items {
			x, err := cbor.Marshal(it)
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, x...)
		}
		return b
	}
	for name, code := range map[string][]byte{
		"fingerprints in ext key 1":  enc(0, body, map[int]any{1: []any{}}),
		"key already there":          enc(0, body, map[int]any{knownPeer: []byte{1}}),
		"residual form":              enc(16, body),
		"head in two bytes":          append([]byte{0x18, offer[0]}, offer[1:]...),
		"trailing byte":              append(slices.Clone(offer), 0),
		"body shorter than a digest": enc(0, body[:31]),
	} {
		if _, _, ok := codec.DetachDigest(code, knownPeer, []byte{1}); ok {
			t.Errorf("%s: %x has a detached form", name, code)
		}
	}
}

// TestAttachDigestStrict: a detached code is read strictly, so that it is
// the one encoding of its full code: anything else is malformed, while
// HasExtKey still recognises the key.
func TestAttachDigestStrict(t *testing.T) {
	offer := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	code, _, ok := codec.DetachDigest(offer, knownPeer, []byte{1, 2, 3, 4})
	if !ok {
		t.Fatal("no detached form")
	}
	var head uint64
	var body []byte
	rest, err := cbor.UnmarshalFirst(code, &head)
	if err == nil {
		_, err = cbor.UnmarshalFirst(rest, &body)
	}
	if err != nil {
		t.Fatal(err)
	}
	withExt := func(ext map[int]cbor.RawMessage) []byte {
		em, _ := cbor.CoreDetEncOptions().EncMode()
		b, _ := em.Marshal(head)
		c, _ := em.Marshal(body)
		m, _ := em.Marshal(ext)
		return slices.Concat(b, c, m)
	}
	mark := cbor.RawMessage{0x44, 1, 2, 3, 4}
	if !bytes.Equal(withExt(map[int]cbor.RawMessage{knownPeer: mark}), code) {
		t.Fatal("the test's encoding differs from the code")
	}
	core := code[:len(code)-2-len(mark)] // head and body
	for name, bad := range map[string][]byte{
		"head in two bytes": append([]byte{0x18, code[0]}, code[1:]...),
		"mark as text":      withExt(map[int]cbor.RawMessage{knownPeer: {0x64, 'a', 'b', 'c', 'd'}}),
		"mark null":         withExt(map[int]cbor.RawMessage{knownPeer: {0xf6}}),
		"ext key 1":         withExt(map[int]cbor.RawMessage{1: {0x80}, knownPeer: mark}),
		"mark in long form": withExt(map[int]cbor.RawMessage{knownPeer: {0x58, 4, 1, 2, 3, 4}}),
		"keys out of order": slices.Concat(core, []byte{0xa2, 0x20}, mark, []byte{0x09, 0x00}),
		"map in long form":  slices.Concat(core, []byte{0xb8, 1, 0x20}, mark),
	} {
		if _, _, err := codec.AttachDigest(bad, knownPeer, [32]byte{}); !errors.Is(err, codec.ErrMalformed) {
			t.Errorf("%s: AttachDigest(%x) = %v, want malformed", name, bad, err)
		}
		if !codec.HasExtKey(bad, knownPeer) {
			t.Errorf("%s: HasExtKey false", name)
		}
	}
	for name, bad := range map[string][]byte{
		"trailing byte": append(slices.Clone(code), 0),
		"no key":        withExt(map[int]cbor.RawMessage{9: {0}}),
		"empty map":     withExt(map[int]cbor.RawMessage{}),
	} {
		if _, _, err := codec.AttachDigest(bad, knownPeer, [32]byte{}); !errors.Is(err, codec.ErrMalformed) {
			t.Errorf("%s: AttachDigest(%x) = %v, want malformed", name, bad, err)
		}
	}
}

// FuzzAttachDigest: any input either is refused or is the one detached
// form of the code AttachDigest rebuilds.
func FuzzAttachDigest(f *testing.F) {
	offer := mustEncode(codec.Description{Type: codec.Offer, SDP: chromeOffer}, nil)
	answer := mustEncode(codec.Description{Type: codec.Answer, SDP: chromeAnswer}, offer)
	for _, full := range [][]byte{offer, answer} {
		f.Add(full)
		if code, _, ok := codec.DetachDigest(full, knownPeer, []byte{1, 2, 3, 4}); ok {
			f.Add(code)
		}
	}
	digest := [32]byte{0xfe, 0xed}
	f.Fuzz(func(t *testing.T, b []byte) {
		has := codec.HasExtKey(b, knownPeer)
		mark, full, err := codec.AttachDigest(b, knownPeer, digest)
		if err != nil {
			if !errors.Is(err, codec.ErrMalformed) && codec.ClassName(err) == "" {
				t.Fatalf("AttachDigest(%x): %v, of no class", b, err)
			}
			return
		}
		if !has {
			t.Fatalf("AttachDigest reads %x, HasExtKey does not", b)
		}
		code, d, ok := codec.DetachDigest(full, knownPeer, mark)
		if !ok || d != digest || !bytes.Equal(code, b) {
			t.Fatalf("%x rebuilds %x, detached again %x (%v)", b, full, code, ok)
		}
	})
}
