package ref

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// TestPlainPionThroughCodec connects two pion peers with pion's own ICE
// credentials (16 and 32 characters), its own candidates and a DCEP channel
// (no ref framing): each description goes SDP -> code -> SDP, the answer's
// code bound to the offer's, and a message crosses. It shows that pion's own
// descriptions survive the codec and stay connectable, not only ref's.
func TestPlainPionThroughCodec(t *testing.T) { pionThroughCodec(t, false) }

// TestICELitePionThroughCodec is TestPlainPionThroughCodec with an ICE-lite
// answerer (SettingEngine.SetLite, as a server with a public address runs
// it): the a=ice-lite the answer's code carries as a flag (SPEC.md §4.3)
// comes back in the decoded answer, and the full-ICE offerer connects to it.
func TestICELitePionThroughCodec(t *testing.T) { pionThroughCodec(t, true) }

// pionThroughCodec connects two pion peers over loopback whose offer and
// answer travel only as codes, and checks the message that crosses. It is
// longer than 80 lines: one connection, set up, signalled through codes
// and checked in order, reads best in one piece.
func pionThroughCodec(t *testing.T, liteAnswerer bool) {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	se.SetInterfaceFilter(func(name string) bool {
		ifi, err := net.InterfaceByName(name)
		return err == nil && ifi.Flags&net.FlagLoopback != 0
	})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	answerAPI := api
	if liteAnswerer {
		se.SetLite(true)
		answerAPI = webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	a, err := answerAPI.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	got := make(chan string, 1)
	a.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			select {
			case got <- string(m.Data):
			default:
			}
		})
	})
	dc, err := o.CreateDataChannel("plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan struct{})
	dc.OnOpen(func() { close(opened) })

	offer, err := o.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	offerSDP := gatheredSDP(ctx, t, o, offer)
	offerCode, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: offerSDP}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if offerCode[0] >= 16 {
		t.Fatalf("pion's offer took the residual form:\n%s", offerSDP)
	}
	dOffer, err := codec.Decode(offerCode, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.Equivalent(codec.Description{Type: codec.Offer, SDP: offerSDP}, dOffer, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: dOffer.SDP}); err != nil {
		t.Fatalf("pion refuses the decoded offer: %v", err)
	}
	answer, err := a.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	answerSDP := gatheredSDP(ctx, t, a, answer)
	answerCode, err := codec.Encode(codec.Description{Type: codec.Answer, SDP: answerSDP}, offerCode, nil)
	if err != nil {
		t.Fatal(err)
	}
	dAnswer, err := codec.Decode(answerCode, &codec.DecOptions{Offer: offerCode})
	if err != nil {
		t.Fatal(err)
	}
	inAnswer, inDecoded := strings.Contains(answerSDP, "a=ice-lite"), strings.Contains(dAnswer.SDP, "\r\na=ice-lite\r\n")
	if inAnswer != liteAnswerer || inDecoded != liteAnswerer {
		t.Fatalf("ICE-lite answerer %v: a=ice-lite in the answer %v, in the decoded answer %v", liteAnswerer, inAnswer, inDecoded)
	}
	if err := o.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: dAnswer.SDP}); err != nil {
		t.Fatalf("pion refuses the decoded answer: %v", err)
	}
	t.Logf("pion offer %d B of SDP -> %d B code; answer %d B -> %d B", len(offerSDP), len(offerCode), len(answerSDP), len(answerCode))

	select {
	case <-opened:
	case <-ctx.Done():
		t.Fatal("the channel did not open")
	}
	if err := dc.SendText("through the codec"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if m != "through the codec" {
			t.Fatalf("received %q", m)
		}
	case <-ctx.Done():
		t.Fatal("no message")
	}
}
