package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/mfif/mfif/"

// sourceFile is one parsed non-test Go file of the repository.
type sourceFile struct {
	pkg  string // import path relative to the module, e.g. "nets/siamese"
	path string
	file *ast.File
	fset *token.FileSet
}

// repoRoot is the repository root (two levels above this package).
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

// sources parses every non-test .go file of the module.
func sources(t *testing.T) []sourceFile {
	t.Helper()
	root := repoRoot(t)
	var out []sourceFile
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "build" || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		out = append(out, sourceFile{pkg: filepath.ToSlash(rel), path: p, file: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("found only %d source files under %s", len(out), root)
	}
	return out
}

func imports(f *ast.File) []string {
	var out []string
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		out = append(out, p)
	}
	return out
}

func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// Dependencies point one way: cmd -> eval/train -> nets -> data. nets never
// imports train or eval, eval never imports train, and data, metrics and
// report never import the tensor binding or nets.
func TestImportDirections(t *testing.T) {
	rules := []struct {
		from      string
		forbidden []string
	}{
		{"nets", []string{module + "train", module + "eval", module + "cmd"}},
		{"eval", []string{module + "train", module + "cmd"}},
		{"train", []string{module + "eval", module + "cmd"}},
		{"data", []string{"github.com/sugarme/gotch", module + "nets", module + "train", module + "eval"}},
		{"metrics", []string{"github.com/sugarme/gotch", module + "nets", module + "train", module + "eval"}},
		{"report", []string{"github.com/sugarme/gotch", module + "nets", module + "train", module + "eval"}},
		{"nets/checkpoint", []string{"github.com/sugarme/gotch", module + "nets/backend"}},
	}
	for _, sf := range sources(t) {
		for _, r := range rules {
			if !under(sf.pkg, r.from) {
				continue
			}
			for _, im := range imports(sf.file) {
				for _, bad := range r.forbidden {
					if im == bad || strings.HasPrefix(im, bad+"/") {
						t.Errorf("%s imports %s: %s must not depend on %s", sf.path, im, r.from, strings.TrimPrefix(bad, module))
					}
				}
			}
		}
	}
}

// Only nets/backend names a device: everything else creates its variable
// stores and tensors on backend.Device() (or the device of a tensor it was
// given). A literal gotch.CPU, CUDA device or a host-slice constructor
// (which makes a CPU tensor) anywhere else would put data on the wrong
// device when the user picks CUDA.
func TestNoLiteralDevices(t *testing.T) {
	banned := map[string]map[string]bool{
		"gotch": {"CPU": true, "CUDA": true, "CudaBuilder": true, "NewCuda": true, "CudaIfAvailable": true},
		"ts": {"OfSlice": true, "MustOfSlice": true, "NewTensorFromData": true, "MustNewTensorFromData": true,
			"OfDataSize": true, "MustOfDataSize": true, "TensorFrom": true},
		"nn": {"NewVarStore": true},
	}
	pkgs := map[string]string{
		"github.com/sugarme/gotch":    "gotch",
		"github.com/sugarme/gotch/ts": "ts",
		"github.com/sugarme/gotch/nn": "nn",
	}
	for _, sf := range sources(t) {
		if under(sf.pkg, "nets/backend") {
			continue
		}
		local := map[string]string{} // file-local name -> package key
		for _, im := range sf.file.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			key, ok := pkgs[p]
			if !ok {
				continue
			}
			name := key
			if im.Name != nil {
				name = im.Name.Name
			}
			local[name] = key
		}
		if len(local) == 0 {
			continue
		}
		ast.Inspect(sf.file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			if key, ok := local[id.Name]; ok && banned[key][sel.Sel.Name] {
				t.Errorf("%s: %s.%s names a device; use nets/backend (Device, NewVarStore, FromFloat32)",
					sf.fset.Position(sel.Pos()), id.Name, sel.Sel.Name)
			}
			return true
		})
	}
}
