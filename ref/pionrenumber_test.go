package ref

import (
	"fmt"
	"testing"

	"github.com/pion/webrtc/v4"
)

// subsetAPI returns a loopback pion API with Opus, VP8 and H.264 and
// their retransmission formats, with the feedback pion gives them, at
// payload types pt (Opus, VP8, its rtx, H.264, its rtx; pion's own are
// 111, 96, 97, 102, 103).
func subsetAPI(t *testing.T, pt [5]webrtc.PayloadType) *webrtc.API {
	t.Helper()
	fb := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "transport-cc"}}
	rtxFB := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "transport-cc"}}
	var me webrtc.MediaEngine
	for _, c := range []struct {
		kind webrtc.RTPCodecType
		p    webrtc.RTPCodecParameters
	}{
		{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1", RTCPFeedback: []webrtc.RTCPFeedback{{Type: "transport-cc"}}}, PayloadType: pt[0]}},
		{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: pt[1]}},
		{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeRTX, ClockRate: 90000, SDPFmtpLine: fmt.Sprintf("apt=%d", pt[1]), RTCPFeedback: rtxFB}, PayloadType: pt[2]}},
		{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f", RTCPFeedback: fb}, PayloadType: pt[3]}},
		{webrtc.RTPCodecTypeVideo, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeRTX, ClockRate: 90000, SDPFmtpLine: fmt.Sprintf("apt=%d", pt[3]), RTCPFeedback: rtxFB}, PayloadType: pt[4]}},
	} {
		if err := me.RegisterCodec(c.p, c.kind); err != nil {
			t.Fatal(err)
		}
	}
	return loopbackAPIWith(&me)
}

// TestPionRenumberedAVCallThroughCodes makes the call of
// TestPionAVCallThroughCodes with an offerer whose codecs are a subset of
// pion's at other payload types (a stack version that numbers the codecs
// of pion's registry profiles otherwise), answered by a pion of the
// default codecs: its offer's code renumbers the profiles (SPEC.md §14.5,
// RENUMBER), and audio and video flow both ways through the codes. The
// code costs a few bytes a payload type more than the offer of the same
// codecs at pion's own numbers, not its codec lines as text.
func TestPionRenumberedAVCallThroughCodes(t *testing.T) {
	code := avCallThroughCodes(t, subsetAPI(t, [5]webrtc.PayloadType{109, 120, 121, 126, 127}), loopbackAPI(t))
	own := avCallThroughCodes(t, subsetAPI(t, [5]webrtc.PayloadType{111, 96, 97, 102, 103}), loopbackAPI(t))
	t.Logf("offer code with renumbered payload types %d B, with pion's own %d B", len(code), len(own))
	if len(code) > len(own)+3*5+12 {
		t.Errorf("the renumbered offer's code is %d B, over %d B (pion's own numbers) plus 3 a payload type changed and 12", len(code), len(own))
	}
}
