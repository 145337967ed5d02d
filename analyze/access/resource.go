package access

// Resource-policy ALLOWS: resource ALLOWS principal, one relationship per
// (resource, principal), for the Allow statements of the resource-based
// policies declared in resourcePolicyTypes. The principal is resolved as in
// principals.go (Everyone for "*", placeholders outside the graph); a
// NotPrincipal Allow maps to Everyone with notPrincipal listing the
// exceptions. Properties are those of identity ALLOWS plus principal (the
// raw entries), crossAccount, and effective: false when, for the named
// principal, every action the statement grants is explicitly denied by the
// same resource policy (cross-account principals still need their own
// account's identity policies; that is aws_principal_access's business).
// A grant to Everyone adds exceptPrincipals (publicExceptions, and
// rcpExceptions: other accounts' principals the resource account's RCPs
// refuse); a grant to another account, that account's rcpExceptions.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// resourcePolicyType declares an entity type that carries a resource-based
// policy. Adding one (SQS, SNS once collected) is one record.
type resourcePolicyType struct {
	Type    string // entity _type
	Prop    string // property holding the decoded policy JSON
	Service string // the ARN service / action prefix of its actions
	// Delegates: the account's identity policies give access to the
	// resource only where its policy delegates to the account (grants to
	// its root), as a KMS key policy must ("Allows access to the AWS
	// account and enables IAM policies", AWS KMS Developer Guide,
	// key-policy-default.html). Who reads service- and account-scope
	// edges onto such a resource only at the delegated levels.
	Delegates bool
}

// resourcePolicyTypes is sorted by Type.
var resourcePolicyTypes = []resourcePolicyType{
	{Type: "aws_ecr_repository", Prop: "policy", Service: "ecr"},
	{Type: "aws_kms_key", Prop: "policy", Service: "kms", Delegates: true},
	{Type: "aws_lambda_function", Prop: "policy", Service: "lambda"},
	{Type: "aws_s3_bucket", Prop: "policy", Service: "s3"},
	{Type: "aws_sns_topic", Prop: "policy", Service: "sns"},
	{Type: "aws_sqs_queue", Prop: "policy", Service: "sqs"},
}

// resourcePolicyOf returns the declaration for an entity type.
func resourcePolicyOf(typ string) (resourcePolicyType, bool) {
	i := sort.Search(len(resourcePolicyTypes), func(i int) bool { return resourcePolicyTypes[i].Type >= typ })
	if i < len(resourcePolicyTypes) && resourcePolicyTypes[i].Type == typ {
		return resourcePolicyTypes[i], true
	}
	return resourcePolicyType{}, false
}

