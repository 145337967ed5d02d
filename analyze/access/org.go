package access

// Organisation policies in queries: each collected account's organisation
// path and the SCPs and RCPs at each level of it, as analyze/model sets them
// on aws_account (organizationPath, serviceControlPolicies,
// resourceControlPolicies; model/org.go). A request gets the SCPs of the
// principal's account and the RCPs of the resource's account, root first
// (iam.Policies); the evaluator applies them as AWS documents
// (Organizations User Guide, orgs_manage_policies_scps_evaluation.html and
// orgs_manage_policies_rcps_evaluation.html). Neither applies to the
// organisation's management account (to its principals, to its resources).
//
// Each answer says what it knew (Answer.SCPs, Answer.RCPs): applied, none
// (no organisation, the policy type not enabled, the management account)
// or not readable (the snapshot could not read them: a member account's
// credentials cannot).

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// What an answer knew of an organisation policy type.
const (
	OrgPoliciesApplied    = "applied"
	OrgPoliciesNone       = "none"
	OrgPoliciesUnreadable = "not readable"
)

// orgInfo is one collected account's organisation, parsed once.
type orgInfo struct {
	path       string // aws:PrincipalOrgPaths form; "" when unknown or none
	pathKnown  bool   // path, or known to be in no organisation
	management string
	scps, rcps orgLevels
}

type orgLevels struct {
	status string // OrgPolicies*
	levels [][]*iam.Policy
	// stmts are the statements of each level as written (the derivation's
	// orgStatements reads their actions, resources and conditions).
	stmts [][]*statement
}

// newOrgInfo reads an aws_account's organisation properties; problems
// (a document that does not parse) make the type not readable and are
// returned for the limits.
func newOrgInfo(e *graph.Entity, org string, orgKnown bool) (*orgInfo, []string) {
	acct := e.String("accountId")
	oi := &orgInfo{management: e.String("organizationMasterAccountId")}
	inNone := orgKnown && org == ""
	if p := e.String("organizationPath"); p != "" {
		oi.path, oi.pathKnown = p, true
	} else if inNone {
		oi.pathKnown = true
	}
	var problems []string
	for _, t := range []struct {
		prop, name string
		out        *orgLevels
	}{{"serviceControlPolicies", "SCP", &oi.scps}, {"resourceControlPolicies", "RCP", &oi.rcps}} {
		switch raw := e.String(t.prop); {
		case inNone || (oi.management != "" && oi.management == acct):
			t.out.status = OrgPoliciesNone
		case raw == "":
			t.out.status = OrgPoliciesUnreadable
		default:
			levels, stmts, err := parseLevels(acct, t.name, raw)
			if err != nil {
				t.out.status = OrgPoliciesUnreadable
				problems = append(problems, err.Error())
				break
			}
			t.out.levels, t.out.stmts, t.out.status = levels, stmts, OrgPoliciesApplied
			if len(levels) == 0 {
				t.out.status = OrgPoliciesNone
			}
		}
	}
	return oi, problems
}

func parseLevels(acct, kind, raw string) ([][]*iam.Policy, [][]*statement, error) {
	var ls []struct {
		Target   string `json:"target"`
		Policies []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Document string `json:"document"`
		} `json:"policies"`
	}
	if err := json.Unmarshal([]byte(raw), &ls); err != nil {
		return nil, nil, fmt.Errorf("account %s: %ss: %w", acct, kind, err)
	}
	out := make([][]*iam.Policy, 0, len(ls))
	stmts := make([][]*statement, 0, len(ls))
	for _, l := range ls {
		lvl := []*iam.Policy{}
		var sts []*statement
		for _, p := range l.Policies {
			name := fmt.Sprintf("%s %s (%s, attached to %s)", kind, p.Name, p.ID, l.Target)
			pol, err := iam.Parse(name, p.Document)
			if err == nil {
				var d *document
				if d, err = parseDocument(name, p.Document); err == nil {
					sts = append(sts, d.stmts...)
				}
			}
			if err != nil {
				return nil, nil, fmt.Errorf("account %s: %s %s at %s: %w", acct, kind, p.ID, l.Target, err)
			}
			lvl = append(lvl, pol)
		}
		out = append(out, lvl)
		stmts = append(stmts, sts)
	}
	return out, stmts, nil
}

