package codec

import (
	"bytes"
	"unicode/utf8"
)

// The format's CBOR, all of it (SPEC.md §4.1, §7 steps 3 and 5): the
// deterministic writer, the head reader, the splitting of a code into its
// items, and the structural check of the items other than the head and
// byte strings (well-formedness, the format's subset of CBOR, size limits,
// deterministic encoding).

// CBOR major types.
const (
	majUint  = 0
	majNint  = 1
	majBytes = 2
	majText  = 3
	majArray = 4
	majMap   = 5
)

func appendHead(dst []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(dst, m|byte(n))
	case n <= 0xff:
		return append(dst, m|24, byte(n))
	case n <= 0xffff:
		return append(dst, m|25, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return append(dst, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendBytes(dst, b []byte) []byte {
	return append(appendHead(dst, majBytes, uint64(len(b))), b...)
}

func appendText(dst []byte, s string) []byte {
	return append(appendHead(dst, majText, uint64(len(s))), s...)
}

func appendInt(dst []byte, k int64) []byte {
	if k < 0 {
		return appendHead(dst, majNint, uint64(-1-k))
	}
	return appendHead(dst, majUint, uint64(k))
}

const cborNull = 0xf6

// itemHeader reads the initial byte and argument of the CBOR item at the
// start of b. ok is false for a truncated header, an indefinite length or a
// reserved additional-information value.
func itemHeader(b []byte) (major byte, arg uint64, hdr int, ok bool) {
	if len(b) == 0 {
		return 0, 0, 0, false
	}
	major, ai := b[0]>>5, b[0]&0x1f
	switch {
	case ai < 24:
		return major, uint64(ai), 1, true
	case ai <= 27:
		n := 1 << (ai - 24)
		if len(b) < 1+n {
			return 0, 0, 0, false
		}
		for _, x := range b[1 : 1+n] {
			arg = arg<<8 | uint64(x)
		}
		return major, arg, 1 + n, true
	}
	return 0, 0, 0, false
}

// splitSequence splits a CBOR sequence into its items (at most max), as
// sub-slices of code. Unsigned integers and byte strings are read by their
// header; any other item is checked by checkItem (SPEC.md §7 step 3).
func splitSequence(code []byte, max int) (items [][]byte, offs []int, nonCanon bool, err error) {
	items = make([][]byte, 0, max)
	offs = make([]int, 0, max)
	rest := code
	for len(rest) > 0 {
		off := len(code) - len(rest)
		if len(items) == max {
			return nil, nil, false, errf(ErrMalformed, off, "", "more than %d items", max)
		}
		n := 0
		major, arg, hdr, ok := itemHeader(rest)
		switch {
		case ok && major == majUint:
			n = hdr
		case ok && major == majBytes && arg <= uint64(len(rest)-hdr):
			n = hdr + int(arg)
		case ok && major == majBytes:
			return nil, nil, false, errf(ErrMalformed, off, "", "truncated CBOR item")
		default:
			var nc bool
			n, nc, err = checkItem(rest, off)
			if err != nil {
				return nil, nil, false, err
			}
			nonCanon = nonCanon || nc
		}
		items = append(items, rest[:n:n])
		offs = append(offs, off)
		rest = rest[n:]
	}
	return items, offs, nonCanon, nil
}

func major(raw []byte) byte { return raw[0] >> 5 }

// The readers below take one item, exactly, that splitSequence or
// checkItem has checked.

// content returns the content of a byte-string or text-string item of
// major type want (a sub-slice); ok is false for an item of another type.
func content(raw []byte, want byte) (b []byte, ok bool) {
	major, _, hdr, ok := itemHeader(raw)
	if !ok || major != want {
		return nil, false
	}
	return raw[hdr:], true
}

// bytesItem returns the content of a byte-string item (a sub-slice).
func bytesItem(raw []byte, off int, field string) ([]byte, error) {
	b, ok := content(raw, majBytes)
	if !ok {
		return nil, errf(ErrMalformed, off, field, "want a byte string")
	}
	return b, nil
}

// textItem returns the text of a text-string item.
func textItem(raw []byte) (string, bool) {
	b, ok := content(raw, majText)
	return string(b), ok
}

// uintItem returns the value of an unsigned-integer item.
func uintItem(raw []byte) (uint64, bool) {
	major, n, _, ok := itemHeader(raw)
	return n, ok && major == majUint
}

// arrayItems returns the elements of an array item, as sub-slices; ok is
// false for an item of another type.
func arrayItems(raw []byte) (elems [][]byte, ok bool) {
	major, n, pos, ok := itemHeader(raw)
	if !ok || major != majArray || n > maxArrayItems {
		return nil, false
	}
	elems = make([][]byte, 0, n)
	for range n {
		l, _, err := checkItem(raw[pos:], 0)
		if err != nil {
			return nil, false
		}
		elems = append(elems, raw[pos:pos+l])
		pos += l
	}
	return elems, true
}

const (
	maxNesting    = 16
	maxArrayItems = 4096
	maxMapPairs   = 256
)

// cborChecker walks one item. Errors of the classes malformed and limit are
// returned at once; a deterministic-encoding fault only sets nonCanon, since
// SPEC.md §7 reports it after every structural check.
type cborChecker struct {
	b        []byte
	pos      int
	base     int // offset of b in the code
	nonCanon bool
}

func (c *cborChecker) fail(class error, format string, a ...any) error {
	return errf(class, c.base+c.pos, "", format, a...)
}

// head reads an item's initial byte and argument, noting a non-shortest
// argument.
func (c *cborChecker) head() (major, ai byte, arg uint64, err error) {
	major, arg, n, ok := itemHeader(c.b[c.pos:])
	if !ok {
		if c.pos < len(c.b) && c.b[c.pos]&0x1f >= 28 {
			return 0, 0, 0, c.fail(ErrMalformed, "indefinite length or reserved value")
		}
		return 0, 0, 0, c.fail(ErrMalformed, "truncated CBOR item")
	}
	ai = c.b[c.pos] & 0x1f
	switch {
	case ai == 24 && arg < 24, ai == 25 && arg <= 0xff, ai == 26 && arg <= 0xffff, ai == 27 && arg <= 0xffffffff:
		if major != 7 {
			c.nonCanon = true
		}
	}
	c.pos += n
	return major, ai, arg, nil
}

// item checks one item at nesting depth depth (the item itself counts when
// it is an array or a map) and returns the encoding of a map key when the
// item is used as one.
func (c *cborChecker) item(depth int) error {
	start := c.pos
	major, ai, arg, err := c.head()
	if err != nil {
		return err
	}
	switch major {
	case majUint, majNint:
	case majBytes, majText:
		if arg > uint64(len(c.b)-c.pos) {
			c.pos = start
			return c.fail(ErrMalformed, "truncated CBOR item")
		}
		s := c.b[c.pos : c.pos+int(arg)]
		if major == majText && !utf8.Valid(s) {
			return c.fail(ErrMalformed, "text string is not UTF-8")
		}
		c.pos += int(arg)
	case majArray, majMap:
		if depth+1 > maxNesting {
			c.pos = start
			return c.fail(ErrLimit, "CBOR nesting deeper than %d", maxNesting)
		}
		if major == majArray && arg > maxArrayItems || major == majMap && arg > maxMapPairs {
			c.pos = start
			return c.fail(ErrLimit, "CBOR array or map over its size limit")
		}
		var keys mapKeys
		for i := uint64(0); i < arg; i++ {
			k := c.pos
			if err := c.item(depth + 1); err != nil {
				return err
			}
			if major == majMap {
				dup, unsorted := keys.add(c.b[k:c.pos])
				if dup {
					c.pos = k
					return c.fail(ErrMalformed, "duplicate map key")
				}
				c.nonCanon = c.nonCanon || unsorted
				if err := c.item(depth + 1); err != nil {
					return err
				}
			}
		}
	case 6:
		c.pos = start
		return c.fail(ErrMalformed, "tagged CBOR item")
	default: // major 7
		if ai < 20 || ai > 22 {
			c.pos = start
			return c.fail(ErrMalformed, "only false, true and null are allowed among CBOR simple and floating-point values")
		}
	}
	return nil
}

// mapKeys are the key encodings of one map seen so far. While they come in
// ascending order a repeated key can only equal the previous one; from the
// first key out of order on they are looked up in a set. Either way a key
// costs constant time beyond reading it (SPEC.md §11: decoding is linear).
type mapKeys struct {
	keys [][]byte // sub-slices of the code
	set  map[string]struct{}
}

// add notes key and reports whether it repeats an earlier key and whether it
// is out of ascending order.
func (m *mapKeys) add(key []byte) (dup, unsorted bool) {
	n := len(m.keys)
	if n > 0 {
		unsorted = bytes.Compare(m.keys[n-1], key) > 0
	}
	if m.set == nil && unsorted {
		m.set = make(map[string]struct{}, 2*n)
		for _, k := range m.keys {
			m.set[string(k)] = struct{}{}
		}
	}
	if m.set != nil {
		if _, ok := m.set[string(key)]; ok {
			return true, false
		}
		m.set[string(key)] = struct{}{}
	} else if n > 0 && bytes.Equal(m.keys[n-1], key) {
		return true, false
	}
	m.keys = append(m.keys, key)
	return false, unsorted
}

// checkItem validates the item at the start of b (at offset base of the
// code) and returns its length.
func checkItem(b []byte, base int) (n int, nonCanon bool, err error) {
	c := &cborChecker{b: b, base: base}
	if err := c.item(0); err != nil {
		return 0, false, err
	}
	return c.pos, c.nonCanon, nil
}

// extPair is one entry of an extension map, in wire order.
type extPair struct {
	key int64
	val []byte // raw CBOR
	off int
}

// readExtMap splits a checked extension map into its pairs, in wire order.
// Keys must be integers that fit int64.
func readExtMap(raw []byte, base int) ([]extPair, error) {
	major, n, hdr, ok := itemHeader(raw)
	if !ok || major != majMap {
		return nil, errf(ErrMalformed, base, "ext", "want a map")
	}
	pos := hdr
	pairs := make([]extPair, 0, n)
	for i := uint64(0); i < n; i++ {
		kmaj, karg, kn, ok := itemHeader(raw[pos:])
		if !ok || kmaj != majUint && kmaj != majNint || karg > 1<<63-1 {
			return nil, errf(ErrMalformed, base+pos, "ext", "keys must be integers")
		}
		key := int64(karg)
		if kmaj == majNint {
			key = -1 - key
		}
		vstart := pos + kn
		vn, _, err := checkItem(raw[vstart:], base+vstart)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, extPair{key: key, val: raw[vstart : vstart+vn], off: base + pos})
		pos = vstart + vn
	}
	return pairs, nil
}
