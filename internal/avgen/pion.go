package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pion/webrtc/v4"
)

var (
	audioLine = regexp.MustCompile(`(?m)^m=audio `)
	videoLine = regexp.MustCompile(`(?m)^m=video `)
)

// gatherTimeout bounds ICE gathering of one pion peer connection.
const gatherTimeout = 30 * time.Second

// pionHelper answers helper requests with pion peer connections made the
// way its examples make them: webrtc.NewPeerConnection with the default
// configuration (default codecs and interceptors, which include the rid and
// mid header extensions simulcast needs), static tracks added with AddTrack.
type pionHelper struct {
	conns map[string]*webrtc.PeerConnection
}

// servePion runs the helper protocol on in and out until in ends.
func servePion(ctx context.Context, in io.Reader, out io.Writer) error {
	h := &pionHelper{conns: map[string]*webrtc.PeerConnection{}}
	defer h.closeAll()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxReply)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		var req request
		var rep reply
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			rep = reply{Error: err.Error()}
		} else if rep, err = h.handle(ctx, req); err != nil {
			rep = reply{Error: err.Error()}
		}
		if err := enc.Encode(rep); err != nil {
			return err
		}
	}
	return sc.Err()
}

func (h *pionHelper) handle(ctx context.Context, req request) (reply, error) {
	switch req.Op {
	case "version":
		return reply{OK: true, Version: pionVersion()}, nil
	case "offer":
		sdp, err := h.offer(ctx, req.ID, req.Scenario)
		return reply{OK: err == nil, SDP: sdp}, err
	case "answer":
		sdp, err := h.answer(ctx, req.ID, req.Scenario, req.SDP)
		return reply{OK: err == nil, SDP: sdp}, err
	case "reoffer":
		sdp, err := h.reoffer(ctx, req.ID, req.Scenario)
		return reply{OK: err == nil, SDP: sdp}, err
	case "reanswer":
		sdp, err := h.reanswer(ctx, req.ID, req.SDP)
		return reply{OK: err == nil, SDP: sdp}, err
	case "accept":
		pc, err := h.conn(req.ID)
		if err == nil {
			err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: req.SDP})
		}
		if err != nil {
			return reply{}, err
		}
		return reply{OK: true, State: pc.SignalingState().String()}, nil
	case "close":
		pc, err := h.conn(req.ID)
		if err != nil {
			return reply{}, err
		}
		delete(h.conns, req.ID)
		return reply{OK: true}, pc.Close()
	}
	return reply{}, fmt.Errorf("unknown op %q", req.Op)
}

func (h *pionHelper) conn(id string) (*webrtc.PeerConnection, error) {
	pc, ok := h.conns[id]
	if !ok {
		return nil, fmt.Errorf("no connection %q", id)
	}
	return pc, nil
}

// newConn makes a peer connection with the scenario's configuration: the
// default, but for maxbundle (page.js's config).
func (h *pionHelper) newConn(id, scenario string) (*webrtc.PeerConnection, error) {
	if _, ok := h.conns[id]; ok {
		return nil, fmt.Errorf("id %q in use", id)
	}
	var cfg webrtc.Configuration
	if scenario == "maxbundle" {
		cfg.BundlePolicy = webrtc.BundlePolicyMaxBundle
	}
	pc, err := webrtc.NewPeerConnection(cfg)
	if err != nil {
		return nil, err
	}
	h.conns[id] = pc
	return pc, nil
}

func (h *pionHelper) closeAll() {
	for id, pc := range h.conns {
		_ = pc.Close()
		delete(h.conns, id)
	}
}

// offer makes the scenario's offer (the scenarios of page.js).
func (h *pionHelper) offer(ctx context.Context, id, scenario string) (string, error) {
	pc, err := h.newConn(id, scenario)
	if err != nil {
		return "", err
	}
	if err := buildPion(pc, scenario); err != nil {
		return "", err
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	return gatherLocal(ctx, pc, offer)
}

// answer answers an offer as page.js does: one audio and one video track
// on the kinds the offer has.
func (h *pionHelper) answer(ctx context.Context, id, scenario, sdp string) (string, error) {
	pc, err := h.newConn(id, scenario)
	if err != nil {
		return "", err
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}); err != nil {
		return "", err
	}
	stream := uuid()
	if audioLine.MatchString(sdp) {
		if err := addSample(pc, webrtc.MimeTypeOpus, stream); err != nil {
			return "", err
		}
	}
	if videoLine.MatchString(sdp) {
		if err := addSample(pc, webrtc.MimeTypeVP8, stream); err != nil {
			return "", err
		}
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	return gatherLocal(ctx, pc, answer)
}

// gatherLocal sets d as the local description and returns it once ICE
// gathering is complete.
func gatherLocal(ctx context.Context, pc *webrtc.PeerConnection, d webrtc.SessionDescription) (string, error) {
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(d); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, gatherTimeout)
	defer cancel()
	select {
	case <-done:
	case <-ctx.Done():
		return "", fmt.Errorf("ICE gathering: %w", ctx.Err())
	}
	return pc.LocalDescription().SDP, nil
}

