package policies

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/loader"
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

// TestReadmeExample extracts the worked example from README.md (the rego
// blocks marked "<!-- example: path -->"), runs its Rego tests the way
// `opa test policies/ DIR` would, and loads it into the engine as an
// auditor directory, so the documented example cannot go stale.
func TestReadmeExample(t *testing.T) {
	ctx := context.Background()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := readmeExamples(t, string(readme))
	if len(files) != 2 {
		t.Fatalf("README.md has %d marked example files, want 2 (the check and its test)", len(files))
	}
	for name, body := range files {
		p := path.Join(dir, name)
		if err := os.MkdirAll(path.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mods := regoModules(t, FS)
	for k, m := range regoModules(t, os.DirFS(dir)) {
		mods["example/"+k] = m
	}
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithCapabilities(rules.Capabilities())).
		RaiseBuiltinErrors(true).
		Run(ctx, mods)
	if err != nil {
		t.Fatalf("run rego tests: %v", err)
	}
	ran := 0
	for r := range ch {
		if !strings.HasPrefix(r.Package, "data.snapaudit.rules.acme.") {
			continue
		}
		ran++
		if r.Error != nil || r.Fail {
			t.Errorf("README example %s.%s: fail=%v error=%v", r.Package, r.Name, r.Fail, r.Error)
		}
	}
	if ran < 2 {
		t.Errorf("the README example ran %d tests, want at least 2", ran)
	}
	eng, err := rules.New(ctx, rules.WithPolicies(FS), rules.WithPolicyDir(dir))
	if err != nil {
		t.Fatalf("README example does not load: %v", err)
	}
	found := false
	for _, r := range eng.Rules() {
		found = found || r.ID == "ACME-EC2-100"
	}
	if !found {
		t.Error("README example check ACME-EC2-100 was not discovered")
	}
}

// readmeExamples returns the fenced blocks that follow an example marker.
func readmeExamples(t *testing.T, readme string) map[string]string {
	t.Helper()
	out := map[string]string{}
	const marker = "<!-- example: "
	for rest := readme; ; {
		i := strings.Index(rest, marker)
		if i < 0 {
			return out
		}
		rest = rest[i+len(marker):]
		end := strings.Index(rest, " -->")
		if end < 0 {
			t.Fatal("README.md: unterminated example marker")
		}
		name := rest[:end]
		open := strings.Index(rest, "```rego\n")
		if open < 0 {
			t.Fatalf("README.md: example %s has no ```rego block", name)
		}
		body := rest[open+len("```rego\n"):]
		closeAt := strings.Index(body, "```")
		if closeAt < 0 {
			t.Fatalf("README.md: example %s block is not closed", name)
		}
		out[name] = body[:closeAt]
		rest = body[closeAt:]
	}
}

// TestStockOpaTest loads this directory the way `opa test policies/` does
// (OPA's file loader, default capabilities, no snapaudit code) and runs the
// tests: auditors must be able to use the stock OPA CLI on the pack.
func TestStockOpaTest(t *testing.T) {
	res, err := loader.NewFileLoader().
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		All([]string{"."})
	if err != nil {
		t.Fatalf("load like opa test: %v", err)
	}
	ch, err := tester.NewRunner().Run(context.Background(), res.ParsedModules())
	if err != nil {
		t.Fatalf("run like opa test: %v", err)
	}
	n := 0
	for r := range ch {
		n++
		if !r.Pass() {
			t.Errorf("%s.%s: fail=%v error=%v", r.Package, r.Name, r.Fail, r.Error)
		}
	}
	if n == 0 {
		t.Fatal("no tests ran")
	}
}

var fmtWrite = flag.Bool("fmt", false, "TestFormatted rewrites unformatted policy files in place (opa fmt -w without the opa binary)")

// TestFormatted fails when a policy file is not in `opa fmt` form; with
// -fmt it formats them (go test ./policies -run TestFormatted -fmt).
func TestFormatted(t *testing.T) {
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(FS, p)
		if err != nil {
			return err
		}
		got, err := format.SourceWithOpts(p, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		switch {
		case string(got) == string(src):
		case *fmtWrite:
			if err := os.WriteFile(filepath.FromSlash(p), got, 0o644); err != nil {
				return err
			}
		default:
			t.Errorf("%s is not formatted: run opa fmt -w policies/ (or go test ./policies -run TestFormatted -fmt)", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
