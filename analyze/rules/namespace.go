package rules

import (
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// A policy directory's modules live in their own namespace: nothing they
// declare may reach a document that a built-in check reads or that another
// source's check is made of. checkNamespaces enforces that on every package
// path and every rule path (the package plus the ground prefix of the rule's
// head ref, so `package snapaudit` with `rules.x.findings contains ...` and
// `rules[name].findings` are caught too). Two paths collide when one is a
// prefix of the other: a package that is a parent of a built-in package can
// define its rules through ref heads, and one below it extends it.
//
// Reserved for the built-in pack (WithPolicies sources):
//   - data.lib and everything under it (the helpers every check calls);
//   - data.snapaudit and everything under it except data.snapaudit.rules.<name>
//     (data.snapaudit.config is the validated --config document);
//   - every package a built-in source declares, its parents and children.
//
// Reserved for the source that declares it: every check package (a package
// under data.snapaudit.rules with METADATA or findings).
//
// Built-in sources are trusted and not checked. New also compiles the
// built-in checks without any directory's module, so even a collision this
// check missed could not change a built-in check's findings.

var (
	libRoot       = ast.MustParseRef("data.lib")
	snapauditRoot = ast.MustParseRef("data.snapaudit")
	rulesRoot     = ast.MustParseRef("data.snapaudit.rules")
	findingsTerm  = ast.StringTerm("findings")
)

// territory is a path owned by a source.
type territory struct {
	path  ast.Ref
	owner string // source label
	what  string // how the error names it
}

func checkNamespaces(parsed []parsedModule, pkgs map[string]*pkgFacts) []error {
	var owned []territory
	for _, pm := range parsed {
		if !pm.src.dir {
			owned = append(owned, territory{path: pm.mod.Package.Path, owner: pm.src.label,
				what: fmt.Sprintf("the built-in package %s (%s)", pm.mod.Package.Path, pm.name)})
		}
	}
	for _, pp := range sortedKeys(pkgs) {
		f := pkgs[pp]
		if strings.HasPrefix(pp, rulesPrefix) && (f.findings || len(f.annots) > 0) && f.sources[0] != "builtin:" {
			owned = append(owned, territory{path: ast.MustParseRef(pp), owner: f.sources[0],
				what: fmt.Sprintf("the check %s of %s", pp, f.files[0])})
		}
	}
	var errs []error
	for _, pm := range parsed {
		if !pm.src.dir {
			continue
		}
		pkg := pm.mod.Package
		if why := reserved(pkg.Path, pm.src.label, owned); why != "" {
			errs = append(errs, fmt.Errorf("%s: package %s: a policy directory cannot declare it: %s", pos(pm.name, pkg.Location), pkg.Path, why))
			continue // its rules would only repeat the complaint
		}
		for _, r := range pm.mod.Rules {
			head := r.Head.Ref()
			if len(head) > 1 && containsTerm(head[1:], findingsTerm) {
				errs = append(errs, fmt.Errorf("%s: rule %s: define a check's findings in the check's own package (package <check>; findings contains f if ...), not through a rule-head ref", pos(pm.name, r.Location), r.Ref()))
				continue
			}
			if why := reserved(r.Path(), pm.src.label, owned); why != "" {
				errs = append(errs, fmt.Errorf("%s: rule %s: a policy directory cannot define it: %s", pos(pm.name, r.Location), r.Ref(), why))
			}
		}
	}
	return errs
}

// reserved says why a directory source may not declare path p, or "".
func reserved(p ast.Ref, label string, owned []territory) string {
	switch {
	case overlaps(p, libRoot):
		return "data.lib is reserved for the built-in pack (the helper library every check uses; import it with `import data.lib`)"
	case overlaps(p, snapauditRoot) && !(len(p) > len(rulesRoot) && p.HasPrefix(rulesRoot)):
		return "data.snapaudit is reserved for the built-in pack except data.snapaudit.rules.<name> for checks (data.snapaudit.config holds the settings of --config FILE, which is validated)"
	}
	for _, t := range owned {
		if t.owner != label && overlaps(p, t.path) {
			return "it overlaps " + t.what + ": a policy directory cannot extend, override or shadow another source's package; pick a name of your own, e.g. data.snapaudit.rules.<org>.<check>"
		}
	}
	return ""
}

// overlaps reports whether one of a and b is a prefix of the other.
func overlaps(a, b ast.Ref) bool { return a.HasPrefix(b) || b.HasPrefix(a) }

func containsTerm(ref ast.Ref, t *ast.Term) bool {
	for _, x := range ref {
		if x.Equal(t) {
			return true
		}
	}
	return false
}

// pos is "file:line" of loc, or just file.
func pos(file string, loc *ast.Location) string {
	if loc != nil {
		return fmt.Sprintf("%s:%d", file, loc.Row)
	}
	return file
}
