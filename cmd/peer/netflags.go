package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/ref"
)

// netFlags are the network flags of every command that connects (offer,
// answer, serve): which candidates it gathers and which ICE servers it uses.
type netFlags struct {
	loopback bool
	ice      stringList
	gather   time.Duration
	policy   codec.CandidatePolicy
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func (f *netFlags) add(fs *flag.FlagSet) {
	fs.BoolVar(&f.loopback, "loopback", false, "use only loopback candidates (both peers on this host)")
	fs.Var(&f.ice, "ice", "ICE server `URL` (stun:host:port, or turn:user:password@host:port); repeatable")
	fs.DurationVar(&f.gather, "gather", ref.DefaultGatherTimeout, "bound on candidate gathering")
	policyFlags(fs, &f.policy)
}

// config returns the connection configuration the flags say.
func (f *netFlags) config() (*ref.Config, error) {
	if f.policy.MaxCandidates < 0 {
		return nil, usagef("-max-candidates must not be negative")
	}
	cfg := &ref.Config{Loopback: f.loopback, GatherTimeout: f.gather, Policy: f.policy}
	for _, u := range f.ice {
		s, err := parseICEServer(u)
		if err != nil {
			return nil, usagef("-ice %q: %v", u, err)
		}
		cfg.ICEServers = append(cfg.ICEServers, s)
	}
	return cfg, nil
}

// parseICEServer reads stun:host:port or turn(s):user:password@host:port.
func parseICEServer(u string) (webrtc.ICEServer, error) {
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok || rest == "" {
		return webrtc.ICEServer{}, errors.New("want stun:host:port or turn:user:password@host:port")
	}
	switch scheme {
	case "stun", "stuns":
		return webrtc.ICEServer{URLs: []string{u}}, nil
	case "turn", "turns":
		cred, hostport, ok := strings.Cut(rest, "@")
		if !ok {
			return webrtc.ICEServer{URLs: []string{u}}, nil
		}
		user, pass, _ := strings.Cut(cred, ":")
		return webrtc.ICEServer{URLs: []string{scheme + ":" + hostport}, Username: user, Credential: pass}, nil
	}
	return webrtc.ICEServer{}, fmt.Errorf("unknown scheme %q (want stun, stuns, turn or turns)", scheme)
}

// formUsage says which text form to use where (SPEC.md §5).
const formUsage = "form of the printed code: link (P-…, letters and digits only: a double-click selects it whole and a shell keeps it; " +
	"for terminals, chats and mail), qr (P:…, the smallest QR codes, but it holds spaces) or bin (raw bytes, for files)"

// parseFormFlag reads a -form value.
func parseFormFlag(name string) (codec.Form, error) {
	form, err := codec.ParseForm(name)
	if err != nil {
		return 0, usagef("-form %q: want link, qr or bin", name)
	}
	return form, nil
}
