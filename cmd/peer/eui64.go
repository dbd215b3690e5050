package main

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/peer-sdp/peer/codec"
)

// dropEUI64Usage is the help of -drop-eui64 (policyFlags, chat).
const dropEUI64Usage = "drop IPv6 addresses made from the MAC address (EUI-64 interface identifier), which identify this device on every network"

// warnEUI64 warns, in one line on w, when code carries IPv6 addresses
// made from a MAC address (eui64Warning).
func warnEUI64(w io.Writer, code []byte) {
	if msg := eui64Warning(code); msg != "" {
		fmt.Fprintln(w, msg)
	}
}

// eui64Warning is the warning for a code that carries IPv6 addresses made
// from a MAC address (codec.IsEUI64), or "": a code travels further than the
// local network, and such an address identifies the device wherever it goes.
func eui64Warning(code []byte) string {
	addrs := eui64Addrs(code)
	if len(addrs) == 0 {
		return ""
	}
	what := "an IPv6 address that embeds"
	if len(addrs) > 1 {
		what = "IPv6 addresses that embed"
	}
	return fmt.Sprintf("peer: warning: this code carries %s, %s a MAC address (it identifies the device on every network); -drop-eui64 leaves such addresses out",
		strings.Join(addrs, ", "), what)
}

// eui64Addrs lists, once each, the EUI-64 IPv6 addresses of code's
// candidates.
func eui64Addrs(code []byte) []string {
	d, err := codec.Decode(code, nil)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(d.SDP, "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "a=candidate:"))
		if !strings.HasPrefix(line, "a=candidate:") || len(f) < 5 {
			continue
		}
		if a, err := netip.ParseAddr(f[4]); err == nil && codec.IsEUI64(a) && !slices.Contains(out, a.String()) {
			out = append(out, a.String())
		}
	}
	return out
}
