// Command bench measures the size of session descriptions in our code's
// forms side by side with general-purpose encodings (gzip, brotli, a
// preset-dictionary deflate, pion's examples' signal forms), with the QR
// version each needs, over every description of testdata/corpus and
// vectors/. See README.md.
//
// Usage:
//
//	go run ./bench [-out DIR] [-readme FILE] [-root DIR]
//
// It prints the tables on standard output and progress on standard error.
// With -out it also writes summary.md, summary.csv, descriptions.csv and
// sizes.svg to DIR; with -readme it replaces the part of FILE between the
// markers <!-- bench:begin --> and <!-- bench:end --> with the tables.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/peer-sdp/peer/codec"
	"github.com/peer-sdp/peer/vectors"
)

func main() {
	out := flag.String("out", "", "write summary.md, summary.csv, descriptions.csv and sizes.svg to this directory")
	readme := flag.String("readme", "", "replace the tables between the bench markers of this Markdown file")
	root := flag.String("root", ".", "the module's checkout, or a directory inside it")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench [-out DIR] [-readme FILE] [-root DIR]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*root, *out, *readme, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// report is the result of a run.
type report struct {
	env      string
	dictInfo string
	skipped  []string
	ms       []measurement
	tables   []*table
	losses   []string
}

// run measures every input under root and writes the report to stdout,
// progress to stderr, and the files to outDir and readme when not empty.
func run(root, outDir, readme string, stdout, stderr io.Writer) error {
	r, err := measureAll(root, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n%s\n\n", r.env, r.dictInfo)
	for _, t := range r.tables {
		t.writeText(stdout)
	}
	r.writeNotes(stdout, false)
	if outDir != "" {
		if err := r.writeFiles(outDir); err != nil {
			return err
		}
	}
	if readme != "" {
		if err := r.updateReadme(readme); err != nil {
			return err
		}
	}
	return nil
}

// measureAll loads the inputs and measures them.
func measureAll(root string, progress io.Writer) (*report, error) {
	start := time.Now()
	dir, err := findRoot(root)
	if err != nil {
		return nil, err
	}
	corpus, err := loadCorpus(dir)
	if err != nil {
		return nil, err
	}
	vecs, err := loadVectors(vectorsFS(dir))
	if err != nil {
		return nil, err
	}
	r := &report{env: environment()}
	var train []string
	var inputs []input
	for _, in := range corpus {
		if in.malformed {
			r.skipped = append(r.skipped, in.name+" (MALFORMED in INDEX.tsv)")
			continue
		}
		if in.train {
			train = append(train, in.sdp)
		}
		inputs = append(inputs, in)
	}
	inputs = append(inputs, vecs...)
	mr := &measurer{dict: buildDictionary(train), byteVers: map[[2]int]int{}}
	r.dictInfo = fmt.Sprintf("%d corpus descriptions (%d malformed ones skipped) and %d vectors. "+
		"dict-deflate: compress/flate level 9 with a %d-byte preset dictionary built from the %d valid training descriptions "+
		"(corpus files at even positions in sorted file-name order): their distinct lines, CRLF-terminated, "+
		"ordered by how many training descriptions hold them (most frequent last), truncated from the front to %d bytes; "+
		"measured only on the held-out half (odd positions) and the vectors.",
		len(corpus)-len(r.skipped), len(r.skipped), len(vecs), len(mr.dict), len(train), dictBytes)
	// Answers are bound to an offer: the same one for all.
	for _, in := range inputs {
		if in.typ == "offer" && in.kind == kindDC {
			mr.offer, err = codec.Encode(codec.Description{Type: codec.Offer, SDP: in.sdp}, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", in.name, err)
			}
			break
		}
	}
	p := progressMeter{w: progress, start: start, total: len(inputs)}
	for i, in := range inputs {
		m, err := mr.measure(in)
		if err != nil {
			return nil, err
		}
		r.ms = append(r.ms, m)
		p.update(i + 1)
	}
	p.done()
	dc, losses := dcTable(r.ms)
	r.tables = []*table{summaryTable(r.ms), dc, avTable(r.ms), descriptionTable(r.ms)}
	r.losses = losses
	return r, nil
}

// vectorsFS returns the conformance vectors (package vectors, embedded in
// the binary, so they always match the code being measured).
func vectorsFS(string) fs.FS {
	return vectors.FS
}

// progressMeter reports progress on a writer once a run has lasted a second.
type progressMeter struct {
	w           io.Writer
	start, last time.Time
	total       int
	shown       bool
}

func (p *progressMeter) update(done int) {
	now := time.Now()
	if p.w == nil || now.Sub(p.start) < time.Second || now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	fmt.Fprintf(p.w, "\rbench: %d/%d descriptions measured", done, p.total)
}

func (p *progressMeter) done() {
	if p.shown {
		fmt.Fprintf(p.w, "\rbench: %d/%d descriptions measured in %.1fs\n", p.total, p.total, time.Since(p.start).Seconds())
	}
}

// environment describes the machine and toolchain of the run.
func environment() string {
	return fmt.Sprintf("%s %s/%s, CPU: %s (%d threads), %s", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		cpuModel(), runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
}

// cpuModel returns the CPU's model name where the system tells it.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// writeNotes writes the data-channel descriptions where ours is not the
// smallest, and the skipped inputs.
func (r *report) writeNotes(w io.Writer, markdown bool) {
	bullet := "  - "
	if markdown {
		bullet = "- "
	}
	if len(r.losses) == 0 {
		fmt.Fprintf(w, "Ours is the smallest encoding of every data-channel description.\n\n")
	} else {
		fmt.Fprintf(w, "Data-channel descriptions where ours is not the smallest:\n\n")
		for _, l := range r.losses {
			fmt.Fprintf(w, "%s%s\n", bullet, l)
		}
		fmt.Fprintln(w)
	}
	if len(r.skipped) > 0 {
		fmt.Fprintf(w, "Skipped (the codec rejects them, as SPEC.md requires):\n\n")
		for _, s := range r.skipped {
			fmt.Fprintf(w, "%s%s\n", bullet, s)
		}
		fmt.Fprintln(w)
	}
}

// markdown returns the report as Markdown.
func (r *report) markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Generated by `go run ./bench` (%s).\n\n%s\n\n", r.env, r.dictInfo)
	for _, t := range r.tables {
		t.writeMarkdown(&b)
	}
	r.writeNotes(&b, true)
	return b.Bytes()
}

func (r *report) writeFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var sum, desc bytes.Buffer
	if err := r.tables[0].writeCSV(&sum); err != nil {
		return err
	}
	if err := descriptionCSV(r.ms).writeCSV(&desc); err != nil {
		return err
	}
	files := map[string][]byte{
		"summary.md":       r.markdown(),
		"summary.csv":      sum.Bytes(),
		"descriptions.csv": desc.Bytes(),
		"sizes.svg":        chart(r.ms, r.env),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

// Markers of the generated part of a README.
const (
	markBegin = "<!-- bench:begin -->"
	markEnd   = "<!-- bench:end -->"
)

// updateReadme replaces the text between the markers of the file with the
// report's summary tables (the per-description table stays in -out).
func (r *report) updateReadme(name string) error {
	old, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	i, j := bytes.Index(old, []byte(markBegin)), bytes.Index(old, []byte(markEnd))
	if i < 0 || j < i {
		return errors.New("bench: " + name + " lacks the markers " + markBegin + " and " + markEnd)
	}
	var b bytes.Buffer
	b.Write(old[:i+len(markBegin)])
	fmt.Fprintf(&b, "\n\nGenerated by `go run ./bench -readme bench/README.md` (%s).\n\n%s\n\n", r.env, r.dictInfo)
	for _, t := range r.tables[:3] {
		t.writeMarkdown(&b)
	}
	r.writeNotes(&b, true)
	b.Write(old[j:])
	return os.WriteFile(name, b.Bytes(), 0o644)
}
