package ref

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
)

var (
	opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	vp8  = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
	vp9  = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000}
)

// rtpTrack is a local RTP track with a fixed id and stream id.
func rtpTrack(t *testing.T, c webrtc.RTPCodecCapability, id string) *webrtc.TrackLocalStaticRTP {
	t.Helper()
	tr, err := webrtc.NewTrackLocalStaticRTP(c, id, "stream-"+id)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// sendUntil writes numbered RTP packets whose payload names the track on
// every track, every 20 ms, until stop is closed. Packets written before
// SRTP is up are dropped by pion; the receivers wait for later ones.
func sendUntil(stop <-chan struct{}, tracks ...*webrtc.TrackLocalStaticRTP) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for seq := uint16(0); ; seq++ {
		for _, tr := range tracks {
			p := &rtp.Packet{
				Header:  rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 960, Marker: true},
				Payload: []byte(fmt.Sprintf("%s/%d/%s", tr.ID(), seq, strings.Repeat("x", int(seq%200)))),
			}
			_ = tr.WriteRTP(p)
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// receive accepts n remote tracks and reads 5 packets from each, checking
// that each payload is one its sender wrote for that track (id, the
// packet's sequence number, then as many x as the number modulo 200 says).
// It returns the kinds
// and ids seen.
func receive(ctx context.Context, c *Conn, n int) (map[string]webrtc.RTPCodecType, error) {
	seen := map[string]webrtc.RTPCodecType{}
	var mu sync.Mutex
	errs := make(chan error, n)
	for range n {
		rt, err := c.AcceptTrack(ctx)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		seen[rt.Track.ID()] = rt.Kind()
		mu.Unlock()
		go func() {
			for i := 0; i < 5; i++ {
				p, _, err := rt.Track.ReadRTP()
				if err != nil {
					errs <- err
					return
				}
				var seq int
				parts := strings.SplitN(string(p.Payload), "/", 3)
				if len(parts) != 3 {
					errs <- fmt.Errorf("track %s: payload %q", rt.Track.ID(), p.Payload)
					return
				}
				if _, err := fmt.Sscan(parts[1], &seq); err != nil || parts[0] != rt.Track.ID() ||
					parts[2] != strings.Repeat("x", seq%200) || uint16(seq) != p.SequenceNumber {
					errs <- fmt.Errorf("track %s: payload %q", rt.Track.ID(), p.Payload)
					return
				}
			}
			errs <- nil
		}()
	}
	for range n {
		select {
		case err := <-errs:
			if err != nil {
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return seen, nil
}

// TestMediaBothWays connects two pion peers through their codes with
// audio and video both ways and several tracks of one kind: the offerer
// sends Opus, VP8 and VP9 and asks for one more audio track it does not
// send on (Receive); the answerer sends two audio tracks and a video
// track back, filling the offer's m-lines. Every track arrives with its
// kind and id, and its RTP payloads intact.
func TestMediaBothWays(t *testing.T) {
	oa, ov, ov2 := rtpTrack(t, opus, "o-audio"), rtpTrack(t, vp8, "o-video"), rtpTrack(t, vp9, "o-video2")
	aa, aa2, av := rtpTrack(t, opus, "a-audio"), rtpTrack(t, opus, "a-audio2"), rtpTrack(t, vp8, "a-video")
	ocfg := &Config{Loopback: true, Tracks: []webrtc.TrackLocal{oa, ov, ov2}, Receive: []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio}}
	acfg := &Config{Loopback: true, Tracks: []webrtc.TrackLocal{aa, av, aa2}}
	o, a := pair(t, ocfg, acfg)
	checkCodeRoundTrip(t, o, a)
	if n := len(o.LocalTracks()); n != 3 {
		t.Fatalf("offerer has %d senders, want 3", n)
	}
	for _, c := range []*Conn{o, a} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := c.WaitMedia(ctx)
		cancel()
		if err != nil {
			t.Fatalf("WaitMedia on an open connection: %v", err)
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sendUntil(stop, oa, ov, ov2, aa, aa2, av) }()
	defer func() { close(stop); wg.Wait() }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type result struct {
		seen map[string]webrtc.RTPCodecType
		err  error
	}
	res := make(chan result, 2)
	for _, c := range []*Conn{o, a} {
		go func() {
			seen, err := receive(ctx, c, 3)
			res <- result{seen, err}
		}()
	}
	want := []map[string]webrtc.RTPCodecType{
		{"a-audio": webrtc.RTPCodecTypeAudio, "a-audio2": webrtc.RTPCodecTypeAudio, "a-video": webrtc.RTPCodecTypeVideo},
		{"o-audio": webrtc.RTPCodecTypeAudio, "o-video": webrtc.RTPCodecTypeVideo, "o-video2": webrtc.RTPCodecTypeVideo},
	}
	for range 2 {
		r := <-res
		if r.err != nil {
			t.Fatal(r.err)
		}
		ok := false
		for _, w := range want {
			ok = ok || fmt.Sprint(w) == fmt.Sprint(r.seen)
		}
		if !ok {
			t.Fatalf("tracks received %v, want one of %v", r.seen, want)
		}
	}
}

// checkCodeRoundTrip decodes both codes and checks that each holds the
// media its side's description holds (codec.Equivalent).
func checkCodeRoundTrip(t *testing.T, o, a *Conn) {
	t.Helper()
	od, err := codec.Decode(o.Code(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.Equivalent(codec.Description{Type: codec.Offer, SDP: o.pc.LocalDescription().SDP}, od, nil); err != nil {
		t.Fatalf("offer's code: %v", err)
	}
	ad, err := codec.Decode(a.Code(), &codec.DecOptions{Offer: o.Code()})
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.Equivalent(codec.Description{Type: codec.Answer, SDP: a.pc.LocalDescription().SDP}, ad, nil); err != nil {
		t.Fatalf("answer's code: %v", err)
	}
	t.Logf("offer's code %d B (SDP %d B), answer's code %d B (SDP %d B)",
		len(o.Code()), len(o.pc.LocalDescription().SDP), len(a.Code()), len(a.pc.LocalDescription().SDP))
}

// TestMediaDirections: an offerer that only receives (Receive, no tracks)
// gets the answerer's video; an offerer that only sends gets nothing back
// and its answerer, which sends nothing, receives the audio.
func TestMediaDirections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Run("receive only", func(t *testing.T) {
		av := rtpTrack(t, vp8, "cam")
		o, a := pair(t, &Config{Loopback: true, Receive: []webrtc.RTPCodecType{webrtc.RTPCodecTypeVideo}},
			&Config{Loopback: true, Tracks: []webrtc.TrackLocal{av}})
		stop := make(chan struct{})
		defer close(stop)
		go sendUntil(stop, av)
		seen, err := receive(ctx, o, 1)
		if err != nil || seen["cam"] != webrtc.RTPCodecTypeVideo {
			t.Fatalf("offerer received %v, %v", seen, err)
		}
		if !strings.Contains(o.pc.LocalDescription().SDP, "a=recvonly") || !strings.Contains(a.pc.LocalDescription().SDP, "a=sendonly") {
			t.Fatalf("directions: offer\n%s\nanswer\n%s", o.pc.LocalDescription().SDP, a.pc.LocalDescription().SDP)
		}
	})
	t.Run("send only", func(t *testing.T) {
		oa := rtpTrack(t, opus, "mic")
		o, a := pair(t, &Config{Loopback: true, Tracks: []webrtc.TrackLocal{oa}}, loopback())
		stop := make(chan struct{})
		defer close(stop)
		go sendUntil(stop, oa)
		seen, err := receive(ctx, a, 1)
		if err != nil || seen["mic"] != webrtc.RTPCodecTypeAudio {
			t.Fatalf("answerer received %v, %v", seen, err)
		}
		if !strings.Contains(a.pc.LocalDescription().SDP, "a=recvonly") {
			t.Fatalf("answer not recvonly:\n%s", a.pc.LocalDescription().SDP)
		}
		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		if rt, err := o.AcceptTrack(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the send-only offerer received a track: %v, %v", rt, err)
		}
	})
}

// TestMediaNoPlace: an answerer's track for which the offer has no m-line
// of its kind fails Answer with ErrMedia; invalid media configuration
// fails at Offer.
func TestMediaNoPlace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, offer, err := Offer(ctx, &Config{Loopback: true, Tracks: []webrtc.TrackLocal{rtpTrack(t, opus, "mic")}})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	_, _, err = Answer(ctx, &Config{Loopback: true, Tracks: []webrtc.TrackLocal{rtpTrack(t, vp8, "cam")}}, offer)
	if !errors.Is(err, ErrMedia) {
		t.Fatalf("Answer with a video track to an audio-only offer: %v, want ErrMedia", err)
	}
	for _, cfg := range []*Config{
		{Tracks: []webrtc.TrackLocal{nil}},
		{Receive: []webrtc.RTPCodecType{webrtc.RTPCodecType(9)}},
		{Codecs: []webrtc.RTPCodecParameters{{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "text/plain"}, PayloadType: 96}}},
	} {
		if c, _, err := Offer(ctx, cfg); err == nil {
			c.Close()
			t.Fatalf("Offer accepted %+v", cfg)
		}
	}
}
