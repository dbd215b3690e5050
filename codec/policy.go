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
		switch {
		case c.component != 1 && !p.KeepComponent2:
		case p.DropTCP && c.transport != transUDP:
		case p.DropTCPActive && c.transport == transTCPActive:
		case p.DropIPv6 && c.kind == addrIPv6:
		case p.DropMDNS && c.kind == addrMDNS:
		case p.DropPrivate && c.typ == candHost && isPrivate(c):
		case seen.has(c):
		default:
			if p.MaxCandidates > 0 && len(out) >= p.MaxCandidates {
				return out
			}
			seen.add(c)
			out = append(out, c)
		}
	}
	return out
}

// candidateSet remembers candidates, so that finding a repeated one takes
// constant time (SPEC.md §11: decoding is linear). Short lists are scanned;
// a map takes over from smallSet candidates on.
type candidateSet struct {
	list []candidate
	m    map[candidate]struct{}
}

const smallSet = 16

func (s *candidateSet) has(c candidate) bool {
	if s.m != nil {
		_, ok := s.m[c]
		return ok
	}
	for _, x := range s.list {
		if x == c {
			return true
		}
	}
	return false
}

func (s *candidateSet) add(c candidate) {
	if s.m == nil && len(s.list) < smallSet {
		s.list = append(s.list, c)
		return
	}
	if s.m == nil {
		s.m = make(map[candidate]struct{}, 2*smallSet)
		for _, x := range s.list {
			s.m[x] = struct{}{}
		}
		s.list = nil
	}
	s.m[c] = struct{}{}
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
