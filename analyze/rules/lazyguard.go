package rules

// lazyGuard: where the compiled policies may use one of the input's lazy
// objects (input.entities, input.relationships, input.out, input["in"]) as a
// whole value rather than look into it. A lazy object answers lookups,
// iteration, count, object.keys, object.get and `in` exactly; it must not
// meet OPA code that asserts OPA's own object type (comparison with another
// object, JSON, `with`), see lazy.go. The checks compiled with a module that
// has such a use read the fully converted input instead, so a check never
// sees less than the input contract (policies/README.md) promises.
//
// The analysis is syntactic and conservative, on the compiled modules, in
// which every reference to input is spelled out (imports resolved) and every
// call argument that is a reference is first bound to a generated local
// (`__local3__ = input.out; object.get(__local3__, [k, v], [], x)`):
//
//   - input alone, or input[x] with a variable x, is a whole use;
//   - input.entities (or another lazy name) is fine only as the right side
//     of `local = input.entities`; the local is then fine only as the head of
//     a longer reference (local[k]), as the object of count, object.keys,
//     object.get (with a non-empty literal path: object.get(o, [], d) is o
//     itself) or the collection of `in`;
//   - any `with` on input is a whole use (OPA writes the replacement into a
//     copy of input, and the copy shares the lazy objects).
//
// Everything else (a function argument, an array element, a comparison, a
// rule value, every's domain) is a whole use.

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// lazyNames are the input fields that are lazy objects.
var lazyNames = []string{"entities", "in", "out", "relationships"}

// wholeInputUses lists, as "file:line: what", every place in modules where a
// lazy input object may be used whole; empty when there is none.
func wholeInputUses(modules map[string]*ast.Module) []string {
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	var uses []string
	for _, n := range names {
		for _, r := range modules[n].Rules {
			uses = append(uses, ruleWholeUses(r)...)
		}
	}
	return uses
}

// isLazyRef reports whether t is input.<lazy name> (or input[var], which
// may be one), with nothing after it.
func isLazyRef(t *ast.Term) bool {
	ref, ok := t.Value.(ast.Ref)
	if !ok || len(ref) != 2 || !ref[0].Equal(ast.InputRootDocument) {
		return false
	}
	switch k := ref[1].Value.(type) {
	case ast.String:
		return slices.Contains(lazyNames, string(k))
	case ast.Var:
		return true
	}
	return false
}

// nonEmptyPath reports whether t, object.get's path, selects inside the
// object: a key, or a literal array of at least one key.
func nonEmptyPath(t *ast.Term) bool {
	switch p := t.Value.(type) {
	case *ast.Array:
		return p.Len() > 0
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		return true
	}
	return false
}

// ruleWholeUses is wholeInputUses for one rule (with its else branches).
//
// The compiler shares term pointers between places (a head's value and the
// local that binds it), so uses are counted by position: every occurrence of
// a lazy reference or of a local bound to one, against the occurrences in a
// fine place.
func ruleWholeUses(r *ast.Rule) []string {
	var uses []string
	report := func(t *ast.Term, what string) {
		loc := r.Location
		if t != nil && t.Location != nil {
			loc = t.Location
		}
		if loc != nil {
			what = fmt.Sprintf("%s:%d: %s", loc.File, loc.Row, what)
		}
		uses = append(uses, what)
	}
	type count struct {
		all, fine int
		first     *ast.Term
	}
	refs := map[string]*count{}    // lazy references by text
	locals := map[ast.Var]*count{} // locals bound to a lazy reference
	fineArgs := map[ast.Var]int{}  // locals as the object of a builtin that takes a lazy object
	fineRef := func(t *ast.Term) {
		if isLazyRef(t) {
			c := refs[t.String()]
			if c == nil {
				c = &count{}
				refs[t.String()] = c
			}
			c.fine++
		}
	}
	ast.WalkExprs(r, func(x *ast.Expr) bool {
		for _, w := range x.With {
			if ref, ok := w.Target.Value.(ast.Ref); ok && ref[0].Equal(ast.InputRootDocument) {
				report(w.Target, "with "+w.Target.String())
			}
		}
		var arg *ast.Term
		switch {
		case x.IsEquality():
			a, b := x.Operand(0), x.Operand(1)
			if isLazyRef(a) {
				a, b = b, a
			}
			if v, ok := a.Value.(ast.Var); ok && isLazyRef(b) {
				if locals[v] == nil {
					locals[v] = &count{first: b}
				}
				locals[v].fine++
				fineRef(b)
			}
		case x.IsCall():
			switch x.Operator().String() {
			case "count", "object.keys":
				arg = x.Operand(0)
			case "object.get":
				if nonEmptyPath(x.Operand(1)) {
					arg = x.Operand(0)
				}
			case "internal.member_2":
				arg = x.Operand(1)
			case "internal.member_3":
				arg = x.Operand(2)
			}
		}
		if arg != nil {
			if v, ok := arg.Value.(ast.Var); ok {
				fineArgs[v]++
			}
			fineRef(arg)
		}
		return false
	})
	ast.WalkTerms(r, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			if v[0].Equal(ast.InputRootDocument) && len(v) == 1 {
				report(t, "input used whole")
			}
			if isLazyRef(t) {
				c := refs[t.String()]
				if c == nil {
					c = &count{}
					refs[t.String()] = c
				}
				c.all++
				if c.first == nil {
					c.first = t
				}
			}
			if h, ok := v[0].Value.(ast.Var); ok && len(v) > 1 {
				fineArgs[h]++ // local[k]: a lookup
			}
		case ast.Var:
			if c := locals[v]; c != nil {
				c.all++
			}
		}
		return false
	})
	for _, text := range slices.Sorted(maps.Keys(refs)) {
		if c := refs[text]; c.all > c.fine {
			report(c.first, text+" used whole")
		}
	}
	for _, v := range slices.Sorted(maps.Keys(locals)) {
		if c := locals[v]; c.all > c.fine+fineArgs[v] {
			report(c.first, fmt.Sprintf("a local bound to %v used whole", c.first))
		}
	}
	return uses
}
