package rules

// lazyGuard: where the compiled policies may use one of the input's lazy
// objects (input.entities, input.relationships, input.out, input["in"] and
// the verb objects input.out[k], input["in"][k]) as a whole value rather
// than look into it. A lazy object answers lookups, iteration, count,
// object.keys, object.get and `in` exactly; it must not meet OPA code that
// asserts OPA's own object type (comparison with another object, JSON,
// `with`), see lazy.go. The checks compiled with a module that has such a
// use read the fully converted input instead, so a check never sees less
// than the input contract (policies/README.md) promises.
//
// The analysis is syntactic and conservative, on the compiled modules, in
// which every reference to input is spelled out (imports resolved) and every
// call argument that is a reference is first bound to a generated local
// (`__local3__ = input.out; object.get(__local3__, [k, v], [], x)`). A
// reference whose value may be a lazy object (input.out, input.out[k],
// input[f], input[f][k], and the same through a local bound to one) is fine
// only
//
//   - as the right side of `local = ref`, the local then being held to the
//     same rules, and as the head of a longer reference (ref[k]);
//   - as the object of count or object.keys, or as an expression of its own
//     (`not input.out[k]`: it holds unless the value is false);
//   - as the object of object.get with a literal path that reaches below
//     every lazy level (object.get(input.out, [k, verb], d), not
//     object.get(input.out, [k], d), which returns a lazy verb object);
//   - as the collection of `in`, when its values are not lazy (not for
//     input.out or input["in"]: `x in input.out` compares x with verb
//     objects).
//
// input alone, and any `with` on input, is a whole use (OPA writes the
// replacement into a copy of input, and the copy shares the lazy objects).
// Everything else (a function argument, an array element, a comparison, a
// rule value, every's domain) is a whole use.