// orgMap is the organisation of each collected account, by account ID.
type orgMap map[string]*orgInfo

// orgInfos reads the organisation of every collected aws_account of g, and
// the problems (documents that do not parse) for the limits, sorted.
func orgInfos(g *graph.Graph) (orgMap, []string) {
	out := orgMap{}
	var problems []string
	for _, e := range g.EntitiesOfType("aws_account") {
		if e.String("_source") == placeholderSource {
			continue
		}
		org, ok := e.Lookup("organizationId")
		s, _ := org.(string)
		oi, p := newOrgInfo(e, s, ok)
		out[e.String("accountId")] = oi
		problems = append(problems, p...)
	}
	slices.Sort(problems)
	return out, problems
}

// policies adds the SCPs of the principal's account and the RCPs of the
// resource's account to pol (and the management account when both are in
// the same organisation), and returns what the answer knew of each.
func (m orgMap) policies(pr iam.Principal, resourceAccount string, pol *iam.Policies) (scps, rcps string) {
	scps, rcps = OrgPoliciesNone, OrgPoliciesNone
	if pr.IsIAM() && pr.Account != "" {
		scps = OrgPoliciesUnreadable // an account outside the snapshot
		if oi := m[pr.Account]; oi != nil {
			scps, pol.SCPs = oi.scps.status, oi.scps.levels
		}
	}
	if resourceAccount != "" {
		rcps = OrgPoliciesUnreadable
		if oi := m[resourceAccount]; oi != nil {
			rcps, pol.RCPs = oi.rcps.status, oi.rcps.levels
		}
	}
	if po, ro := m[pr.Account], m[resourceAccount]; po != nil && ro != nil && po.management == ro.management {
		pol.ManagementAccount = po.management
	}
	return scps, rcps
}

// Limits are what the answers over this snapshot are derived without.
func (q *Query) Limits() []string {
	scp, rcp := q.org.unreadable()
	var out []string
	if len(scp)+len(rcp) > 0 {
		out = append(out, fmt.Sprintf("service control policies of %s, resource control policies of %s: not readable "+
			"(only the organisation's management account or a delegated administrator can read them); an SCP or RCP could deny what is listed",
			orNone(scp), orNone(rcp)))
	}
	out = append(out, q.problems...)
	return append(out, QueryLimits...)
}

// unreadable lists the accounts whose SCPs, and whose RCPs, could not be
// read, sorted.
func (m orgMap) unreadable() (scp, rcp []string) {
	for _, acct := range slices.Sorted(maps.Keys(m)) {
		if m[acct].scps.status == OrgPoliciesUnreadable {
			scp = append(scp, acct)
		}
		if m[acct].rcps.status == OrgPoliciesUnreadable {
			rcp = append(rcp, acct)
		}
	}
	return scp, rcp
}

func orNone(accts []string) string {
	if len(accts) == 0 {
		return "no account"
	}
	return "account " + strings.Join(accts, ", ")
}

