package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/peer-sdp/peer/ref"
)

// Defaults of Config.
const (
	DefaultMaxPeers         = 64
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultReconnectTimeout = 5 * time.Minute
	DefaultRetryInterval    = time.Second
	maxRetryInterval        = 30 * time.Second
)

// Config configures a Peer.
type Config struct {
	// Identity is the peer's identity (LoadIdentity). Required.
	Identity *Identity
	// Store remembers peers. Default: an in-memory store.
	Store *Store
	// Conn is the template of every connection; its Certificate is replaced
	// by the identity's.
	Conn ref.Config
	// MaxPeers limits the sessions (connected or reconnecting). Default
	// DefaultMaxPeers; range 1–4096.
	MaxPeers int
	// Listen, when set, is a TCP address ("host:port") where the peer accepts
	// direct reconnections from remembered peers (IDENTITY.md §7).
	Listen string
	// Advertise are the addresses announced to peers for direct
	// reconnection. Default: the listening address when its host is
	// specified, else that port on every non-link-local interface address.
	Advertise []string
	// Dial opens the direct-reconnection stream. Default: a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// HandshakeTimeout bounds connecting plus HELLO, and each relayed or
	// direct code exchange. Default DefaultHandshakeTimeout; range 1 s–10 min.
	HandshakeTimeout time.Duration
	// ReconnectTimeout is how long a session may stay Reconnecting before
	// it is given up (Left), and the retry budget of a remembered peer
	// without a session: it is dialled only within ReconnectTimeout of New,
	// of its last departure or of a call of Connect (IDENTITY.md §5).
	// Default DefaultReconnectTimeout; range 1 s–24 h.
	ReconnectTimeout time.Duration
	// RetryInterval is the first delay between reconnection attempts; it
	// doubles up to 30 s. Default DefaultRetryInterval; range 10 ms–30 s.
	RetryInterval time.Duration
	// Introductions says which connected peers may introduce a peer that
	// is not remembered (a stranger). Default IntroductionsFromChosen.
	Introductions IntroductionPolicy
}

// withDefaults returns a copy of cfg with its defaults applied and its
// ranges checked, and the identity's certificate in Conn.
func (cfg *Config) withDefaults() (Config, error) {
	if cfg == nil || cfg.Identity == nil {
		return Config{}, errors.New("peer: Config.Identity is required")
	}
	c := *cfg
	if c.MaxPeers == 0 {
		c.MaxPeers = DefaultMaxPeers
	}
	if c.MaxPeers < 1 || c.MaxPeers > 4096 {
		return Config{}, fmt.Errorf("peer: Config.MaxPeers %d out of range [1, 4096]", c.MaxPeers)
	}
	for _, d := range []struct {
		d          *time.Duration
		def, lo, h time.Duration
		name       string
	}{
		{&c.HandshakeTimeout, DefaultHandshakeTimeout, time.Second, 10 * time.Minute, "HandshakeTimeout"},
		{&c.ReconnectTimeout, DefaultReconnectTimeout, time.Second, 24 * time.Hour, "ReconnectTimeout"},
		{&c.RetryInterval, DefaultRetryInterval, 10 * time.Millisecond, maxRetryInterval, "RetryInterval"},
	} {
		if *d.d == 0 {
			*d.d = d.def
		}
		if *d.d < d.lo || *d.d > d.h {
			return Config{}, fmt.Errorf("peer: Config.%s %v out of range [%v, %v]", d.name, *d.d, d.lo, d.h)
		}
	}
	if c.Store == nil {
		c.Store, _ = OpenStore("") // in memory: it cannot fail
	}
	if c.Dial == nil {
		var d net.Dialer
		c.Dial = d.DialContext
	}
	c.Conn.Certificate = c.Identity.Certificate()
	return c, nil
}
