package codec

import (
	"strconv"
	"strings"
)

// What the markers 0x02 and 0x03 of a part's m=, c= and a=rtcp lines stand
// for (AVFORM §14.4): the part's transport candidate (which the line 0x14
// marks when it is not the part's first), the dummy port and address of an
// mDNS one, or the placeholders of a bundle-only part.

// placeholderBundleOnly is what the markers 0x02 and 0x03 stand for in a
// bundle-only part (one that holds the line `a=bundle-only` and no
// candidate of its own), as a candidate: port 0 and address 0.0.0.0 (RFC
// 8843 §7.1.2, RFC 8829 §5.2.1).
var placeholderBundleOnly = candidate{addr: "0.0.0.0", port: 0}

// isBundleOnly reports whether a section's lines sec hold `a=bundle-only`.
func isBundleOnly(sec []sdpLine) bool {
	for _, l := range sec {
		if l.text == "a=bundle-only" {
			return true
		}
	}
	return false
}

// isTransportPort reports whether the port text of an m= line stands for
// the transport candidate fc (marker 0x02): its port, or 9 when its
// address is an mDNS name, which a stack does not reveal in the m= and c=
// lines (it writes the dummy 9 and 0.0.0.0 there, as RFC 8840 does for no
// candidate).
func isTransportPort(port string, fc *candidate) bool {
	if fc.kind == addrMDNS {
		return port == "9"
	}
	var buf [5]byte
	return port == string(strconv.AppendUint(buf[:0], uint64(fc.port), 10))
}

// isTransportAddr reports whether the address text of a media c= line
// stands for the transport candidate fc (marker 0x03): its address, or
// 0.0.0.0 when that is an mDNS name (isTransportPort). (An a=rtcp line's
// address stands for it when it is its address, a name or not.)
func isTransportAddr(addr string, fc *candidate) bool {
	if fc.kind == addrMDNS {
		return addr == "0.0.0.0"
	}
	return addr == fc.addr
}

// isCandidateMarker reports whether a skeleton line is a whole candidate
// line: 0x01, or 0x14 for a section's transport candidate that is not its
// first kept one.
func isCandidateMarker(l string) bool {
	return len(l) == 1 && (l[0] == mkCandidate || l[0] == mkTransport)
}

// transportIndex returns which of a section's kept candidates cands (at
// least one) is its transport candidate (AVFORM §2): the first, unless
// another writes the port of its m= line (isTransportPort) and the address
// of its c= line (isTransportAddr; any address when the section has no c=
// line) and the first does not write both; then the first such. A stack
// writes there its default candidate, which is not the first it lists when
// it has a server-reflexive or relayed one (often with the port of a host
// candidate).
func transportIndex(sec []sdpLine, cands []candidate) int {
	port := fieldText(sec[0].value(), 1)
	addr, hasC := "", false
	for k := range sec {
		if sec[k].typ == 'c' {
			addr, hasC = fieldText(sec[k].value(), 2), true
			break
		}
	}
	writes := func(c *candidate) bool {
		return isTransportPort(port, c) && (!hasC || isTransportAddr(addr, c))
	}
	for k := range cands {
		if writes(&cands[k]) {
			return k
		}
	}
	return 0
}

// fieldText returns field k (from 0) of a line's value v, its fields
// separated by single spaces, up to its first '/': an m= line's port, a c=
// line's address ("" when there is no such field).
func fieldText(v string, k int) string {
	for ; k > 0; k-- {
		_, v, _ = strings.Cut(v, " ")
	}
	f, _, _ := strings.Cut(v, " ")
	f, _, _ = strings.Cut(f, "/")
	return f
}
