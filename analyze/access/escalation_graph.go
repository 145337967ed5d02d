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
	add := func(from, to, id string, props map[string]any) error {
		f, t := g.Entity(from), g.Entity(to)
		if f == nil || t == nil {
			return fmt.Errorf("escalation relationship %s: %s or %s is not in the graph", id, from, to)
		}
		return g.AddRelationship(graph.NewCustomRelationship(from+"|escalates|"+id, EscalationType, "ESCALATES", from, to, props))
	}
	seen := map[string]bool{}
	for _, e := range res.Edges {
		props := map[string]any{
			"technique": e.Technique, "techniques": []string{e.Technique}, "name": e.Name, "source": e.Source,
			"permissions": slices.Clone(e.Permissions), "steps": 1, "conditional": e.Conditional,
			"conditionKeys": nullable(e.ConditionKeys),
		}
		to, label := e.To, e.To
		switch {
		case e.ToSet != "":
			to, label = model.AccountKey(setAccount(e.ToSet)), e.ToSet
			props["targetSet"], props["except"] = e.ToSet, slices.Clone(e.Except)
			if props["except"] == nil {
				props["except"] = []string{}
			}
		case e.To == AdminNode:
			to = model.AccountKey(principalAccount(e.From))
			props["admin"] = true
		}
		id := e.Technique + "|" + label + "|" + strings.Join(e.Permissions, ";")
		if seen[e.From+id] {
			continue
		}
		seen[e.From+id] = true
		if err := add(e.From, to, id, props); err != nil {
			return err
		}
	}
	for _, p := range res.Paths {
		var steps, techniques, perms []string
		keys := map[string]bool{}
		for i, s := range p.Steps {
			steps = append(steps, fmt.Sprintf("%d. %s -> %s using %s", i+1, s.Technique, s.To, strings.Join(s.Permissions, "; ")))
			techniques = append(techniques, s.Technique)
			perms = append(perms, s.Permissions...)
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

// adminPathID names the path relationship in add (AdminPathKey).
const adminPathID = "admin-path"

// nullable is a list, or nil (null) when it is empty.
func nullable(l []string) any {
	if len(l) == 0 {
		return nil
	}
	return slices.Clone(l)
}