// Organisation policies in the derivation (effective.go, resource.go):
// an access edge is what the evaluator allows once the SCPs of the
// principal's account and the RCPs of the resource's account are applied.
// They are applied as a second question beside the principal's own
// policies, asked of the same evaluator with the same policies Query
// gives it (orgMap.policies), so that its answer can be shared:
//
//   - per (SCP set, RCP set, action), orgActionOf reads the statements
//     that name the action. When no Deny names it and every SCP level
//     allows it unconditionally on "*" (FullAWSAccess), nothing can refuse
//     it: clear, no evaluation. That is most actions of most
//     organisations, whose SCPs deny a few actions.
//   - otherwise the evaluator is asked once with the organisation policies
//     alone (everything else allowing), the request context holding the
//     snapshot's facts (factRequest; a condition on request context makes
//     the answer conditional, with its keys). The answer is shared by
//     every principal of the same account and type, and every resource of
//     the same account, unless the deciding statements read who the
//     principal is (its ARN, name, id, a policy variable naming it: then
//     per principal; its tags: then per values of the tags they read, a
//     variable on the accounts' or organisations' IDs: per account) or which
//     resource (Resource patterns, resource tags; and any IAM, STS or KMS
//     resource, which the evaluator's own rules read); a statement on
//     aws:RequestedRegion (a region guard) shares it between resources of
//     the same Region, which the evaluator takes from the request
//     (iam.RequestedRegion: a regional resource's ARN, us-east-1 for IAM,
//     CloudFront, Route 53, Support): the guard is decided there, and
//     conditional on aws:requestedregion only where the caller chooses the
//     Region (an action on "*", S3, STS).
//
// Both questions must allow. Over a resource pattern (arn:aws:s3:::b/*)
// that is the evaluator's answer but in one case: an organisation Deny
// covering part of the pattern and the whole of the principal's only Allow
// there (the evaluator drops that Allow, intersect.go; asked apart, each
// question allows). So when the deciding organisation statements read the
// resource (a Resource pattern, NotResource, resource tags) and the
// request is a pattern, the evaluator is asked a third time with every
// policy together (both, allowedWithOrg): no access edge, nor public
// grant's exceptPrincipals, says more than it there.
//
// Where a grant's statements have Conditions on facts (factLevels), each
// statement contributes only the levels whose actions the organisation
// policies and the principal's own policies allow together, firm only
// where both allow one firmly: the level an unconditional answer came
// from may be a statement false on the facts, or an action the
// organisation allows firmly but the principal's own Deny, boundary or
// the target's policy refuses while another action of the level is
// allowed only under conditions. Where nothing of the principal's own
// can refuse (the shortcut), the organisation's cached answers alone
// decide. Where a Condition outside the grant's statements may decide an
// action — in the target's resource policy (a key policy's grant to "*"
// on a tag, a bucket's Deny without TLS), a permissions boundary or a
// Deny of the principal's — that action is asked with every policy as
// written and the facts in the request (strictAllows), as Query asks it.
// Each level of an edge is then what the evaluator says of the actions
// the edge names (TestOrgWhoCanAgrees and TestOrgLevelsAgree compare every
// edge's levels, conditionalLevels and conditionKeys with it, both ways,
// account edges and NotAction statements included). The first, lenient,
// answer of such an action is asked with the facts and the other keys
// unknown: a Deny whose Condition holds for a request without its key
// (IfExists, Null) no longer removes a level the strict question would
// leave conditional.
//
// SCPs do not apply to the management account's principals nor to
// service-linked roles; RCPs not to the management account's resources
// (orgKeyOf, and the evaluator's own rules: AWS managed KMS keys,
// service-linked roles, services without RCP support). Where an account's
// SCPs or RCPs could not be read, its aws_account says so
// (serviceControlPoliciesStatus, resourceControlPoliciesStatus) and the
// edges they could change carry derivedWithoutSCPs / derivedWithoutRCPs.

// Properties the derivation sets from the organisation policies.
const (
	scpStatusProp   = "serviceControlPoliciesStatus"
	rcpStatusProp   = "resourceControlPoliciesStatus"
	withoutSCPsProp = "derivedWithoutSCPs"
	withoutRCPsProp = "derivedWithoutRCPs"
)

// orgSetup reads the organisation of each collected account, marks on its
// aws_account what the derivation knew of its SCPs and RCPs, and counts and
// logs what it could not read.
func (d *deriver) orgSetup() {
	var problems []string
	d.org, problems = orgInfos(d.g)
	for _, e := range d.g.EntitiesOfType("aws_account") {
		if oi := d.org[e.String("accountId")]; oi != nil && e.String("_source") != placeholderSource {
			e.Set(scpStatusProp, oi.scps.status)
			e.Set(rcpStatusProp, oi.rcps.status)
		}
	}
	for _, p := range problems {
		d.cfg.log.Warn("organisation policy not readable", "error", p)
	}
	d.stats.WithoutSCPs, d.stats.WithoutRCPs = d.org.unreadable()
	if len(d.stats.WithoutSCPs)+len(d.stats.WithoutRCPs) > 0 {
		// Info, not Warn: the report states the same fact as coverage
		// gaps, and a member account (the demo) always has it.
		d.cfg.log.Info("access derived without organisation policies that could not be read",
			"scpAccounts", d.stats.WithoutSCPs, "rcpAccounts", d.stats.WithoutRCPs)
	}
}

