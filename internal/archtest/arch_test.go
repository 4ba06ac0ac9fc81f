package archtest

import (
	"fmt"
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

// importRule forbids packages under from to import any of forbidden (or
// anything below them).
type importRule struct {
	from      string
	forbidden []string
}

// importRules are the one-way dependencies: cmd -> eval/train -> nets ->
// data. nets never imports train or eval, eval never imports train, eval
// holds no tensor code (its adapters call nets, which owns the binding),
// and data, metrics and report never import the tensor binding or nets.
var importRules = []importRule{
	{"nets", []string{module + "train", module + "eval", module + "cmd"}},
	{"eval", []string{"github.com/sugarme/gotch", module + "train", module + "cmd"}},
	{"train", []string{module + "eval", module + "cmd"}},
	{"data", []string{"github.com/sugarme/gotch", module + "nets", module + "train", module + "eval"}},
	{"metrics", []string{"github.com/sugarme/gotch", module + "nets", module + "train", module + "eval"}},
	{"report", []string{"github.com/sugarme/gotch", module + "nets", module + "train", module + "eval"}},
	{"nets/checkpoint", []string{"github.com/sugarme/gotch", module + "nets/backend"}},
}

// importViolations lists every import of files that breaks one of rules.
func importViolations(files []sourceFile, rules []importRule) []string {
	var out []string
	for _, sf := range files {
		for _, r := range rules {
			if !under(sf.pkg, r.from) {
				continue
			}
			for _, im := range imports(sf.file) {
				for _, bad := range r.forbidden {
					if im == bad || strings.HasPrefix(im, bad+"/") {
						out = append(out, fmt.Sprintf("%s imports %s: %s must not depend on %s", sf.path, im, r.from, strings.TrimPrefix(bad, module)))
					}
				}
			}
		}
	}
	return out
}

func TestImportDirections(t *testing.T) {
	for _, v := range importViolations(sources(t), importRules) {
		t.Error(v)
	}
}

// The rules catch what they forbid: an eval package importing gotch (or a
// gotch subpackage), nets importing eval; and let the allowed through.
func TestImportRulesCatch(t *testing.T) {
	cases := []struct {
		pkg, src string
		bad      bool
	}{
		{"eval/fusiondiff", `package fusiondiff; import "github.com/sugarme/gotch/ts"`, true},
		{"eval", `package eval; import "github.com/sugarme/gotch"`, true},
		{"eval/ddfm", `package ddfm; import "github.com/mfif/mfif/nets/adm"`, false},
		{"nets/adm", `package adm; import "github.com/sugarme/gotch/ts"`, false},
		{"nets/adm", `package adm; import "github.com/mfif/mfif/eval"`, true},
		{"evaluation", `package evaluation; import "github.com/sugarme/gotch"`, false},
	}
	for _, tc := range cases {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, tc.pkg+"/x.go", tc.src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		got := importViolations([]sourceFile{{pkg: tc.pkg, path: tc.pkg + "/x.go", file: f, fset: fset}}, importRules)
		if (len(got) > 0) != tc.bad {
			t.Errorf("%s: %q: violations %q, want bad=%v", tc.pkg, tc.src, got, tc.bad)
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
