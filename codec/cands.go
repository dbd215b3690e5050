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
	refRun      = 0x80 // a reference byte with this bit starts a run
	maxRefIdx   = 0x7f
	discardPort = 9
)

// portMode returns the canonical port mode of candidate i.
func portMode(cands []candidate, i int) uint8 {
	p := cands[i].port
	switch {
	case p == discardPort:
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
	r := &recReader{b: b, base: base, maxCands: maxCands}
	for r.off < len(b) {
		if err := r.record(); err != nil {
			return nil, err
		}
	}
	return r.cands, nil
}

// recReader reads candidate records (SPEC.md §4.5) from b, whose offset
// in the code is base; cands are the candidates read so far.
type recReader struct {
	b        []byte
	off      int
	base     int
	maxCands int
	cands    []candidate
}

func (r *recReader) malformed(at int, format string, a ...any) *Error {
	return errf(ErrMalformed, r.base+at, "candidates", format, a...)
}

// take returns the next n bytes, or a truncation error.
func (r *recReader) take(n int) ([]byte, error) {
	if r.off+n > len(r.b) {
		return nil, r.malformed(len(r.b), "record truncated")
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p, nil
}

// record reads one record: its flags, its extended byte, its address (or
// reference or run), and the port of each candidate it stands for.
func (r *recReader) record() error {
	start := r.off
	flags := r.b[r.off]
	r.off++
	c := candidate{typ: flags >> 6, component: 1, transport: flags >> 4 & 3}
	extended := c.transport == 3
	addrBits, pm := flags>>2&3, flags&3
	name := false
	if extended {
		e, err := r.take(1)
		if err != nil {
			return err
		}
		if e[0]&0x10 != 0 {
			return r.malformed(r.off-1, "reserved bit set in extended byte")
		}
		c.transport, name, c.component = e[0]>>6, e[0]&0x20 != 0, e[0]&0x0f+1
		if name && addrBits != 0 {
			return r.malformed(start, "name record with address bits set")
		}
	}
	refs, err := r.address(&c, addrBits, name, extended, pm, start)
	if err != nil {
		return err
	}
	if refs == nil {
		return r.emit(c, pm, start)
	}
	for _, k := range refs {
		d := c
		src := r.cands[k]
		d.kind, d.addr, d.raw = src.kind, src.addr, src.raw
		if err := r.emit(d, pm, start); err != nil {
			return err
		}
	}
	return nil
}

// address reads the record's address into c, or its reference or run:
// then it returns the indices of the candidates whose addresses the record's
// candidates take, in order.
func (r *recReader) address(c *candidate, addrBits byte, name, extended bool, pm byte, start int) ([]int, error) {
	var (
		p   []byte
		err error
	)
	switch {
	case name:
		if p, err = r.take(1); err != nil {
			return nil, err
		}
		n := int(p[0])
		if n == 0 {
			return nil, r.malformed(r.off-1, "empty name")
		}
		if p, err = r.take(n); err != nil {
			return nil, err
		}
		c.kind, c.addr = addrName, string(p)
		if k, _, _, ok := classifyAddress(c.addr); !ok || k != addrName {
			return nil, r.malformed(r.off-n, "name %q is not a name the encoder would write", clip(c.addr))
		}
	case addrBits == 0:
		if p, err = r.take(4); err != nil {
			return nil, err
		}
		c.kind, c.addr = addrIPv4, netip.AddrFrom4([4]byte(p)).String()
		copy(c.raw[:], p)
	case addrBits == 1:
		if p, err = r.take(16); err != nil {
			return nil, err
		}
		c.raw = [16]byte(p)
		c.kind, c.addr = addrIPv6, netip.AddrFrom16(c.raw).String()
	case addrBits == 2:
		if p, err = r.take(16); err != nil {
			return nil, err
		}
		c.raw = [16]byte(p)
		c.kind, c.addr = addrMDNS, mdnsName(p)
	default:
		return r.reference(extended, pm, start)
	}
	return nil, nil
}

// reference reads a reference byte, and for a run its count: the indices
// of the candidates referred to, each before the record.
func (r *recReader) reference(extended bool, pm byte, start int) ([]int, error) {
	p, err := r.take(1)
	if err != nil {
		return nil, err
	}
	ref, count := int(p[0]), 1
	if ref&refRun != 0 {
		if extended {
			return nil, r.malformed(r.off-1, "run in an extended record")
		}
		if p, err = r.take(1); err != nil {
			return nil, err
		}
		count = int(p[0])
		if count < 2 || pm == portExplicit {
			return nil, r.malformed(r.off-1, "run of %d with port mode %d", count, pm)
		}
		ref &^= refRun
	}
	refs := make([]int, count)
	for k := range refs {
		if ref+k >= len(r.cands) {
			return nil, r.malformed(start, "reference to candidate %d of %d", ref+k, len(r.cands))
		}
		refs[k] = ref + k
	}
	return refs, nil
}

// emit reads the port of candidate d by the record's port mode and appends
// it to the candidates.
func (r *recReader) emit(d candidate, pm byte, start int) error {
	switch pm {
	case portExplicit:
		p, err := r.take(2)
		if err != nil {
			return err
		}
		d.port = binary.BigEndian.Uint16(p)
	case portDiscard:
		d.port = discardPort
	default:
		if len(r.cands) == 0 {
			return r.malformed(start, "first candidate has a relative port")
		}
		prev := r.cands[len(r.cands)-1].port
		if pm == portNext {
			if prev == 0xffff {
				return r.malformed(start, "port overflows")
			}
			prev++
		}
		d.port = prev
	}
	if d.port == 0 && d.transport != transTCPActive {
		return r.malformed(start, "port 0")
	}
	if len(r.cands) >= r.maxCands {
		return errf(ErrLimit, r.base+start, "candidates", "more than %d candidates", r.maxCands)
	}
	r.cands = append(r.cands, d)
	return nil
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
