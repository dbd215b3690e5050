package ref

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// loopbackAPI returns a pion API with the default codecs, gathering on the
// loopback interface only.
func loopbackAPI(t *testing.T) *webrtc.API {
	t.Helper()
	var me webrtc.MediaEngine
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	return loopbackAPIWith(&me)
}

// loopbackAPIWith returns a pion API with the codecs of me, gathering on
// the loopback interface only.
func loopbackAPIWith(me *webrtc.MediaEngine) *webrtc.API {
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	se.SetInterfaceFilter(func(name string) bool {
		ifi, err := net.InterfaceByName(name)
		return err == nil && ifi.Flags&net.FlagLoopback != 0
	})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
}

// gatheredSDP sets d as pc's local description and returns it once ICE
// gathering is complete.
func gatheredSDP(ctx context.Context, t *testing.T, pc *webrtc.PeerConnection, d webrtc.SessionDescription) string {
	t.Helper()
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(d); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("gathering did not complete")
	}
	return pc.LocalDescription().SDP
}

// TestPionAVCallThroughCodes makes an audio and video call between two
// pion peers (default codecs: Opus and VP8), each sending one audio and one
// video track, with both descriptions carried by codes of the audio/video
// form (the answer coded against the offer's code): each side receives RTP
// on both of the other's tracks.
func TestPionAVCallThroughCodes(t *testing.T) {
	api := loopbackAPI(t)
	avCallThroughCodes(t, api, api)
}

// avCallThroughCodes makes the call of TestPionAVCallThroughCodes between
// an offerer of API oapi and an answerer of API aapi and returns the
// offer's code. It is longer than 80 lines: one call, set up, signalled
// through codes and checked in order, reads best in one piece.
func avCallThroughCodes(t *testing.T, oapi, aapi *webrtc.API) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type side struct {
		pc     *webrtc.PeerConnection
		tracks []*webrtc.TrackLocalStaticRTP
		got    chan string // kinds of the remote tracks RTP arrived on
	}
	newSide := func(api *webrtc.API, stream string) *side {
		pc, err := api.NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			t.Fatal(err)
		}
		s := &side{pc: pc, got: make(chan string, 16)}
		for _, c := range []webrtc.RTPCodecCapability{{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, {MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}} {
			kind := strings.Split(c.MimeType, "/")[0]
			tr, err := webrtc.NewTrackLocalStaticRTP(c, kind+"-"+stream, stream)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pc.AddTrack(tr); err != nil {
				t.Fatal(err)
			}
			s.tracks = append(s.tracks, tr)
		}
		pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			if _, _, err := tr.ReadRTP(); err == nil {
				s.got <- tr.Kind().String()
			}
		})
		return s
	}
	o, a := newSide(oapi, "offerer"), newSide(aapi, "answerer")
	defer o.pc.Close()
	defer a.pc.Close()

	offer, err := o.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	offerSDP := gatheredSDP(ctx, t, o.pc, offer)
	offerCode, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: offerSDP}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if offerCode[0] != 18 {
		t.Fatalf("pion's A/V offer took head %d, not the A/V form (18)", offerCode[0])
	}
	dOffer, err := codec.Decode(offerCode, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: dOffer.SDP}); err != nil {
		t.Fatalf("pion refuses the decoded offer: %v", err)
	}
	answer, err := a.pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	answerSDP := gatheredSDP(ctx, t, a.pc, answer)
	answerCode, err := codec.Encode(codec.Description{Type: codec.Answer, SDP: answerSDP}, offerCode, nil)
	if err != nil {
		t.Fatal(err)
	}
	if answerCode[0] != 19 {
		t.Fatalf("pion's A/V answer took head %d, not the A/V form (19)", answerCode[0])
	}
	if _, err := codec.Decode(answerCode, nil); codec.ClassName(err) != "needs-offer" {
		t.Fatalf("the answer's code decoded without its offer: %v", err)
	}
	dAnswer, err := codec.Decode(answerCode, &codec.DecOptions{Offer: offerCode})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: dAnswer.SDP}); err != nil {
		t.Fatalf("pion refuses the decoded answer: %v", err)
	}
	t.Logf("offer %d B of SDP -> %d B code; answer %d B -> %d B", len(offerSDP), len(offerCode), len(answerSDP), len(answerCode))

	// Send on every track until each side has RTP on both kinds.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, s := range []*side{o, a} {
		for _, tr := range s.tracks {
			wg.Add(1)
			go func(tr *webrtc.TrackLocalStaticRTP) {
				defer wg.Done()
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				pt := uint8(111)
				if tr.Kind() == webrtc.RTPCodecTypeVideo {
					pt = 96
				}
				for seq := uint16(0); ; seq++ {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					_ = tr.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: uint32(seq) * 960, SSRC: 1}, Payload: []byte{0x10, 0x00, 0x00, 0x00}})
				}
			}(tr)
		}
	}
	defer func() { close(stop); wg.Wait() }()
	for name, s := range map[string]*side{"offerer": o, "answerer": a} {
		kinds := map[string]bool{}
		for len(kinds) < 2 {
			select {
			case k := <-s.got:
				kinds[k] = true
			case <-ctx.Done():
				t.Fatalf("the %s received RTP on %v only", name, kinds)
			}
		}
	}
	return offerCode
}

