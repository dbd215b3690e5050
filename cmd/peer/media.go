package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/ivfwriter"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"

	"github.com/peer-sdp/peer/ref"
)

// mediaFlags are the media flags of offer, answer and serve: files to
// play and a directory to record into.
type mediaFlags struct {
	video, audio, record string
}

const aboutMedia = `Media: -video FILE.ivf (VP8 or VP9) and -audio FILE.ogg (Ogg Opus, one
packet per page, as ffmpeg writes with -page_duration 20000) are sent to the
other side as a video and an audio track; -record DIR writes each track the
other side sends to DIR (video-N.ivf, audio-N.ogg). With either, only VP8,
VP9 and Opus are negotiated.`

func (f *mediaFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&f.video, "video", "", "send the video of `FILE`.ivf (VP8 or VP9)")
	fs.StringVar(&f.audio, "audio", "", "send the audio of `FILE`.ogg (Ogg Opus)")
	fs.StringVar(&f.record, "record", "", "write the tracks the other side sends to `DIR` (IVF and Ogg files)")
}

// mediaCodecs are the codecs negotiated when media flags are given: those
// IVF and Ogg files hold.
var mediaCodecs = []webrtc.RTPCodecParameters{
	{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}, PayloadType: 96},
	{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0",
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}}, PayloadType: 98},
	{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
		SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111},
}

// mediaFile is a file to play as a track.
type mediaFile struct {
	path  string
	track *webrtc.TrackLocalStaticSample
}

// session is the media of one connection: the files it plays and the
// directory it records into.
type session struct {
	files  []mediaFile
	record string
	loop   bool
	played chan struct{} // closed when every file has played once (never when looping)
	wg     sync.WaitGroup
	mu     sync.Mutex
	saved  []string // files recorded
	errs   []error
}

// setup checks the files, adds their tracks to cfg and, for a recorder,
// asks for what it does not send (offerer). loop plays the files again
// and again (serve); else once.
func (f *mediaFlags) setup(cfg *ref.Config, offerer, loop bool) (*session, error) {
	s := &session{record: f.record, loop: loop, played: make(chan struct{})}
	if f.video == "" && f.audio == "" && f.record == "" {
		close(s.played)
		return s, nil
	}
	cfg.Codecs = mediaCodecs
	if f.video != "" {
		mime, err := probeIVF(f.video)
		if err != nil {
			return nil, usagef("-video %s: %v", f.video, err)
		}
		if err := s.add(cfg, f.video, webrtc.RTPCodecCapability{MimeType: mime}, "video"); err != nil {
			return nil, err
		}
	}
	if f.audio != "" {
		if err := probeOgg(f.audio); err != nil {
			return nil, usagef("-audio %s: %v", f.audio, err)
		}
		if err := s.add(cfg, f.audio, webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio"); err != nil {
			return nil, err
		}
	}
	if f.record != "" {
		if err := os.MkdirAll(f.record, 0o755); err != nil {
			return nil, usagef("-record %s: %v", f.record, err)
		}
		if offerer && f.video == "" {
			cfg.Receive = append(cfg.Receive, webrtc.RTPCodecTypeVideo)
		}
		if offerer && f.audio == "" {
			cfg.Receive = append(cfg.Receive, webrtc.RTPCodecTypeAudio)
		}
	}
	if len(s.files) == 0 {
		close(s.played)
	}
	return s, nil
}

// next is the session of serve's pairing n: the same files, a fresh
// state, and its recordings in DIR/session-N.
func (s *session) next(n int) *session {
	ns := &session{files: s.files, loop: s.loop, played: make(chan struct{})}
	if s.record != "" {
		ns.record = filepath.Join(s.record, fmt.Sprintf("session-%d", n+1))
	}
	if len(ns.files) == 0 {
		close(ns.played)
	}
	return ns
}

func (s *session) add(cfg *ref.Config, path string, c webrtc.RTPCodecCapability, kind string) error {
	tr, err := webrtc.NewTrackLocalStaticSample(c, kind, "peer")
	if err != nil {
		return err
	}
	s.files = append(s.files, mediaFile{path: path, track: tr})
	cfg.Tracks = append(cfg.Tracks, tr)
	return nil
}

// probeIVF returns the MIME type of an IVF file's codec.
func probeIVF(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, h, err := ivfreader.NewWith(f)
	if err != nil {
		return "", fmt.Errorf("not an IVF file: %w", err)
	}
	switch h.FourCC {
	case "VP80":
		return webrtc.MimeTypeVP8, nil
	case "VP90":
		return webrtc.MimeTypeVP9, nil
	}
	return "", fmt.Errorf("IVF of %q: want VP8 or VP9", h.FourCC)
}

// probeOgg checks that a file is Ogg Opus.
func probeOgg(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, _, err := oggreader.NewWith(f); err != nil {
		return fmt.Errorf("not an Ogg Opus file: %w", err)
	}
	return nil
}

// start plays the files once conn carries media (ref.Conn.WaitMedia) and
// records the peer's tracks; everything ends with conn (or ctx).
func (s *session) start(ctx context.Context, conn *ref.Conn) {
	if len(s.files) > 0 {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer close(s.played) // also when the connection never comes up
			if conn.WaitMedia(ctx) != nil {
				return
			}
			var pw sync.WaitGroup
			for _, f := range s.files {
				pw.Add(1)
				go func() {
					defer pw.Done()
					if err := s.play(ctx, conn.Done(), f); err != nil {
						s.fail(fmt.Errorf("playing %s: %w", f.path, err))
					}
				}()
			}
			pw.Wait()
		}()
	}
	if s.record != "" {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.recordAll(ctx, conn)
		}()
	}
}

