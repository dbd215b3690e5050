// Command gen makes the data-channel descriptions of testdata/stacks: pion
// (github.com/pion/webrtc/v4, the version in go.mod) in each of its modes,
// and, when -node is given, the browsers and npm stacks that
// testdata/stacks/gen/stacks.mjs drives, and with -gst GStreamer's
// webrtcbin (testdata/stacks/gen/webrtcbin.py), all with a pion/turn server on
// 127.0.0.1 for server-reflexive and relay candidates. Run it from the
// repository root:
//
//	go run ./testdata/stacks/gen [-node] [-gst] [-dir testdata/stacks]
//
// Each description is written to <dir>/<name>.sdp and listed in
// <dir>/INDEX.tsv with its stack, version, type and how it was made. The
// descriptions hold this machine's addresses and random credentials, so a
// second run gives other bytes of the same shapes.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

const (
	turnUser, turnPass, turnRealm = "peer", "peer", "peer.test"
	turnAddr                      = "127.0.0.1:3478"
)

// entry is one generated description.
type entry struct {
	name, stack, version, typ, how, sdp string
}

func main() {
	dir := flag.String("dir", "testdata/stacks", "output directory")
	node := flag.Bool("node", false, "also run testdata/stacks/gen/stacks.mjs (browsers, npm stacks)")
	gst := flag.Bool("gst", false, "also run testdata/stacks/gen/webrtcbin.py (GStreamer, Debian packages)")
	flag.Parse()
	srv, err := turnServer()
	if err != nil {
		fail(err)
	}
	defer srv.Close()
	entries, err := pionEntries()
	if err != nil {
		fail(err)
	}
	scripts := map[string][]string{"node": {"node", "stacks.mjs"}, "gst": {"/usr/bin/python3", "webrtcbin.py"}}
	for name, on := range map[string]bool{"node": *node, "gst": *gst} {
		if !on {
			continue
		}
		more, err := scriptEntries(scripts[name][0], scripts[name][1])
		if err != nil {
			fail(fmt.Errorf("%s: %w", scripts[name][1], err))
		}
		entries = append(entries, more...)
	}
	if err := write(*dir, entries); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// turnServer starts a TURN (and STUN) server on 127.0.0.1 whose relay
// addresses are on 127.0.0.1.
func turnServer() (*turn.Server, error) {
	pc, err := net.ListenPacket("udp4", turnAddr)
	if err != nil {
		return nil, err
	}
	key := turn.GenerateAuthKey(turnUser, turnRealm, turnPass)
	return turn.NewServer(turn.ServerConfig{
		Realm: turnRealm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == turnUser
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            pc,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1"},
		}},
	})
}

var turnServers = []webrtc.ICEServer{
	{URLs: []string{"stun:" + turnAddr}},
	{URLs: []string{"turn:" + turnAddr + "?transport=udp"}, Username: turnUser, Credential: turnPass},
}

// mode is one way of configuring pion.
type mode struct {
	name, how string
	answer    bool
	setup     func(s *webrtc.SettingEngine, c *webrtc.Configuration) error
}

func pionVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/pion/webrtc/v4" {
				return "pion/webrtc " + d.Version
			}
		}
	}
	return "pion/webrtc (unknown version)"
}

