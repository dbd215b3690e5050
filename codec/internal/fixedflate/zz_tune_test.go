package fixedflate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestTune(t *testing.T) {
	dictPaths := strings.Fields(os.Getenv("TUNE_DICTS"))
	if len(dictPaths) == 0 {
		t.Skip()
	}
	files := corpusFiles(t)
	if g := os.Getenv("TUNE_FILTER"); g != "" {
		var f2 []string
		for _, f := range files {
			if strings.Contains(filepath.Base(f), g) == (os.Getenv("TUNE_INVERT") == "") {
				f2 = append(f2, f)
			}
		}
		files = f2
	}
	var srcs [][]byte
	for _, f := range files {
		srcs = append(srcs, readSDP(t, f))
	}
	base := 0
	for _, s := range srcs {
		base += len(Compress(nil, s, nil))
	}
	for _, dp := range dictPaths {
		dict, err := os.ReadFile(dp)
		if err != nil {
			t.Fatal(err)
		}
		if len(dict) > 8192 {
			dict = dict[len(dict)-8192:]
		}
		total, best := 0, 0
		cov := make([]int, len(dict))
		for _, s := range srcs {
			total += len(Compress(nil, s, dict))
			best += stdBest(t, s, dict)
			var c compressor
			toks := c.tokenize(s, dict)
			p := 0
			for _, tk := range toks {
				if tk.isMatch() {
					start := len(dict) + p - tk.dist()
					for i := 0; i < tk.length() && start+i < len(dict); i++ {
						cov[start+i]++
					}
					p += tk.length()
				} else {
					p++
				}
			}
		}
		fmt.Printf("%s: %d files, dict %d bytes, nodict %d, fixed+dict %d (gain %d), best+dict %d\n", dp, len(srcs), len(dict), base, total, base-total, best)
		if os.Getenv("TUNE_LINES") != "" {
			type ln struct {
				line       string
				used, size int
			}
			var lines []ln
			start := 0
			for i, b := range dict {
				if b == '\n' || i == len(dict)-1 {
					l := ln{line: string(dict[start : i+1]), size: i + 1 - start}
					for j := start; j <= i; j++ {
						if cov[j] > 0 {
							l.used++
						}
					}
					lines = append(lines, l)
					start = i + 1
				}
			}
			f, _ := os.Create(dp + ".usage")
			for _, l := range lines {
				fmt.Fprintf(f, "%3d/%3d %s", l.used, l.size, l.line)
			}
			f.Close()
			unused := 0
			for _, l := range lines {
				unused += l.size - l.used
			}
			fmt.Printf("unused bytes %d\n", unused)
			_ = sort.Ints
			_ = bytes.Equal
		}
	}
}
