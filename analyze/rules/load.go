package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// source is one place policies come from: the embedded built-in pack or an
// auditor's directory.
type source struct {
	fsys  fs.FS
	label string // how files from it are named in errors: "builtin:" or a directory path
	dir   bool   // label is a directory joined with the file's path
}

// fileName is how a file of the source is named in errors and RuleInfo.File.
func (s source) fileName(p string) string {
	if s.dir {
		return path.Join(s.label, p)
	}
	return s.label + p
}

// loaded is every policy module of every source, parsed, plus the checks
// discovered in them.
type loaded struct {
	modules map[string]*ast.Module // by file name
	builtin map[string]bool        // file names of the built-in sources (WithPolicies)
	checks  []RuleInfo             // sorted by ID
}

// parsedModule is one policy file of one source.
type parsedModule struct {
	name string
	src  source
	mod  *ast.Module
}

// pkgFacts collects what discovery needs to know about one package.
type pkgFacts struct {
	path       string
	files      []string // every file declaring the package
	sources    []string // the source label of each file
	findings   bool     // some file defines a findings rule
	annots     []*ast.Annotations
	annotFiles []string
}

// load reads every *.rego file (not *_test.rego) of the sources, parses them
// as Rego v1 and discovers the checks. It returns every problem it finds,
// each naming its file (and line where there is one).
func load(sources []source) (*loaded, error) {
	l := &loaded{modules: map[string]*ast.Module{}, builtin: map[string]bool{}}
	pkgs := map[string]*pkgFacts{}
	var errs []error
	var parsed []parsedModule
	for _, src := range sources {
		paths, dataFiles, err := regoFiles(src.fsys)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src.label, err))
			continue
		}
		for _, p := range dataFiles {
			errs = append(errs, fmt.Errorf("%s: data file in a policy directory: snapaudit loads only .rego files, so its content would be silently ignored here (opa would load it into data). Pass settings with --config FILE and move the file out of the policy directory", src.fileName(p)))
		}
		for _, p := range paths {
			name := src.fileName(p)
			b, err := fs.ReadFile(src.fsys, p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			m, err := ast.ParseModuleWithOpts(name, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
			if err != nil {
				errs = append(errs, err) // ast errors already read "file:line: rego_parse_error: ..."
				continue
			}
			if m == nil {
				errs = append(errs, fmt.Errorf("%s: empty policy file (no package)", name))
				continue
			}
			if _, dup := l.modules[name]; dup {
				errs = append(errs, fmt.Errorf("%s: loaded twice (the same policy directory given more than once?)", name))
				continue
			}
			l.modules[name] = m
			l.builtin[name] = !src.dir
			parsed = append(parsed, parsedModule{name: name, src: src, mod: m})
			pp := m.Package.Path.String()
			f := pkgs[pp]
			if f == nil {
				f = &pkgFacts{path: pp}
				pkgs[pp] = f
			}
			f.files = append(f.files, name)
			f.sources = append(f.sources, src.label)
			for _, r := range m.Rules {
				if ref := r.Head.Ref(); len(ref) > 0 && ref[0].Value.Compare(ast.Var("findings")) == 0 {
					f.findings = true
				}
			}
			for _, a := range m.Annotations {
				if a.Scope == "package" {
					f.annots = append(f.annots, a)
					f.annotFiles = append(f.annotFiles, name)
				}
			}
		}
	}
	byID := map[string]RuleInfo{}
	for _, pp := range sortedKeys(pkgs) {
		f := pkgs[pp]
		if !strings.HasPrefix(pp, rulesPrefix) {
			for i, a := range f.annots {
				if _, has := a.Custom["id"]; has {
					errs = append(errs, fmt.Errorf("%s: package %s has METADATA custom.id but is not under %s<name>, so it would never run as a check",
						annotationPos(f.annotFiles[i], a), pp, rulesPrefix))
				}
			}
			continue
		}
		if !f.findings && len(f.annots) == 0 {
			continue // a helper package under snapaudit.rules: not a check
		}
		if first := f.sources[0]; slices.ContainsFunc(f.sources, func(s string) bool { return s != first }) {
			errs = append(errs, fmt.Errorf("check %s is declared in files of different sources (%s): a policy directory cannot extend or override another's check", pp, strings.Join(f.files, ", ")))
			continue
		}
		if len(f.annots) > 1 {
			errs = append(errs, fmt.Errorf("check %s has %d package-scoped METADATA blocks (%s): keep exactly one", pp, len(f.annots), strings.Join(f.annotFiles, ", ")))
			continue
		}
		var a *ast.Annotations
		file := f.files[0]
		if len(f.annots) == 1 {
			a, file = f.annots[0], f.annotFiles[0]
		}
		info, problems := ruleInfo(pp, file, a)
		if !f.findings {
			problems = append(problems, fmt.Errorf("%s: check %s defines no `findings` rule", file, pp))
		}
		if len(problems) > 0 {
			errs = append(errs, problems...)
			continue
		}
		if prev, dup := byID[info.ID]; dup {
			errs = append(errs, fmt.Errorf("duplicate rule id %s: %s (%s) and %s (%s)", info.ID, prev.File, prev.Package, info.File, info.Package))
			continue
		}
		byID[info.ID] = info
	}
	errs = append(errs, checkNamespaces(parsed, pkgs)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, id := range sortedKeys(byID) {
		l.checks = append(l.checks, byID[id])
	}
	return l, nil
}

// regoFiles lists the policy files of fsys (*.rego but not *_test.rego) and
// the data files opa would load from it (*.json, *.yaml, *.yml), sorted.
// Hidden directories are skipped.
func regoFiles(fsys fs.FS) (policies, data []string, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		switch {
		case d.IsDir():
		case strings.HasSuffix(p, ".rego") && !strings.HasSuffix(p, "_test.rego"):
			policies = append(policies, p)
		case slices.Contains([]string{".json", ".yaml", ".yml"}, path.Ext(p)):
			data = append(data, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(policies)
	sort.Strings(data)
	return policies, data, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
