package peer

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"

	"github.com/peer-sdp/peer/ref"
)

// The identity handshake (IDENTITY.md §3.2): HELLO, the first message of
// every connection, signs both DTLS fingerprints with the identity key.

// Version is the version of the identity protocol, carried in HELLO.
const Version = 1

// Roles in the signing input of HELLO: the signer's role in the WebRTC
// connection.
const (
	roleOfferer  = 0
	roleAnswerer = 1
)

// checkHello is the receiving half of HELLO (IDENTITY.md §3.2): b is the
// first message of a connection, from the peer of role peerRole. Every
// failure, a message that is not a well-formed HELLO included, is ErrAuth
// (and only ErrAuth). expect, when not empty, lists the IDs the peer may
// have (§3.2 step 2; more than one only for a reconnect code whose hint
// several remembered peers share, §4). id is the ID of the key when it is
// known, else the expected ID when there is one, else zero.
func checkHello(b []byte, peerRole byte, offFP, ansFP [32]byte, own ID, expect []ID) (*hello, ID, error) {
	var zero ID
	if len(expect) == 1 {
		zero = expect[0]
	}
	var rh hello
	if t, err := msgType(b); err != nil || t != msgHello {
		return nil, zero, fmt.Errorf("%w: first message is not HELLO", ErrAuth)
	}
	if err := unmarshal(b, &rh); err != nil {
		// %v, not %w: a malformed HELLO is auth, not also protocol.
		return nil, zero, fmt.Errorf("%w: malformed HELLO: %v", ErrAuth, err)
	}
	if rh.Version != Version {
		return nil, zero, fmt.Errorf("%w: HELLO version %d", ErrAuth, rh.Version)
	}
	if len(rh.Key) != ed25519.PublicKeySize || len(rh.Sig) != ed25519.SignatureSize || len(rh.Addrs) > 16 {
		return nil, zero, fmt.Errorf("%w: malformed HELLO", ErrAuth)
	}
	id := IDOf(rh.Key)
	if len(expect) > 0 && !slices.Contains(expect, id) {
		return nil, zero, fmt.Errorf("%w: the peer's key has ID %s, not the expected %s", ErrAuth, id.Short(), expect[0].Short())
	}
	if id == own {
		return nil, id, fmt.Errorf("%w: the peer claims our own ID", ErrAuth)
	}
	if !ed25519.Verify(rh.Key, helloInput(peerRole, offFP, ansFP), rh.Sig) {
		return nil, id, fmt.Errorf("%w: HELLO signature does not verify (key or fingerprints differ)", ErrAuth)
	}
	return &rh, id, nil
}

// helloInput is the signing input of HELLO (IDENTITY.md §3.2):
// context ‖ 0x00 ‖ role ‖ offerer's fingerprint ‖ answerer's fingerprint.
func helloInput(role byte, offererFP, answererFP [32]byte) []byte {
	b := make([]byte, 0, len(ctxHello)+2+64)
	b = append(b, ctxHello...)
	b = append(b, 0, role)
	b = append(b, offererFP[:]...)
	return append(b, answererFP[:]...)
}

// establish waits for c to open, runs the identity handshake and attaches
// the connection to the session of the authenticated ID. expect, when not
// nil, is the ID the connection must reach (ErrAuth otherwise). On error c
// is closed.
func (p *Peer) establish(ctx context.Context, c *ref.Conn, offerer bool, expect []ID, o origin) (ID, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.HandshakeTimeout)
	defer cancel()
	stop := context.AfterFunc(p.ctx, cancel)
	defer stop()
	id, pub, addrs, err := p.handshake(ctx, c, offerer, expect)
	if err != nil {
		p.drop(c)
		if id == (ID{}) && len(expect) == 1 {
			id = expect[0]
		}
		return id, p.failed(id, "hello", err)
	}
	lowOffer := offerer == p.ID().Less(id)
	if err := p.attach(id, pub, addrs, c, lowOffer, o); err != nil {
		return id, p.failed(id, "hello", err)
	}
	return id, nil
}

// handshake is the HELLO exchange (IDENTITY.md §3).
func (p *Peer) handshake(ctx context.Context, c *ref.Conn, offerer bool, expect []ID) (ID, ed25519.PublicKey, []string, error) {
	if err := c.WaitOpen(ctx); err != nil {
		return ID{}, nil, nil, err
	}
	rc := c.RemoteCertificate()
	if rc == nil {
		return ID{}, nil, nil, fmt.Errorf("%w: no remote certificate", ErrAuth)
	}
	remoteFP := sha256Sum(rc)
	localFP := p.id.Fingerprint()
	offFP, ansFP, role, peerRole := localFP, remoteFP, byte(roleOfferer), byte(roleAnswerer)
	if !offerer {
		offFP, ansFP, role, peerRole = remoteFP, localFP, roleAnswerer, roleOfferer
	}
	h := hello{Type: msgHello, Version: Version, Key: p.id.PublicKey(),
		Sig: p.id.sign(helloInput(role, offFP, ansFP)), Addrs: p.cfg.Advertise}
	if h.Addrs == nil {
		h.Addrs = []string{}
	}
	if err := c.Channel().Send(ctx, marshal(&h)); err != nil {
		return ID{}, nil, nil, err
	}
	b, err := c.Channel().Receive(ctx)
	if err != nil {
		return ID{}, nil, nil, err
	}
	rh, id, err := checkHello(b, peerRole, offFP, ansFP, p.ID(), expect)
	if err != nil {
		return id, nil, nil, err
	}
	return id, ed25519.PublicKey(rh.Key), rh.Addrs, nil
}

func sha256Sum(b []byte) [32]byte { return IDOf(b) }
