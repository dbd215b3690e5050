package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
)

// docPrefixes are the documentation ranges (RFC 5737, RFC 3849): the only
// addresses a generated description may carry.
var docPrefixes = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// netns is a network namespace holding one stack: a veth pair whose first
// end carries one IPv4 and one IPv6 documentation address, with default
// routes through it, and nothing else but loopback. The pair's ends get no
// link-local address (addrgenmode none), so the stack sees exactly these two
// addresses.
type netns struct {
	name   string
	v4, v6 netip.Addr
}

// netPlan gives each stack its own namespace and addresses: Chromium in
// 192.0.2.0/24, Firefox in 198.51.100.0/24, pion in 192.0.2.0/24 too (a
// different host), each with an IPv6 address in a /64 of 2001:db8::/32.
// Host numbers, /64 prefixes and interface identifiers are random per batch,
// as a real network's are.
func netPlan(prefix string) []*netns {
	h1 := 10 + randN(120)
	return []*netns{
		{name: prefix + "-c", v4: v4(192, 0, 2, h1), v6: randV6()},
		{name: prefix + "-f", v4: v4(198, 51, 100, 10+randN(240)), v6: randV6()},
		{name: prefix + "-p", v4: v4(192, 0, 2, 130+randN(120)), v6: randV6()},
	}
}

func v4(a, b, c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a), byte(b), byte(c), byte(d)})
}

// randV6 is 2001:db8:XXXX:XXXX:<random 64-bit interface identifier>.
func randV6() netip.Addr {
	var b [16]byte
	_, _ = rand.Read(b[4:])
	b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
	b[8] &^= 0x02 // a random (not EUI-64 derived) identifier, as privacy addresses are
	return netip.AddrFrom16(b)
}

// randN returns a random int in [0, n).
func randN(n int) int {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return (int(b[0])<<8 | int(b[1])) % n
}

// gateway is the .1 of a's subnet (/24 or /64): the default route's next hop.
func gateway(a netip.Addr) netip.Addr {
	b := a.As16()
	if a.Is4() {
		b4 := a.As4()
		b4[3] = 1
		return netip.AddrFrom4(b4)
	}
	for i := 8; i < 15; i++ {
		b[i] = 0
	}
	b[15] = 1
	return netip.AddrFrom16(b)
}

// create makes the namespace; on error it removes what it made.
func (n *netns) create(ctx context.Context) error {
	if err := ip(ctx, "netns", "add", n.name); err != nil {
		return err
	}
	steps := [][]string{
		{"-n", n.name, "link", "set", "lo", "up"},
		{"-n", n.name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"-n", n.name, "link", "set", "v0", "addrgenmode", "none"},
		{"-n", n.name, "link", "set", "v1", "addrgenmode", "none"},
		{"-n", n.name, "addr", "add", n.v4.String() + "/24", "dev", "v0"},
		{"-n", n.name, "addr", "add", n.v6.String() + "/64", "dev", "v0", "nodad"},
		{"-n", n.name, "link", "set", "v0", "up"},
		{"-n", n.name, "link", "set", "v1", "up"},
		{"-n", n.name, "route", "add", "default", "via", gateway(n.v4).String(), "dev", "v0", "onlink"},
		{"-n", n.name, "-6", "route", "add", "default", "via", gateway(n.v6).String(), "dev", "v0", "onlink"},
	}
	for _, s := range steps {
		if err := ip(ctx, s...); err != nil {
			n.remove(ctx)
			return err
		}
	}
	return nil
}

// remove deletes the namespace (its veth pair goes with it).
func (n *netns) remove(ctx context.Context) {
	_ = ip(ctx, "netns", "del", n.name)
}

// exec wraps argv to run inside the namespace.
func (n *netns) exec(argv ...string) []string {
	return append([]string{"ip", "netns", "exec", n.name}, argv...)
}

func ip(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: ip %s: %v: %s", ErrSetup, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
