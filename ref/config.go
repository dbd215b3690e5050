package ref

import (
	"crypto/rand"
	"fmt"
	"net"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
)

// Defaults of Config. They are the documented deadlines of this package.
const (
	// DefaultGatherTimeout bounds candidate gathering (non-trickle): the
	// code is made from the candidates gathered when gathering completes or
	// this time has passed, whichever comes first.
	DefaultGatherTimeout = 2 * time.Second
	// DefaultOfferTimeout is how long an offerer keeps its offer usable
	// while it waits for the answer's code.
	DefaultOfferTimeout = 15 * time.Minute
	// DefaultAnswerTimeout is how long an answerer waits, from Answer, for
	// the offerer to apply the answer and connect. It covers a human who
	// carries the answer's code back (at least 60 s).
	DefaultAnswerTimeout = 90 * time.Second
	// DefaultConnectTimeout is how long an offerer waits, from Complete,
	// for the connection to open.
	DefaultConnectTimeout = 30 * time.Second
	// DefaultDeadPeerTimeout is how long an established connection may
	// receive nothing (not even ICE keepalive responses, sent every 2 s)
	// before the peer is declared unreachable.
	DefaultDeadPeerTimeout = 10 * time.Second
	// DefaultMaxMessageSize is the largest message Receive reassembles.
	DefaultMaxMessageSize = 16 << 20
	// DefaultRestartTimeout bounds an ICE restart (RestartOffer,
	// RestartAnswer) of a Config.RestartableICE connection until it is
	// connected again, and how long such a connection waits, once its
	// dead-peer deadline has passed, for a restart to begin.
	DefaultRestartTimeout = 15 * time.Second

	// localMaxMessageSize is the a=max-message-size this package
	// advertises: the largest frame a peer may send us (Chrome's value).
	localMaxMessageSize = 262144
	// maxFrame caps the frames this package sends, below the remote's
	// max-message-size.
	maxFrame = 64 << 10
	// iceDisconnected is pion's ICE disconnected timeout: silence after
	// which ICE reports disconnected (the dead-peer timer then starts).
	iceDisconnected = 4 * time.Second
	iceKeepalive    = 2 * time.Second
)

// Config configures a connection. The zero value (or a nil *Config) is the
// default: no ICE servers (only peers on the same network connect), host
// candidates on every non-loopback interface, a fresh certificate, the
// codec's default candidate policy.
type Config struct {
	// ICEServers are STUN and TURN servers. None by default.
	ICEServers []webrtc.ICEServer
	// ICETransportPolicy restricts the candidates used (webrtc.ICETransportPolicyRelay
	// to use TURN only). Default: all.
	ICETransportPolicy webrtc.ICETransportPolicy
	// Certificate is the DTLS certificate; its fingerprint goes into the
	// code. Default: a fresh ECDSA P-256 certificate (pion's, valid about a
	// month). The identity layer passes a persistent one.
	Certificate *webrtc.Certificate
	// Policy is the codec's candidate policy for this side's codes.
	Policy codec.CandidatePolicy
	// Loopback gathers only loopback candidates (127.0.0.1), for two peers
	// on one host: tests and `peer demo`.
	Loopback bool
	// GatherTimeout bounds gathering. Default DefaultGatherTimeout; range
	// 0 < t <= 1 min.
	GatherTimeout time.Duration
	// OfferTimeout: see DefaultOfferTimeout. Range 1 s to 24 h.
	OfferTimeout time.Duration
	// AnswerTimeout: see DefaultAnswerTimeout. Range 5 s to 1 h.
	AnswerTimeout time.Duration
	// ConnectTimeout: see DefaultConnectTimeout. Range 1 s to 1 h.
	ConnectTimeout time.Duration
	// DeadPeerTimeout: see DefaultDeadPeerTimeout. Range 5 s to 1 h. The
	// effective deadline is rounded up to pion's ICE check interval (about
	// one more second).
	DeadPeerTimeout time.Duration
	// MaxMessageSize: see DefaultMaxMessageSize. Range 1 B to 1 GiB.
	MaxMessageSize int
	// RestartableICE leaves the ICE credentials to pion (a 16-character
	// ufrag and a 32-character pwd, about 20 bytes more in each code
	// than the 4 and 22 characters otherwise fixed) so that the
	// connection can be restarted (RestartOffer, RestartAnswer). For
	// connections whose codes do not travel by hand: over another
	// connection or a network. Its dead-peer deadline does not end it at
	// once: see Unreachable.
	RestartableICE bool
	// RestartTimeout: see DefaultRestartTimeout. Range 1 s to 1 h.
	RestartTimeout time.Duration
	// Tracks are the local tracks this side sends (pion's webrtc.TrackLocal,
	// such as a webrtc.TrackLocalStaticSample or TrackLocalStaticRTP; several
	// of one kind are allowed). They are added before the offer or answer is
	// made, so its code holds them (the codes are non-trickle: nothing is
	// renegotiated later). An offerer sends each in its own m-line, in which
	// the answerer may send a track of the same kind back. An answerer's
	// track takes the next unused m-line of its kind in the offer that can
	// receive (the offerer's own tracks and its Receive entries, in order);
	// Answer fails with ErrMedia when none is left.
	Tracks []webrtc.TrackLocal
	// Receive, on an offerer, asks the peer for tracks without sending any:
	// one recvonly m-line per entry (webrtc.RTPCodecTypeAudio or
	// webrtc.RTPCodecTypeVideo), which an answerer's Tracks fill. An
	// answerer receives what the offer sends and ignores Receive.
	Receive []webrtc.RTPCodecType
	// Codecs are the media codecs this side offers or accepts, in order of
	// preference; each codec's kind is its MimeType's type ("audio/opus",
	// "video/VP8"). Default: pion's (webrtc.MediaEngine.RegisterDefaultCodecs:
	// Opus, G.722, PCMU, PCMA, VP8, VP9, H.264, AV1, H.265 and their
	// retransmission formats). A recorder that writes IVF and Ogg files
	// lists VP8, VP9 and Opus only.
	Codecs []webrtc.RTPCodecParameters
	// SettingEngine, when set, is called last on the pion SettingEngine of
	// each new connection (after this package's settings), for instance to
	// install a vnet network in tests. It must not call SetICECredentials
	// or DetachDataChannels off.
	SettingEngine func(*webrtc.SettingEngine)
}