func (d *deriver) resourceAllows(ctx context.Context) error {
	for _, rt := range resourcePolicyTypes {
		for _, e := range sortedEntities(d.g.EntitiesOfType(rt.Type)) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := d.resourcePolicy(rt, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *deriver) resourcePolicy(rt resourcePolicyType, e *graph.Entity) error {
	doc := d.doc(e, rt.Prop)
	if doc == nil {
		return nil
	}
	arn := e.String("arn")
	if arn == "" {
		arn = e.Key
	}
	acct := accountOf(e)
	if err := d.resourceDenials(rt, e, doc, arn, acct); err != nil {
		return err
	}
	var gs grants
	for _, st := range doc.stmts {
		if st.effect != iam.Allow || len(st.principals) == 0 {
			continue
		}
		set := d.statementSet(st, rt.Service)
		if set == nil {
			continue
		}
		requests, ok := statementRequests(st, arn)
		if !ok {
			continue
		}
		d.principalGrants(e, st, acct, &gs, func() *grant {
			return &grant{from: e, target: e, via: e.Key + "#" + rt.Prop, scope: scopeResource, service: rt.Service, account: acct}
		}, func(gr *grant) {
			for _, r := range requests {
				gr.add(st, set, r, "")
			}
			gr.resources = append(gr.resources, st.resources...)
		})
	}
	for _, gr := range gs.order {
		gr.finish()
		p := gr.allowProps()
		p["principal"] = strings.Join(gr.principals, ",")
		p["crossAccount"] = crossAccount(gr.to, acct)
		if np := notPrincipals(gr.stmts); len(np) > 0 {
			p["notPrincipal"] = np
		}
		if gr.to.Key == model.EveryoneKey {
			// effective: for the principals of the snapshot (their own
			// account's, and their organisation's policies, are applied by
			// exceptPrincipals and their own access); anonymousEffective:
			// for callers outside every account, after the RCPs.
			p["effective"] = d.resourceEffective(gr, doc, false)
			p["anonymousEffective"] = p["effective"] == true && d.resourceEffective(gr, doc, true)
			var refused, levels []string
			if p["effective"] == true { // else Who reads nothing of it
				var err error
				if refused, levels, err = d.joinedRefusals(gr, doc, d.classAccounts()); err != nil {
					return fmt.Errorf("access: %s: %w", e.Key, err)
				}
			}
			p["exceptPrincipals"] = mergeSorted(mergeSorted(d.publicExceptions(gr, doc, acct), d.rcpExceptions(gr, acct, "")), refused)
			setExceptLevels(p, levels)
		} else {
			p["effective"] = d.resourceEffective(gr, doc, true)
			if a := gr.to.String("accountId"); gr.to.Type == "aws_account" && a != acct {
				var refused, levels []string
				if p["effective"] == true { // else Who reads nothing of it
					var err error
					if refused, levels, err = d.joinedRefusals(gr, doc, []string{a}); err != nil {
						return fmt.Errorf("access: %s: %w", e.Key, err)
					}
				}
				p["exceptPrincipals"] = mergeSorted(d.rcpExceptions(gr, acct, a), refused)
				setExceptLevels(p, levels)
			}
		}
		if p["crossAccount"] == true {
			d.restrictPublicGrant(e, gr, p)
		}
		if d.withoutRCPs(acct) {
			p[withoutRCPsProp] = true
		}
		gr.rel = graph.NewRelationship(e, "ALLOWS", gr.to, p)
		if err := d.g.AddRelationship(gr.rel); err != nil {
			return err
		}
		d.stats.ResourceAllows++
		for _, p := range d.grantees(gr.to) {
			d.resourceGrants[p.Key] = append(d.resourceGrants[p.Key], gr)
		}
	}
	return nil
}

// grantees returns the collected users and roles a resource-policy grant
// to principal entity to reaches, whose access principal-access then
// evaluates: the user or role itself. A grant to an account (its root) or
// to Everyone is not fanned out to the account's or the snapshot's
// principals, which would make the graph principals × resources: Who
// joins it with the principals' own access relationships, and
// Index.WhoCan decides each with the evaluator.
func (d *deriver) grantees(to *graph.Entity) []*graph.Entity {
	if (to.Type == "aws_iam_user" || to.Type == "aws_iam_role") && to.String("_source") != placeholderSource {
		return []*graph.Entity{to}
	}
	return nil
}

// publicExceptions lists the principals of the resource's account that a
// grant to Everyone does not reach: the resource policy alone would allow
// them (same account), but a Deny of their own policies, or their
// organisation policies (the account's SCPs and RCPs), refuse every
// action it grants. (A permissions boundary does not limit what a
// resource policy grants to "*" in the same account; the evaluator agrees,
// TestWhoCan.) Only principals with a Deny on the grant's service are
// evaluated, and every principal of the account only when its
// organisation policies can refuse one of the grant's actions (orgClear),
// so the work is proportional to those.
func (d *deriver) publicExceptions(gr *grant, doc *document, acct string) []string {
	out := []string{}
	own := map[string]bool{}
	var resEnt *graph.Entity
	if gr.scope == scopeResource {
		resEnt = gr.target
	}
	// refused asks for each action of the grant whether main (nil: the
	// resource policy alone allows) and the organisation policies allow it.
	refused := func(p *graph.Entity, pp iam.Principal, pol *iam.Policies, main func(action, resource string) bool) bool {
		k := d.orgKeyOf(pp, acct)
		clear := d.orgClear(k, gr.set)
		cp := *pol
		if !clear {
			d.org.policies(pp, acct, &cp)
		}
		return !d.anyAction(gr, &cp, func(action, resource string, firm bool) verdict {
			return d.both(k, clear, p, pp, action, resource, gr.account, resEnt, firm, pol, func() bool {
				return main == nil || main(action, resource)
			})
		})
	}
	for _, r := range d.restrictedOf(acct) {
		p, pp := r.e, r.pp
		if !r.mayDeny(gr) {
			continue // nothing of its own can refuse this grant
		}
		own[p.Key] = true
		if r.deniesAll(gr) {
			out = append(out, p.Key) // an unconditional Deny on "*" of every action: no need to ask
			continue
		}
		pol := &iam.Policies{Identity: r.identity, Boundaries: r.boundary, Resource: doc.eval}
		if refused(p, pp, pol, func(action, resource string) bool {
			// With the facts, and the keys the snapshot cannot know
			// unknown: a Deny on request context that holds for a request
			// without the key (BoolIfExists aws:MultiFactorAuthPresent
			// "false") refuses only under a condition, which is no
			// exception (who-can asks the evaluator for it).
			rq, unknown := d.factRequest(p, pp, action, resource, gr.account, resEnt)
			d.stats.Evaluations++
			return d.cfg.ev.EvaluateUnknown(rq, pol, unknown).Decision == iam.Allowed
		}) {
			out = append(out, p.Key)
		}
	}
	// Every principal of the account has the account's SCPs (but
	// service-linked roles) and RCPs: asked only when they can refuse.
	all := orgKey{rcp: d.orgKeyOf(iam.Principal{}, acct).rcp}
	if other := d.org[acct]; other != nil && other.scps.status == OrgPoliciesApplied {
		all.scp = other
	}
	if d.orgClear(all, gr.set) && d.orgClear(orgKey{rcp: all.rcp}, gr.set) {
		return out
	}
	// Unless the deciding statements read who the principal is, the
	// answer is the same for every principal of a class (type, and
	// whether a service-linked role: the same organisation policies)
	// with the same values of the tags they read: asked once per class
	// and tag values (classRefusals).
	for _, members := range d.accountClasses(acct) {
		d.classRefusals(d.orgKeyOf(members[0].pp, acct), gr.set, members, func(m member) bool {
			return refused(m.e, m.pp, &iam.Policies{Resource: doc.eval}, nil)
		}, func(m member) {
			if !own[m.e.Key] {
				out = append(out, m.e.Key)
			}
		})
	}
	slices.Sort(out)
	return out
}

// member is a collected user or role and its parsed ARN.
type member struct {
	e  *graph.Entity
	pp iam.Principal
}

// accountClasses returns the collected users and roles of an account by
// class (their type, and whether service-linked roles: the organisation
// policies that apply to them), each class sorted by key, computed once.
func (d *deriver) accountClasses(acct string) [][]member {
	if d.classesBy == nil {
		type class struct {
			acct string
			typ  iam.PrincipalType
			slr  bool
		}
		byClass := map[class][]member{}
		var all []*graph.Entity
		all = append(all, d.g.EntitiesOfType("aws_iam_role")...)
		all = append(all, d.g.EntitiesOfType("aws_iam_user")...)
		for _, p := range sortedEntities(all) {
			pp, err := iam.ParsePrincipal(p.Key)
			if p.String("_source") == placeholderSource || err != nil {
				continue
			}
			c := class{accountOf(p), pp.Type, pp.IsServiceLinkedRole()}
			byClass[c] = append(byClass[c], member{p, pp})
		}
		d.classesBy = map[string][][]member{}
		for _, c := range slices.SortedFunc(maps.Keys(byClass), func(a, b class) int {
			return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
		}) {
			d.classesBy[c.acct] = append(d.classesBy[c.acct], byClass[c])
		}
	}
	return d.classesBy[acct]
}

// restricted is a principal with a Deny in its identity policies, with its
// policies compiled.
type restricted struct {
	e                  *graph.Entity
	pp                 iam.Principal
	identity, boundary []*iam.Policy
	denies             []*statement // its Deny statements
}

// mayDeny reports whether a Deny statement of the principal may refuse
// the grant: an action of its service, on a resource its requests name
// (a NotResource, or a pattern with a policy variable, may).
func (r restricted) mayDeny(gr *grant) bool {
	for _, st := range r.denies {
		svcOK := st.actions == nil
		for _, a := range st.actions {
			svcOK = svcOK || glob(serviceOf(a), gr.service)
		}
		if !svcOK {
			continue
		}
		if st.resources == nil {
			return true
		}
		for _, pat := range st.resources {
			w := actions.VariablesAsWildcards(pat)
			for _, req := range gr.requests {
				if w != pat || glob(w, req) || glob(w, strings.ReplaceAll(req, "*", "x")) || glob(w, strings.TrimSuffix(req, "/*")) {
					return true
				}
			}
		}
	}
	return false
}

// deniesAll reports whether unconditional Deny statements on Resource "*"
// of the principal cover every action of the grant (the evaluator would
// refuse each whatever the resource).
func (r restricted) deniesAll(gr *grant) bool {
	var acts []string
	for _, l := range gr.set.byLevel {
		acts = append(acts, l...)
	}
	acts = append(acts, gr.set.unknown...)
	if len(acts) == 0 {
		return false
	}
	for _, a := range acts {
		la := strings.ToLower(a)
		denied := false
		for _, st := range r.denies {
			if !st.hasCondition() && st.onEveryResource() && st.matchesAction(la) {
				denied = true
				break
			}
		}
		if !denied {
			return false
		}
	}
	return true
}

// restrictedOf returns the restricted principals of an account, sorted by
// key, computed once.
func (d *deriver) restrictedOf(acct string) []restricted {
	if d.restrictedBy == nil {
		d.restrictedBy = map[string][]restricted{}
		var all []*graph.Entity
		all = append(all, d.g.EntitiesOfType("aws_iam_role")...)
		all = append(all, d.g.EntitiesOfType("aws_iam_user")...)
		for _, p := range sortedEntities(all) {
			if p.String("_source") == placeholderSource {
				continue
			}
			pols, identity, boundary, ok := d.principalPolicies(p)
			if !ok || !d.hasDeny(pols) {
				continue
			}
			pp, err := iam.ParsePrincipal(p.Key)
			if err != nil {
				continue
			}
			var denies []*statement
			for _, pe := range pols {
				if doc := d.doc(pe, "document"); doc != nil {
					for _, st := range doc.stmts {
						if st.effect == iam.Deny {
							denies = append(denies, st)
						}
					}
				}
			}
			a := accountOf(p)
			d.restrictedBy[a] = append(d.restrictedBy[a], restricted{e: p, pp: pp, identity: identity, boundary: boundary, denies: denies})
		}
	}
	return d.restrictedBy[acct]
}

// principalGrants resolves the principals a statement of e's policy names
// (Everyone for a NotPrincipal) and calls add with each one's grant, made
// by mk (which leaves `to` to principalGrants) when new.
func (d *deriver) principalGrants(e *graph.Entity, st *statement, acct string, gs *grants, mk func() *grant, add func(*grant)) {
	refs := st.principals
	if st.notPrincipal {
		refs = []principalRef{{kind: "*", raw: "*"}}
	}
	for _, ref := range refs {
		target := d.res.resolve(ref, acct)
		if target == nil {
			d.stats.Unresolved++
			d.cfg.log.Debug("principal not mapped", "entity", e.Key, "principal", ref.kind+":"+ref.raw)
			continue
		}
		gr := gs.get(target.Key, func() *grant {
			gr := mk()
			gr.to = target
			return gr
		})
		gr.principals = append(gr.principals, ref.raw)
		add(gr)
	}
}

// statementRequests returns the resources to evaluate a resource-policy
// statement with: the resource's ARN when a Resource pattern matches it, or
// the pattern itself when it names sub-resources under it
// (arn:aws:s3:::bucket/*). ok is false when the statement is about other
// resources only.
func statementRequests(st *statement, arn string) ([]string, bool) {
	if st.resources == nil {
		return []string{arn}, st.notResources == nil || !matchesAny(st.notResources, arn)
	}
	var out []string
	for _, pat := range st.resources {
		w := actions.VariablesAsWildcards(pat)
		switch {
		case glob(w, arn):
			out = append(out, arn)
		case strings.HasPrefix(w, arn+"/") || strings.HasPrefix(w, arn+":"):
			out = append(out, pat)
		case strings.HasPrefix(arn, "arn:aws:s3:::") && glob(w, arn+"/x"):
			out = append(out, arn+"/*") // a bucket-wide object pattern (arn:aws:s3:::*/*)
		}
	}
	return out, len(out) > 0
}

func matchesAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if glob(actions.VariablesAsWildcards(p), s) {
			return true
		}
	}
	return false
}

