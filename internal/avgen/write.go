package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// write checks the batch's descriptions, writes them to outDir with RUN.md
// and adds their rows to avDir/INDEX.tsv. A description with an address
// outside the documentation ranges stops it before anything is written;
// a refused pair or a failed codec check is recorded and reported as an
// error after the rest is written.
func (b *batchRun) write(ctx context.Context, avDir, outDir string) error {
	var ok []made
	var failed []string
	for _, m := range b.made {
		if m.err != nil {
			failed = append(failed, fmt.Sprintf("%s %s -> %s: %v", m.scenario, m.offerer, m.answerer, m.err))
			continue
		}
		for _, sdp := range []string{m.offer, m.answer} {
			if err := checkAddresses(sdp); err != nil {
				return fmt.Errorf("%s %s -> %s: %w (nothing written)", m.scenario, m.offerer, m.answerer, err)
			}
		}
		ok = append(ok, m)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	mt := meta{batch: b.batch, date: b.started.Format("2006-01-02"), madeBy: madeBy(ctx, filepath.Dir(filepath.Dir(avDir))), versions: b.versions}
	var rows []row
	var sizes []cliResult
	for _, m := range ok {
		if err := os.WriteFile(filepath.Join(outDir, m.offerFile()), []byte(m.offer), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, m.answerFile()), []byte(m.answer), 0o644); err != nil {
			return err
		}
		codeFile, ro := b.cli.roundTrip(ctx, filepath.Join(outDir, m.offerFile()), "offer", "")
		_, ra := b.cli.roundTrip(ctx, filepath.Join(outDir, m.answerFile()), "answer", codeFile)
		for _, r := range []cliResult{ro, ra} {
			if r.err != nil {
				failed = append(failed, fmt.Sprintf("%s: %v", filepath.Base(r.file), r.err))
			}
		}
		sizes = append(sizes, ro, ra)
		rows = append(rows, m.rows(mt)...)
	}
	if err := addRows(filepath.Join(avDir, "INDEX.tsv"), b.batch, rows); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "RUN.md"), b.report(mt, ok, sizes, failed), 0o644); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w: %d failures (see %s/RUN.md): %s", ErrCheck, len(failed), b.batch, failed[0])
	}
	fmt.Fprintf(os.Stderr, "avgen: %s: %d descriptions\n", outDir, 2*len(ok))
	return nil
}

// addRows replaces the batch's rows of the index at path with rows.
func addRows(path, batch string, rows []row) error {
	old, err := readIndex(path)
	if err != nil {
		return err
	}
	var keep []row
	for _, r := range old {
		if r[colBatch] != batch {
			keep = append(keep, r)
		}
	}
	return writeIndex(path, append(keep, rows...))
}

// report is the batch's RUN.md: how it was made, and each pair's sizes
// and checks.
func (b *batchRun) report(mt meta, ok []made, sizes []cliResult, failed []string) []byte {
	var w bytes.Buffer
	fmt.Fprintf(&w, "# %s\n\nMade %s UTC by `%s`, as root.\n\n", b.batch, b.started.Format("2006-01-02 15:04"), mt.madeBy)
	fmt.Fprintf(&w, "| stack | version | namespace addresses |\n|---|---|---|\n")
	for i, s := range stacks {
		fmt.Fprintf(&w, "| %s | %s | %s, %s |\n", s, b.versions[s], b.nets[i].v4, b.nets[i].v6)
	}
	fmt.Fprintf(&w, "\nEvery offer below was set as the remote description by its answerer, and every answer by its\n")
	fmt.Fprintf(&w, "offerer. `code` is the size of `peer encode -form bin` (the codec of the commit above), each\n")
	fmt.Fprintf(&w, "code decoded again by `peer decode` (an answer with `-offer`).\n\n")
	fmt.Fprintf(&w, "| scenario | offerer | answerer | offer bytes | offer code | answer bytes | answer code |\n|---|---|---|---:|---:|---:|---:|\n")
	for i, m := range ok {
		fmt.Fprintf(&w, "| %s | %s | %s | %d | %s | %d | %s |\n", m.scenario, m.offerer, m.answerer,
			len(m.offer), codeCell(sizes[2*i]), len(m.answer), codeCell(sizes[2*i+1]))
	}
	fmt.Fprintf(&w, "\n## Failures\n\n")
	if len(failed) == 0 {
		fmt.Fprintf(&w, "None.\n")
	}
	for _, f := range failed {
		fmt.Fprintf(&w, "- %s\n", strings.ReplaceAll(f, "\n", " "))
	}
	return w.Bytes()
}

func codeCell(r cliResult) string {
	if r.err != nil {
		return "failed"
	}
	return fmt.Sprint(r.codeLen)
}
