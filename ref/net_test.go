package ref

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/internal/turntest"
	"github.com/peer-sdp/peer/ref/internal/vnettest"
)

// cuttableVNet returns the configurations of two peers (10.0.0.2 and
// 10.0.0.3) on a started vnet, stopped when the test ends, that drops every
// packet while cut is set.
func cuttableVNet(t *testing.T) (ocfg, acfg *Config, cut *atomic.Bool) {
	t.Helper()
	cut, a, b := vnettest.CuttablePair(t)
	return &Config{DeadPeerTimeout: 5 * time.Second, SettingEngine: a},
		&Config{DeadPeerTimeout: 5 * time.Second, SettingEngine: b}, cut
}

// TestVNetDeadPeer connects two peers on pion's virtual network, then cuts
// the network: both sides report ErrPeerUnreachable within the dead-peer
// deadline (plus a margin), not before it.
func TestVNetDeadPeer(t *testing.T) {
	ocfg, acfg, cut := cuttableVNet(t)
	o, a := pair(t, ocfg, acfg)
	if !strings.Contains(string(o.PeerConnection().LocalDescription().SDP), "10.0.0.2") {
		t.Fatal("offer does not carry the vnet address")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Channel().Send(ctx, []byte("over vnet")); err != nil {
		t.Fatal(err)
	}
	if m, err := o.Channel().Receive(ctx); err != nil || string(m) != "over vnet" {
		t.Fatalf("got %q, %v", m, err)
	}
	cut.Store(true)
	start := time.Now()
	for _, c := range []*Conn{o, a} {
		select {
		case <-c.Done():
		case <-time.After(ocfg.DeadPeerTimeout + 10*time.Second):
			t.Fatal("dead peer not detected")
		}
		if !errors.Is(c.Err(), ErrPeerUnreachable) {
			t.Errorf("Err = %v, want ErrPeerUnreachable", c.Err())
		}
	}
	d := time.Since(start)
	t.Logf("dead peer detected after %v", d)
	if d < ocfg.DeadPeerTimeout-time.Second {
		t.Errorf("dead peer declared after %v, before the %v deadline", d, ocfg.DeadPeerTimeout)
	}
}

// TestTURNRelay connects two peers only through a pion/turn server on
// 127.0.0.1.
func TestTURNRelay(t *testing.T) {
	pconn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const user, pass, realm = "u", "p", "peer.test"
	srv, err := turntest.Serve(pconn, user, pass, realm)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := &Config{
		Loopback:           true,
		ICETransportPolicy: webrtc.ICETransportPolicyRelay,
		ICEServers: []webrtc.ICEServer{{
			URLs:     []string{fmt.Sprintf("turn:%s?transport=udp", pconn.LocalAddr())},
			Username: user, Credential: pass,
		}},
	}
	o, a := pair(t, cfg, cfg)
	if !strings.Contains(o.PeerConnection().LocalDescription().SDP, "typ relay") {
		t.Fatal("no relay candidate in the offer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := o.Channel().Send(ctx, []byte("relayed")); err != nil {
		t.Fatal(err)
	}
	if m, err := a.Channel().Receive(ctx); err != nil || string(m) != "relayed" {
		t.Fatalf("got %q, %v", m, err)
	}
	pairInfo, err := o.PeerConnection().SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pairInfo == nil {
		t.Fatalf("selected pair: %v", err)
	}
	if pairInfo.Local.Typ != webrtc.ICECandidateTypeRelay {
		t.Errorf("selected local candidate %v, want relay", pairInfo.Local)
	}
}

// TestHumanPaced: the offerer applies the answer 60 s after the answerer
// started its ICE checks; the connection still opens.
func TestHumanPaced(t *testing.T) {
	if testing.Short() {
		t.Skip("60-second test; runs without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o, offer, err := Offer(ctx, loopback())
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	a, answer, err := Answer(ctx, loopback(), offer)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	select {
	case <-time.After(60 * time.Second):
	case <-a.Done():
		t.Fatalf("answerer gave up while waiting: %v", a.Err())
	}
	if err := o.Complete(ctx, answer); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := o.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("open %v after the late answer", time.Since(start))
	if err := a.Channel().Send(ctx, []byte("late but fine")); err != nil {
		t.Fatal(err)
	}
	if m, err := o.Channel().Receive(ctx); err != nil || string(m) != "late but fine" {
		t.Fatalf("got %q, %v", m, err)
	}
}
