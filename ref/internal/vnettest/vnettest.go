// Package vnettest puts test peers on pion's virtual network, whose
// packets a test can drop at will, for the tests of ref and ref/peer.
package vnettest

import (
	"sync/atomic"
	"testing"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/webrtc/v4"
)

// CuttablePair starts a vnet router with two hosts, 10.0.0.2 and
// 10.0.0.3, that drops every packet while cut is set, and stops it when
// the test ends. a and b put a peer on each host: they are
// Config.SettingEngine functions (mDNS off, as vnet has no multicast).
func CuttablePair(t testing.TB) (cut *atomic.Bool, a, b func(*webrtc.SettingEngine)) {
	t.Helper()
	r, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", LoggerFactory: logging.NewDefaultLoggerFactory()})
	if err != nil {
		t.Fatal(err)
	}
	cut = new(atomic.Bool)
	r.AddChunkFilter(func(vnet.Chunk) bool { return !cut.Load() })
	a, b = host(t, r, "10.0.0.2"), host(t, r, "10.0.0.3")
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop() })
	return cut, a, b
}

// host adds a host at ip to r and returns the setting of a peer on it.
func host(t testing.TB, r *vnet.Router, ip string) func(*webrtc.SettingEngine) {
	t.Helper()
	n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddNet(n); err != nil {
		t.Fatal(err)
	}
	return func(se *webrtc.SettingEngine) {
		se.SetNet(n)
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
}
