package peer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHouseSizes keeps the repository's Go readable in pieces: no non-test,
// non-generated file over 600 lines, and no function over 80 lines (tests
// included) unless its doc comment says why ("longer than 80 lines").
func TestHouseSizes(t *testing.T) {
	const maxFile, maxFunc = 600, 80
	checked := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "Code generated") && strings.Contains(string(src), "DO NOT EDIT.") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil {
			return err
		}
		checked++
		if n := fset.Position(f.End()).Line; n > maxFile && !strings.HasSuffix(p, "_test.go") {
			t.Errorf("%s: %d lines, more than %d", p, n, maxFile)
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
			if n > maxFunc && (fd.Doc == nil || !strings.Contains(strings.Join(strings.Fields(fd.Doc.Text()), " "), "longer than 80 lines")) {
				t.Errorf("%s:%d: %s is %d lines, more than %d, and its comment does not say why", p, fset.Position(fd.Pos()).Line, fd.Name.Name, n, maxFunc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files checked", checked)
	}
}
