package ref

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/peer-sdp/peer/codec"
)

// plainAPI is a pion API with the same network settings as Config{Loopback:
// true}, but pion's own ICE credentials and no detaching.
func plainAPI(detach bool) *webrtc.API {
	s, _ := loopback().settings()
	var se webrtc.SettingEngine
	if detach {
		se.DetachDataChannels()
	}
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetInterfaceFilter(func(name string) bool {
		ifi, err := net.InterfaceByName(name)
		return err == nil && ifi.Flags&net.FlagLoopback != 0
	})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetSCTPMaxMessageSize(localMaxMessageSize)
	_ = s
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
}

// plainConnect connects two plain pion peers exchanging full SDP (as
// pion's examples do) and returns them with their open default channels.
func plainConnect(tb testing.TB, api *webrtc.API) (o, a *webrtc.PeerConnection, od, ad *webrtc.DataChannel) {
	tb.Helper()
	var err error
	if o, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		tb.Fatal(err)
	}
	if a, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		tb.Fatal(err)
	}
	neg, id := true, uint16(0)
	open := make(chan struct{}, 2)
	for _, pc := range []*webrtc.PeerConnection{o, a} {
		dc, err := pc.CreateDataChannel("peer", &webrtc.DataChannelInit{Negotiated: &neg, ID: &id})
		if err != nil {
			tb.Fatal(err)
		}
		dc.OnOpen(func() { open <- struct{}{} })
		if pc == o {
			od = dc
		} else {
			ad = dc
		}
	}
	offer, _ := o.CreateOffer(nil)
	g := webrtc.GatheringCompletePromise(o)
	o.SetLocalDescription(offer)
	<-g
	if err := a.SetRemoteDescription(*o.LocalDescription()); err != nil {
		tb.Fatal(err)
	}
	answer, _ := a.CreateAnswer(nil)
	g = webrtc.GatheringCompletePromise(a)
	a.SetLocalDescription(answer)
	<-g
	if err := o.SetRemoteDescription(*a.LocalDescription()); err != nil {
		tb.Fatal(err)
	}
	for range 2 {
		select {
		case <-open:
		case <-time.After(20 * time.Second):
			tb.Fatal("plain pion peers did not connect")
		}
	}
	return o, a, od, ad
}

// BenchmarkConnect measures the time from offer creation to open channel,
// through codes (this package) and through full SDP (plain pion), in the
// same run; ratio is codes/pion.
func BenchmarkConnect(b *testing.B) {
	api := plainAPI(false)
	var codes, plain time.Duration
	i := 0
	for b.Loop() {
		ours := func() {
			t0 := time.Now()
			o, a := pair(b, loopback(), loopback())
			codes += time.Since(t0)
			o.Close()
			a.Close()
		}
		theirs := func() {
			t0 := time.Now()
			po, pa, _, _ := plainConnect(b, api)
			plain += time.Since(t0)
			po.GracefulClose()
			pa.GracefulClose()
		}
		if i%2 == 0 { // alternate the order
			ours()
			theirs()
		} else {
			theirs()
			ours()
		}
		i++
	}
	n := float64(b.N)
	// The codec's share: encoding and decoding one offer and one answer.
	ctx := context.Background()
	o, offer, err := Offer(ctx, loopback())
	if err != nil {
		b.Fatal(err)
	}
	a, answer, err := Answer(ctx, loopback(), offer)
	if err != nil {
		b.Fatal(err)
	}
	o.Close()
	a.Close()
	const reps = 200
	t0 := time.Now()
	for range reps {
		od, err1 := codec.Decode(offer, nil)
		ad, err2 := codec.Decode(answer, &codec.DecOptions{Offer: offer})
		_, err3 := codec.Encode(od, nil, nil)
		_, err4 := codec.Encode(ad, offer, nil)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/reps, "µs-codec/connect")
	b.ReportMetric(float64(codes.Microseconds())/n/1000, "ms/codes")
	b.ReportMetric(float64(plain.Microseconds())/n/1000, "ms/pion")
	b.ReportMetric(float64(codes)/float64(plain), "codes/pion")
}

// BenchmarkGatherBound shows how the gathering bound sets the total when a
// STUN server never answers (a black hole on loopback): the code is made
// when the bound expires.
func BenchmarkGatherBound(b *testing.B) {
	hole, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer hole.Close()
	for _, bound := range []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		b.Run(fmt.Sprint("bound=", bound), func(b *testing.B) {
			cfg := &Config{
				Loopback:      true,
				GatherTimeout: bound,
				ICEServers:    []webrtc.ICEServer{{URLs: []string{"stun:" + hole.LocalAddr().String()}}},
			}
			var total time.Duration
			for b.Loop() {
				t0 := time.Now()
				o, a := pair(b, cfg, cfg)
				total += time.Since(t0)
				o.Close()
				a.Close()
			}
			b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/connect")
		})
	}
}

const benchBytes = 8 << 20

// BenchmarkThroughput moves 8 MiB per iteration through the stream view
// and through raw pion DataChannel.Send (with the same buffering
// thresholds) in the same run; ratio is stream/raw throughput. It is
// longer than 80 lines: both paths are set up and measured in the same
// function, so that they run under the same conditions.
func BenchmarkThroughput(b *testing.B) {
	o, a := pair(b, loopback(), loopback())
	po, pa, od, ad := plainConnect(b, plainAPI(false))
	defer po.GracefulClose()
	defer pa.GracefulClose()

	got := make(chan int, 1024)
	ad.OnMessage(func(m webrtc.DataChannelMessage) { got <- len(m.Data) })
	low := make(chan struct{}, 1)
	od.SetBufferedAmountLowThreshold(lowWater)
	od.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	chunk := make([]byte, maxFrame-1)
	buf := make([]byte, 64<<10)
	total := (benchBytes + len(chunk) - 1) / len(chunk) * len(chunk)
	done := make(chan error, 1)
	// Pion's SCTP on loopback runs a transfer at one of two speeds (about 22
	// or about 58 MiB/s here), whichever path is measured, so the ratio of
	// totals is noisy. The ratio of the fastest transfer of each path over
	// the iterations is what compares the paths themselves.
	var ours, raw time.Duration
	bestOurs, bestRaw := time.Duration(1<<62), time.Duration(1<<62)
	stream := func() {
		t0 := time.Now()
		go func() {
			for sent := 0; sent < total; sent += len(chunk) {
				if _, err := o.Channel().Write(chunk); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		for n := 0; n < total; {
			m, err := a.Channel().Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			n += m
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		ours += d
		bestOurs = min(bestOurs, d)
	}
	rawSend := func() {
		t0 := time.Now()
		go func() {
			for sent := 0; sent < total; sent += len(chunk) {
				for od.BufferedAmount() > highWater {
					<-low
				}
				if err := od.Send(chunk); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		for n := 0; n < total; {
			n += <-got
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		raw += d
		bestRaw = min(bestRaw, d)
	}
	b.SetBytes(2 * int64(total))
	i := 0
	for b.Loop() {
		if i%2 == 0 { // alternate the order
			stream()
			rawSend()
		} else {
			rawSend()
			stream()
		}
		i++
	}
	mb := float64(total) * float64(b.N) / (1 << 20)
	b.ReportMetric(mb/ours.Seconds(), "MiB/s-stream")
	b.ReportMetric(mb/raw.Seconds(), "MiB/s-raw")
	b.ReportMetric(raw.Seconds()/ours.Seconds(), "stream/raw")
	b.ReportMetric(bestRaw.Seconds()/bestOurs.Seconds(), "best-stream/best-raw")
}