// withoutSCPs reports whether a principal's access could be narrowed by
// SCPs the snapshot could not read (its account's, or an account it does
// not hold).
func (d *deriver) withoutSCPs(pp iam.Principal) bool {
	if !pp.IsIAM() || pp.IsServiceLinkedRole() {
		return false
	}
	oi := d.org[pp.Account]
	return oi == nil || oi.scps.status == OrgPoliciesUnreadable
}

// withoutRCPs reports the same of the RCPs of a resource's account.
func (d *deriver) withoutRCPs(acct string) bool {
	if acct == "" {
		return false
	}
	oi := d.org[acct]
	return oi == nil || oi.rcps.status == OrgPoliciesUnreadable
}

// orgKey names the organisation policies that weigh on a request: the
// SCPs of the principal's account and the RCPs of the resource's account,
// nil when none apply.
type orgKey struct{ scp, rcp *orgInfo }

func (d *deriver) orgKeyOf(pp iam.Principal, resourceAccount string) orgKey {
	var k orgKey
	if oi := d.org[pp.Account]; oi != nil && pp.IsIAM() && !pp.IsServiceLinkedRole() && oi.scps.status == OrgPoliciesApplied {
		k.scp = oi
	}
	if oi := d.org[resourceAccount]; oi != nil && oi.rcps.status == OrgPoliciesApplied {
		k.rcp = oi
	}
	return k
}

// orgAction is what the organisation policies of a key say of one action,
// whatever the principal and the resource.
type orgAction struct {
	clear    bool // nothing can refuse it (see the top of the section)
	personal bool // a deciding statement reads who the principal is
	specific bool // a deciding statement reads which resource
	regional bool // a deciding statement reads aws:RequestedRegion
	// What personal deciding statements read: the principal's identity
	// (its ARN, name, id; readsIdentity), or only the tags named here
	// (lower case, sorted); neither when they read only its account or
	// organisation (a variable such as ${aws:PrincipalAccount}).
	identity bool
	tags     []string
}

type orgActionKey struct {
	k      orgKey
	action string
}

func (d *deriver) orgActionOf(k orgKey, action string) orgAction {
	ck := orgActionKey{k, action}
	if v, ok := d.orgActions[ck]; ok {
		return v
	}
	la := strings.ToLower(action)
	v := orgAction{clear: true}
	decides := func(st *statement) {
		v.clear = false
		if readsPrincipal(st) {
			v.personal = true
			v.identity = v.identity || readsIdentity(st)
			v.tags = append(v.tags, st.principalTagNames()...)
		}
		v.specific = v.specific || readsResource(st)
		v.regional = v.regional || st.readsRegion()
	}
	if k.scp != nil {
		for _, lvl := range k.scp.scps.stmts {
			var allows []*statement
			full := false
			for _, st := range lvl {
				switch {
				case !st.matchesAction(la):
				case st.effect == iam.Deny:
					decides(st)
				default:
					allows = append(allows, st)
					full = full || (!st.hasCondition() && st.onEveryResource())
				}
			}
			if !full {
				v.clear = false // the level's Allows decide, or nothing allows
				for _, st := range allows {
					decides(st)
				}
			}
		}
	}
	if k.rcp != nil {
		for _, lvl := range k.rcp.rcps.stmts {
			for _, st := range lvl {
				if st.effect == iam.Deny && st.matchesAction(la) { // RCPs only deny
					decides(st)
				}
			}
		}
	}
	v.tags = uniqSorted(v.tags)
	d.orgActions[ck] = v
	return v
}

// orgReads is what the organisation policies of k read of a principal
// for the actions of set beyond its account and type (orgAction):
// identity, or the tags named.
func (d *deriver) orgReads(k orgKey, set *actionSet) (identity bool, tags []string) {
	visit := func(a string) {
		oa := d.orgActionOf(k, a)
		identity = identity || oa.identity
		tags = append(tags, oa.tags...)
	}
	for _, lo := range levelOrder {
		for _, a := range set.byLevel[lo.level] {
			visit(a)
		}
	}
	for _, a := range set.unknown {
		visit(a)
	}
	return identity, uniqSorted(tags)
}

