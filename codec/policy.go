package codec

import "net/netip"

// CandidatePolicy selects the candidates the encoder keeps (SPEC.md §3.4).
// The zero value is the default policy: every candidate that can carry
// traffic to a browser or pion peer, once.
type CandidatePolicy struct {
	// MaxCandidates keeps at most this many candidates, the first ones in
	// the description's order after the other rules. 0 means no limit
	// (beyond the decoder limit); negative values are invalid.
	MaxCandidates int
	// DropTCPActive drops TCP candidates of tcptype active.
	DropTCPActive bool
	// DropTCP drops every TCP candidate.
	DropTCP bool
	// KeepComponent2 keeps candidates of components other than 1 (RTCP
	// duplicates). A data channel uses component 1 only, so they are dropped
	// by default.
	KeepComponent2 bool
	// DropIPv6 drops candidates whose address is an IPv6 literal.
	DropIPv6 bool
	// DropMDNS drops candidates whose address is an mDNS name (they resolve
	// only on the same link).
	DropMDNS bool
	// DropPrivate drops host candidates with loopback, link-local or private
	// addresses (useful when the peers are on different networks and a
	// server-reflexive or relay candidate exists).
	DropPrivate bool
	// DropEUI64 drops candidates whose address is an IPv6 address with a
	// modified EUI-64 interface identifier (IsEUI64): it is made from the
	// interface's hardware (MAC) address, which then identifies the device
	// on every network. DropPrivate keeps such an address when it is global.
	DropEUI64 bool
}

func (p *CandidatePolicy) validate() error {
	if p.MaxCandidates < 0 {
		return errf(ErrLimit, -1, "policy", "MaxCandidates %d is negative", p.MaxCandidates)
	}
	return nil
}

// apply filters cands, in order (SPEC.md §3.4).
func (p *CandidatePolicy) apply(cands []candidate) []candidate {
	out := cands[:0]
	var seen candidateSet
	for _, c := range cands {
		if p.MaxCandidates > 0 && len(out) >= p.MaxCandidates {
			return out
		}
		if p.keeps(out, &seen, c, len(out)) {
			out = append(out, c)
		}
	}
	return out
}

// keeps reports whether the policy keeps c after the candidates out it
// kept before (rules 2 to 5 of SPEC.md §3.4), total candidates being kept
// so far in all (rule 5; the A/V form judges duplicates within a section
// but counts the maximum over every section); seen must be used for the
// same list out only.
func (p *CandidatePolicy) keeps(out []candidate, seen *candidateSet, c candidate, total int) bool {
	switch {
	case c.component != 1 && !p.KeepComponent2:
	case p.DropTCP && c.transport != transUDP:
	case p.DropTCPActive && c.transport == transTCPActive:
	case p.DropIPv6 && c.kind == addrIPv6:
	case p.DropMDNS && c.kind == addrMDNS:
	case p.DropPrivate && c.typ == candHost && isPrivate(c):
	case p.DropEUI64 && c.kind == addrIPv6 && isEUI64(c):
	case seen.contains(out, c):
	default:
		return p.MaxCandidates == 0 || total < p.MaxCandidates
	}
	return false
}

// candidateSet finds repeated candidates in constant time each (SPEC.md
// §11: decoding is linear): a short list is scanned, a longer one is put in
// a map, which then follows the list as it grows.
type candidateSet struct {
	m map[candidate]struct{}
	n int // prev[:n] are in m
}

const smallSet = 16

// contains reports whether c is among prev, the candidates so far; prev
// may only grow between calls.
func (s *candidateSet) contains(prev []candidate, c candidate) bool {
	if s.m == nil && len(prev) <= smallSet {
		for _, x := range prev {
			if x == c {
				return true
			}
		}
		return false
	}
	if s.m == nil {
		s.m = make(map[candidate]struct{}, 2*len(prev))
	}
	for ; s.n < len(prev); s.n++ {
		s.m[prev[s.n]] = struct{}{}
	}
	_, ok := s.m[c]
	return ok
}

func isPrivate(c candidate) bool {
	if c.kind != addrIPv4 && c.kind != addrIPv6 {
		return false
	}
	a, err := netip.ParseAddr(c.addr)
	if err != nil {
		return false
	}
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()
}

func isEUI64(c candidate) bool {
	a, err := netip.ParseAddr(c.addr)
	return err == nil && IsEUI64(a)
}

// IsEUI64 reports whether a is an IPv6 address whose interface identifier
// (its last 64 bits) is a modified EUI-64 one, made from a 48-bit MAC
// address: bytes 11 and 12 of the address are ff fe (RFC 4291 Appendix A).
// An IPv4-mapped address is not.
func IsEUI64(a netip.Addr) bool {
	if !a.Is6() || a.Is4In6() {
		return false
	}
	b := a.As16()
	return b[11] == 0xff && b[12] == 0xfe
}
