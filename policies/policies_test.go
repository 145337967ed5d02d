package policies

import (
	"context"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/snapaudit/snapaudit/analyze/rules"
)

// regoModules parses every .rego file of fsys (tests included).
func regoModules(t *testing.T, fsys fs.FS) map[string]*ast.Module {
	t.Helper()
	mods := map[string]*ast.Module{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return err
		}
		mods[p] = m
		return nil
	})
	if err != nil {
		t.Fatalf("parse policies: %v", err)
	}
	return mods
}

// TestRego runs every _test.rego of the embedded pack with the same
// restricted capabilities and strict builtin errors as the engine, and fails
// on any failing or erroring Rego test.
func TestRego(t *testing.T) {
	ctx := context.Background()
	mods := regoModules(t, FS)
	compiler := ast.NewCompiler().WithCapabilities(rules.Capabilities()).WithEnablePrintStatements(true)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true).
		Run(ctx, mods)
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	if len(results) == 0 {
		t.Fatal("no Rego tests ran")
	}
	sort.Slice(results, func(i, j int) bool {
		return results[i].Package+"."+results[i].Name < results[j].Package+"."+results[j].Name
	})
	for _, r := range results {
		t.Run(strings.TrimPrefix(r.Package, "data.")+"."+r.Name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s:%d: error: %v\n%s", r.Location.File, r.Location.Row, r.Error, r.Output)
			case r.Fail:
				t.Errorf("%s:%d: failed\n%s", r.Location.File, r.Location.Row, r.Output)
			case r.Skip:
				t.Errorf("%s:%d: skipped (todo_ tests are not allowed in the built-in pack)", r.Location.File, r.Location.Row)
			}
		})
	}
	t.Run("every check has failing and passing tests", func(t *testing.T) {
		eng, err := rules.New(ctx, rules.WithPolicies(FS))
		if err != nil {
			t.Fatalf("rules.New: %v", err)
		}
		tests := map[string][]string{} // test package -> test names
		for _, r := range results {
			tests[r.Package] = append(tests[r.Package], r.Name)
		}
		if len(eng.Rules()) == 0 {
			t.Fatal("the built-in pack has no checks")
		}
		for _, info := range eng.Rules() {
			file := strings.TrimPrefix(info.File, "builtin:")
			testFile := strings.TrimSuffix(file, ".rego") + "_test.rego"
			if _, err := fs.Stat(FS, testFile); err != nil {
				t.Errorf("%s: check %s has no test file %s", file, info.ID, testFile)
			}
			names := tests[info.Package+"_test"]
			if !hasPrefixed(names, "test_fail_") || !hasPrefixed(names, "test_pass_") {
				t.Errorf("%s: check %s needs tests named test_fail_* and test_pass_* in package %s_test, has %v",
					file, info.ID, strings.TrimPrefix(info.Package, "data."), names)
			}
		}
	})
}

func hasPrefixed(names []string, prefix string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// TestEmbedded fails when a .rego file in this directory is not embedded
// (the go:embed patterns in policies.go must cover every policy directory).
func TestEmbedded(t *testing.T) {
	var onDisk []string
	err := fs.WalkDir(os.DirFS("."), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".rego" {
			onDisk = append(onDisk, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk) == 0 {
		t.Fatal("no .rego files found on disk")
	}
	for _, p := range onDisk {
		if _, err := fs.Stat(FS, p); err != nil {
			t.Errorf("%s is not embedded in FS: extend the go:embed patterns in policies.go", p)
		}
	}
}