// classRefusals calls add with each member of a class of principals
// (accountClasses: one account, type, and the same organisation
// policies) whom refused holds for, asking refused once per distinct
// answer of the organisation policies of k about the actions of set: once
// for the class, unless the deciding statements read who the principal
// is (then per principal) or its tags (then once per set of values of
// those tags).
func (d *deriver) classRefusals(k orgKey, set *actionSet, members []member, refused func(member) bool, add func(member)) {
	if !d.orgPersonal(k, set) {
		if refused(members[0]) {
			for _, m := range members {
				add(m)
			}
		}
		return
	}
	identity, tags := d.orgReads(k, set)
	var answers map[string]bool
	for _, m := range members {
		r := false
		if identity {
			r = refused(m)
		} else {
			sig := d.tagValues(m.e, tags)
			var ok bool
			if r, ok = answers[sig]; !ok {
				r = refused(m)
				if answers == nil {
					answers = map[string]bool{}
				}
				answers[sig] = r
			}
		}
		if r {
			add(m)
		}
	}
}

// orgClear reports whether the organisation policies of k can refuse no
// action of set, computed once per (k, set).
func (d *deriver) orgClear(k orgKey, set *actionSet) bool {
	if k.scp == nil && k.rcp == nil {
		return true
	}
	k = d.canonOrg(k) // accounts with the same policies share the answer (shared.go)
	ck := orgSetKey{k, set}
	if v, ok := d.orgSets[ck]; ok {
		return v
	}
	if k.scp.allowsAll() && !k.rcp.rcpDenies() { // FullAWSAccess alone: clear for every action
		d.orgSets[ck] = true
		return true
	}
	clear := true
	for _, lo := range levelOrder {
		for _, a := range set.byLevel[lo.level] {
			clear = clear && d.orgActionOf(k, a).clear
		}
	}
	for _, a := range set.unknown {
		clear = clear && d.orgActionOf(k, a).clear
	}
	d.orgSets[ck] = clear
	return clear
}

// orgPersonal reports whether the organisation policies of k may answer
// differently for two principals of the same account and type about an
// action of set (a deciding statement reads who the principal is).
func (d *deriver) orgPersonal(k orgKey, set *actionSet) bool {
	k = d.canonOrg(k) // accounts with the same policies share the answer (shared.go)
	ck := orgSetKey{k, set}
	if v, ok := d.orgPersonals[ck]; ok {
		return v
	}
	personal := false
	for _, lo := range levelOrder {
		for _, a := range set.byLevel[lo.level] {
			personal = personal || d.orgActionOf(k, a).personal
		}
	}
	for _, a := range set.unknown {
		personal = personal || d.orgActionOf(k, a).personal
	}
	d.orgPersonals[ck] = personal
	return personal
}

// rcpDenies reports whether the RCPs of oi (nil: none) have a Deny.
func (oi *orgInfo) rcpDenies() bool {
	return oi != nil && slices.ContainsFunc(oi.rcps.stmts, func(lvl []*statement) bool {
		return slices.ContainsFunc(lvl, func(st *statement) bool { return st.effect == iam.Deny })
	})
}

// allowsAll reports whether the SCPs of oi (nil: none) can refuse nothing:
// no Deny, and every level allows every action on every resource without
// a condition (FullAWSAccess).
func (oi *orgInfo) allowsAll() bool {
	if oi == nil {
		return true
	}
	for _, lvl := range oi.scps.stmts {
		all := false
		for _, st := range lvl {
			if st.effect == iam.Deny {
				return false
			}
			all = all || (!st.hasCondition() && st.onEveryResource() && slices.Contains(st.actions, "*"))
		}
		if !all {
			return false
		}
	}
	return true
}

type orgSetKey struct {
	k   orgKey
	set *actionSet
}

// orgDecisionKey names a shared answer of orgAllows: the fields of the
// principal and the resource that the deciding statements read ("" when
// they do not).
type orgDecisionKey struct {
	k                   orgKey
	action              string
	acct, typ, arn, raw string // the principal
	tags                string // the values of the tags deciding statements read (tagValues)
	resAcct, res, key   string // the resource
	region              string // aws:RequestedRegion, when a deciding statement reads it
}

