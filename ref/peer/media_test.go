package peer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// firstPayload accepts the next track of p and returns who sends it, its
// first payload and the track.
func firstPayload(t *testing.T, p *Peer) (ID, string, Track) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := p.AcceptTrack(ctx)
	if err != nil {
		t.Fatalf("%s: AcceptTrack: %v", p.ID().Short(), err)
	}
	pkt, _, err := tr.Track.ReadRTP()
	if err != nil {
		t.Fatalf("%s: ReadRTP: %v", p.ID().Short(), err)
	}
	return tr.From, string(pkt.Payload), tr
}

// TestTracksAcrossReconnect: two Peers whose Config.Conn holds a video
// track each receive each other's through AcceptTrack. Then a's process
// restarts (a new Peer from the same files and the same track) and b,
// still running, reconnects by itself: b's track, given once in its
// Config, is sent on the new connection with nothing added again, a's
// comes to b through AcceptTrack again, and the old connection's track
// ends.
func TestTracksAcrossReconnect(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	va, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "a-video", "a")
	if err != nil {
		t.Fatal(err)
	}
	vb, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "b-video", "b")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for seq := uint16(0); ; seq++ {
			for _, tr := range []*webrtc.TrackLocalStaticRTP{va, vb} {
				_ = tr.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 3000},
					Payload: []byte(fmt.Sprintf("%s/%d", tr.ID(), seq))})
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()

	a := filePeer(t, dir, "a", addr, va)
	b := filePeer(t, dir, "b", "", vb)
	aID, bID := a.ID(), b.ID()
	pairPeers(t, b, a)
	from, payload, _ := firstPayload(t, a)
	if from != bID || !strings.HasPrefix(payload, "b-video/") {
		t.Fatalf("a received %q from %s", payload, from.Short())
	}
	from, payload, old := firstPayload(t, b)
	if from != aID || !strings.HasPrefix(payload, "a-video/") {
		t.Fatalf("b received %q from %s", payload, from.Short())
	}

	a.Close()
	waitEvent(t, b, Left, aID, 10*time.Second)
	a = filePeer(t, dir, "a", addr, va)
	waitEvent(t, b, Joined, aID, 40*time.Second)
	from, payload, _ = firstPayload(t, a)
	if from != bID || !strings.HasPrefix(payload, "b-video/") {
		t.Fatalf("after the reconnect a received %q from %s", payload, from.Short())
	}
	from, payload, _ = firstPayload(t, b)
	if from != aID || !strings.HasPrefix(payload, "a-video/") {
		t.Fatalf("after the reconnect b received %q from %s", payload, from.Short())
	}
	// The old connection's track has ended: its reads fail, once what
	// pion buffered is read.
	done := make(chan error, 1)
	go func() {
		for {
			if _, _, err := old.Track.ReadRTP(); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		t.Logf("the old connection's track ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the old connection's track still delivers")
	}
}
