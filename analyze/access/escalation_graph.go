package access

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// The escalation analysis in the graph (AddEscalation), for the checks.
// The relationship spec (testdata/spec) has no verb for it; J1's own
// relationship classes name what the source does to the target
// (ALLOWS, TRUSTS, EXPLOITS), so the verb is ESCALATES: "this principal
// escalates to that one".
//
//   - aws_iam_user|aws_iam_role ESCALATES aws_iam_user|aws_iam_role: one
//     technique lets the source act as the target (an EscalationEdge);
//   - ... ESCALATES aws_account, with targetSet: the technique reaches
//     every member of the set (roles or users of that account) but those
//     in except (an edge to a set);
//   - ... ESCALATES aws_account, with admin: the technique gives the
//     source administrator access in its own account;
//   - ... ESCALATES aws_account, with adminPath: the shortest path of the
//     source to administrator access (EscalationPath), step by step.
//
// Every relationship has _type aws_principal_escalation and technique(s),
// permissions, steps, conditional and conditionKeys. Each aws_account the
// analysis covered gets escalationAnalyzed true, so that a check can tell
// "no path" from "not analysed" (SkipEscalation says why it was not).

// EscalationType is the _type of the escalation relationships.
const EscalationType = "aws_principal_escalation"

// AdminPathKey is the key of the relationship of principal's shortest path
// to administrator access (the one with adminPath): AWS-IAM-003 looks it up
// by this key instead of walking every ESCALATES edge of the principal.
func AdminPathKey(principal string) string { return principal + "|escalates|" + adminPathID }

// EscalationRelationships lists the relationship kinds AddEscalation adds.
func EscalationRelationships() []model.RelInfo {
	var out []model.RelInfo
	for _, from := range []string{"aws_iam_role", "aws_iam_user"} {
		for _, to := range []string{"aws_account", "aws_iam_role", "aws_iam_user"} {
			out = append(out, model.RelInfo{From: from, Verb: "ESCALATES", To: to, Type: EscalationType})
		}
	}
	return out
}

// EscalationPrincipals is the number of principals the escalation analysis
// would visit in g: the users and roles collected (not the placeholders of
// principals outside the graph). Its cost grows with it (doc.go); analyze
// runs it by default only below a limit.
func EscalationPrincipals(g *graph.Graph) int {
	n := 0
	for _, typ := range []string{"aws_iam_user", "aws_iam_role"} {
		for _, e := range g.EntitiesOfType(typ) {
			if e.String("_source") != placeholderSource {
				n++
			}
		}
	}
	return n
}

// SkipEscalation records on each collected aws_account of g that the
// escalation analysis was not run and why (escalationSkipped, a sentence
// such as "75680 principals > the limit 10000"), so that AWS-IAM-003
// reports an ERROR that says so rather than a PASS.
func SkipEscalation(g *graph.Graph, reason string) {
	for _, a := range g.EntitiesOfType("aws_account") {
		if a.String("_source") != placeholderSource {
			a.Set("escalationSkipped", reason)
		}
	}
}

