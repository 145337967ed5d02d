package model

// Calls a snapshot never made.
//
// A snapshot outlives the collector that wrote it: analysed months later by
// a newer model, it lacks the calls added since (s3control
// GetPublicAccessBlock, s3 GetBucketAbac). Their rows are absent, which
// reads like "nothing configured" unless the gaps say otherwise. Gaps's
// own loop covers the top-level calls of each type's source; neverMade
// covers everything else the model reads (enrichments, relationship calls,
// hatches, service settings and the calls upstream of them): a call the
// snapshot's recorded plan does not name was attempted nowhere, and a
// top-level call with no status in an account (or a region where regional
// calls ran) was not attempted there. The properties it would have set stay
// unset (null: unknown), and the gap names them (Gap.Unknown). A planned
// per-parent call without rows is empty (its parent had no items), and so
// is one without rows in a snapshot that records no plan: nothing tells
// the two apart there. Not even its siblings: the calls on the same parent
// items may have run where it had none to run on, as some per-parent calls
// take only some of the items (rds DescribeDBSnapshotAttributes the manual
// snapshots, elbv2 DescribeListenerCertificates the HTTPS listeners).

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// neverMade returns the not-collected gaps of every call the model reads
// beyond the types' top-level calls (see above): calls are the snapshot's
// statuses, p its plan (hasPlan: recorded by the manifest); seen (account,
// region or "" for any, call), accounts and regions are what Gaps found in
// them.
func neverMade(calls []CallStatus, p plan, hasPlan bool, seen map[[3]string]bool, accounts map[string]bool,
	regions map[string]map[string]bool) []Gap {
	// scopes are the account and region of each call's statuses, built
	// only when a call was not planned (wouldRun reads them).
	var scopes map[Call][][2]string
	scopesOf := func(c Call) [][2]string {
		if scopes == nil {
			scopes = map[Call][][2]string{}
			for _, cs := range calls {
				c, s := Call{cs.Service, cs.Operation}, [2]string{cs.AccountID, cs.Region}
				if n := len(scopes[c]); n == 0 || scopes[c][n-1] != s {
					scopes[c] = append(scopes[c], s)
				}
			}
		}
		return scopes[c]
	}
	var made map[Call]bool // without a plan: the calls with a status
	if !hasPlan {
		made = map[Call]bool{}
		for _, cs := range calls {
			made[Call{cs.Service, cs.Operation}] = true
		}
	}
	attempted := func(c Call) bool {
		if hasPlan {
			_, ok := p(c)
			return ok
		}
		return made[c]
	}
	children := map[Call][]Call{} // parent -> per-parent calls, in the current collector's plan
	if all, err := responseShapes(); err == nil {
		for c, cs := range all {
			if cs.scope == scopePerParent {
				children[cs.parent] = append(children[cs.parent], c)
			}
		}
	}
	accts := slices.Sorted(maps.Keys(accounts))
	// topScopes are the scopes of a top-level call: every account, and for
	// a regional call every region where the account's regional calls ran.
	topScopes := func(c Call) [][2]string {
		var out [][2]string
		for _, a := range accts {
			if cs, _ := planOf(c); cs.scope == "regional" {
				for _, r := range slices.Sorted(maps.Keys(regions[a])) {
					out = append(out, [2]string{a, r})
				}
			} else {
				out = append(out, [2]string{a, ""})
			}
		}
		return out
	}
	// wouldRun are the scopes where a call never attempted would have
	// rows: a top-level call's own; a per-parent call's are those of the
	// calls that ran for the same parent items (its siblings: GetBucketAcl
	// for GetBucketAbac), else its parent's (ran: where it has statuses;
	// never attempted either: where it would have run).
	var wouldRun func(c Call, depth int) [][2]string
	wouldRun = func(c Call, depth int) [][2]string {
		cs, ok := planOf(c)
		if !ok || cs.scope != scopePerParent || depth > maxParents {
			return topScopes(c)
		}
		var out [][2]string
		for _, s := range children[cs.parent] {
			if s != c && attempted(s) {
				out = append(out, scopesOf(s)...)
			}
		}
		if len(out) == 0 {
			if attempted(cs.parent) {
				out = scopesOf(cs.parent)
			} else {
				out = wouldRun(cs.parent, depth+1)
			}
		}
		out = slices.Clone(out)
		slices.SortFunc(out, compareScope)
		return slices.Compact(out)
	}
	// missing is where a call was never made, with the reason's note,
	// worked out once per call.
	type neverIn struct {
		where [][2]string
		note  string
	}
	missingOf := map[Call]neverIn{}
	missing := func(c Call) neverIn {
		if m, ok := missingOf[c]; ok {
			return m
		}
		var m neverIn
		switch cs, _ := planOf(c); {
		case hasPlan && !attempted(c):
			m = neverIn{wouldRun(c, 0), " (not in the snapshot's collection plan: the snapshot predates the call)"}
		case cs.scope != scopePerParent:
			name := c.String()
			for _, s := range topScopes(c) {
				if !seen[[3]string{s[0], s[1], name}] {
					m.where = append(m.where, s)
				}
			}
		}
		missingOf[c] = m
		return m
	}
	var out []Gap
	add := func(typ string, c Call, top []Call) {
		if slices.Contains(top, c) {
			return // Gaps's own loop
		}
		m := missing(c)
		for _, s := range m.where {
			where := s[0]
			if s[1] != "" {
				where += "/" + s[1]
			}
			out = append(out, Gap{ResourceType: typ, AccountID: s[0], Region: s[1], Service: c.Service, Operation: c.Operation,
				Reason: fmt.Sprintf("%s was not collected in %s%s", c, where, m.note), Unknown: unknownOf(typ, c)})
		}
	}
	for _, t := range registry {
		top := t.topLevelCallsIn(p)
		for _, c := range t.calls() {
			add(t.Type, c, top)
		}
	}
	for _, s := range services {
		for _, c := range s.Calls() {
			add(s.Type(), c, nil)
		}
	}
	return out
}

