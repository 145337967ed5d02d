package model

// The collection plan: how the collector runs each call, as its registry
// declares it (collect.Call: Scope, Parent) and shapes.txt records it, or
// as a snapshot's manifest records it (plan[], FORMAT.md; Gaps WithPlan).
// The model never repeats these facts by hand: a type's scope, the calls
// upstream of a per-parent call and whether a call's absence is a gap are
// all read from here.

import (
	"strings"

	"github.com/snapaudit/snapaudit/snapshot"
)

// planOf returns how the collector runs c; ok is false for a call it does
// not collect (or when shapes.txt does not parse: shapeOf reports that).
func planOf(c Call) (callShape, bool) {
	all, err := responseShapes()
	if err != nil {
		return callShape{}, false
	}
	cs, ok := all[c]
	return cs, ok
}

// plan answers how the collector runs a call: planOf (the current
// collector's registry, shapes.txt) or the plan a snapshot's manifest
// records (manifestPlan).
type plan func(Call) (callShape, bool)

// manifestPlan is the collection plan a snapshot's manifest records
// (snapshot.Manifest.Plan); nil when it records none.
func manifestPlan(ps []snapshot.PlannedCall) plan {
	if len(ps) == 0 {
		return nil
	}
	m := make(map[Call]callShape, len(ps))
	for _, p := range ps {
		cs := callShape{scope: p.Scope}
		if p.Parent != "" {
			cs.parent, _ = parseCall(p.Parent)
		}
		m[Call{p.Service, p.Operation}] = cs
	}
	return func(c Call) (callShape, bool) {
		cs, ok := m[c]
		return cs, ok
	}
}

// isPerParent reports whether c runs once per item of a parent call: when
// the parent had no items it is absent, and its absence is not a gap.
func isPerParent(c Call) bool { return plan(planOf).isPerParent(c) }

func (p plan) isPerParent(c Call) bool {
	cs, _ := p(c)
	return cs.scope == scopePerParent
}

// upstream returns the calls c depends on through its parents, nearest
// first: DescribeTable -> ListTables. The walk is bounded (a plan with a
// cycle is refused by TestShapes and by the manifest check).
func upstream(c Call) []Call { return plan(planOf).upstream(c) }

func (p plan) upstream(c Call) []Call {
	var out []Call
	for cs, ok := p(c); ok && cs.scope == scopePerParent && len(out) < maxParents; cs, ok = p(cs.parent) {
		out = append(out, cs.parent)
	}
	return out
}

// maxParents bounds a parent chain (the deepest today: s3 GetBucketAcl ->
// GetBucketLocation -> ListBuckets).
const maxParents = 8

// rootScope is the scope of the top-level call that c is, or descends
// from: Regional for a call that runs once per region (or per item of
// one), Global otherwise.
func rootScope(c Call) Scope {
	if up := upstream(c); len(up) > 0 {
		c = up[len(up)-1]
	}
	if p, _ := planOf(c); p.scope == "regional" {
		return Regional
	}
	return Global
}

// op names a collected call by "service:Operation", as the collector's
// registry and the snapshot spell it. A name that is not collected fails
// the registry check (EntityType.validate), so records need no variables
// of their own to stay typo-free.
func op(name string) Call {
	svc, o, _ := strings.Cut(name, ":")
	return Call{svc, o}
}
