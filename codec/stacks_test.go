package codec

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestStacks encodes every description of testdata/stacks (data-channel
// offers and answers of the WebRTC stacks this project can run, made by
// testdata/stacks/gen) and checks that each takes the compact form, decodes
// to an equivalent description and stays within its size budget over the
// floor (overFloorBudget). Its log ends with a table:
//
//	go test ./codec -run TestStacks -v | sed -n '/over the floor/,$p'
func TestStacks(t *testing.T) {
	dir := filepath.Join("..", "testdata", "stacks")
	f, err := os.Open(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	offer := offerFixture(t)
	var rows []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) < 5 {
			t.Fatalf("INDEX.tsv row with %d columns: %q", len(col), sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, col[0]))
		if err != nil {
			t.Fatal(err)
		}
		file, stack, typ := col[0], col[1], col[3]
		t.Run(file, func(t *testing.T) {
			ty, err := ParseType(typ)
			if err != nil {
				t.Fatal(err)
			}
			in := Description{Type: ty, SDP: string(b)}
			code, err := Encode(in, offer, nil)
			if err != nil {
				t.Fatal(err)
			}
			if code[0] >= headResidual {
				t.Fatalf("a data-channel description took the residual form")
			}
			out, err := Decode(code, &DecOptions{Offer: offer})
			if err != nil {
				t.Fatal(err)
			}
			if err := Equivalent(in, out, nil); err != nil {
				t.Fatal(err)
			}
			over := checkOverFloor(t, stack, ty == Answer, in.SDP, code, 0)
			rows = append(rows, fmt.Sprintf("%-36s %3d B  +%d", file, len(code), over))
		})
	}
	if len(rows) < 20 {
		t.Errorf("only %d descriptions in testdata/stacks", len(rows))
	}
	sort.Strings(rows)
	t.Logf("over the floor:\n%s", strings.Join(rows, "\n"))
}