// afterPlayback returns r followed, at its end, by the wait for the files
// to have played once: a side that sends media ends its stream only then,
// so that the peer's end of stream says all its media was sent.
func (s *session) afterPlayback(r io.Reader) io.Reader {
	return io.MultiReader(r, waitReader{s.played})
}

type waitReader struct{ done <-chan struct{} }

func (w waitReader) Read([]byte) (int, error) {
	<-w.done
	return 0, io.EOF
}

// wait waits for the players and recorders (they end with the
// connection) and returns the first error and the files recorded.
func (s *session) wait() ([]string, error) {
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saved, errors.Join(s.errs...)
}

func (s *session) fail(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

// play sends a file's frames (IVF) or pages (Ogg) at their pace, once or,
// when looping, until the connection ends.
func (s *session) play(ctx context.Context, done <-chan struct{}, f mediaFile) error {
	next := time.Now()
	for {
		file, err := os.Open(f.path)
		if err != nil {
			return err
		}
		err = playFile(ctx, done, file, f.track, &next)
		file.Close()
		if err != nil || !s.loop {
			return err
		}
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return nil
		default:
		}
	}
}

// errStopped ends a playback when the connection or ctx ends.
var errStopped = errors.New("stopped")

// playFile plays one pass of a file; next is when the next sample is due.
func playFile(ctx context.Context, done <-chan struct{}, file *os.File, tr *webrtc.TrackLocalStaticSample, next *time.Time) error {
	sample := func(data []byte, d time.Duration) error {
		if d <= 0 || d > time.Second {
			d = 20 * time.Millisecond
		}
		if err := tr.WriteSample(media.Sample{Data: data, Duration: d}); err != nil {
			return err
		}
		*next = next.Add(d)
		t := time.NewTimer(time.Until(*next))
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-done:
			return errStopped
		case <-ctx.Done():
			return errStopped
		}
	}
	var err error
	if tr.Kind() == webrtc.RTPCodecTypeVideo {
		err = playIVF(file, sample)
	} else {
		err = playOgg(file, sample)
	}
	if errors.Is(err, errStopped) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

func playIVF(r io.Reader, sample func([]byte, time.Duration) error) error {
	ivf, h, err := ivfreader.NewWith(r)
	if err != nil {
		return err
	}
	if h.TimebaseDenominator == 0 {
		return errors.New("IVF time base of 0")
	}
	// One frame per time base unit, as pion's play-from-disk example
	// reads IVF.
	frameTime := time.Second * time.Duration(h.TimebaseNumerator) / time.Duration(h.TimebaseDenominator)
	for {
		frame, _, err := ivf.ParseNextFrame()
		if err != nil {
			return err
		}
		if err := sample(frame, frameTime); err != nil {
			return err
		}
	}
}

func playOgg(r io.Reader, sample func([]byte, time.Duration) error) error {
	ogg, _, err := oggreader.NewWith(r)
	if err != nil {
		return err
	}
	var last uint64
	for {
		page, ph, err := ogg.ParseNextPage()
		if err != nil {
			return err
		}
		if _, ok := ph.HeaderType(page); ok {
			continue // OpusTags
		}
		d := time.Duration(ph.GranulePosition-last) * time.Second / 48000
		if ph.GranulePosition < last {
			d = 20 * time.Millisecond
		}
		last = ph.GranulePosition
		if err := sample(page, d); err != nil {
			return err
		}
	}
}

// recordAll writes each track the peer sends to a file of s.record until
// the connection ends.
func (s *session) recordAll(ctx context.Context, conn *ref.Conn) {
	if err := os.MkdirAll(s.record, 0o755); err != nil {
		s.fail(err)
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	n := map[webrtc.RTPCodecType]int{}
	for {
		t, err := conn.AcceptTrack(ctx)
		if err != nil {
			return
		}
		n[t.Kind()]++
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			path, err := s.recordTrack(conn, t, i)
			if err != nil {
				s.fail(fmt.Errorf("recording %s: %w", path, err))
			}
		}(n[t.Kind()])
	}
}

// rtpWriter is what ivfwriter and oggwriter have in common.
type rtpWriter interface {
	WriteRTP(*rtp.Packet) error
	Close() error
}

// recordTrack writes one track to DIR/video-N.ivf or DIR/audio-N.ogg.
func (s *session) recordTrack(conn *ref.Conn, t ref.RemoteTrack, i int) (string, error) {
	c := t.Track.Codec()
	var path string
	var w rtpWriter
	var err error
	switch strings.ToLower(c.MimeType) {
	case "video/vp8", "video/vp9":
		path = filepath.Join(s.record, fmt.Sprintf("video-%d.ivf", i))
		w, err = ivfwriter.New(path, ivfwriter.WithCodec(c.MimeType))
		// Ask for a key frame: the recording then starts with one.
		_ = conn.PeerConnection().WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(t.Track.SSRC())}})
	case "audio/opus":
		path = filepath.Join(s.record, fmt.Sprintf("audio-%d.ogg", i))
		w, err = oggwriter.New(path, 48000, c.Channels)
	default:
		return c.MimeType, fmt.Errorf("no file format for %s", c.MimeType)
	}
	if err != nil {
		return path, err
	}
	s.mu.Lock()
	s.saved = append(s.saved, path)
	s.mu.Unlock()
	for {
		p, _, err := t.Track.ReadRTP()
		if err != nil {
			break
		}
		if err := w.WriteRTP(p); err != nil {
			w.Close()
			return path, err
		}
	}
	return path, w.Close()
}
