package codec

import (
	"errors"
	"net/netip"
	"strings"
)

// Candidate lines and addresses: the grammar of a=candidate (SPEC.md §3.3
// rule 9) and the kinds of address of §3.2 (IPv4, IPv6, mDNS names, names).

// parseCandidate parses the value of a=candidate (RFC 8839 §5.1). keep is
// false for candidates that cannot carry traffic (SPEC.md §3.4 rule 1); ok
// is false when the line does not follow the grammar.
func parseCandidate(v string) (c candidate, keep, ok bool) {
	var fb [24]string
	f := fields(v, fb[:0])
	if len(f) < 8 || f[6] != "typ" || len(f)%2 != 0 {
		return c, false, false
	}
	if !isICEString(f[0]) || len(f[0]) > 32 {
		return c, false, false
	}
	comp, ok1 := parseDecimal(f[1], 256)
	_, ok2 := parseDecimal(f[3], 1<<32-1)
	port, ok3 := parseDecimal(f[5], 65535)
	if !ok1 || !ok2 || !ok3 || comp == 0 {
		return c, false, false
	}
	keep = true
	switch strings.ToLower(f[7]) {
	case "host":
		c.typ = candHost
	case "srflx":
		c.typ = candSrflx
	case "prflx":
		c.typ = candPrflx
	case "relay":
		c.typ = candRelay
	default:
		keep = false
	}
	tcptype := ""
	for i := 8; i+1 < len(f); i += 2 {
		if strings.ToLower(f[i]) == "tcptype" {
			tcptype = strings.ToLower(f[i+1]) // ABNF literals: case-insensitive
		}
	}
	switch strings.ToLower(f[2]) {
	case "udp":
		c.transport = transUDP
	case "tcp":
		switch tcptype {
		case "active":
			c.transport = transTCPActive
		case "passive":
			c.transport = transTCPPassive
		case "so":
			c.transport = transTCPSO
		default:
			keep = false
		}
	default:
		keep = false // ssltcp and other transports cannot reach a browser or pion
	}
	if port == 0 && c.transport != transTCPActive {
		keep = false
	}
	if comp > 16 {
		keep = false
	}
	c.component = uint8(comp)
	c.port = uint16(port)
	c.kind, c.addr, c.raw, ok = classifyAddress(f[4])
	if !ok {
		return c, false, false
	}
	return c, keep, true
}

// classifyAddress returns the kind, canonical text and wire bytes of a
// candidate's connection-address.
func classifyAddress(s string) (kind uint8, canon string, raw [16]byte, ok bool) {
	if v4, ok := parseIPv4(s); ok {
		copy(raw[:], v4[:])
		return addrIPv4, s, raw, true
	}
	// netip.ParseAddr is not tried where it would fail (making an error
	// value): on an mDNS name or another name.
	if a, err := parseIPAddr(s); err == nil && a.Zone() == "" {
		// The canonical text is s itself when s is canonical: compared in
		// a stack buffer, a string is made only when it differs.
		var buf [64]byte
		canon := s
		if t := a.AppendTo(buf[:0]); string(t) != s {
			canon = string(t)
		}
		if a.Is4() {
			b := a.As4()
			copy(raw[:], b[:])
			return addrIPv4, canon, raw, true
		}
		return addrIPv6, canon, a.As16(), true
	}
	if isMDNSName(s) {
		return addrMDNS, s, mdnsBytes(s), true
	}
	if len(s) > 255 || !isCandidateName(s) {
		return 0, "", raw, false
	}
	return addrName, s, raw, true
}

// parseIPv4 parses a dotted-quad IPv4 address as netip.ParseAddr accepts
// it: four decimals of 1 to 3 digits, each at most 255, without leading
// zeros, which is also its canonical text. ok false leaves s to
// netip.ParseAddr (an IPv6 address, a name, or no address).
func parseIPv4(s string) (ip [4]byte, ok bool) {
	field, v, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits == 1 && v == 0 {
				return ip, false // a leading zero
			}
			v, digits = v*10+int(c-'0'), digits+1
			if v > 255 {
				return ip, false
			}
		case c == '.' && digits > 0 && field < 3:
			ip[field] = byte(v)
			field, v, digits = field+1, 0, 0
		default:
			return ip, false
		}
	}
	if field != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(v)
	return ip, true
}

// errNotIP is parseIPAddr's error for a text that netip.ParseAddr would
// reject without trying it.
var errNotIP = errors.New("not an IP address")

// parseIPAddr is netip.ParseAddr, which parses a text without ':' as
// IPv4: one with a byte other than a digit and '.' is rejected at once.
func parseIPAddr(s string) (netip.Addr, error) {
	if strings.IndexByte(s, ':') < 0 {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c != '.' && (c < '0' || c > '9') {
				return netip.Addr{}, errNotIP
			}
		}
	}
	return netip.ParseAddr(s)
}

// isMDNSName reports whether s is "<uuid>.local" with the UUID in lower-case
// 8-4-4-4-12 hex form.
func isMDNSName(s string) bool {
	return len(s) == 36+6 && strings.HasSuffix(s, ".local") && isUUIDText(s[:36])
}

// isUUIDText reports whether s, of 36 bytes, is a UUID in lower-case
// 8-4-4-4-12 hex form.
func isUUIDText(s string) bool {
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// unhex returns the value of a hex digit of either case.
func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// mdnsBytes returns the 16 bytes of the UUID in an mDNS name.
func mdnsBytes(s string) (b [16]byte) {
	k := 0
	for i := 0; i+1 < 36; {
		if s[i] == '-' {
			i++
			continue
		}
		hi, _ := unhex(s[i])
		lo, _ := unhex(s[i+1])
		b[k] = hi<<4 | lo
		k++
		i += 2
	}
	return b
}

// mdnsName formats 16 bytes as "<uuid>.local".
func mdnsName(b []byte) string {
	var buf [36 + 6]byte
	return string(append(appendUUID(buf[:0], b), ".local"...))
}

// appendUUID appends 16 bytes as a lower-case UUID 8-4-4-4-12.
func appendUUID(dst, b []byte) []byte {
	for i, c := range b[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}