import (
	"fmt"
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// level is what a reference into input may hold.
type level int

const (
	levelReal  level = iota // an ordinary OPA value (or nothing lazy below)
	levelInput              // input itself
	levelTable              // entities or relationships: lazy, values lazy records (which answer any use, lazyrecord.go)
	levelAdj                // out or in: lazy, lazy values
	levelAny1               // input[f]: maybe levelAdj
	levelVerbs              // out[k] or in[k]: lazy, real values
	levelAny2               // input[f][k]: maybe levelVerbs
)

// next is the level of x[key] for x at l.
func (l level) next(key *ast.Term) level {
	switch l {
	case levelInput:
		switch k := key.Value.(type) {
		case ast.String:
			switch k {
			case "entities", "relationships":
				return levelTable
			case "out", "in":
				return levelAdj
			}
		case ast.Var:
			return levelAny1
		}
	case levelAdj:
		return levelVerbs
	case levelAny1:
		return levelAny2
	}
	return levelReal
}

// lazy reports whether a value at l may be a lazy object.
func (l level) lazy() bool { return l >= levelTable }

// depth is how many keys object.get's path must have to reach below every
// lazy level.
func (l level) depth() int {
	if l == levelAdj || l == levelAny1 {
		return 2
	}
	return 1
}

// fineInMember reports whether `x in v` (v at l) compares x with real
// values only.
func (l level) fineInMember() bool { return l == levelTable || l == levelVerbs || l == levelAny2 }

// wholeInputUses lists, as "file:line: what", every place in modules where a
// lazy input object may be used whole; empty when there is none.
func wholeInputUses(modules map[string]*ast.Module) []string {
	var uses []string
	for _, n := range slices.Sorted(maps.Keys(modules)) {
		for _, r := range modules[n].Rules {
			uses = append(uses, ruleWholeUses(r)...)
		}
	}
	return uses
}

// pathReaches reports whether t, object.get's path, has at least n keys: a
// literal array, or a single key when n is 1.
func pathReaches(t *ast.Term, n int) bool {
	switch p := t.Value.(type) {
	case *ast.Array:
		return p.Len() >= n
	case ast.String, ast.Number, ast.Boolean, ast.Null:
		return n == 1
	}
	return false
}

// ruleGuard is the analysis of one rule (with its else branches).
type ruleGuard struct {
	locals map[ast.Var]level // locals bound to a lazy object
}

// levelOf is the level of ref's value.
func (g *ruleGuard) levelOf(ref ast.Ref) level {
	h, ok := ref[0].Value.(ast.Var)
	if !ok {
		return levelReal
	}
	l, ok := g.locals[h]
	if ref[0].Equal(ast.InputRootDocument) {
		l, ok = levelInput, true
	}
	if !ok {
		return levelReal
	}
	for _, k := range ref[1:] {
		if l = l.next(k); l == levelReal {
			break
		}
	}
	return l
}

// levelOfTerm is the level of a reference or a local, levelReal for
// anything else.
func (g *ruleGuard) levelOfTerm(t *ast.Term) level {
	switch v := t.Value.(type) {
	case ast.Ref:
		return g.levelOf(v)
	case ast.Var:
		if t.Equal(ast.InputRootDocument) {
			return levelInput
		}
		return g.locals[v]
	}
	return levelReal
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
	type binding struct{ local, ref *ast.Term }
	var (
		bindings []binding
		args     []*ast.Term // the object of count, object.keys, ...
		paths    []*ast.Term // object.get's path for each arg, else nil
		members  []bool      // whether the arg is `in`'s collection
	)
	ast.WalkExprs(r, func(x *ast.Expr) bool {
		for _, w := range x.With {
			if ref, ok := w.Target.Value.(ast.Ref); ok && ref[0].Equal(ast.InputRootDocument) {
				report(w.Target, "with "+w.Target.String())
			}
		}
		if t, ok := x.Terms.(*ast.Term); ok {
			// An expression that is a lone term holds unless its value is
			// false; a lazy object compares with false without converting.
			args, paths, members = append(args, t), append(paths, nil), append(members, false)
		}
		switch {
		case x.IsEquality():
			a, b := x.Operand(0), x.Operand(1)
			if _, ok := b.Value.(ast.Var); ok {
				a, b = b, a
			}
			_, local := a.Value.(ast.Var)
			if _, ref := b.Value.(ast.Ref); local && ref {
				bindings = append(bindings, binding{local: a, ref: b})
			}
		case x.IsCall():
			add := func(arg, path *ast.Term, member bool) {
				args, paths, members = append(args, arg), append(paths, path), append(members, member)
			}
			switch x.Operator().String() {
			case "count", "object.keys":
				add(x.Operand(0), nil, false)
			case "object.get":
				add(x.Operand(0), x.Operand(1), false)
			case "internal.member_2":
				add(x.Operand(1), nil, true)
			case "internal.member_3":
				add(x.Operand(2), nil, true)
			}
		}
		return false
	})
	// Locals bound to a lazy object, through other such locals too; one
	// bound twice to different levels is held to the strictest.
	g := &ruleGuard{locals: map[ast.Var]level{}}
	for changed := true; changed; {
		changed = false
		for _, b := range bindings {
			l := g.levelOfTerm(b.ref)
			v := b.local.Value.(ast.Var)
			if !l.lazy() || g.locals[v] == l || g.locals[v] == levelAny1 {
				continue
			}
			if g.locals[v].lazy() {
				l = levelAny1
			}
			g.locals[v], changed = l, true
		}
	}
	type count struct {
		all, fine int
		first     *ast.Term
	}
	refs := map[string]*count{}    // lazy references by text
	locals := map[ast.Var]*count{} // locals bound to a lazy object
	use := func(t *ast.Term) *count {
		var c *count
		if v, ok := t.Value.(ast.Var); ok {
			if c = locals[v]; c == nil {
				c = &count{first: t}
				locals[v] = c
			}
			return c
		}
		if c = refs[t.String()]; c == nil {
			c = &count{first: t}
			refs[t.String()] = c
		}
		return c
	}
	boundTo := map[ast.Var]*ast.Term{} // a reference each local is bound to, for messages
	for _, b := range bindings {
		if g.levelOfTerm(b.ref).lazy() {
			use(b.ref).fine++
			use(b.local).fine++
			if v := b.local.Value.(ast.Var); boundTo[v] == nil {
				boundTo[v] = b.ref
			}
		}
	}
	for i, arg := range args {
		l := g.levelOfTerm(arg)
		switch {
		case !l.lazy():
		case members[i] && !l.fineInMember():
		case paths[i] != nil && !pathReaches(paths[i], l.depth()):
		default:
			use(arg).fine++
		}
	}
	ast.WalkTerms(r, func(t *ast.Term) bool {
		switch v := t.Value.(type) {
		case ast.Ref:
			if len(v) == 1 && v[0].Equal(ast.InputRootDocument) {
				report(t, "input used whole")
				return false
			}
			if g.levelOf(v).lazy() {
				use(t).all++
			}
			if h, ok := v[0].Value.(ast.Var); ok && g.locals[h].lazy() {
				use(v[0]).fine++ // local[k]: a lookup
			}
		case ast.Var:
			if g.locals[v].lazy() {
				use(t).all++
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
		if c := locals[v]; c.all > c.fine {
			report(boundTo[v], fmt.Sprintf("a local bound to %v used whole", boundTo[v]))
		}
	}
	return uses
}