// resourceEffective reports whether, for the principal the relationship
// names, some granted action is not explicitly denied by the resource
// policy itself nor, withRCPs, refused by the RCPs of the resource's
// account (a condition either leaves to request context keeps it).
func (d *deriver) resourceEffective(gr *grant, doc *document, withRCPs bool) bool {
	pp, ok := d.requestPrincipal(gr.to, gr.principals)
	if !ok {
		return true // nothing to evaluate as (Everyone via NotPrincipal...): the Allow stands
	}
	pol := &iam.Policies{Resource: doc.eval}
	var k orgKey
	if withRCPs {
		k.rcp = d.orgKeyOf(pp, gr.account).rcp
	}
	clear := d.orgClear(k, gr.set)
	cp := *pol
	if !clear {
		d.org.policies(pp, gr.account, &cp)
		cp.SCPs = nil // the principal's side: its own access relationships apply them
	}
	var p *graph.Entity
	if d.grantees(gr.to) != nil {
		p = gr.to
	}
	return d.anyAction(gr, &cp, func(action, resource string, firm bool) verdict {
		return d.both(k, clear, p, pp, action, resource, gr.account, gr.target, firm, nil, func() bool {
			// With the facts and the other keys unknown: a Deny whose
			// Condition holds for a request without its key
			// (StringNotEqualsIfExists aws:SourceVpce) denies only under
			// that condition, which leaves the grant effective.
			rq, unknown := d.factRequest(p, pp, action, resource, gr.account, gr.target)
			d.stats.Evaluations++
			return d.cfg.ev.EvaluateUnknown(rq, pol, unknown).Decision != iam.ExplicitlyDenied
		})
	})
}