// settings is a validated Config with defaults filled in.
type settings struct {
	Config
}

func (c *Config) settings() (*settings, error) {
	s := &settings{}
	if c != nil {
		s.Config = *c
	}
	def := func(d *time.Duration, v, lo, hi time.Duration, name string) error {
		if *d == 0 {
			*d = v
		}
		if *d < lo || *d > hi {
			return fmt.Errorf("ref: Config.%s %v out of range [%v, %v]", name, *d, lo, hi)
		}
		return nil
	}
	for _, f := range []struct {
		d        *time.Duration
		v, lo, h time.Duration
		name     string
	}{
		{&s.GatherTimeout, DefaultGatherTimeout, time.Millisecond, time.Minute, "GatherTimeout"},
		{&s.OfferTimeout, DefaultOfferTimeout, time.Second, 24 * time.Hour, "OfferTimeout"},
		{&s.AnswerTimeout, DefaultAnswerTimeout, 5 * time.Second, time.Hour, "AnswerTimeout"},
		{&s.ConnectTimeout, DefaultConnectTimeout, time.Second, time.Hour, "ConnectTimeout"},
		{&s.DeadPeerTimeout, DefaultDeadPeerTimeout, 5 * time.Second, time.Hour, "DeadPeerTimeout"},
		{&s.RestartTimeout, DefaultRestartTimeout, time.Second, time.Hour, "RestartTimeout"},
	} {
		if err := def(f.d, f.v, f.lo, f.h, f.name); err != nil {
			return nil, err
		}
	}
	for _, t := range s.Tracks {
		if t == nil {
			return nil, fmt.Errorf("ref: Config.Tracks holds a nil track")
		}
	}
	for _, k := range s.Receive {
		if k != webrtc.RTPCodecTypeAudio && k != webrtc.RTPCodecTypeVideo {
			return nil, fmt.Errorf("ref: Config.Receive holds %v: want audio or video", k)
		}
	}
	for _, c := range s.Codecs {
		if codecKind(c.MimeType) == 0 {
			return nil, fmt.Errorf("ref: Config.Codecs: MIME type %q is neither audio/ nor video/", c.MimeType)
		}
	}
	if s.MaxMessageSize == 0 {
		s.MaxMessageSize = DefaultMaxMessageSize
	}
	if s.MaxMessageSize < 1 || s.MaxMessageSize > 1<<30 {
		return nil, fmt.Errorf("ref: Config.MaxMessageSize %d out of range [1, 1 GiB]", s.MaxMessageSize)
	}
	return s, nil
}

// iceAlphabet is the ice-char set of RFC 8839 section 5.4.
const iceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// iceCredentials returns the shortest credentials RFC 8839 allows: a
// 4-character ufrag (24 bits) and a 22-character pwd (132 bits).
func iceCredentials() (ufrag, pwd string) {
	b := make([]byte, 26)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = iceAlphabet[b[i]&63]
	}
	return string(b[:4]), string(b[4:])
}

// api builds the pion API of one connection; media says whether it
// carries media (its own tracks, Receive, or an offer with m-lines of
// audio or video).
func (s *settings) api(ufrag, pwd string, media bool) (*webrtc.API, error) {
	var se webrtc.SettingEngine
	se.DetachDataChannels()
	if ufrag != "" {
		// Fixed credentials: pion reuses them on an ICE restart, which
		// therefore cannot work (see RestartableICE).
		se.SetICECredentials(ufrag, pwd)
	}
	// The checking phase lasts disconnected+failed in pion: make it outlast
	// the answerer's wait; after connection, dead peers are detected by our
	// own timer that starts at ICE "disconnected" (iceDisconnected of
	// silence), so the wide failed timeout does not slow that down.
	wait := s.AnswerTimeout
	if s.ConnectTimeout > wait {
		wait = s.ConnectTimeout
	}
	se.SetICETimeouts(iceDisconnected, wait+10*time.Second, iceKeepalive)
	se.SetSCTPMaxMessageSize(localMaxMessageSize)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if s.Loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		se.SetInterfaceFilter(func(name string) bool {
			ifi, err := net.InterfaceByName(name)
			return err == nil && ifi.Flags&net.FlagLoopback != 0
		})
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	} else {
		// Candidates that cannot carry traffic to another host: link-local
		// IPv6 needs a zone the peer does not know.
		se.SetIPFilter(func(ip net.IP) bool {
			return !ip.IsLinkLocalUnicast() || ip.To4() != nil
		})
	}
	if s.SettingEngine != nil {
		s.SettingEngine(&se)
	}
	if !media {
		// A data-only connection needs no RTP interceptors (and their goroutines).
		return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{})), nil
	}
	m, ir, err := s.mediaEngine()
	if err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir)), nil
}

func (s *settings) rtcConfig() webrtc.Configuration {
	cfg := webrtc.Configuration{
		ICEServers:         s.ICEServers,
		ICETransportPolicy: s.ICETransportPolicy,
	}
	if s.Certificate != nil {
		cfg.Certificates = []webrtc.Certificate{*s.Certificate}
	}
	return cfg
}
