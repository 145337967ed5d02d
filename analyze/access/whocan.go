package access

// Exact who-can over the graph: Index.WhoCan takes its candidates from the
// derived relationships and lets the evaluator decide each one, so the
// answer is Query.WhoCan's (the same request, policies and facts) while the
// principals asked about are only those some relationship leads to:
//
//   - the root of the resource's account (every root for a global
//     resource such as an AWS managed policy);
//   - aws_principal_access relationships into the resource, its service
//     entity or its account (Who's reading) whose levels include one of the
//     action's;
//   - the resource's own grants (resource-policy ALLOWS; a role's TRUSTS):
//     a user or role; an account, meaning its root and every user and role
//     of it in the snapshot; Everyone, meaning anonymous "*" and every
//     principal in the snapshot; and the raw principal entries as written
//     (role sessions, services, principals outside the snapshot);
//   - for an action that takes no resource, asked on an account (or "*"):
//     the account's root and the principals of the account whose edges to
//     the action's service entity or to the account give one of its
//     levels (accountCandidates).
//
// The relationships are proportional to the policies (service and account
// edges where access is uniform), so a question costs one evaluation per
// principal the edges name, not per principal of the organisation, except
// for a resource whose policy grants to "*" or to a whole account.
// TestOrgWhoCanAgrees and TestOrgWhoCanEveryAction (every action, every
// resource and account) check, on a multi-account organisation and on the
// demo account collected with its organisation, that this candidate set
// misses nobody the evaluator allows.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// WhoCan returns the principals allowed action on resourceARN (a collected
// resource or a part of one, such as arn:aws:s3:::bucket/key), sorted by
// principal: the graph's candidates (see the top of the file), each decided
// by q's evaluator. q must be built over the graph ix indexes. An action
// that takes no resource is asked on an account's ARN or on "*"
// (Query.accountScope; candidates: accountCandidates).
func (ix *Index) WhoCan(ctx context.Context, q *Query, action, resourceARN string) ([]Answer, error) {
	act, ok := q.cat.Lookup(action)
	if !ok {
		return nil, fmt.Errorf("unknown IAM action %q (not in the action catalog)", action)
	}
	levels := act.Levels()
	if accts, ok := q.accountScope(action, resourceARN); ok {
		return q.allowedInAccounts(ctx, accts, action, func(acct string) []iam.Principal {
			return ix.accountCandidates(acct, act, levels)
		})
	}
	res := q.resource(resourceARN)
	if res == nil {
		return nil, fmt.Errorf("resource %s is not in the snapshot", resourceARN)
	}
	var cands []iam.Principal
	seen, named := map[string]bool{}, map[string]bool{} // raw entries, principals
	add := func(raw string) {
		if raw == "" || seen[raw] || (raw != "*" && strings.ContainsAny(raw, "*?")) {
			return
		}
		seen[raw] = true
		if raw == "*" {
			cands = append(cands, iam.Principal{Raw: "*", Type: iam.PrincipalAnonymous})
			return
		}
		// One candidate per principal, however a policy wrote it (an
		// account's root as 111122223333 or arn:aws:iam::111122223333:root).
		if p, err := iam.ParsePrincipal(raw); err == nil && !named[principalName(p)] {
			named[principalName(p)] = true
			cands = append(cands, p)
		}
	}
	if a := accountOf(res); a != "" {
		add(model.AccountKey(a)) // the root of the resource's account
	} else {
		for _, root := range q.roots { // a global resource: every account's
			add(root)
		}
	}
	ix.accessTo(res, func(r *graph.Relationship, granted []string, _ string) {
		for _, l := range levels {
			if slices.Contains(granted, string(l)) {
				add(r.From)
				return
			}
		}
	})
	for _, r := range ix.grants[res.Key] {
		to := ix.g.Entity(r.To)
		switch {
		case to == nil:
		case to.Key == model.EveryoneKey:
			add("*")
			for _, p := range q.principals {
				add(p.Key)
			}
			for _, root := range q.roots {
				add(root)
			}
		case to.Type == "aws_account":
			id := to.String("accountId")
			add(model.AccountKey(id))
			for _, p := range q.principals {
				if accountOf(p) == id {
					add(p.Key)
				}
			}
		case (to.Type == "aws_iam_user" || to.Type == "aws_iam_role") && to.String("_source") != placeholderSource:
			add(to.Key)
		}
		raw, _ := r.Get("principal").(string)
		for _, s := range strings.Split(raw, ",") {
			add(strings.TrimSpace(s))
		}
	}
	return q.allowedAmong(ctx, cands, action, resourceARN, res)
}

// allowedAmong decides action on resourceARN (res: its collected entity)
// for each candidate and returns the allowed ones, sorted by principal.
func (q *Query) allowedAmong(ctx context.Context, cands []iam.Principal, action, resourceARN string, res *graph.Entity) ([]Answer, error) {
	out := make([]Answer, len(cands))
	err := q.parallel(ctx, len(cands), func(i int) error {
		a, err := q.decide(ctx, cands[i], action, resourceARN, res)
		out[i] = a
		return err
	})
	if err != nil {
		return nil, err
	}
	out = slices.DeleteFunc(out, func(a Answer) bool { return a.Decision != iam.Allowed })
	slices.SortFunc(out, func(a, b Answer) int { return strings.Compare(a.Principal, b.Principal) })
	return out, nil
}

// accountCandidates are the principals of acct that may call act, an
// action that takes no resource, in their own account: those with an
// aws_principal_access relationship to the action's service entity or to
// the account at one of its levels (Resource "*" grants land there), and
// every user and role of the account for an action that needs no
// permission (iam.NeedsNoPermission: no policy, so no relationship, says
// who may call it). The caller adds the account's root.
func (ix *Index) accountCandidates(acct string, act actions.Action, levels []actions.AccessLevel) []iam.Principal {
	var out []iam.Principal
	seen := map[string]bool{}
	add := func(key string) {
		if seen[key] {
			return
		}
		seen[key] = true
		if p, err := iam.ParsePrincipal(key); err == nil && p.Account == acct {
			out = append(out, p)
		}
	}
	if iam.NeedsNoPermission(act.String()) {
		for _, p := range ix.principals[acct] {
			add(p)
		}
	}
	svc := serviceName(act.Service)
	for _, t := range []string{model.ServiceKey(acct, svc), model.ServiceKey(acct, svc+"_service"), model.AccountKey(acct)} {
		for _, r := range ix.to[t] {
			granted := stringList(r.Get("accessLevels"))
			if slices.ContainsFunc(levels, func(l actions.AccessLevel) bool { return slices.Contains(granted, string(l)) }) {
				add(r.From)
			}
		}
	}
	return out
}