var pionModes = []mode{
	{"offer-default", "default SettingEngine", false, nil},
	{"answer-default", "default SettingEngine, answering a default pion offer", true, nil},
	{"offer-mdns", "SetICEMulticastDNSMode(QueryAndGather): mDNS host candidates", false, func(s *webrtc.SettingEngine, _ *webrtc.Configuration) error {
		s.SetICEMulticastDNSMode(ice.MulticastDNSModeQueryAndGather)
		return nil
	}},
	{"answer-ice-lite", "SetLite(true), answering a default pion offer (an ICE-lite server)", true, func(s *webrtc.SettingEngine, _ *webrtc.Configuration) error {
		s.SetLite(true)
		return nil
	}},
	{"answer-ice-lite-nat1to1", "SetLite(true) and SetNAT1To1IPs([203.0.113.7], host): an ICE-lite server behind a public address", true, func(s *webrtc.SettingEngine, _ *webrtc.Configuration) error {
		s.SetLite(true)
		return s.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{External: []string{"203.0.113.7"}, AsCandidateType: webrtc.ICECandidateTypeHost, Mode: webrtc.ICEAddressRewriteReplace})
	}},
	{"offer-turn", "STUN and TURN server on 127.0.0.1: host, srflx and relay candidates", false, func(_ *webrtc.SettingEngine, c *webrtc.Configuration) error {
		c.ICEServers = turnServers
		return nil
	}},
	{"answer-turn", "STUN and TURN server on 127.0.0.1, answering a default pion offer", true, func(_ *webrtc.SettingEngine, c *webrtc.Configuration) error {
		c.ICEServers = turnServers
		return nil
	}},
	{"answer-relay-only", "TURN server on 127.0.0.1 and ICETransportPolicyRelay, answering a default pion offer", true, func(_ *webrtc.SettingEngine, c *webrtc.Configuration) error {
		c.ICEServers = turnServers
		c.ICETransportPolicy = webrtc.ICETransportPolicyRelay
		return nil
	}},
	{"offer-tcp", "SetICETCPMux on an ephemeral port and TCP network types: passive TCP candidates beside UDP", false, func(s *webrtc.SettingEngine, _ *webrtc.Configuration) error {
		l, err := net.ListenTCP("tcp", &net.TCPAddr{})
		if err != nil {
			return err
		}
		s.SetICETCPMux(webrtc.NewICETCPMux(nil, l, 8))
		s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6})
		return nil
	}},
}

// pionEntries makes one description per mode.
func pionEntries() ([]entry, error) {
	var out []entry
	for _, m := range pionModes {
		sdp, err := pionDescription(m)
		if err != nil {
			return nil, fmt.Errorf("pion %s: %w", m.name, err)
		}
		typ := "offer"
		if m.answer {
			typ = "answer"
		}
		out = append(out, entry{"pion-" + m.name, "pion", pionVersion(), typ, m.how, sdp})
	}
	return out, nil
}

// pionDescription makes a data-channel offer, or an answer to a default
// pion offer, with m's settings and complete gathering.
func pionDescription(m mode) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var s webrtc.SettingEngine
	var c webrtc.Configuration
	if m.setup != nil {
		if err := m.setup(&s, &c); err != nil {
			return "", err
		}
	}
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(s)).NewPeerConnection(c)
	if err != nil {
		return "", err
	}
	defer pc.Close()
	if !m.answer {
		if _, err := pc.CreateDataChannel("peer", nil); err != nil {
			return "", err
		}
		return local(ctx, pc, func() (webrtc.SessionDescription, error) { return pc.CreateOffer(nil) })
	}
	offerer, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return "", err
	}
	defer offerer.Close()
	if _, err := offerer.CreateDataChannel("peer", nil); err != nil {
		return "", err
	}
	offer, err := local(ctx, offerer, func() (webrtc.SessionDescription, error) { return offerer.CreateOffer(nil) })
	if err != nil {
		return "", err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", err
	}
	return local(ctx, pc, func() (webrtc.SessionDescription, error) { return pc.CreateAnswer(nil) })
}

// local creates a description, sets it and waits for complete gathering.
func local(ctx context.Context, pc *webrtc.PeerConnection, create func() (webrtc.SessionDescription, error)) (string, error) {
	d, err := create()
	if err != nil {
		return "", err
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(d); err != nil {
		return "", err
	}
	select {
	case <-done:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return pc.LocalDescription().SDP, nil
}

// scriptEntries runs a generator script of testdata/stacks/gen, which
// prints one JSON object per line.
func scriptEntries(interpreter, script string) ([]entry, error) {
	cmd := exec.Command(interpreter, filepath.Join("testdata", "stacks", "gen", script))
	cmd.Env = append(os.Environ(), "PEER_TURN=turn:"+turnAddr, "PEER_TURN_USER="+turnUser, "PEER_TURN_PASS="+turnPass)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	return parseNodeLines(string(out))
}

// write replaces dir's descriptions and INDEX.tsv.
func write(dir string, entries []entry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var idx strings.Builder
	idx.WriteString("file\tstack\tversion\ttype\thow\n")
	for _, e := range entries {
		f := e.name + ".sdp"
		if err := os.WriteFile(filepath.Join(dir, f), []byte(e.sdp), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&idx, "%s\t%s\t%s\t%s\t%s\n", f, e.stack, e.version, e.typ, e.how)
	}
	return os.WriteFile(filepath.Join(dir, "INDEX.tsv"), []byte(idx.String()), 0o644)
}
