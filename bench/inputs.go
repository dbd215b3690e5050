package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/peer-sdp/peer/internal/corpus"
)

// modulePath is the module whose checkout holds the inputs.
const modulePath = "github.com/peer-sdp/peer"

// Kinds of description.
const (
	kindDC = "data channel" // only m=application sections
	kindAV = "audio/video"  // at least one audio or video section
)

// input is one session description measured by the tool.
type input struct {
	name   string // corpus file name, or vectors/<file>
	source string // "corpus" or "vectors"
	stack  string // the stack that produced it (INDEX.tsv), or a guess for vectors
	kind   string // kindDC or kindAV
	typ    string // "offer" or "answer"
	sdp    string
	// train marks the corpus half the preset dictionary is built from.
	train bool
	// malformed marks corpus entries INDEX.tsv calls MALFORMED.
	malformed bool
}

// findRoot returns the root of the module's checkout: dir, or the first of
// its parents holding the module's go.mod.
func findRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module "+modulePath+"\n")) {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", fmt.Errorf("bench: no checkout of %s at or above %s (use -root)", modulePath, dir)
		}
		d = up
	}
}

// loadCorpus reads testdata/corpus under root, in the order of INDEX.tsv.
// The corpus is split in two halves by the parity of each file's position
// in the sorted list of file names: even positions train the preset
// dictionary, odd positions are held out.
func loadCorpus(root string) ([]input, error) {
	es, err := corpus.Load(filepath.Join(root, "testdata", "corpus"))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var out []input
	for _, e := range es {
		kind := kindAV
		if e.Col["media"] == "datachannel" {
			kind = kindDC
		}
		out = append(out, input{
			name: e.File, source: "corpus", stack: e.Col["stack"], kind: kind, typ: e.Type(),
			sdp: e.SDP, malformed: strings.Contains(e.Col["notes"], "MALFORMED"),
		})
	}
	names := make([]string, len(out))
	for i, in := range out {
		names[i] = in.name
	}
	sort.Strings(names)
	train := map[string]bool{}
	for i, n := range names {
		train[n] = i%2 == 0
	}
	for i := range out {
		out[i].train = train[out[i].name]
	}
	return out, nil
}

// vectorFile is the part of a vector (vectors/README.md) the tool reads.
type vectorFile struct {
	Type   string `json:"type"`
	SDP    string `json:"sdp"`
	Expect string `json:"expect"`
}

// loadVectors reads every *.json vector of fsys that carries an SDP and a
// type and is expected to succeed. A missing fsys yields no vectors.
func loadVectors(fsys fs.FS) ([]input, error) {
	if fsys == nil {
		return nil, nil
	}
	var out []input
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var v vectorFile
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("bench: vectors/%s: %w", p, err)
		}
		if v.SDP == "" || (v.Type != "offer" && v.Type != "answer") || (v.Expect != "" && v.Expect != "success") {
			return nil
		}
		out = append(out, input{
			name: "vectors/" + p, source: "vectors", stack: "vectors:" + guessStack(v.SDP),
			kind: kindOf(v.SDP), typ: v.Type, sdp: v.SDP,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// kindOf tells a data-channel description from an audio/video one by its
// m= lines.
func kindOf(sdp string) string {
	for _, l := range strings.Split(sdp, "\n") {
		if strings.HasPrefix(l, "m=") && !strings.HasPrefix(l, "m=application") {
			return kindAV
		}
	}
	return kindDC
}

// guessStack names the stack that made a description from its o= line and
// a few telltale attributes; vectors do not record it.
func guessStack(sdp string) string {
	origin := ""
	for _, l := range strings.Split(sdp, "\n") {
		if strings.HasPrefix(l, "o=") {
			origin = strings.TrimSpace(l)
			break
		}
	}
	switch {
	case strings.Contains(origin, "mozilla"):
		return "firefox"
	case strings.HasPrefix(origin, "o=- ") && strings.HasSuffix(origin, "IN IP4 127.0.0.1"):
		return "chrome"
	case strings.HasPrefix(origin, "o=- ") && strings.HasSuffix(origin, "IN IP4 0.0.0.0"):
		return "pion"
	}
	return "other"
}
