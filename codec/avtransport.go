package codec

import "strconv"

// What the markers 0x02 and 0x03 of a part's m=, c= and a=rtcp lines stand
// for (AVFORM §14.4): the part's transport candidate, the dummy port and
// address of an mDNS one, or the placeholders of a bundle-only part.

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