// compareScope orders (account, region) scopes.
func compareScope(a, b [2]string) int {
	return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
}

// unknownOf names what a call leaves unknown on the entities of typ when
// it was never made: the properties and relationships that the type's
// enrichments, relationship calls, hatches (any type's, by Hatch.Sets) and
// service settings take from it or from a call below it (the per-bucket
// calls below GetBucketLocation), sorted; "(entities)" when the type's
// entities themselves come from it.
func unknownOf(typ string, c Call) []string {
	below := func(d Call) bool { return d == c || slices.Contains(upstream(d), c) }
	set := map[string]bool{}
	rel := func(from, verb, to string) { set[from+" "+verb+" "+to] = true }
	if s, ok := serviceByType(typ); ok {
		for _, st := range s.Settings {
			if below(st.Call) {
				set[st.Prop] = true
			}
		}
	}
	t, ok := TypeOf(typ)
	if ok && below(t.Source) {
		return []string{"(entities)"}
	}
	if ok {
		for _, e := range t.Enrich {
			if !below(e.Call) {
				continue
			}
			for _, p := range e.Props {
				set[p.Name] = true
			}
			for _, m := range []map[string]any{e.SetOnMatch, e.SetOnNotFound, e.SetOnNoMatch} {
				for k := range m {
					set[k] = true
				}
			}
			if e.Tags != "" {
				set["tag.*"] = true
				for _, p := range tagProps {
					set[p] = true
				}
			}
		}
		for _, r := range t.Rels {
			if r.Call != (Call{}) && below(r.Call) {
				if r.Reverse {
					rel(r.Target, r.Verb, typ)
				} else {
					rel(typ, r.Verb, r.Target)
				}
			}
		}
	}
	for _, h := range hatches() {
		if !slices.ContainsFunc(h.Calls, below) {
			continue
		}
		for _, p := range h.Sets[typ] {
			set[p] = true
		}
		for _, r := range h.Produces {
			if r.From == typ || r.To == typ {
				rel(r.From, r.Verb, r.To)
			}
		}
	}
	out := slices.Collect(maps.Keys(set))
	sort.Strings(out)
	return out
}
