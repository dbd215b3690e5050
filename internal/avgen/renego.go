package main

import (
	"context"
	"fmt"

	"github.com/pion/webrtc/v4"
)

// The renego set (plan.go's renego): after a first offer, answer and
// accept of audio and video, the offerer negotiates again — a data
// channel added (reoffer), an ICE restart (restart), the video transceiver
// stopped (stopped) — and the answerer answers that second offer.

// reoffer makes the second offer of a renego scenario on connection id.
func (h *pionHelper) reoffer(ctx context.Context, id, scenario string) (string, error) {
	pc, err := h.conn(id)
	if err != nil {
		return "", err
	}
	var opts *webrtc.OfferOptions
	switch scenario {
	case "reoffer":
		if _, err := pc.CreateDataChannel("data", nil); err != nil {
			return "", err
		}
	case "restart":
		opts = &webrtc.OfferOptions{ICERestart: true}
	case "stopped":
		stopped := false
		for _, t := range pc.GetTransceivers() {
			if t.Kind() == webrtc.RTPCodecTypeVideo && !stopped {
				if err := t.Stop(); err != nil {
					return "", err
				}
				stopped = true
			}
		}
		if !stopped {
			return "", fmt.Errorf("no video transceiver to stop")
		}
	default:
		return "", fmt.Errorf("unknown renego scenario %q", scenario)
	}
	offer, err := pc.CreateOffer(opts)
	if err != nil {
		return "", err
	}
	return gatherLocal(ctx, pc, offer)
}

// reanswer answers the second offer on connection id.
func (h *pionHelper) reanswer(ctx context.Context, id, sdp string) (string, error) {
	pc, err := h.conn(id)
	if err != nil {
		return "", err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}); err != nil {
		return "", err
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	return gatherLocal(ctx, pc, answer)
}