// AddEscalation adds the result of Escalation to g: its edges and paths as
// ESCALATES relationships, and escalationAnalyzed on the accounts.
func AddEscalation(g *graph.Graph, res *Escalation) error {
	for _, a := range g.EntitiesOfType("aws_account") {
		if a.String("_source") != placeholderSource {
			a.Set("escalationAnalyzed", true)
		}
	}
	addKeyed := func(key, from, to string, props map[string]any) error {
		f, t := g.Entity(from), g.Entity(to)
		if f == nil || t == nil {
			return fmt.Errorf("escalation relationship %s: %s or %s is not in the graph", key, from, to)
		}
		return g.AddRelationship(graph.NewCustomRelationship(key, EscalationType, "ESCALATES", from, to, props))
	}
	add := func(from, to, id string, props map[string]any) error {
		return addKeyed(from+"|escalates|"+id, from, to, props)
	}
	// The edges of principals of one class, or to one role, repeat the
	// same lists and permission strings: the graph keeps one copy of each
	// (shared, read-only, as graph.Props are), not one per relationship.
	in := newInterner()
	seen := map[string]bool{} // keys added
	for _, e := range res.Edges {
		joined := strings.Join(e.Permissions, ";")
		to, label := e.To, e.To
		switch {
		case e.ToSet != "":
			to, label = model.AccountKey(setAccount(e.ToSet)), e.ToSet
		case e.To == AdminNode:
			to = model.AccountKey(principalAccount(e.From))
		}
		key := e.From + "|escalates|" + e.Technique + "|" + label + "|" + joined
		if seen[key] {
			continue
		}
		seen[key] = true
		props := map[string]any{
			"technique": in.box(e.Technique), "techniques": in.list1(e.Technique), "name": in.box(e.Name), "source": in.box(e.Source),
			"permissions": in.list(joined, e.Permissions), "steps": 1, "conditional": e.Conditional,
			"conditionKeys": in.keys(e.ConditionKeys),
		}
		switch {
		case e.ToSet != "":
			props["targetSet"], props["except"] = in.box(e.ToSet), in.list(e.ToSet+"\x00"+strings.Join(e.Except, "\x00"), e.Except)
		case e.To == AdminNode:
			props["admin"] = true
		}
		if err := addKeyed(key, e.From, to, props); err != nil {
			return err
		}
	}
	for _, p := range res.Paths {
		var steps, techniques, perms []string
		keys := map[string]bool{}
		for i, s := range p.Steps {
			steps = append(steps, fmt.Sprintf("%d. %s -> %s using %s", i+1, s.Technique, s.To, strings.Join(s.Permissions, "; ")))
			techniques = append(techniques, s.Technique)
			for _, x := range s.Permissions {
				perms = append(perms, in.string(x))
			}
			for _, k := range s.ConditionKeys {
				keys[k] = true
			}
		}
		props := map[string]any{
			"adminPath": true, "path": steps, "steps": len(p.Steps), "techniques": techniques, "permissions": perms,
			"conditional": p.Conditional, "conditionKeys": nullable(slices.Sorted(maps.Keys(keys))),
		}
		if err := add(p.Principal, model.AccountKey(principalAccount(p.Principal)), adminPathID, props); err != nil {
			return err
		}
	}
	return nil
}

// interner keeps one copy of each string and list AddEscalation stores,
// boxed as a property value once (a string or slice in an interface is
// an allocation of its own).
type interner struct {
	strs  map[string]string
	boxed map[string]any
	lists map[string]any
}

func newInterner() *interner {
	return &interner{strs: map[string]string{}, boxed: map[string]any{}, lists: map[string]any{}}
}

// string is s, or the equal string stored before.
func (in *interner) string(s string) string {
	if x, ok := in.strs[s]; ok {
		return x
	}
	in.strs[s] = s
	return s
}

// box is s as a property value.
func (in *interner) box(s string) any {
	if x, ok := in.boxed[s]; ok {
		return x
	}
	var v any = in.string(s)
	in.boxed[s] = v
	return v
}

// list is a copy of l as a property value (key names its content), or
// the equal list stored before; a nil l is a nil []string.
func (in *interner) list(key string, l []string) any {
	if l == nil {
		return []string(nil)
	}
	if x, ok := in.lists[key]; ok && slices.Equal(x.([]string), l) {
		return x
	}
	cp := make([]string, len(l))
	for i, s := range l {
		cp[i] = in.string(s)
	}
	var v any = cp
	in.lists[key] = v
	return v
}

// list1 is the list of s alone.
func (in *interner) list1(s string) any {
	return in.list(s, []string{s})
}

// keys is nullable(l) interned: null when l is empty.
func (in *interner) keys(l []string) any {
	if len(l) == 0 {
		return nil
	}
	return in.list("\x00keys\x00"+strings.Join(l, "\x00"), l)
}

// adminPathID names the path relationship in add (AdminPathKey).
const adminPathID = "admin-path"

// nullable is a list, or nil (null) when it is empty.
func nullable(l []string) any {
	if len(l) == 0 {
		return nil
	}
	return slices.Clone(l)
}