// TestPionAcceptsDecodedAV decodes the code of every audio/video
// description of testdata/av and gives it to pion: an offer to
// SetRemoteDescription on a fresh peer connection; an answer to one that
// made an offer of the same sections (a recvonly transceiver for each audio
// and video section, a data channel for an application section).
func TestPionAcceptsDecodedAV(t *testing.T) {
	dir := filepath.Join("..", "testdata", "av")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type entry struct{ file, typ, pair, sdp string }
	var entries []entry
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		b, err := os.ReadFile(filepath.Join(dir, col[0]))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry{col[0], col[3], col[10], string(b)})
	}
	codes := map[string][]byte{}
	api := loopbackAPI(t)
	n := 0
	for _, pass := range []string{"offer", "answer"} {
		for _, e := range entries {
			if e.typ != pass {
				continue
			}
			typ, _ := codec.ParseType(e.typ)
			offer := codes[e.pair]
			code, err := codec.Encode(codec.Description{Type: typ, SDP: e.sdp}, offer, nil)
			if err != nil {
				t.Fatalf("%s: %v", e.file, err)
			}
			codes[e.file] = code
			if code[0] != 18 && code[0] != 19 {
				continue
			}
			d, err := codec.Decode(code, &codec.DecOptions{Offer: offer})
			if err != nil {
				t.Fatalf("%s: %v", e.file, err)
			}
			pc, err := api.NewPeerConnection(webrtc.Configuration{})
			if err != nil {
				t.Fatal(err)
			}
			if typ == codec.Offer {
				err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: d.SDP})
			} else {
				err = offerLike(pc, d.SDP)
				if err == nil {
					err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: d.SDP})
				}
			}
			pc.Close()
			if err != nil {
				t.Errorf("%s: pion refuses the decoded %s: %v", e.file, e.typ, err)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d A/V descriptions checked", n)
	}
}

// offerLike makes pc offer the kinds of the sections of an answer, in
// order, and sets that offer as its local description.
func offerLike(pc *webrtc.PeerConnection, answer string) error {
	for _, l := range strings.Split(answer, "\r\n") {
		switch {
		case strings.HasPrefix(l, "m=audio"), strings.HasPrefix(l, "m=video"):
			kind := webrtc.RTPCodecTypeAudio
			if strings.HasPrefix(l, "m=video") {
				kind = webrtc.RTPCodecTypeVideo
			}
			if _, err := pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
				return err
			}
		case strings.HasPrefix(l, "m=application"):
			if _, err := pc.CreateDataChannel("data", nil); err != nil {
				return err
			}
		}
	}
	o, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	return pc.SetLocalDescription(o)
}

// TestPionAcceptsDecodedCorpusAV decodes the A/V code of every description
// of testdata/corpus (answers bound to a data-channel offer, as the codec's
// corpus test does) and checks that pion takes the decoded description
// whenever it takes the original (as TestPionAcceptsDecodedAV does).
func TestPionAcceptsDecodedCorpusAV(t *testing.T) {
	dir := filepath.Join("..", "testdata", "corpus")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fixture, err := os.ReadFile(filepath.Join(dir, "chrome-datachannel-offer-04.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	offer, err := codec.Encode(codec.Description{Type: codec.Offer, SDP: string(fixture)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	api := loopbackAPI(t)
	accepts := func(typ codec.Type, text string) error {
		pc, err := api.NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		if typ == codec.Offer {
			return pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: text})
		}
		if err := offerLike(pc, text); err != nil {
			return err
		}
		return pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: text})
	}
	sc := bufio.NewScanner(f)
	sc.Scan()
	n, both := 0, 0
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		b, err := os.ReadFile(filepath.Join(dir, col[0]))
		if err != nil {
			t.Fatal(err)
		}
		typ, err := codec.ParseType(col[3])
		if err != nil {
			continue
		}
		code, err := codec.Encode(codec.Description{Type: typ, SDP: string(b)}, offer, nil)
		if err != nil || code[0] != 18 && code[0] != 19 {
			continue
		}
		d, err := codec.Decode(code, &codec.DecOptions{Offer: offer})
		if err != nil {
			t.Fatalf("%s: %v", col[0], err)
		}
		n++
		if accepts(typ, string(b)) != nil {
			continue
		}
		both++
		if err := accepts(typ, d.SDP); err != nil {
			t.Errorf("%s: pion takes the original but refuses the decoded %s: %v", col[0], col[3], err)
		}
	}
	t.Logf("%d A/V codes of the corpus, %d whose original pion takes", n, both)
	if n < 40 || both < 20 {
		t.Errorf("only %d A/V codes, %d taken by pion", n, both)
	}
}
