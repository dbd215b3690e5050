package peer

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// What a peer remembers and dials (IDENTITY.md §5, §6.2, §9): the bounds
// on what other peers can make it keep and do.

// IntroductionPolicy says which connected peers may introduce a stranger
// (a peer that is not remembered): relay its offer to us, or invite us to
// connect to it (IDENTITY.md §6.2). Remembered peers are accepted through
// any introducer.
type IntroductionPolicy int

// Introduction policies.
const (
	// IntroductionsFromChosen: only a peer the user chose (paired with by
	// a code exchange, not itself introduced) introduces strangers. The
	// default: trust reaches one hop from the user's own choices.
	IntroductionsFromChosen IntroductionPolicy = iota
	// IntroductionsFromAny: any connected peer introduces strangers, so
	// introductions chain without limit (B introduces C to D, whom C met
	// through A, and so on).
	IntroductionsFromAny
	// IntroductionsRefused: no stranger is accepted through an
	// introduction (refuse reason 5).
	IntroductionsRefused
)

const (
	// maxAddrs is the number of direct addresses remembered for a peer:
	// the first valid ones of its HELLO (which may carry 16).
	maxAddrs = 4
	// maxIntroducedBy bounds the strangers one introducer can make a peer
	// remember at a time; more are refused (reason 5) until some are
	// forgotten.
	maxIntroducedBy = 16
	// IntroducedLifetime is how long a peer met through an introduction
	// (Record.Introducer set) is remembered after it was last seen.
	IntroducedLifetime = 30 * 24 * time.Hour
)

// origin says how a connection came to be, for what attach remembers: a
// code exchange the user made (byCode), an introduction by via, or
// neither (a direct reconnection to a remembered peer).
type origin struct {
	byCode bool
	via    ID
}

// remember updates r after an authenticated connection of origin o whose
// HELLO announced addrs (IDENTITY.md §5): a peer paired by code is the
// user's choice and its addresses are kept (cleanAddrs); a peer first met
// through an introduction keeps its introducer and no address, so that
// no peer can make this one dial addresses of its choosing on behalf of
// peers the user never chose.
func (r *Record) remember(o origin, addrs []string) {
	switch {
	case o.byCode:
		r.Introducer = ID{}
	case r.PublicKey == nil: // a new record
		r.Introducer = o.via
	}
	if r.Introducer != (ID{}) {
		r.Addrs = nil
	} else if a := cleanAddrs(addrs); len(a) > 0 {
		r.Addrs = a
	}
}

// mayAccept is the policy of a signed offer (IDENTITY.md §6.2 step 3, §7):
// a remembered author is accepted on any path; a stranger only through an
// introducer via that may introduce strangers.
func (p *Peer) mayAccept(author, via ID) error {
	if _, known := p.st.Get(author); known {
		return nil
	}
	if via == (ID{}) {
		return fmt.Errorf("%w: a direct offer from a peer not remembered", ErrUnknownPeer)
	}
	return p.mayIntroduce(via)
}

// mayIntroduce reports whether the connected peer via may introduce a
// stranger now (Config.Introductions, maxIntroducedBy); the error is of
// class refused.
func (p *Peer) mayIntroduce(via ID) error {
	switch p.cfg.Introductions {
	case IntroductionsRefused:
		return fmt.Errorf("%w: introductions of peers not remembered are refused", ErrRefused)
	case IntroductionsFromChosen:
		if r, ok := p.st.Get(via); !ok || r.Introducer != (ID{}) {
			return fmt.Errorf("%w: the introducer %s was not paired by code", ErrRefused, via.Short())
		}
	}
	if n := p.st.introducedBy(via); n >= maxIntroducedBy {
		return fmt.Errorf("%w: %d peers introduced by %s are remembered already", ErrRefused, n, via.Short())
	}
	return nil
}

// cleanAddrs returns the addresses of addrs that a peer may announce for
// direct reconnection (IDENTITY.md §5), in canonical form, without
// duplicates, at most maxAddrs: an IP address (no host name, which would
// make the dialer resolve names an attacker chose; no IPv6 zone, which
// names an interface of the announcing host) and a port from 1 to 65535;
// not an unspecified, multicast or broadcast address.
func cleanAddrs(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		ap, ok := parseAddr(a)
		if !ok {
			continue
		}
		s := ap.String()
		dup := false
		for _, o := range out {
			dup = dup || o == s
		}
		if dup {
			continue
		}
		if out = append(out, s); len(out) == maxAddrs {
			break
		}
	}
	return out
}

func parseAddr(a string) (netip.AddrPort, bool) {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return netip.AddrPort{}, false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" || ip.IsUnspecified() || ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return netip.AddrPort{}, false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(n)), true
}
