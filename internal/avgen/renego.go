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

// again runs the second negotiation of a renego pair whose first one made
// m, and returns the second offer and answer in its place.
func (p pair) again(m made, o, a *helper, oid, aid string, step func(*helper, request) (reply, error)) made {
	r, err := step(o, request{Op: "reoffer", ID: oid, Scenario: p.scenario})
	if err != nil {
		m.err = fmt.Errorf("second offer: %w", err)
		return m
	}
	m.offer = r.SDP
	if r, err = step(a, request{Op: "reanswer", ID: aid, Scenario: p.scenario, SDP: m.offer}); err != nil {
		m.err = fmt.Errorf("second answer: %w", err)
		return m
	}
	m.answer = r.SDP
	if _, err = step(o, request{Op: "accept", ID: oid, SDP: m.answer}); err != nil {
		m.err = fmt.Errorf("second accept: %w", err)
	}
	return m
}

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
