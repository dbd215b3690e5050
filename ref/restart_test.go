package ref

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// restart runs an ICE restart offered by from and answered by to, the
// codes exchanged in-process, and waits until both are connected again.
func restart(t *testing.T, ctx context.Context, from, to *Conn) {
	t.Helper()
	offer, err := from.RestartOffer(ctx)
	if err != nil {
		t.Fatalf("RestartOffer: %v", err)
	}
	answer, err := to.RestartAnswer(ctx, offer)
	if err != nil {
		t.Fatalf("RestartAnswer: %v", err)
	}
	if err := from.CompleteRestart(ctx, answer); err != nil {
		t.Fatalf("CompleteRestart: %v", err)
	}
	for _, c := range []*Conn{from, to} {
		if err := c.WaitRestart(ctx); err != nil {
			t.Fatalf("WaitRestart: %v", err)
		}
	}
}

func localUfrag(c *Conn) string {
	for _, l := range strings.Split(c.PeerConnection().LocalDescription().SDP, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "a=ice-ufrag:"); ok {
			return v
		}
	}
	return ""
}

func roundTrip(t *testing.T, ctx context.Context, from, to *Channel, msg string) {
	t.Helper()
	if err := from.Send(ctx, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if m, err := to.Receive(ctx); err != nil || string(m) != msg {
		t.Fatalf("got %q, %v; want %q", m, err, msg)
	}
}

// waitUnreachable waits until each of cs reports Unreachable (and has not
// ended), failing after d.
func waitUnreachable(t *testing.T, d time.Duration, cs ...*Conn) {
	t.Helper()
	for _, c := range cs {
		select {
		case <-c.Unreachable():
		case <-c.Done():
			t.Fatalf("ended instead of waiting for a restart: %v", c.Err())
		case <-time.After(d):
			t.Fatal("unreachable not reported")
		}
	}
}

// restartableVNet is cuttableVNet with both peers RestartableICE.
func restartableVNet(t *testing.T, restartTimeout time.Duration) (ocfg, acfg *Config, cut *atomic.Bool) {
	t.Helper()
	ocfg, acfg, cut = cuttableVNet(t)
	for _, c := range []*Config{ocfg, acfg} {
		c.RestartableICE = true
		c.RestartTimeout = restartTimeout
	}
	return ocfg, acfg, cut
}

// TestVNetICERestart connects two RestartableICE peers on pion's vnet,
// cuts the network past the dead-peer deadline (both sides report
// Unreachable and stay alive), restores it and restarts ICE through the
// codes: the same Conns and their channels (the default one and another)
// carry messages again. A second restart, offered by the other side on a
// healthy connection, works too.
func TestVNetICERestart(t *testing.T) {
	ocfg, acfg, cut := restartableVNet(t, 10*time.Second)
	o, a := pair(t, ocfg, acfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	oid, ufrag := o.ID(), localUfrag(o)
	if len(ufrag) < 16 {
		t.Fatalf("ufrag %q: not pion's own", ufrag)
	}
	extra := make(chan *Channel, 1)
	go func() {
		ch, err := a.AcceptChannel(ctx)
		if err == nil {
			extra <- ch
		}
		close(extra)
	}()
	och, err := o.OpenChannel(ctx, "extra", nil)
	if err != nil {
		t.Fatal(err)
	}
	ach := <-extra
	if ach == nil {
		t.Fatal("no extra channel")
	}
	roundTrip(t, ctx, o.Channel(), a.Channel(), "before")

	cut.Store(true)
	start := time.Now()
	waitUnreachable(t, ocfg.DeadPeerTimeout+10*time.Second, o, a)
	t.Logf("unreachable after %v", time.Since(start).Round(time.Millisecond))
	cut.Store(false)
	restart(t, ctx, o, a)
	t.Logf("restarted %v after the cut began", time.Since(start).Round(time.Millisecond))
	if o.Err() != nil || a.Err() != nil {
		t.Fatalf("ended: %v, %v", o.Err(), a.Err())
	}
	if u := localUfrag(o); u == ufrag || len(u) < 16 {
		t.Fatalf("ufrag %q after the restart (was %q)", u, ufrag)
	}
	if o.Restarts() != 1 || a.Restarts() != 1 || o.ID() != oid {
		t.Fatalf("restarts %d, %d; ID %s (was %s)", o.Restarts(), a.Restarts(), o.ID(), oid)
	}
	roundTrip(t, ctx, a.Channel(), o.Channel(), "after the restart")
	roundTrip(t, ctx, och, ach, "extra after the restart")

	// The answerer offers the next restart, on a healthy connection.
	restart(t, ctx, a, o)
	if o.Restarts() != 2 || a.Restarts() != 2 {
		t.Fatalf("restarts %d, %d; want 2", o.Restarts(), a.Restarts())
	}
	roundTrip(t, ctx, o.Channel(), a.Channel(), "after the second restart")
	roundTrip(t, ctx, ach, och, "extra after the second restart")
}

// TestVNetRestartGivesUp: a RestartableICE connection whose peer is gone
// reports Unreachable at the dead-peer deadline, then ends with
// ErrPeerUnreachable RestartTimeout later when no restart begins.
func TestVNetRestartGivesUp(t *testing.T) {
	ocfg, acfg, cut := restartableVNet(t, 2*time.Second)
	o, _ := pair(t, ocfg, acfg)
	cut.Store(true)
	start := time.Now()
	select {
	case <-o.Unreachable():
	case <-time.After(ocfg.DeadPeerTimeout + 10*time.Second):
		t.Fatal("unreachable not reported")
	}
	u := time.Since(start)
	select {
	case <-o.Done():
	case <-time.After(ocfg.RestartTimeout + 5*time.Second):
		t.Fatal("not ended after the restart timeout")
	}
	d := time.Since(start)
	t.Logf("unreachable after %v, ended after %v", u.Round(time.Millisecond), d.Round(time.Millisecond))
	if !errors.Is(o.Err(), ErrPeerUnreachable) {
		t.Fatalf("Err = %v, want ErrPeerUnreachable", o.Err())
	}
	if u < ocfg.DeadPeerTimeout-time.Second || d-u < ocfg.RestartTimeout-500*time.Millisecond {
		t.Fatalf("too early: unreachable %v, ended %v", u, d)
	}
}

// TestRestartNotRestartable: connections with short fixed credentials
// refuse a restart with ErrNotRestartable, and stay usable.
func TestRestartNotRestartable(t *testing.T) {
	o, a := pair(t, loopback(), loopback())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := o.RestartOffer(ctx); !errors.Is(err, ErrNotRestartable) {
		t.Fatalf("RestartOffer: %v, want ErrNotRestartable", err)
	}
	var ce *ConnError
	if _, err := a.RestartAnswer(ctx, o.Code()); !errors.Is(err, ErrNotRestartable) || !errors.As(err, &ce) || ce.ID != a.ID() {
		t.Fatalf("RestartAnswer: %v, want ErrNotRestartable from %s", err, a.ID())
	}
	roundTrip(t, ctx, o.Channel(), a.Channel(), "still fine")
}

// TestVNetReachable: Reachable is closed while the path works, open from
// the dead-peer deadline (when Unreachable closes) and closed again when
// a restart connects, with no polling by the caller.
func TestVNetReachable(t *testing.T) {
	ocfg, acfg, cut := restartableVNet(t, 20*time.Second)
	o, a := pair(t, ocfg, acfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	if !closed(o.Reachable()) || !closed(a.Reachable()) {
		t.Fatal("Reachable not closed on a connected connection")
	}
	cut.Store(true)
	waitUnreachable(t, ocfg.DeadPeerTimeout+10*time.Second, o, a)
	back := o.Reachable()
	if closed(back) || closed(a.Reachable()) {
		t.Fatal("Reachable closed past the dead-peer deadline")
	}
	cut.Store(false)
	restart(t, ctx, o, a)
	select {
	case <-back:
	case <-time.After(10 * time.Second):
		t.Fatal("the channel Reachable returned while unreachable did not close when the restart connected")
	}
	if !closed(a.Reachable()) || closed(o.Unreachable()) {
		t.Fatal("after the restart: not reachable, or still unreachable")
	}
	roundTrip(t, ctx, o.Channel(), a.Channel(), "after the restart")
}

// TestVNetICERestartWithTracks: media survives an ICE restart. Two
// RestartableICE peers on pion's vnet each send a track (the offerer VP8,
// the answerer Opus); the network is cut past the dead-peer deadline,
// restored, and ICE restarted through the codes (which carry the A/V
// form). The same remote tracks then deliver packets the senders wrote
// after the restart, and no new track arrives: a restart does not
// renegotiate media.
func TestVNetICERestartWithTracks(t *testing.T) {
	ocfg, acfg, cut := restartableVNet(t, 10*time.Second)
	ov, aa := rtpTrack(t, vp8, "o-video"), rtpTrack(t, opus, "a-audio")
	ocfg.Tracks, ocfg.Receive = []webrtc.TrackLocal{ov}, []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio}
	acfg.Tracks = []webrtc.TrackLocal{aa}
	o, a := pair(t, ocfg, acfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var seq atomic.Uint32 // the sequence number the senders write next
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			n := seq.Load()
			for _, tr := range []*webrtc.TrackLocalStaticRTP{ov, aa} {
				_ = tr.WriteRTP(&rtp.Packet{
					Header:  rtp.Header{Version: 2, SequenceNumber: uint16(n), Timestamp: n * 960, Marker: true},
					Payload: []byte(fmt.Sprintf("%s/%d", tr.ID(), n)),
				})
			}
			seq.Add(1)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	defer func() { close(stop); <-sent }()

	ort, err := o.AcceptTrack(ctx)
	if err != nil {
		t.Fatal(err)
	}
	art, err := a.AcceptTrack(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range []RemoteTrack{ort, art} {
		if err := readFrom(rt, 0); err != nil {
			t.Fatalf("before the cut: %v", err)
		}
	}

	cut.Store(true)
	waitUnreachable(t, ocfg.DeadPeerTimeout+10*time.Second, o, a)
	cut.Store(false)
	restart(t, ctx, o, a)
	from := seq.Load()
	for _, rt := range []RemoteTrack{ort, art} {
		if err := readFrom(rt, from); err != nil {
			t.Fatalf("after the restart (packets from %d on): %v", from, err)
		}
	}
	for _, c := range []*Conn{o, a} {
		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		rt, err := c.AcceptTrack(short)
		cancel()
		if err == nil {
			t.Fatalf("a new remote track %q after the restart", rt.Track.ID())
		}
	}
	if o.Restarts() != 1 || a.Restarts() != 1 {
		t.Fatalf("restarts %d, %d; want 1", o.Restarts(), a.Restarts())
	}
}

// readFrom reads rt until a packet its sender wrote at or after sequence
// number from arrives (payload "<track id>/<number>", as
// TestVNetICERestartWithTracks writes), checking every payload on the way.
func readFrom(rt RemoteTrack, from uint32) error {
	if err := rt.Track.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return err
	}
	for {
		p, _, err := rt.Track.ReadRTP()
		if err != nil {
			return fmt.Errorf("track %s: %w", rt.Track.ID(), err)
		}
		var n uint32
		var id string
		if _, err := fmt.Sscanf(strings.Replace(string(p.Payload), "/", " ", 1), "%s %d", &id, &n); err != nil ||
			id != rt.Track.ID() || uint16(n) != p.SequenceNumber {
			return fmt.Errorf("track %s: payload %q, sequence number %d", rt.Track.ID(), p.Payload, p.SequenceNumber)
		}
		if n >= from {
			return nil
		}
	}
}
