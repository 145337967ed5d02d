package access

// Resource denials. A resource policy's Deny refuses a principal whatever
// its identity policies allow (IAM User Guide,
// reference_policies_evaluation-logic.html: an explicit deny in any
// policy overrides any allow), so a service- or account-scope access edge
// (evaluated on "*") must not be read onto a resource whose own policy
// denies the principal: "Deny every principal but the administrators"
// is a common bucket policy. Where a resource policy has a Deny that can
// refuse a principal outright (one without a Condition, or with one on a
// fact the snapshot has, a NotPrincipal, or naming principals: not one
// on request context alone, such as aws:SecureTransport, which leaves
// the access conditional), resourceDenials asks what the Deny statements
// refuse each principal of the resource's account (whose scoped edges Who
// reads onto it), given everything else allows
// every action of the service that acts on the resource or its parts (a
// grant to "*" of svc:*, abacSet), with joinedRefusals: by groups of principals with the
// same facts, per principal only where a statement reads who it is. The
// answer is on the resource:
//
//	deniedPrincipals  principals (or account IDs: every principal of the
//	                  account) refused every level on the resource
//	deniedLevels      "principal|Level" (or "account|Level"): refused that
//	                  level
//
// Who (accessTo) does not read a scoped edge of such a principal onto
// the resource at those levels. Explicit edges to the resource and the
// joined grants of its policy were decided with the policy already.

import (
	"fmt"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// The resource properties resourceDenials sets.
const (
	deniedPrincipalsProp = "deniedPrincipals"
	deniedLevelsProp     = "deniedLevels"
)

// refusingDeny reports whether a statement is a Deny that may refuse some
// principal outright: no Condition, or one on a fact of the snapshot, a
// NotPrincipal, or named principals.
func refusingDeny(st *statement) bool {
	return st.effect == iam.Deny && (st.conditions == "" || readsFacts(st) || st.notPrincipal || namesPrincipals(st))
}

// resourceDenials sets deniedPrincipals and deniedLevels on e (see above)
// when its policy doc has a refusing Deny.
func (d *deriver) resourceDenials(rt resourcePolicyType, e *graph.Entity, doc *document, arn, acct string) error {
	if acct == "" {
		return nil // no account's scoped edges are read onto it
	}
	refusing := false
	for _, st := range doc.stmts {
		refusing = refusing || refusingDeny(st)
	}
	if !refusing {
		return nil
	}
	resources := []any{arn}
	if sr, ok := subResourceOf(rt.Service); ok {
		resources = append(resources, arn+string(sr.Sep)+"*")
	}
	all, err := parseDocument(e.Key+"#denials", map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Principal": "*", "Action": rt.Service + ":*", "Resource": resources},
	}})
	if err != nil || len(all.stmts) != 1 {
		return fmt.Errorf("access: %s: the denials' grant: %v", e.Key, err)
	}
	st := all.stmts[0]
	set := d.statementSet(st, rt.Service)
	requests, ok := statementRequests(st, arn)
	if set == nil || !ok {
		return nil
	}
	// Only the actions that act on e or its parts: one that acts on
	// another type would answer for a level the Deny refuses on e.
	if set = d.abacSet(set, e); set == nil {
		return nil
	}
	gr := &grant{from: e, target: e, via: e.Key + "#" + rt.Prop, scope: scopeResource, service: rt.Service, account: acct, denials: true}
	for _, r := range requests {
		gr.add(st, set, r, "")
	}
	gr.finish()
	// The resource's own account's principals only: a scoped edge is to
	// its own account's service entity or account, read onto that
	// account's resources; another account's principals reach e through
	// its policy's grants, which were decided with the Deny statements.
	refused, levels, err := d.joinedRefusals(gr, doc, []string{acct})
	if err != nil {
		return fmt.Errorf("access: %s: %w", e.Key, err)
	}
	if len(refused) > 0 {
		e.Set(deniedPrincipalsProp, refused)
	}
	if len(levels) > 0 {
		e.Set(deniedLevelsProp, levels)
	}
	return nil
}

// deniedTo returns the levels e's own policy refuses principal (of account
// acct) by its Deny statements (resourceDenials): all, or those listed.
func deniedTo(e *graph.Entity, principal, acct string) (all bool, levels []string) {
	for _, p := range stringList(e.Get(deniedPrincipalsProp)) {
		if p == principal || p == acct {
			return true, nil
		}
	}
	for _, entry := range stringList(e.Get(deniedLevelsProp)) {
		if who, l, ok := strings.Cut(entry, "|"); ok && (who == principal || who == acct) {
			levels = append(levels, l)
		}
	}
	return false, levels
}
