package codec

import (
	"bytes"
	"errors"
	"testing"
)

// A known ext value is read on its own, in wire order, and must have its
// type (SPEC.md §4.6, §7 step 6): a null among the lines of key 6 is not a
// text, so the code is malformed at that key, before the nine fingerprints
// of the key 1 that follows it (limit) are read. The map is unsorted, a
// fault reported only at step 8.
func TestExtValueTypeInWireOrder(t *testing.T) {
	creds := append([]byte{lengthCode(4, 24)}, appendPacked(nil, "abcd", false)...)
	creds = append(creds, appendPacked(nil, "0123456789abcdefghijklmn", false)...)
	code := appendBytes([]byte{0x00}, append(creds, bytes.Repeat([]byte{0xab}, 32)...))
	nine := appendHead(nil, majArray, 9)
	for range 9 {
		nine = appendBytes(appendInt(appendHead(nine, majArray, 2), 0), make([]byte, 32))
	}
	for name, tc := range map[string]struct {
		ext  []byte
		want error
	}{
		"null line":              {[]byte{0xa1, 0x06, 0x81, 0xf6}, ErrMalformed},
		"null line, then key 1":  {append([]byte{0xa2, 0x06, 0x81, 0xf6, 0x01}, nine...), ErrMalformed},
		"text line, then key 1":  {append([]byte{0xa2, 0x06, 0x81, 0x63, 'a', '=', 'x', 0x01}, nine...), ErrLimit},
		"bytes as mid":           {[]byte{0xa1, 0x03, 0x41, 'x'}, ErrMalformed},
		"negative sctp-port":     {[]byte{0xa1, 0x04, 0x20}, ErrMalformed},
		"digest as text":         {[]byte{0xa1, 0x01, 0x81, 0x82, 0x00, 0x61, 'x'}, ErrMalformed},
		"fingerprint not a pair": {[]byte{0xa1, 0x01, 0x81, 0x81, 0x00}, ErrMalformed},
	} {
		_, err := Decode(append(bytes.Clone(code), tc.ext...), nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