// orgAllows asks whether the organisation policies of k let principal pp
// (p: its entity, nil for a principal outside the graph) do action on
// resource (res: the collected entity, nil for "*" or a pattern) in
// account acct.
func (d *deriver) orgAllows(k orgKey, p *graph.Entity, pp iam.Principal, action, resource, acct string, res *graph.Entity) verdict {
	oa := d.orgActionOf(k, action)
	if oa.clear {
		return verdict{ok: true}
	}
	ck := orgDecisionKey{k: k, action: action, acct: pp.Account, typ: string(pp.Type), resAcct: acct}
	switch {
	case oa.identity:
		ck.arn, ck.raw = pp.ARN, pp.Raw
	case len(oa.tags) > 0: // the same answer for the same values of the tags read
		ck.tags = d.tagValues(p, oa.tags)
	}
	// The evaluator's own rules read the resource in IAM, STS and KMS
	// (immutable AWS-managed resources; RCPs skip service-linked roles and
	// AWS managed keys): their answers are not shared between resources.
	if svc := serviceOf(action); oa.specific || svc == "iam" || svc == "sts" || svc == "kms" {
		ck.res = resource
		if res != nil {
			ck.key = res.Key
		}
	}
	if oa.regional { // the evaluator takes it from the resource (iam.RequestedRegion)
		ck.region, _ = iam.RequestedRegion(pp, action, resource)
	}
	if v, ok := d.orgDecisions.get(ck); ok {
		return v
	}
	pol := &iam.Policies{Identity: []*iam.Policy{allowAll()}, Resource: allowAnyone()}
	d.addOrg(k, pp, acct, pol)
	rq, unknown := d.factRequest(p, pp, action, resource, acct, res)
	d.stats.OrgEvaluations++
	r := d.cfg.ev.EvaluateUnknown(rq, pol, unknown)
	v := verdict{ok: r.Decision == iam.Allowed, cond: r.Conditional, keys: r.ConditionKeys}
	d.orgDecisions.put(ck, v)
	return v
}

// both is the verdict of the principal's own policies (main, costly: asked
// last) and of the organisation policies of k (clear: none can refuse
// the grant's actions). With firm, only an unconditional answer helps the
// caller: main is not asked when the organisation policies allow only
// under conditions.
//
// Over a resource pattern, asked apart, each question may allow while the
// evaluator asked with every policy does not: an organisation Deny that
// covers part of the pattern and the whole of the principal's only Allow
// there (the evaluator drops that Allow, iam's intersect.go). When the
// deciding organisation statements read the resource (orgAction.specific)
// and pol (main's policies; nil: not asked) is given, the evaluator is
// then also asked with pol and the organisation policies together
// (allowedWithOrg).
func (d *deriver) both(k orgKey, clear bool, p *graph.Entity, pp iam.Principal, action, resource, acct string, res *graph.Entity, firm bool, pol *iam.Policies, main func() bool) verdict {
	v := verdict{ok: true}
	if !clear {
		if v = d.orgAllows(k, p, pp, action, resource, acct, res); !v.ok || (firm && v.cond) {
			return verdict{}
		}
	}
	if !main() {
		return verdict{}
	}
	if !clear && pol != nil && strings.ContainsAny(resource, "*?") {
		if oa := d.orgActionOf(k, action); !oa.clear && oa.specific && !d.allowedWithOrg(k, p, pp, action, resource, acct, res, pol) {
			return verdict{}
		}
	}
	return v
}

// allowedWithOrg asks the evaluator about a request with pol and the
// organisation policies of k together, the snapshot's facts in its
// context as orgAllows has them (allowed only under conditions counts).
func (d *deriver) allowedWithOrg(k orgKey, p *graph.Entity, pp iam.Principal, action, resource, acct string, res *graph.Entity, pol *iam.Policies) bool {
	cp := *pol
	d.addOrg(k, pp, acct, &cp)
	rq, unknown := d.factRequest(p, pp, action, resource, acct, res)
	d.stats.Evaluations++
	return d.cfg.ev.EvaluateUnknown(rq, &cp, unknown).Decision == iam.Allowed
}

// addOrg adds to pol the organisation policies of k for a request of pp
// on a resource of acct (orgMap.policies, without the SCPs or RCPs k
// leaves out).
func (d *deriver) addOrg(k orgKey, pp iam.Principal, acct string, pol *iam.Policies) {
	d.org.policies(pp, acct, pol)
	if k.scp == nil {
		pol.SCPs = nil
	}
	if k.rcp == nil {
		pol.RCPs = nil
	}
}

