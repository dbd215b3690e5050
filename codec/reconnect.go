package codec

import (
	"bytes"
	"crypto/sha256"
	"slices"
)

// A compact code without its certificate digest. The body of a compact
// code (SPEC.md §4.2) ends with the SHA-256 digest of the author's DTLS
// certificate unless ext key 1 lists the fingerprints. A recipient that
// remembers that digest can do without it: IDENTITY.md §4's reconnect
// codes leave it out and say so under a must-understand ext key (SPEC.md
// §10; −1 in Appendix B.2), so that a decoder that does not know the key
// refuses the code instead of misreading the body. DetachDigest and
// AttachDigest are that transform and its inverse; the caller chooses the
// key and the byte string it holds.

// DetachDigest returns full without the digest that ends its body, marked
// with the byte string mark under ext key key, and the digest. full must
// be a canonical compact code whose body ends with the digest (its ext has
// no key 1) and whose ext has no key key; ok is false for any other code.
// AttachDigest(code, key, digest) gives full back.
func DetachDigest(full []byte, key int64, mark []byte) (code []byte, digest [sha256.Size]byte, ok bool) {
	c, err := readCompactItems(full)
	if err != nil || c.find(extFingerprints) >= 0 || c.find(key) >= 0 || len(c.body) < len(digest) {
		return nil, digest, false
	}
	cut := len(c.body) - len(digest)
	copy(digest[:], c.body[cut:])
	c.body = c.body[:cut]
	c.ext = append(c.ext, extPair{key: key, val: appendBytes(nil, mark)})
	return c.appendTo(nil), digest, true
}

// AttachDigest is DetachDigest's inverse: it returns the byte string
// under ext key key of code and the full code, whose body is code's with
// digest appended and whose ext lacks key (and is not written when nothing
// else is left). code is read strictly, so that DetachDigest gives it back
// byte for byte: every item canonical and of its type (the head of a
// compact code, a byte-string body, an ext map with key and without key
// 1, a byte string under key). Anything else is an error of class
// ErrMalformed.
func AttachDigest(code []byte, key int64, digest [sha256.Size]byte) (mark, full []byte, err error) {
	c, err := readCompactItems(code)
	if err != nil {
		return nil, nil, err
	}
	if c.find(extFingerprints) >= 0 {
		return nil, nil, errf(ErrMalformed, 0, "ext", "key %d with a detached digest", extFingerprints)
	}
	i := c.find(key)
	if i < 0 {
		return nil, nil, errf(ErrMalformed, 0, "ext", "no key %d", key)
	}
	major, _, hdr, _ := itemHeader(c.ext[i].val)
	if major != majBytes {
		return nil, nil, errf(ErrMalformed, c.ext[i].off, "ext", "key %d does not hold a byte string", key)
	}
	mark = bytes.Clone(c.ext[i].val[hdr:])
	c.ext = slices.Delete(c.ext, i, i+1)
	c.body = append(slices.Clip(c.body), digest[:]...)
	return mark, c.appendTo(nil), nil
}

// HasExtKey reports whether the last item of code is a map holding key,
// however code is encoded otherwise. A caller that marks codes with a key
// of its own tells by it that a code AttachDigest refuses is one of its
// own, malformed, rather than a code for Decode (which refuses a negative
// key it does not know as unsupported).
func HasExtKey(code []byte, key int64) bool {
	items, offs, _, err := splitSequence(code, 8)
	if err != nil || len(items) == 0 {
		return false
	}
	last := len(items) - 1
	pairs, err := readExtMap(items[last], offs[last])
	return err == nil && slices.ContainsFunc(pairs, func(p extPair) bool { return p.key == key })
}

// compactItems are the items of a compact code: head, body and the
// entries of the ext map.
type compactItems struct {
	head uint64
	body []byte
	ext  []extPair
}

// readCompactItems splits a compact code into its items, strictly: each
// item canonical and of its type, an empty ext map not written, and code
// exactly the encoding of its items (appendTo).
func readCompactItems(code []byte) (*compactItems, error) {
	items, offs, nonCanon, err := splitSequence(code, 3)
	if err != nil {
		return nil, err
	}
	if len(items) < 2 {
		return nil, errf(ErrMalformed, len(code), "", "truncated: %d of 2 items", len(items))
	}
	major, head, _, _ := itemHeader(items[0])
	if major != majUint || head >= headResidual {
		return nil, errf(ErrMalformed, 0, "head", "not the head of a compact code")
	}
	c := &compactItems{head: head}
	if c.body, err = bytesItem(items[1], offs[1], "body"); err != nil {
		return nil, err
	}
	if len(items) == 3 {
		if c.ext, err = readExtMap(items[2], offs[2]); err != nil {
			return nil, err
		}
	}
	if nonCanon || !bytes.Equal(c.appendTo(nil), code) {
		return nil, errf(ErrMalformed, 0, "", "not in canonical form")
	}
	return c, nil
}

// find returns the index of ext key key, or -1.
func (c *compactItems) find(key int64) int {
	return slices.IndexFunc(c.ext, func(p extPair) bool { return p.key == key })
}

// appendTo appends the canonical encoding of c: the ext map, when not
// empty, with its keys in the order of their encodings (SPEC.md §4).
func (c *compactItems) appendTo(dst []byte) []byte {
	dst = appendHead(dst, majUint, c.head)
	dst = appendBytes(dst, c.body)
	if len(c.ext) == 0 {
		return dst
	}
	slices.SortFunc(c.ext, func(a, b extPair) int {
		return bytes.Compare(appendInt(nil, a.key), appendInt(nil, b.key))
	})
	dst = appendHead(dst, majMap, uint64(len(c.ext)))
	for _, p := range c.ext {
		dst = append(appendInt(dst, p.key), p.val...)
	}
	return dst
}
