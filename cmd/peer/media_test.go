package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// testMedia is a file of testdata/media (see its README).
func testMedia(name string) string { return filepath.Join("..", "..", "testdata", "media", name) }

// ivfFrames parses an IVF file's frame headers and returns its codec and
// frame count.
func ivfFrames(t *testing.T, path string) (string, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, h, err := ivfreader.NewWith(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for {
		frame, _, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return h.FourCC, n
		}
		if err != nil {
			t.Fatalf("%s: frame %d: %v", path, n, err)
		}
		if len(frame) == 0 {
			t.Fatalf("%s: frame %d is empty", path, n)
		}
		n++
	}
}

// oggPackets parses an Ogg Opus file's pages (checksums checked) and
// returns the number of audio pages after the two header pages.
func oggPackets(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, _, err := oggreader.NewWith(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for {
		page, h, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("%s: page %d: %v", path, n, err)
		}
		if _, ok := h.HeaderType(page); !ok && len(page) > 0 {
			n++
		}
	}
}

// TestOfferAnswerMedia: `peer offer -video vp8.ivf -audio opus.ogg -record
// DIR` and `peer answer -video vp9.ivf -audio opus.ogg -record DIR`, Go to
// Go through the codes: each side plays its files once and records the
// other's; both exit 0 and each recording parses, with the other side's
// codec and more than one frame.
func TestOfferAnswerMedia(t *testing.T) {
	dirO, dirA := t.TempDir(), t.TempDir()
	offerIn, offerInW := io.Pipe()
	offerOut, offerRes := startCmd([]string{"offer", "-loopback", "-video", testMedia("vp8.ivf"), "-audio", testMedia("opus.ogg"), "-record", dirO}, offerIn)
	offerLine, err := offerOut.ReadString('\n')
	if err != nil {
		t.Fatalf("offer's first line: %v", err)
	}
	answerOut, answerRes := startCmd([]string{"answer", "-loopback", "-video", testMedia("vp9.ivf"), "-audio", testMedia("opus.ogg"), "-record", dirA},
		strings.NewReader(offerLine))
	answerLine, err := answerOut.ReadString('\n')
	if err != nil {
		t.Fatalf("answer's first line: %v", err)
	}
	t.Logf("offer's code %d characters, answer's %d", len(offerLine), len(answerLine))
	go func() {
		io.WriteString(offerInW, answerLine)
		offerInW.Close()
	}()
	go io.Copy(io.Discard, offerOut)
	go io.Copy(io.Discard, answerOut)
	for _, c := range []struct {
		name string
		res  <-chan cmdResult
	}{{"offer", offerRes}, {"answer", answerRes}} {
		if r := waitCmd(t, c.name, c.res); r.status != 0 {
			t.Fatalf("%s exited %d: %s", c.name, r.status, r.stderr)
		}
	}
	for _, r := range []struct {
		dir, fourcc string
	}{{dirA, "VP80"}, {dirO, "VP90"}} {
		fourcc, n := ivfFrames(t, filepath.Join(r.dir, "video-1.ivf"))
		if fourcc != r.fourcc || n < 2 {
			t.Errorf("%s: %s with %d frames, want %s with more than 1", r.dir, fourcc, n, r.fourcc)
		}
		t.Logf("recorded %s: %s, %d frames (the file has 60)", r.dir, fourcc, n)
		if n := oggPackets(t, filepath.Join(r.dir, "audio-1.ogg")); n < 2 {
			t.Errorf("%s: %d Opus pages", r.dir, n)
		} else {
			t.Logf("recorded %s: %d Opus pages (the file has 200)", r.dir, n)
		}
	}
}

// TestMediaFlagsRefused: files that are not IVF or Ogg Opus are usage
// errors (exit 2), found before any code is made.
func TestMediaFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"offer", "-video", testMedia("opus.ogg")},
		{"answer", "-audio", testMedia("vp8.ivf")},
		{"serve", "-video", filepath.Join(t.TempDir(), "missing.ivf")},
	} {
		_, res := startCmd(args, strings.NewReader(""))
		if r := waitCmd(t, args[0], res); r.status != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, r.status, r.stderr)
		}
	}
}