// requestPrincipal returns the principal to evaluate as for a resolved
// target: the entity's ARN for users, roles and accounts, the raw entry for
// services, providers and "*".
func (d *deriver) requestPrincipal(target *graph.Entity, raws []string) (iam.Principal, bool) {
	switch target.Type {
	case "aws_iam_user", "aws_iam_role":
		p, err := iam.ParsePrincipal(target.Key)
		return p, err == nil
	case "aws_account":
		p, err := iam.ParsePrincipal(target.String("accountId"))
		return p, err == nil
	}
	if target.Key == model.EveryoneKey {
		return iam.Principal{Raw: "*", Type: iam.PrincipalAnonymous}, true
	}
	for _, r := range raws {
		if p, err := iam.ParsePrincipal(r); err == nil {
			return p, true
		}
	}
	return iam.Principal{}, false
}

// crossAccount reports whether a principal entity is outside account acct
// (Everyone always is).
func crossAccount(target *graph.Entity, acct string) bool {
	if target.Key == model.EveryoneKey {
		return true
	}
	a := accountOf(target)
	return a != "" && a != acct
}

// notPrincipals lists the NotPrincipal exceptions of the statements.
func notPrincipals(stmts []*statement) []string {
	var out []string
	for _, s := range stmts {
		if s.notPrincipal {
			for _, p := range s.principals {
				out = append(out, p.raw)
			}
		}
	}
	return uniqSorted(out)
}

// sortedEntities returns a copy of l sorted by key.
func sortedEntities(l []*graph.Entity) []*graph.Entity {
	out := slices.Clone(l)
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func sortStrings(l []string) { sort.Strings(l) }