// buildPion adds to pc what the scenario sends or receives.
func buildPion(pc *webrtc.PeerConnection, scenario string) error {
	stream := uuid()
	var kinds []string
	switch scenario {
	case "audio":
		kinds = []string{webrtc.MimeTypeOpus}
	case "av":
		kinds = []string{webrtc.MimeTypeOpus, webrtc.MimeTypeVP8}
	case "avdata":
		kinds = []string{webrtc.MimeTypeOpus, webrtc.MimeTypeVP8, "data"}
	case "simulcast":
		if err := addSample(pc, webrtc.MimeTypeOpus, stream); err != nil {
			return err
		}
		return addSimulcast(pc, stream, "q", "h", "f")
	case "recvonly":
		return addRecvonly(pc)
	case "twovideo":
		// A second camera in a stream of its own, after the first stream.
		kinds = []string{webrtc.MimeTypeOpus, webrtc.MimeTypeVP8, "video2"}
	case "audiodata":
		kinds = []string{webrtc.MimeTypeOpus, "data"}
	case "data":
		kinds = []string{"data"}
	case "maxbundle": // its configuration is newConn's
		kinds = []string{webrtc.MimeTypeOpus, webrtc.MimeTypeVP8, "data"}
	case "munged", "reoffer", "restart", "stopped": // munged: the generator munges the offer's text; the others negotiate again (renego.go)
		kinds = []string{webrtc.MimeTypeOpus, webrtc.MimeTypeVP8}
	case "codecprefs":
		return addPreferH264(pc, stream)
	case "sendonly":
		return addSendonly(pc, stream)
	default:
		return fmt.Errorf("unknown scenario %q", scenario)
	}
	for _, k := range kinds {
		var err error
		switch k {
		case "data":
			_, err = pc.CreateDataChannel("data", nil)
		case "video2":
			err = addSample(pc, webrtc.MimeTypeVP8, uuid())
		default:
			err = addSample(pc, k, stream)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addSample adds a sample track of the codec mime to stream, with a random
// track id (browsers use UUIDs for both).
func addSample(pc *webrtc.PeerConnection, mime, stream string) error {
	t, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: mime}, uuid(), stream)
	if err != nil {
		return err
	}
	_, err = pc.AddTrack(t)
	return err
}

// addSimulcast adds one VP8 track sent as rid-based simulcast with the
// given rids: the first by AddTrack, the others by RTPSender.AddEncoding.
func addSimulcast(pc *webrtc.PeerConnection, stream string, rids ...string) error {
	id := uuid()
	var sender *webrtc.RTPSender
	for i, rid := range rids {
		t, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, id, stream, webrtc.WithRTPStreamID(rid))
		if err != nil {
			return err
		}
		if i == 0 {
			sender, err = pc.AddTrack(t)
		} else {
			err = sender.AddEncoding(t)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// addPreferH264 adds an Opus and a VP8 track, the video transceiver
// listing the H.264 formats first (SetCodecPreferences). The track stays
// VP8: a pion sample track sends the codec it was made with, and an H.264
// one cannot start with a Firefox that has no H.264 (Debian's, without
// OpenH264), which answers with VP8.
func addPreferH264(pc *webrtc.PeerConnection, stream string) error {
	if err := addSample(pc, webrtc.MimeTypeOpus, stream); err != nil {
		return err
	}
	if err := addSample(pc, webrtc.MimeTypeVP8, stream); err != nil {
		return err
	}
	for _, tr := range pc.GetTransceivers() {
		if tr.Kind() != webrtc.RTPCodecTypeVideo {
			continue
		}
		codecs := tr.Sender().GetParameters().Codecs
		var h264, rest []webrtc.RTPCodecParameters
		for _, c := range codecs {
			if strings.EqualFold(c.MimeType, webrtc.MimeTypeH264) {
				h264 = append(h264, c)
			} else {
				rest = append(rest, c)
			}
		}
		if err := tr.SetCodecPreferences(append(h264, rest...)); err != nil {
			return err
		}
	}
	return nil
}

// addSendonly adds an Opus and a VP8 track, each by a sendonly
// transceiver.
func addSendonly(pc *webrtc.PeerConnection, stream string) error {
	for _, mime := range []string{webrtc.MimeTypeOpus, webrtc.MimeTypeVP8} {
		t, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: mime}, uuid(), stream)
		if err != nil {
			return err
		}
		if _, err := pc.AddTransceiverFromTrack(t, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			return err
		}
	}
	return nil
}

func addRecvonly(pc *webrtc.PeerConnection) error {
	for _, k := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if _, err := pc.AddTransceiverFromKind(k, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			return err
		}
	}
	return nil
}

// uuid returns a random (version 4) UUID in its text form.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// pionVersion names the pion/webrtc module this binary was built with.
func pionVersion() string {
	v := "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/pion/webrtc/v4" {
				v = d.Version
			}
		}
	}
	return "pion/webrtc " + v + " (" + runtime.Version() + ")"
}