var allowAnyone = sync.OnceValue(func() *iam.Policy {
	p, err := iam.Parse("resource side", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	if err != nil {
		panic(err) // a constant document
	}
	return p
})

// readsPrincipal reports whether a statement's answer may depend on who
// the principal is beyond its account and type: a condition on its ARN,
// name, id or tags, or a policy variable.
func readsPrincipal(st *statement) bool {
	if hasVariable(st.conditions) || slices.ContainsFunc(st.resources, hasVariable) || slices.ContainsFunc(st.notResources, hasVariable) {
		return true
	}
	for _, k := range st.conditionKeys() {
		switch k {
		case "aws:principalarn", "aws:username", "aws:userid", "aws:sourceidentity":
			return true
		}
		if strings.HasPrefix(k, "aws:principaltag/") {
			return true
		}
	}
	return false
}

// readsIdentity reports whether a statement's answer may depend on which
// principal of an account and type asks beyond the tags it names: a
// condition on its ARN, name or id, or a policy variable other than the
// principal's tags and the accounts' and organisations' IDs.
func readsIdentity(st *statement) bool {
	for _, k := range st.conditionKeys() {
		switch k {
		case "aws:principalarn", "aws:username", "aws:userid", "aws:sourceidentity":
			return true
		}
	}
	texts := append([]string{st.conditions}, st.resources...)
	for _, t := range append(texts, st.notResources...) {
		for rest := strings.ToLower(t); ; {
			i := strings.Index(rest, "${")
			if i < 0 {
				break
			}
			rest = rest[i+2:]
			v, _, _ := strings.Cut(rest, "}")
			switch {
			case strings.HasPrefix(v, "aws:principaltag/"), v == "aws:principalaccount", v == "aws:resourceaccount",
				v == "aws:principalorgid", v == "aws:resourceorgid":
			default:
				return true
			}
		}
	}
	return false
}

// readsResource reports whether a statement's answer may depend on which
// resource of an account is asked: Resource patterns other than "*",
// NotResource, resource tags.
func readsResource(st *statement) bool {
	if !st.onEveryResource() {
		return true
	}
	for _, k := range st.conditionKeys() {
		if strings.HasPrefix(k, "aws:resourcetag/") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(st.conditions), "${aws:resourcetag/")
}

// rcpExceptions lists the collected principals of accounts other than
// acct (only of account only, when not "") whom the RCPs of acct refuse
// every action of a resource-policy grant gr of acct's resource: a grant
// to Everyone or to a whole account is joined with their own access
// relationships (Who), which apply their own account's organisation
// policies, not the resource's account's RCPs. Asked once per class of
// principals (accountClasses), or once per distinct values of the tags a
// deciding statement reads, per principal only when one reads who the
// principal is (classRefusals), and not at all when the RCPs can refuse
// none of the grant's actions (orgClear).
func (d *deriver) rcpExceptions(gr *grant, acct, only string) []string {
	out := []string{}
	k := orgKey{rcp: d.orgKeyOf(iam.Principal{}, acct).rcp}
	if k.rcp == nil || d.orgClear(k, gr.set) {
		return out
	}
	var resEnt *graph.Entity
	if gr.scope == scopeResource {
		resEnt = gr.target
	}
	refused := func(m member) bool {
		return !d.anyAction(gr, &iam.Policies{RCPs: k.rcp.rcps.levels}, func(action, resource string, firm bool) verdict {
			return d.both(k, false, m.e, m.pp, action, resource, acct, resEnt, firm, nil, func() bool { return true })
		})
	}
	d.accountClasses(acct) // builds every account's classes
	for _, a := range slices.Sorted(maps.Keys(d.classesBy)) {
		if a == acct || (only != "" && a != only) {
			continue
		}
		for _, members := range d.classesBy[a] {
			d.classRefusals(k, gr.set, members, refused, func(m member) { out = append(out, m.e.Key) })
		}
	}
	slices.Sort(out)
	return out
}

// mergeSorted returns the sorted union of two sorted lists.
func mergeSorted(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	return slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a), b...))))
}
