package codec

import (
	"encoding/binary"
	"net/netip"
)

// Candidate records (SPEC.md §4.5).
//
// flags byte:   bits 7-6 type, 5-4 transport, 3-2 address, 1-0 port
//   transport:  0 udp, 1 tcp active, 2 tcp passive, 3 extended (a second byte follows)
//   address:    0 IPv4 (4 bytes), 1 IPv6 (16), 2 mDNS UUID (16), 3 reference (1 byte, + 1 for a run)
//   port:       0 explicit (2 bytes, big-endian), 1 same as the previous candidate,
//               2 previous + 1, 3 the discard port 9
// extended byte: bits 7-6 transport (0 udp, 1 tcp active, 2 tcp passive, 3 tcp so),
//   bit 5 name (address bits 0 and a 1-byte length + name follow), bit 4 zero,
//   bits 3-0 component - 1.

const (
	portExplicit = iota
	portSame
	portNext
	portDiscard
)

const (
	refRun     = 0x80 // a reference byte with this bit starts a run
	maxRefIdx  = 0x7f
	discardPrt = 9
)

// portMode returns the canonical port mode of candidate i.
func portMode(cands []candidate, i int) uint8 {
	p := cands[i].port
	switch {
	case p == discardPrt:
		return portDiscard
	case i > 0 && p == cands[i-1].port:
		return portSame
	case i > 0 && cands[i-1].port < 0xffff && p == cands[i-1].port+1:
		return portNext
	}
	return portExplicit
}

// addrKey identifies a candidate's address (SPEC.md §3.2: the same kind
// and canonical text).
type addrKey struct {
	kind uint8
	addr string
}

// firstWithAddr returns, for each candidate i, the smallest index j <= i of
// a candidate with the same address. It takes linear time: short lists are
// scanned, longer ones go through a map.
func firstWithAddr(cands []candidate, buf []int) []int {
	first := buf[:0]
	if len(cands) <= smallSet {
		for _, c := range cands {
			j := 0
			for cands[j].kind != c.kind || cands[j].addr != c.addr {
				j++
			}
			first = append(first, j)
		}
		return first
	}
	seen := make(map[addrKey]int, len(cands))
	for i, c := range cands {
		k := addrKey{c.kind, c.addr}
		j, ok := seen[k]
		if !ok {
			j = i
			seen[k] = i
		}
		first = append(first, j)
	}
	return first
}

// needsExtended reports whether candidate c's record needs the extended
// byte (SPEC.md §4.5 rule 3): tcp-so, a component other than 1, or a name
// written out (a reference to a name needs none).
func needsExtended(c candidate, ref int) bool {
	return c.transport == transTCPSO || c.component != 1 || c.kind == addrName && ref < 0
}

// appendCandidates appends the canonical record encoding of cands.
func appendCandidates(dst []byte, cands []candidate) []byte {
	var buf [smallSet]int
	first := firstWithAddr(cands, buf[:])
	for i := 0; i < len(cands); {
		c := cands[i]
		ref := first[i]
		if ref == i || ref > maxRefIdx {
			ref = -1
		}
		pm := portMode(cands, i)
		ext := needsExtended(c, ref)
		flags := c.typ<<6 | pm
		if ext {
			flags |= 3 << 4
		} else {
			flags |= c.transport << 4
		}
		if ref >= 0 {
			flags |= 3 << 2
			// A run: consecutive candidates of the same type, transport and
			// component, referring to consecutive earlier candidates, with
			// the same non-explicit port mode.
			n := 1
			if !ext && pm != portExplicit {
				for i+n < len(cands) && n < 255 && ref+n < i {
					d := cands[i+n]
					if d.typ != c.typ || d.transport != c.transport || d.component != c.component ||
						first[i+n] != ref+n || portMode(cands, i+n) != pm {
						break
					}
					n++
				}
			}
			dst = append(dst, flags)
			if n >= 2 {
				dst = append(dst, refRun|byte(ref), byte(n))
				i += n
				continue
			}
			if ext {
				dst = append(dst, extByte(c, false))
			}
			dst = append(dst, byte(ref))
		} else {
			switch c.kind {
			case addrIPv4:
				flags |= 0 << 2
			case addrIPv6:
				flags |= 1 << 2
			case addrMDNS:
				flags |= 2 << 2
			}
			dst = append(dst, flags)
			if ext {
				dst = append(dst, extByte(c, c.kind == addrName))
			}
			switch c.kind {
			case addrIPv4:
				dst = append(dst, c.raw[:4]...)
			case addrIPv6, addrMDNS:
				dst = append(dst, c.raw[:]...)
			case addrName:
				dst = append(dst, byte(len(c.addr)))
				dst = append(dst, c.addr...)
			}
		}
		if pm == portExplicit {
			dst = binary.BigEndian.AppendUint16(dst, c.port)
		}
		i++
	}
	return dst
}

