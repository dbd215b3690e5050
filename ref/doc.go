// Package ref connects two WebRTC peers (pion/webrtc) that exchange compact
// codes (package codec) instead of talking to a signaling server: what
// simple-peer is to browsers, for Go.
//
// The offerer calls Offer and shows its code (a QR code, a link, a chat
// message); the answerer passes that code to Answer and shows the answer's
// code; the offerer passes it to Complete. Both then use WaitOpen and the
// default Channel, or more channels (OpenChannel, AcceptChannel). Each
// channel works as messages (Send, Receive) and as an io.ReadWriteCloser
// stream with backpressure and deadlines; each direction ends separately
// with CloseWrite. The framing on the wire is specified in FRAMING.md so
// that a browser page interoperates.
//
// # Media
//
// A Conn also carries audio and video (pion's RTP tracks). The local
// tracks are given in Config.Tracks before Offer or Answer, so that the
// code holds them (the codes are made once, non-trickle; nothing is
// renegotiated later). Directions: an offerer's track is sent in an m-line
// the answerer may send back on (both ways); Config.Receive asks for a
// track without sending one (receive only); a side without tracks only
// receives; an answerer's tracks fill the offer's m-lines of their kind in
// order, and Answer fails with ErrMedia when the offer has none left.
// Several tracks of one kind are allowed. The peer's tracks arrive through
// AcceptTrack (a bounded queue: pion's goroutine never waits for the
// application). Config.Codecs restricts the codecs (a recorder lists VP8,
// VP9 and Opus, which IVF and Ogg hold). A media connection uses pion's
// default interceptors (NACK, RTCP reports, TWCC); a data-only one none.
//
// A Conn's lifecycle is Done and Err; errors are attributed to the
// connection (*ConnError with its ID and the operation) and wrap one error
// class of this package (ErrPeerClosed, ErrConnect, ErrDTLS, ...) or of
// package codec (codec.ErrBinding for an answer to another offer, ...).
// Every blocking call takes a context.Context or honours a deadline. No
// user code runs on pion's goroutines.
//
// Layers above (identity, many peers) use Config.Certificate for a
// persistent DTLS identity, LocalFingerprints, RemoteFingerprints and
// RemoteCertificate to authenticate, OpenChannel for their own channels,
// PeerConnection for anything else, and Answer with an offer's code that
// arrived over another connection (peer-assisted signaling).
//
// # Timing
//
// Gathering is non-trickle and bounded (Config.GatherTimeout, 2 s by
// default); the code holds the candidates gathered by then. The answerer
// starts ICE checks as soon as it has the offer; the offerer only when
// Complete receives the answer's code. A Go answerer waits
// Config.AnswerTimeout (90 s) for that, so a human has at least 60 s to
// carry the answer back; a Go offer stays usable for Config.OfferTimeout
// (15 min). A browser answerer that starts its checks at once gives up
// after 10–15 s (measured: Chromium 15 s, Firefox 11 s); the project's web
// page answers patiently (it holds back the offer's candidates and waits for
// the offerer's checks), which measured connections after 300 s. A Go offerer that cannot connect fails
// Config.ConnectTimeout (30 s) after Complete with ErrConnect.
//
// Close on one side is seen by the other well within 1 s (an in-band CLOSE
// frame, then the DTLS close_notify). A peer that dies or whose network
// goes away is declared unreachable (ErrPeerUnreachable) after
// Config.DeadPeerTimeout of silence (10 s by default; ICE sends keepalives
// every 2 s and a live peer answers them), within about one second more.
// An open connection also sends a KEEPALIVE frame on the default channel
// at open and after 2 s without sending anything (FRAMING.md §2), never
// after this side's end of stream there: a browser peer, which cannot
// always see ICE checks (Firefox), hears a live idle Go peer through it.
//
// # Limits
//
// Without ICE servers only peers on the same network connect (host
// candidates; no STUN or TURN by default). Candidates are UDP over IPv4
// and IPv6, without IPv6 link-local addresses, which cannot carry traffic
// to another host; Config.Loopback restricts them to 127.0.0.1.
//
// Messages reassembled by Receive are limited to Config.MaxMessageSize
// (16 MiB by default); the stream view has no limit. Frames sent are at
// most min(64 KiB, the peer's a=max-message-size); frames accepted are up
// to 256 KiB (the a=max-message-size this package advertises). Each channel
// buffers at most 64 received frames and Write blocks while more than
// 1 MiB is unacknowledged, so memory stays bounded whatever the sizes
// moved. On a channel that is unordered or partially reliable, a message
// must fit one frame.
//
// An ICE restart needs new ICE credentials, so it is not possible on a
// Conn made with the short ones, which are fixed for the life of the pion
// connection (ErrNotRestartable). A Conn made with Config.RestartableICE
// (pion's own 16- and 32-character credentials, for codes that travel
// over a network rather than by hand) can be restarted with RestartOffer,
// RestartAnswer and CompleteRestart, keeping its channels; at its
// dead-peer deadline it closes Unreachable and waits
// Config.RestartTimeout for a restart before it ends; Reachable closes
// when ICE connects again.
//
// # Security
//
// A code carries the DTLS certificate fingerprint: DTLS refuses a peer
// whose certificate does not match it (ErrDTLS). The channel that carries
// the codes must therefore be authentic (a QR code shown in person, a chat
// with a known contact): whoever can replace a code can stand in the
// middle. Codes need not be secret, but they reveal the host's local
// addresses (host candidates) and, with STUN, its public address. An
// answer's code is bound to its offer, so an answer to another or an older
// offer is refused (codec.ErrBinding). The 4-character ufrag and
// 22-character pwd (132 bits) are the shortest RFC 8839 allows; they guard
// only the ICE checks, the DTLS fingerprint guards the session. Framing
// errors from the peer (FRAMING.md) close the connection with ErrProtocol;
// no input from the peer makes this package panic or allocate without
// bound.
package ref
