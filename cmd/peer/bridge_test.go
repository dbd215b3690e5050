package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
)

// rawPeer is a hostile pion peer on loopback that speaks FRAMING.md by
// hand: it sends whatever frames the test gives it on the default channel
// (label "peer", negotiated, id 0).
type rawPeer struct {
	pc     *webrtc.PeerConnection
	dc     *webrtc.DataChannel
	opened chan struct{}
	eos    chan struct{} // the other side's end-of-stream arrived
	closed chan struct{} // the other side closed: a CLOSE frame or the channel's end
	code   []byte        // its offer's code
}

func newRawOfferer(t *testing.T, ctx context.Context) *rawPeer {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetInterfaceFilter(func(name string) bool {
		ifi, err := net.InterfaceByName(name)
		return err == nil && ifi.Flags&net.FlagLoopback != 0
	})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	negotiated, id := true, uint16(0)
	dc, err := pc.CreateDataChannel("peer", &webrtc.DataChannelInit{Negotiated: &negotiated, ID: &id})
	if err != nil {
		t.Fatal(err)
	}
	p := &rawPeer{pc: pc, dc: dc, opened: make(chan struct{}), eos: make(chan struct{}), closed: make(chan struct{})}
	dc.OnOpen(func() { close(p.opened) })
	var once = make(chan struct{}, 1)
	closeOnce := func() {
		select {
		case once <- struct{}{}:
			close(p.closed)
		default:
		}
	}
	dc.OnClose(closeOnce)
	dc.OnMessage(func(m webrtc.DataChannelMessage) {
		switch {
		case len(m.Data) == 1 && m.Data[0] == 0x03:
			closeOnce()
		case len(m.Data) == 1 && m.Data[0] == 0x02:
			close(p.eos)
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		t.Fatal("gathering did not end")
	}
	p.code, err = codec.Encode(codec.Description{Type: codec.Offer, SDP: pc.LocalDescription().SDP}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// complete applies the answer's code and waits for the channel to open.
func (p *rawPeer) complete(t *testing.T, ctx context.Context, answerText string) {
	t.Helper()
	code, err := codec.ParseText(answerText)
	if err != nil {
		t.Fatal(err)
	}
	d, err := codec.Decode(code, &codec.DecOptions{Offer: p.code})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: d.SDP}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.opened:
	case <-ctx.Done():
		t.Fatal("the channel did not open")
	}
}

// TestAnswerFramingErrorAfterEOS is a peer that sends "hi", its
// end-of-stream, then one more DATA frame: a protocol error (FRAMING.md
// §2). `peer answer` has read the stream to its end and sent its own by
// then; the error comes from Shutdown, which it ignored, so it exited 0. It
// must exit 1 with one "peer:" line that names the framing.
func TestAnswerFramingErrorAfterEOS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	evil := newRawOfferer(t, ctx)
	// stdin: the offer's code, then its end (the answer's stream ends at
	// once). stdout is read only after the evil frames have been handled.
	out, res := startCmd([]string{"answer", "-loopback"}, strings.NewReader(codec.FormatText(evil.code, codec.FormLink)+"\n"))
	answer, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	evil.complete(t, ctx, answer)
	// The answer has sent its end-of-stream; a margin lets it see the
	// acknowledgement (its stream is then over, nothing of it can fail).
	select {
	case <-evil.eos:
	case <-ctx.Done():
		t.Fatal("no end-of-stream from peer answer")
	}
	time.Sleep(2 * time.Second)
	for _, f := range [][]byte{{0x00, 'h', 'i'}, {0x02}, {0x00, 'x'}} {
		if err := evil.dc.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-evil.closed: // the answer saw the frame after end-of-stream
	case <-ctx.Done():
		t.Fatal("peer answer did not close the connection after a frame that followed the end-of-stream")
	}
	rest, _ := io.ReadAll(bufio.NewReader(out))
	r := waitCmd(t, "answer", res)
	if string(rest) != "hi" {
		t.Errorf("stdout after the code: %q, want \"hi\"", rest)
	}
	if r.status != 1 || !strings.HasPrefix(r.stderr, "peer: ") || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "framing") || !strings.Contains(r.stderr, "after end-of-stream") {
		t.Fatalf("status %d, stderr %q: want 1 and one peer: line about the framing", r.status, r.stderr)
	}
	t.Logf("%s", strings.TrimSpace(r.stderr))
}