func extByte(c candidate, name bool) byte {
	b := c.transport<<6 | (c.component - 1)
	if name {
		b |= 1 << 5
	}
	return b
}

// readCandidates decodes candidate records. base is the offset of b in the
// code, for error offsets. It checks structure only; canonical form is
// checked by re-encoding.
func readCandidates(b []byte, base, maxCands int) ([]candidate, error) {
	var cands []candidate
	off := 0
	need := func(n int) error {
		if off+n > len(b) {
			return errf(ErrMalformed, base+len(b), "candidates", "record truncated")
		}
		return nil
	}
	for off < len(b) {
		start := off
		flags := b[off]
		off++
		c := candidate{typ: flags >> 6, component: 1}
		trans := flags >> 4 & 3
		extended := trans == 3
		addrBits := flags >> 2 & 3
		pm := flags & 3
		name := false
		if trans == 3 {
			if err := need(1); err != nil {
				return nil, err
			}
			e := b[off]
			off++
			if e&0x10 != 0 {
				return nil, errf(ErrMalformed, base+off-1, "candidates", "reserved bit set in extended byte")
			}
			trans = e >> 6
			name = e&0x20 != 0
			c.component = e&0x0f + 1
			if name && addrBits != 0 {
				return nil, errf(ErrMalformed, base+start, "candidates", "name record with address bits set")
			}
		}
		c.transport = trans
		count := 1
		var refs []int
		switch {
		case name:
			if err := need(1); err != nil {
				return nil, err
			}
			n := int(b[off])
			off++
			if n == 0 {
				return nil, errf(ErrMalformed, base+off-1, "candidates", "empty name")
			}
			if err := need(n); err != nil {
				return nil, err
			}
			c.kind, c.addr = addrName, string(b[off:off+n])
			off += n
			if k, _, _, ok := classifyAddress(c.addr); !ok || k != addrName {
				return nil, errf(ErrMalformed, base+off-n, "candidates", "name %q is not a name the encoder would write", clip(c.addr))
			}
		case addrBits == 0:
			if err := need(4); err != nil {
				return nil, err
			}
			c.kind, c.addr = addrIPv4, netip.AddrFrom4([4]byte(b[off:off+4])).String()
			copy(c.raw[:], b[off:off+4])
			off += 4
		case addrBits == 1:
			if err := need(16); err != nil {
				return nil, err
			}
			c.raw = [16]byte(b[off : off+16])
			c.kind, c.addr = addrIPv6, netip.AddrFrom16(c.raw).String()
			off += 16
		case addrBits == 2:
			if err := need(16); err != nil {
				return nil, err
			}
			c.raw = [16]byte(b[off : off+16])
			c.kind, c.addr = addrMDNS, mdnsName(b[off:off+16])
			off += 16
		default:
			if err := need(1); err != nil {
				return nil, err
			}
			r := int(b[off])
			off++
			if r&refRun != 0 {
				if extended {
					return nil, errf(ErrMalformed, base+off-1, "candidates", "run in an extended record")
				}
				if err := need(1); err != nil {
					return nil, err
				}
				count = int(b[off])
				off++
				if count < 2 || pm == portExplicit {
					return nil, errf(ErrMalformed, base+off-1, "candidates", "run of %d with port mode %d", count, pm)
				}
				r &^= refRun
			}
			for k := 0; k < count; k++ {
				// Every referenced candidate precedes the record.
				if r+k >= len(cands) {
					return nil, errf(ErrMalformed, base+start, "candidates", "reference to candidate %d of %d", r+k, len(cands))
				}
				refs = append(refs, r+k)
			}
		}
		for k := 0; k < count; k++ {
			d := c
			if refs != nil {
				src := cands[refs[k]]
				d.kind, d.addr, d.raw = src.kind, src.addr, src.raw
			}
			switch pm {
			case portExplicit:
				if err := need(2); err != nil {
					return nil, err
				}
				d.port = binary.BigEndian.Uint16(b[off:])
				off += 2
			case portDiscard:
				d.port = discardPrt
			default:
				if len(cands) == 0 {
					return nil, errf(ErrMalformed, base+start, "candidates", "first candidate has a relative port")
				}
				prev := cands[len(cands)-1].port
				if pm == portNext {
					if prev == 0xffff {
						return nil, errf(ErrMalformed, base+start, "candidates", "port overflows")
					}
					prev++
				}
				d.port = prev
			}
			if d.port == 0 && d.transport != transTCPActive {
				return nil, errf(ErrMalformed, base+start, "candidates", "port 0")
			}
			if len(cands) >= maxCands {
				return nil, errf(ErrLimit, base+start, "candidates", "more than %d candidates", maxCands)
			}
			cands = append(cands, d)
		}
	}
	return cands, nil
}

// isCandidateName reports whether s can be a candidate's connection-address
// token: printable ASCII without spaces.
func isCandidateName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return s != ""
}
