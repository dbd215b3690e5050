package fixedflate

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

func TestAblate(t *testing.T) {
	dp := os.Getenv("ABLATE_DICT")
	if dp == "" {
		t.Skip()
	}
	dict, _ := os.ReadFile(dp)
	var srcs [][]byte
	for _, f := range corpusFiles(t) {
		srcs = append(srcs, readSDP(t, f))
	}
	size := func(d []byte) int {
		n := 0
		for _, s := range srcs {
			n += len(Compress(nil, s, d))
		}
		return n
	}
	full := size(dict)
	lines := bytes.SplitAfter(dict, []byte("\n"))
	f, _ := os.Create(dp + ".ablate")
	for i := range lines {
		var d []byte
		for j, l := range lines {
			if j != i {
				d = append(d, l...)
			}
		}
		fmt.Fprintf(f, "%5d %5.2f %s", size(d)-full, float64(size(d)-full)/float64(len(lines[i])), lines[i])
	}
	f.Close()
	fmt.Printf("full %d, %d lines\n", full, len(lines))
}
