package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// terminalText makes text that came from a peer safe to print on a
// terminal: printable characters (unicode.IsPrint: letters, marks,
// numbers, punctuation, symbols and the ASCII space) pass unchanged; every
// other character is written as a visible escape, so that no control
// sequence reaches the terminal: \t \n \r, \xNN for other ASCII controls,
// DEL and bytes that are not UTF-8, \uNNNN or \UNNNNNNNN for other
// characters (C1 controls, bidi overrides and isolates, zero-width and
// other format characters, unassigned ones). A backslash is doubled, so the
// escapes are unambiguous. It never yields a line break: a peer cannot
// start a line of its own, erase its name or set the window title.
func terminalText(b []byte) string {
	var out strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&out, `\x%02x`, b[0])
		case r == '\\':
			out.WriteString(`\\`)
		case unicode.IsPrint(r):
			out.WriteRune(r)
		case r == '\t':
			out.WriteString(`\t`)
		case r == '\n':
			out.WriteString(`\n`)
		case r == '\r':
			out.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&out, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			fmt.Fprintf(&out, `\U%08x`, r)
		}
		b = b[n:]
	}
	return out.String()
}
