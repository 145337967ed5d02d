package access

// Identity-policy ALLOWS: policy ALLOWS target, one relationship per
// (policy, target), for the Allow statements of managed and inline
// policies. Targets (notes.md §6):
//
//	Resource "*" (or NotResource), Action "*" or a service wildcard, or NotAction
//	                                   -> the aws_account
//	Resource "*", Action svc:...       -> the service entity aws_<svc> (one per service named)
//	Resource ARN / ARN pattern         -> each collected resource it reaches (index.go),
//	                                      keeping only the actions of the resource's service
//
// The account of "*" targets is the policy's: the ARN's account for
// customer managed policies, the owner's for inline ones, and for AWS
// managed policies (arn:aws:iam::aws:policy/...) every account with a
// principal that has the policy (else the account it was collected in).
// An AWS managed policy's Resource patterns likewise reach resources only
// in those accounts, or resources with a resource-based policy (reachable).
// A grant from the shared entity in any other account would invent
// cross-account access that no principal has.

import (
	"context"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

func (d *deriver) identityAllows(ctx context.Context) error {
	for _, typ := range policyTypes {
		for _, pe := range sortedEntities(d.g.EntitiesOfType(typ)) {
			if err := ctx.Err(); err != nil {
				return err
			}
			doc := d.doc(pe, "document")
			if doc == nil {
				continue
			}
			var gs grants
			for _, st := range doc.stmts {
				if st.effect == iam.Allow {
					d.statementTargets(pe, st, &gs)
				}
			}
			for _, gr := range gs.order {
				gr.finish()
				gr.rel = graph.NewRelationship(pe, "ALLOWS", gr.to, gr.allowProps())
				gr.rel.Set("effective", false) // set by principal-access
				if err := d.g.AddRelationship(gr.rel); err != nil {
					return err
				}
				d.stats.IdentityAllows++
			}
			d.identityGrants[pe.Key] = d.byAccount(gs.order)
		}
	}
	return nil
}

// accountGrants are a policy's grants by the account a principal must be
// in to use them without a resource-based policy: a principal of account A
// considers any[] and byAccount[A] only. Grants on other accounts' targets
// without a resource policy cannot be used by it (cross-account access
// needs both sides), and skipping them keeps the work of an AWS managed
// policy held by many accounts proportional to one account's share.
type accountGrants struct {
	any       []*grant // targets with a resource-based policy, or of no known account
	byAccount map[string][]*grant
}

func (d *deriver) byAccount(l []*grant) accountGrants {
	ag := accountGrants{byAccount: map[string][]*grant{}}
	for _, gr := range l {
		if gr.account == "" || d.resourcePolicyFor(gr.target) != nil {
			ag.any = append(ag.any, gr)
		} else {
			ag.byAccount[gr.account] = append(ag.byAccount[gr.account], gr)
		}
	}
	return ag
}

// statementTargets adds the grants of one Allow statement of policy pe.
func (d *deriver) statementTargets(pe *graph.Entity, st *statement, gs *grants) {
	if st.resources == nil { // NotResource (or none): everything but the listed
		d.wideTargets(pe, st, gs, "*")
		return
	}
	for _, pat := range st.resources {
		if strings.TrimSpace(pat) == "*" {
			if !d.abacTargets(pe, st, gs, pat, nil) {
				d.wideTargets(pe, st, gs, pat)
			}
			continue
		}
		if parts, ok := arnParts(actions.VariablesAsWildcards(pat)); ok && typeWide(parts) {
			if !d.abacTargets(pe, st, gs, pat, &parts) {
				d.typeWideTargets(pe, st, gs, pat, parts)
			}
			continue
		}
		hits := d.reachableHits(pe, d.idx.match(pat, nil))
		if max := d.cfg.limits.MaxTargetsPerStatement; max > 0 && len(hits) > max {
			d.cappedTargets(pe, st, gs, pat, hits)
			continue
		}
		for _, h := range hits {
			svc := arnService(h.e.String("arn"))
			sets := d.resourceSets(st, svc)
			if len(sets) == 0 {
				continue
			}
			gr := gs.get(h.e.Key, func() *grant {
				return &grant{from: pe, to: h.e, target: h.e, via: pe.Key, scope: scopeResource, service: svc, account: accountOf(h.e)}
			})
			for _, set := range sets {
				gr.add(st, set, h.request, pat)
			}
		}
	}
}

// statementSet is the statement's action set on service svc, nil when no
// action of the statement belongs to svc.
func (d *deriver) statementSet(st *statement, svc string) *actionSet {
	if st.actions == nil {
		return d.cat.set(st.notActions, true, svc)
	}
	pats := forService(st.actions, svc)
	if len(pats) == 0 {
		return nil
	}
	return d.cat.set(pats, false, svc)
}

// crossService lists the action prefixes whose actions act on resources
// whose ARN has another service (sorted by Action). Without it an action
// only reaches resources of its own service.
//
// FanOut: a type-wide pattern (typeWide) still reaches each resource for
// these actions, because a mandatory resource policy decides per resource
// (a role's trust policy), which a service-level grant could not say.
var crossService = []struct {
	Action, Resource string
	FanOut           bool
}{
	{Action: "ssm", Resource: "ec2"},               // ssm:SendCommand, ssm:StartSession on instances
	{Action: "sts", Resource: "iam", FanOut: true}, // sts:AssumeRole*, sts:TagSession on roles
}

// resourceSets returns the statement's action sets on a resource whose
// ARN service is svc: its own service's actions and those of crossService.
func (d *deriver) resourceSets(st *statement, svc string) []*actionSet {
	var out []*actionSet
	if s := d.statementSet(st, svc); s != nil {
		out = append(out, s)
	}
	for _, c := range crossService {
		if c.Resource == svc {
			if s := d.statementSet(st, c.Action); s != nil {
				out = append(out, s)
			}
		}
	}
	return out
}

// wideTargets adds the account or service-entity grants of a statement on
// "*" (or NotResource).
func (d *deriver) wideTargets(pe *graph.Entity, st *statement, gs *grants, pat string) {
	svcs, all := servicesOf(st)
	for _, acct := range d.policyAccounts(pe) {
		if all {
			target := d.res.account(acct)
			var set *actionSet
			if st.actions == nil {
				set = d.cat.set(st.notActions, true, "")
			} else {
				set = d.cat.set(st.actions, false, "")
			}
			gr := gs.get(target.Key, func() *grant {
				return &grant{from: pe, to: target, target: target, via: pe.Key, scope: scopeAccount, account: acct}
			})
			gr.add(st, set, "*", pat)
			continue
		}
		for _, svc := range svcs {
			target := serviceEntity(d.g, acct, svc)
			set := d.cat.set(forService(st.actions, svc), false, svc)
			gr := gs.get(target.Key, func() *grant {
				return &grant{from: pe, to: target, target: target, via: pe.Key, scope: scopeService, service: svc, account: acct}
			})
			gr.add(st, set, "*", pat)
		}
	}
}

// untypedARNs are the services whose ARN resource field starts with the
// resource's name rather than a resource type (bucket, queue, topic).
var untypedARNs = []string{"s3", "sns", "sqs"}

// typeWide reports whether an ARN pattern names every resource of a type
// (arn:aws:ec2:*:*:instance/*, arn:aws:s3:::*, arn:aws:logs:*:*:*): its
// resource field, past a leading resource-type token, starts with a
// wildcard. Such patterns target the service entity, as "*" does, instead
// of fanning out to every resource of the type: the graph stays small and
// the pattern is kept in `resources` (Who filters on it).
func typeWide(p [6]string) bool {
	f := p[5]
	if !slices.Contains(untypedARNs, p[2]) {
		i := 0
		for i < len(f) && (f[i] >= 'a' && f[i] <= 'z' || f[i] >= 'A' && f[i] <= 'Z' || f[i] >= '0' && f[i] <= '9' || f[i] == '-' || f[i] == '_') {
			i++
		}
		if i > 0 && i < len(f) && (f[i] == '/' || f[i] == ':') {
			f = f[i+1:]
		}
	}
	return f == "" || f[0] == '*' || f[0] == '?'
}

// typeWideTargets adds the service-entity grants of a type-wide pattern:
// the service entity of the pattern's service in the pattern's account
// (the policy's accounts when the account field is a wildcard), or the
// account when the service field is a wildcard.
func (d *deriver) typeWideTargets(pe *graph.Entity, st *statement, gs *grants, pat string, p [6]string) {
	accts := []string{p[4]}
	if !isAccountID(p[4]) {
		accts = d.policyAccounts(pe)
	}
	request := actions.VariablesAsWildcards(pat)
	for _, acct := range accts {
		if strings.ContainsAny(p[2], "*?") {
			target := d.res.account(acct)
			set := d.statementSet(st, "")
			gr := gs.get(target.Key, func() *grant {
				return &grant{from: pe, to: target, target: target, via: pe.Key, scope: scopeAccount, account: acct}
			})
			gr.add(st, set, request, pat)
			continue
		}
		var sets []*actionSet
		if s := d.statementSet(st, p[2]); s != nil {
			sets = append(sets, s)
		}
		for _, c := range crossService {
			if c.Resource == p[2] && !c.FanOut {
				if s := d.statementSet(st, c.Action); s != nil {
					sets = append(sets, s)
				}
			}
		}
		if len(sets) == 0 {
			continue
		}
		target := serviceEntity(d.g, acct, p[2])
		gr := gs.get(target.Key, func() *grant {
			return &grant{from: pe, to: target, target: target, via: pe.Key, scope: scopeService, service: p[2], account: acct}
		})
		for _, set := range sets {
			gr.add(st, set, request, pat)
		}
	}
	// Actions gated per resource by a mandatory resource policy fan out.
	for _, c := range crossService {
		if c.Resource != p[2] || !c.FanOut {
			continue
		}
		set := d.statementSet(st, c.Action)
		if set == nil {
			continue
		}
		for _, h := range d.reachableHits(pe, d.idx.match(pat, nil)) {
			gr := gs.get(h.e.Key, func() *grant {
				return &grant{from: pe, to: h.e, target: h.e, via: pe.Key, scope: scopeResource, service: p[2], account: accountOf(h.e)}
			})
			gr.add(st, set, h.request, pat)
		}
	}
}

// cappedTargets maps a pattern that reached too many resources to the
// service entity of each account it reached.
func (d *deriver) cappedTargets(pe *graph.Entity, st *statement, gs *grants, pat string, hits []hit) {
	d.stats.CappedStatements++
	d.cfg.log.Warn("resource pattern capped to the service entity", "policy", pe.Key, "statement", st.index,
		"resource", pat, "matched", len(hits), "max", d.cfg.limits.MaxTargetsPerStatement)
	type sa struct{ svc, acct string }
	seen := map[sa]bool{}
	for _, h := range hits {
		k := sa{arnService(h.e.String("arn")), accountOf(h.e)}
		if seen[k] {
			continue
		}
		seen[k] = true
		sets := d.resourceSets(st, k.svc)
		if len(sets) == 0 {
			continue
		}
		target := serviceEntity(d.g, k.acct, k.svc)
		gr := gs.get(target.Key, func() *grant {
			return &grant{from: pe, to: target, target: target, via: pe.Key, scope: scopeService, service: k.svc, account: k.acct}
		})
		gr.capped += len(hits)
		for _, set := range sets {
			gr.add(st, set, actions.VariablesAsWildcards(pat), pat)
		}
	}
}

// reachable reports whether an identity policy's grant on resource e can
// be part of some access: always for a policy of one account (the identity
// half of a cross-account grant counts), and for an AWS managed policy,
// shared by every account, when e is in the account of a principal that
// has the policy or has a resource-based policy (which alone can open it
// to another account). Otherwise no principal could ever use the grant:
// the relationship would invent cross-account access.
func (d *deriver) reachable(pe *graph.Entity, e *graph.Entity) bool {
	if !isAWSManaged(pe) {
		return true
	}
	a := accountOf(e)
	if a == "" || slices.Contains(d.policyAccounts(pe), a) {
		return true
	}
	return d.resourcePolicyFor(e) != nil
}

// reachableHits keeps the hits the policy's grants can reach (reachable).
func (d *deriver) reachableHits(pe *graph.Entity, hits []hit) []hit {
	if !isAWSManaged(pe) {
		return hits
	}
	out := hits[:0]
	for _, h := range hits {
		if d.reachable(pe, h.e) {
			out = append(out, h)
		}
	}
	return out
}

// isAWSManaged reports whether pe is an AWS managed policy
// (arn:aws:iam::aws:policy/...), one entity shared by every account.
func isAWSManaged(pe *graph.Entity) bool {
	p, ok := arnParts(pe.Key)
	return ok && p[2] == "iam" && p[4] == "aws"
}

// policyAccounts returns the accounts "*" means for a policy.
func (d *deriver) policyAccounts(pe *graph.Entity) []string {
	if out, ok := d.accountsOf[pe.Key]; ok {
		return out
	}
	out := d.computePolicyAccounts(pe)
	d.accountsOf[pe.Key] = out
	return out
}

func (d *deriver) computePolicyAccounts(pe *graph.Entity) []string {
	if pa := pe.String("principalArn"); pa != "" { // inline
		if p, ok := arnParts(pa); ok {
			return []string{p[4]}
		}
	}
	if p, ok := arnParts(pe.Key); ok && isAccountID(p[4]) {
		return []string{p[4]}
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range d.attached[pe.Key] {
		if a := accountOf(o); a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		if a := pe.String("accountId"); isAccountID(a) {
			out = append(out, a)
		}
	}
	sortStrings(out)
	return out
}

// arnService returns the service field of an ARN.
func arnService(arn string) string {
	p, _ := arnParts(arn)
	return p[2]
}

func isAccountID(s string) bool { return len(s) == 12 && strings.Trim(s, "0123456789") == "" }
