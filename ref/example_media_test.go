package ref_test

import (
	"context"
	"fmt"
	"time"

	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/peer-sdp/peer/ref"
)

// Media: the offerer sends a video track and asks for audio without
// sending any; the answerer sends its microphone back in the m-line the
// offer made for it. Tracks are given before the codes are made.
func Example_media() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	camera, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "camera", "offerer")
	mic, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "mic", "answerer")

	offerer, offerCode, err := ref.Offer(ctx, &ref.Config{
		Loopback: true,
		Tracks:   []webrtc.TrackLocal{camera},
		Receive:  []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer offerer.Close()
	answerer, answerCode, err := ref.Answer(ctx, &ref.Config{Loopback: true, Tracks: []webrtc.TrackLocal{mic}}, offerCode)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer answerer.Close()
	if err := offerer.Complete(ctx, answerCode); err != nil {
		fmt.Println(err)
		return
	}

	// Samples are written until each side has the other's track (samples
	// written before the connection is up are dropped).
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			camera.WriteSample(media.Sample{Data: []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, Duration: 33 * time.Millisecond})
			mic.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond})
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	for _, c := range []struct {
		who  string
		conn *ref.Conn
	}{{"answerer", answerer}, {"offerer", offerer}} {
		t, err := c.conn.AcceptTrack(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		p, _, err := t.Track.ReadRTP()
		if err != nil {
			fmt.Println(err)
			return
		}
		data := p.Payload
		if t.Kind() == webrtc.RTPCodecTypeVideo {
			var vp8 codecs.VP8Packet // strip the VP8 payload descriptor (RFC 7741)
			data, _ = vp8.Unmarshal(p.Payload)
		}
		fmt.Printf("%s receives %s %q (%s), first payload %x\n", c.who, t.Kind(), t.Track.ID(), t.Track.Codec().MimeType, data)
	}
	// Output:
	// answerer receives video "camera" (video/VP8), first payload 1002009d012a
	// offerer receives audio "mic" (audio/opus), first payload f8fffe
}
