package codec

import (
	"encoding/base32"
	"fmt"
	"strings"
)

// Form names a transport form of a code (SPEC.md §5).
type Form uint8

const (
	// FormQR is the form for QR codes scanned by an application: the prefix
	// "P:" followed by Base45 (RFC 9285), all in the QR alphanumeric set.
	FormQR Form = iota + 1
	// FormLink is the form for URL fragments: the prefix "P-" followed by
	// upper-case Base32 (RFC 4648 §6) without padding. It is also alphanumeric,
	// so a link whose base is upper-cased fits a small QR code.
	FormLink
	// FormBin is the raw binary code (a CBOR sequence).
	FormBin
)

// Text prefixes (SPEC.md §5).
const (
	PrefixQR   = "P:"
	PrefixLink = "P-"
)

// String returns the form's name: "qr", "link" or "bin".
func (f Form) String() string {
	switch f {
	case FormQR:
		return "qr"
	case FormLink:
		return "link"
	case FormBin:
		return "bin"
	}
	return "invalid"
}

// ParseForm returns the form named name ("qr", "link" or "bin").
func ParseForm(name string) (Form, error) {
	switch name {
	case "qr":
		return FormQR, nil
	case "link":
		return FormLink, nil
	case "bin":
		return FormBin, nil
	}
	return 0, fmt.Errorf("%w %q (want qr, link or bin)", ErrUnknownForm, name)
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// FormatText returns code in form f. FormBin returns the bytes unchanged as a
// string. An invalid form yields FormQR.
func FormatText(code []byte, f Form) string {
	switch f {
	case FormBin:
		return string(code)
	case FormLink:
		return PrefixLink + b32.EncodeToString(code)
	}
	return PrefixQR + base45Encode(code)
}

// Link returns the link to the page at base carrying code in its fragment
// (SPEC.md §5.3): base, with any fragment removed, then "#", then the link
// form.
func Link(base string, code []byte) string {
	if i := strings.IndexByte(base, '#'); i >= 0 {
		base = base[:i]
	}
	return base + "#" + FormatText(code, FormLink)
}

// ParseText returns the binary code carried by s, which may be any form: the
// qr or link form (white space around it is ignored), a whole link with the
// link or qr form in its fragment, or the binary form itself, recognised by
// a first byte of at most 0x18 before anything else (SPEC.md §5.4).
// Errors: ErrForeign when s is none of these; ErrMalformed when the text
// after a prefix is not valid Base45/Base32; ErrLimit when s is longer than
// DefaultMaxTextBytes.
func ParseText(s string) ([]byte, error) {
	return parseText(s, DefaultMaxTextBytes)
}

// ParseText is the package-level ParseText with this decoder's limit: a
// text longer than twice its code limit plus 4096 bytes is an ErrLimit
// error (SPEC.md §8).
func (d *Decoder) ParseText(s string) ([]byte, error) {
	return parseText(s, 2*d.maxCode+4096)
}

func parseText(s string, maxText int) ([]byte, error) {
	if len(s) > maxText {
		return nil, errf(ErrLimit, maxText, "text", "input of %d bytes is over the limit of %d", len(s), maxText)
	}
	// A binary code is recognised by its first byte before anything else
	// (SPEC.md §5.4 step 1): its bytes may contain white space or "#P-".
	if len(s) > 0 && s[0] <= maxHeadByte {
		return []byte(s), nil
	}
	t := strings.Trim(s, asciiSpace)
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		frag := t[i+1:]
		if strings.HasPrefix(frag, PrefixQR) || strings.HasPrefix(frag, PrefixLink) {
			t = frag
		}
	}
	switch {
	case strings.HasPrefix(t, PrefixQR):
		b, err := base45Decode(t[len(PrefixQR):])
		if err != nil {
			return nil, err
		}
		return b, nil
	case strings.HasPrefix(t, PrefixLink):
		body := t[len(PrefixLink):]
		b, err := b32.DecodeString(body)
		if err != nil || b32.EncodeToString(b) != body {
			return nil, errf(ErrMalformed, len(PrefixLink), "link", "not canonical upper-case Base32")
		}
		return b, nil
	}
	return nil, errf(ErrForeign, 0, "", "no %q or %q prefix and not a binary code", PrefixQR, PrefixLink)
}

// asciiSpace is the white space ParseText removes around a text form
// (SPEC.md §5.4): TAB, LF, VT, FF, CR and space.
const asciiSpace = "\t\n\v\f\r "

// maxHeadByte is the largest first byte of a binary code: the CBOR initial
// byte of an unsigned integer head (0x00..0x17 in one byte, 0x18 for heads
// 24..255 of later versions).
const maxHeadByte = 0x18

const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var base45Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base45Alphabet); i++ {
		t[base45Alphabet[i]] = int8(i)
	}
	return
}()

// base45Encode encodes b as RFC 9285 Base45.
func base45Encode(b []byte) string {
	out := make([]byte, 0, len(b)/2*3+2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[n/45%45], base45Alphabet[n/2025])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		out = append(out, base45Alphabet[n%45], base45Alphabet[n/45])
	}
	return string(out)
}

// base45Decode decodes RFC 9285 Base45, rejecting characters outside the
// alphabet, a length of 1 mod 3, and groups whose value overflows.
func base45Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errf(ErrMalformed, len(PrefixQR)+len(s), "qr", "Base45 text of length %d (1 mod 3) is truncated", len(s))
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		end := min(i+3, len(s))
		n, mul := 0, 1
		for j := i; j < end; j++ {
			v := base45Index[s[j]]
			if v < 0 {
				return nil, errf(ErrMalformed, len(PrefixQR)+j, "qr", "character %q is not in the Base45 alphabet", s[j])
			}
			n += int(v) * mul
			mul *= 45
		}
		if end-i == 3 {
			if n > 0xffff {
				return nil, errf(ErrMalformed, len(PrefixQR)+i, "qr", "Base45 group overflows")
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xff {
				return nil, errf(ErrMalformed, len(PrefixQR)+i, "qr", "Base45 group overflows")
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}
