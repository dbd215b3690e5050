package peer

import (
	"net"
	"net/netip"
	"strconv"
)

// What a peer remembers and dials (IDENTITY.md §5, §9): the bounds on
// what other peers can make it keep and do.

// maxAddrs is the number of direct addresses remembered for a peer: the
// first valid ones of its HELLO (which may carry 16).
const maxAddrs = 4

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
