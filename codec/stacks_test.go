package codec

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	corpusdata "github.com/peer-sdp/peer/internal/corpus"
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
	es, err := corpusdata.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	offer := offerFixture(t)
	var rows []string
	for _, e := range es {
		b := e.SDP
		file, stack, typ := e.File, e.Col["stack"], e.Type()
		t.Run(file, func(t *testing.T) {
			ty, err := ParseType(typ)
			if err != nil {
				t.Fatal(err)
			}
			in := Description{Type: ty, SDP: b}
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
