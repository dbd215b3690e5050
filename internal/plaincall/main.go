// Command plaincall is the baseline of the call measurement in
// web/test/callbench.mjs: a plain pion offerer, with pion's defaults (all
// its codecs and interceptors, its own ICE credentials, every interface),
// that sends the video of an IVF file and exchanges full SDP, no codes. It
// prints its offer as one JSON line ({"type","sdp"}) on stdout, reads the
// answer as one JSON line on stdin, then plays the file (again and again)
// until stdin ends. Like pion's play-from-disk example, it plays from when the
// connection is up.
//
//	go run ./internal/plaincall FILE.ivf
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plaincall FILE.ivf")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "plaincall:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	defer pc.Close()
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "plain")
	if err != nil {
		return err
	}
	if _, err := pc.AddTrack(track); err != nil {
		return err
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return err
	}
	<-gathered
	if err := json.NewEncoder(os.Stdout).Encode(pc.LocalDescription()); err != nil {
		return err
	}
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	var answer webrtc.SessionDescription
	if err := json.Unmarshal(line, &answer); err != nil {
		return fmt.Errorf("the answer: %w", err)
	}
	// Play from when the connection is up, as pion's play-from-disk
	// example does (frames sent before are lost, the key frame with them).
	connected := make(chan struct{})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			close(connected)
		}
	})
	if err := pc.SetRemoteDescription(answer); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, in)
		close(done)
	}()
	select {
	case <-connected:
	case <-done:
		return nil
	}
	for {
		if err := play(path, track, done); err != nil {
			return err
		}
		select {
		case <-done:
			return nil
		default:
		}
	}
}

// play sends the file's frames once, one per time base unit.
func play(path string, track *webrtc.TrackLocalStaticSample, done <-chan struct{}) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, h, err := ivfreader.NewWith(f)
	if err != nil {
		return err
	}
	if h.TimebaseDenominator == 0 {
		return fmt.Errorf("%s: IVF time base of 0", path)
	}
	frameTime := time.Second * time.Duration(h.TimebaseNumerator) / time.Duration(h.TimebaseDenominator)
	tick := time.NewTicker(frameTime)
	defer tick.Stop()
	for {
		frame, _, err := r.ParseNextFrame()
		if err != nil {
			return nil // the end of the file
		}
		if err := track.WriteSample(media.Sample{Data: frame, Duration: frameTime}); err != nil {
			return err
		}
		select {
		case <-tick.C:
		case <-done:
			return nil
		}
	}
}
