package detflate

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// blockOf reads the vector name of ../../../vectors and returns the tokens
// of its description's normal form (SPEC.md §3.1), the block plan, and the
// residual bytes of its code.
func blockOf(t *testing.T, name string) (toks []token, p *dynPlan, res []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "vectors", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ SDP, Bin string }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(v.SDP, "\n") {
		if l = strings.TrimSuffix(l, "\r"); l != "" {
			lines = append(lines, l)
		}
	}
	src := []byte(strings.Join(lines, "\n"))
	toks = new(compressor).tokenize(src, SDPDictionary)
	p = new(dynPlan)
	p.plan(toks)
	code, err := hex.DecodeString(v.Bin)
	if err != nil || len(code) < 3 || code[0] != 0x10 {
		t.Fatalf("%s: not a residual offer code: %s", name, v.Bin)
	}
	res = Compress(nil, src, SDPDictionary)
	if !strings.HasSuffix(v.Bin, hex.EncodeToString(res)) {
		t.Fatalf("%s: the code does not end with the residual of its text", name)
	}
	return toks, p, res
}

// TestVectorBlocks checks that the DEFLATE vectors have the property their
// names say (vectors/internal/gen/corners.go makes them).
func TestVectorBlocks(t *testing.T) {
	toks, _, _ := blockOf(t, "residual_match_258")
	n258 := 0
	for _, tk := range toks {
		if tk.isMatch() && tk.length() == maxMatch {
			n258++
		}
	}
	if n258 == 0 {
		t.Error("residual_match_258 has no match of 258")
	}

	toks, p, res := blockOf(t, "residual_one_distance_code")
	syms := map[int]bool{}
	for _, tk := range toks {
		if tk.isMatch() {
			syms[distSym(tk.dist())] = true
		}
	}
	if len(syms) != 1 || res[0]&6 != 4 || len(p.distLen) < 1 {
		t.Errorf("residual_one_distance_code: distance symbols %v, block type %d (want one symbol, dynamic 2)", syms, res[0]>>1&3)
	}

	_, p, res = blockOf(t, "residual_tie_fixed_dynamic")
	if p.bytes != p.fixedBytes || res[0]>>1&3 != 1 {
		t.Errorf("residual_tie_fixed_dynamic: dynamic %d bytes, fixed %d, block type %d (want a tie and the fixed block 1)", p.bytes, p.fixedBytes, res[0]>>1&3)
	}
}
