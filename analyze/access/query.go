package access

// On-demand questions answered by the evaluator itself: who can do an
// action on a resource (WhoCan), and what one principal can do (Can).
// Unlike the graph's ALLOWS edges, which are precomputed per policy, each
// answer is the full evaluation (iam.Evaluator) of one request with the
// policies the snapshot holds for it: the principal's identity policies
// and permissions boundary, the resource's policy (a role's trust policy
// for sts:AssumeRole*). The request context is what the snapshot knows:
//
//   - derived from the request: aws:PrincipalArn, aws:PrincipalAccount,
//     aws:PrincipalType, aws:username, aws:ResourceAccount, ...
//   - collected facts: aws:PrincipalTag/* (the user's or role's tags),
//     aws:ResourceTag/* (when the resource type's tags are collected; on
//     an S3 object or a pattern of a bucket's objects, the bucket's:
//     owner; a bucket's only with ABAC enabled, abac.go),
//     s3:ExistingObjectTag/* never (object tags are not
//     collected),
//     aws:PrincipalOrgID and aws:ResourceOrgID (from the accounts'
//     organisation, when known), aws:userid of users;
//   - every other key (aws:SourceIp, aws:SourceVpc, MFA, session tags,
//     s3:prefix, aws:SourceAccount of a service call, ...) is unknown: a
//     condition on it makes the answer conditional, with the keys named
//     (iam.Evaluator.EvaluateUnknown), never silently true or false.
//
// SCPs and RCPs are applied when the snapshot has them (org.go); where it
// could not read them, Limits and each answer say so.

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// Answer is the evaluator's decision for one principal, action and
// resource.
type Answer struct {
	Principal     string       `json:"principal"`
	PrincipalType string       `json:"principal_type"`
	Action        string       `json:"action"`
	Resource      string       `json:"resource"`
	Decision      iam.Decision `json:"decision"`
	// Conditional: allowed only if conditions on ConditionKeys hold,
	// which the snapshot cannot know.
	Conditional   bool     `json:"conditional,omitempty"`
	ConditionKeys []string `json:"condition_keys,omitempty"`
	// External: the principal's account is not in the snapshot, so its
	// own identity policies are unknown; the answer assumes they allow
	// (the condition key "identity policies of account N").
	External bool `json:"external,omitempty"`
	// SomeResources: Resource is a pattern; allowed on some resources of
	// it, not necessarily all.
	SomeResources bool `json:"some_resources,omitempty"`
	// SCPs and RCPs say whether the organisation policies of the
	// principal's and of the resource's account were applied, none apply,
	// or they were not readable (org.go: OrgPolicies*).
	SCPs     string   `json:"scps"`
	RCPs     string   `json:"rcps"`
	Reasons  []string `json:"reasons"`
	Warnings []string `json:"warnings,omitempty"`
}

// Query answers WhoCan and Can over one graph. Build it once; it is safe
// for concurrent use and the graph must not change after NewQuery.
type Query struct {
	g   *graph.Graph
	ev  *iam.Evaluator
	cat *actions.Catalog
	src *iam.GraphSource
	// principals in the snapshot: users and roles it collected, and the
	// root of each account it covers.
	principals []*graph.Entity
	roots      []string
	accounts   map[string]*graph.Entity // collected aws_account by id
	org        orgMap                   // their organisations (org.go)
	problems   []string                 // organisation policies that do not parse
	byARN      map[string]*graph.Entity
	// Caches shared by every question: per principal (principalInfo), per
	// resource policy, per external account.
	infos     sync.Map
	policies  sync.Map
	resources sync.Map
	external  sync.Map
}

// QueryLimits are what every answer is derived without, whatever the
// snapshot; Query.Limits adds what this snapshot could not read.
var QueryLimits = []string{
	"session policies and role-session tags: unknown; sessions are answered as their role",
}

// NewQuery indexes g for queries.
func NewQuery(g *graph.Graph, ev *iam.Evaluator, cat *actions.Catalog) *Query {
	q := &Query{g: g, ev: ev, cat: cat, src: iam.NewGraphSource(g), accounts: map[string]*graph.Entity{},
		byARN: map[string]*graph.Entity{}}
	// Of entities sharing an ARN the one with the smallest key wins (as
	// in key order), without sorting every entity of the graph.
	for e := range g.All() {
		if arn := e.String("arn"); arn != "" && e.String("_source") != placeholderSource {
			if old, dup := q.byARN[arn]; !dup || e.Key < old.Key {
				q.byARN[arn] = e
			}
		}
	}
	for _, e := range g.EntitiesOfType("aws_account") {
		if e.String("_source") != placeholderSource {
			q.accounts[e.String("accountId")] = e
			q.roots = append(q.roots, model.AccountKey(e.String("accountId")))
		}
	}
	q.org, q.problems = orgInfos(g)
	for _, typ := range []string{"aws_iam_user", "aws_iam_role"} {
		for _, e := range g.EntitiesOfType(typ) {
			if e.String("_source") != placeholderSource {
				q.principals = append(q.principals, e)
			}
		}
	}
	slices.SortFunc(q.principals, func(a, b *graph.Entity) int { return strings.Compare(a.Key, b.Key) })
	slices.Sort(q.roots)
	return q
}

// resource finds the collected entity a resource ARN belongs to: itself,
// or the bucket of an object, the function of a qualified function ARN.
func (q *Query) resource(arn string) *graph.Entity {
	if e := q.byARN[arn]; e != nil {
		return e
	}
	if e := q.g.Entity(arn); e != nil && e.String("_source") != placeholderSource {
		return e
	}
	switch {
	case strings.HasPrefix(arn, "arn:aws:s3:::") && strings.Contains(arn, "/"):
		return q.resource(arn[:strings.IndexByte(arn, '/')])
	case strings.Contains(arn, ":lambda:") && strings.Count(arn, ":") == 7:
		return q.resource(arn[:strings.LastIndexByte(arn, ':')])
	}
	return nil
}

// WhoCan evaluates action on resourceARN for every principal the snapshot
// holds (users, roles, account roots) and every principal the resource's
// policy names (other accounts' principals, services, sessions,
// anonymous "*"), and returns the ones allowed, sorted by principal. An
// action that takes no resource is asked on an account's ARN or on "*"
// (accountScope).
func (q *Query) WhoCan(ctx context.Context, action, resourceARN string) ([]Answer, error) {
	if _, ok := q.cat.Lookup(action); !ok && !strings.Contains(action, "*") {
		return nil, fmt.Errorf("unknown IAM action %q (not in the action catalog)", action)
	}
	if accts, ok := q.accountScope(action, resourceARN); ok {
		return q.allowedInAccounts(ctx, accts, action, func(acct string) []iam.Principal {
			cands := []iam.Principal{}
			for _, e := range q.principals {
				if accountOf(e) == acct {
					if p, err := iam.ParsePrincipal(e.Key); err == nil {
						cands = append(cands, p)
					}
				}
			}
			return cands
		})
	}
	res := q.resource(resourceARN)
	if res == nil {
		return nil, fmt.Errorf("resource %s is not in the snapshot", resourceARN)
	}
	rp, err := q.resourcePolicy(ctx, resourceARN)
	if err != nil {
		return nil, fmt.Errorf("resource %s: its policy: %w", resourceARN, err)
	}
	var cands []iam.Principal
	seen := map[string]bool{}
	addRaw := func(raw string) {
		if seen[raw] {
			return
		}
		seen[raw] = true
		if p, err := iam.ParsePrincipal(raw); err == nil {
			cands = append(cands, p)
		}
	}
	for _, e := range q.principals {
		addRaw(e.Key)
	}
	for _, r := range q.roots {
		addRaw(r)
	}
	if rp != nil {
		for _, s := range rp.Statements {
			if s.NotPrincipal != nil && s.Effect == iam.Allow {
				addRaw("*") // everyone but those it names: anonymous callers too
			}
			if s.Principal == nil {
				continue
			}
			if s.Principal.Any {
				addRaw("*")
			}
			for _, l := range [][]string{s.Principal.AWS, s.Principal.Service, s.Principal.Federated} {
				for _, raw := range l {
					if !strings.Contains(raw, "*") {
						addRaw(raw)
					}
				}
			}
		}
	}
	return q.allowedAmong(ctx, cands, action, resourceARN, res)
}

// accountScope returns the accounts an action that takes no resource
// (Resource "*": s3:ListAllMyBuckets, iam:ListRoles, kms:ListKeys,
// sts:GetCallerIdentity) is asked in: a principal calls such an action in
// its own account, so on an account's ARN (its aws_account entity) the
// question is about that account's principals, on "*" about every
// account of the snapshot. ok is false for any other action or resource.
func (q *Query) accountScope(action, resourceARN string) (accts []*graph.Entity, ok bool) {
	act, known := q.cat.Lookup(action)
	if !known || len(act.Resources) > 0 {
		return nil, false
	}
	if resourceARN == "*" {
		for _, id := range slices.Sorted(maps.Keys(q.accounts)) {
			accts = append(accts, q.accounts[id])
		}
		return accts, true
	}
	if e := q.resource(resourceARN); e != nil && e.Type == "aws_account" {
		return []*graph.Entity{e}, true
	}
	return nil, false
}

// allowedInAccounts decides an action that takes no resource for the
// candidates of each account (its root and those cands gives), on "*" in
// that account (the request resource "", which only a Resource "*"
// matches, with the account's facts), and returns the allowed ones sorted
// by principal, their Resource "*".
func (q *Query) allowedInAccounts(ctx context.Context, accts []*graph.Entity, action string, cands func(acct string) []iam.Principal) ([]Answer, error) {
	var out []Answer
	for _, e := range accts {
		acct := accountOf(e)
		c := cands(acct)
		if root, err := iam.ParsePrincipal(model.AccountKey(acct)); err == nil {
			c = append(c, root)
		}
		ans, err := q.allowedAmong(ctx, c, action, "", e)
		if err != nil {
			return nil, err
		}
		out = append(out, ans...)
	}
	for i := range out {
		out[i].Resource = "*"
	}
	slices.SortStableFunc(out, func(a, b Answer) int { return strings.Compare(a.Principal, b.Principal) })
	return out, nil
}

// CanFilter narrows Can: a resource ARN, or a service prefix (s3, iam).
type CanFilter struct {
	Resource string
	Service  string
}

// Can evaluates what one principal can do: each catalog action of the
// resource's service that applies to the resource (its resource types, from
// the catalog) on each collected resource that the filter selects — an
// action on a resource's parts, such as a bucket's objects, on arn/* (some
// of them) — plus each service's actions that take no resource (Resource
// ""). Only allowed answers are returned, sorted by resource then action.
func (q *Query) Can(ctx context.Context, principalARN string, f CanFilter) ([]Answer, error) {
	pr, err := iam.ParsePrincipal(principalARN)
	if err != nil {
		return nil, err
	}
	if pr.IsIAM() && pr.Type != iam.PrincipalRoot {
		if _, err := q.src.PrincipalPolicies(ctx, principalARN); err != nil {
			return nil, err
		}
	}
	type job struct {
		res    *graph.Entity // nil for a service's "*"
		arn    string
		action string
	}
	var jobs []job
	svcActions := func(svc string) []actions.Action {
		for _, s := range q.cat.Services() {
			if s.Prefix == svc {
				return s.Actions
			}
		}
		return nil
	}
	// Each action is asked against the resource, or against the part of
	// it it applies to (a bucket's objects: arn/*, some of them).
	addResource := func(e *graph.Entity, arn string) {
		for _, a := range svcActions(arnService(arn)) {
			for _, r := range []string{arn, arn + "/*"} {
				if a.AppliesTo(r) {
					jobs = append(jobs, job{res: e, arn: r, action: a.String()})
					break
				}
			}
		}
	}
	switch {
	case f.Resource != "":
		e := q.resource(f.Resource)
		if e == nil {
			return nil, fmt.Errorf("resource %s is not in the snapshot", f.Resource)
		}
		addResource(e, f.Resource)
	default:
		if f.Service != "" && svcActions(f.Service) == nil {
			return nil, fmt.Errorf("unknown service prefix %q (not in the action catalog)", f.Service)
		}
		arns := make([]string, 0, len(q.byARN))
		for arn := range q.byARN {
			if svc := arnService(arn); svc != "" && (f.Service == "" || svc == f.Service) {
				arns = append(arns, arn)
			}
		}
		slices.Sort(arns)
		svcs := map[string]bool{}
		for _, arn := range arns {
			if e := q.byARN[arn]; e.Type != "aws_account" {
				addResource(e, arn)
				svcs[arnService(arn)] = true
			}
		}
		if f.Service != "" {
			svcs[f.Service] = true
		}
		for _, svc := range slices.Sorted(maps.Keys(svcs)) {
			for _, a := range svcActions(svc) {
				if len(a.Resources) == 0 {
					jobs = append(jobs, job{arn: "", action: a.String()})
				}
			}
		}
	}
	out := make([]Answer, len(jobs))
	err = q.parallel(ctx, len(jobs), func(i int) error {
		a, err := q.decide(ctx, pr, jobs[i].action, jobs[i].arn, jobs[i].res)
		out[i] = a
		return err
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(a Answer) bool { return a.Decision != iam.Allowed }), nil
}

// Request builds the request and policies the snapshot gives for one
// principal, action and resource (nil res: a pattern), with the
// predicate of the condition keys it cannot know. It is what WhoCan and Can
// evaluate, for iam explain.
func (q *Query) Request(ctx context.Context, pr iam.Principal, action, resourceARN string) (*iam.Request, *iam.Policies, func(string) bool, bool, error) {
	var res *graph.Entity
	if resourceARN != "" && resourceARN != "*" {
		if res = q.owner(resourceARN); res == nil && !strings.ContainsAny(resourceARN, "*?") {
			return nil, nil, nil, false, fmt.Errorf("resource %s is not in the snapshot", resourceARN)
		}
	}
	return q.request(ctx, pr, action, resourceARN, res)
}

// owner is the collected entity a request's resource belongs to: the
// resource of an ARN (resource), and for a pattern inside one bucket
// (arn:aws:s3:::b/* or b/logs/*) the bucket, whose account, policy and tags
// decide for every object of it, as the derivation asks (factRequest). A
// pattern spanning resources (arn:aws:s3:::b-*) has none (nil).
func (q *Query) owner(arn string) *graph.Entity {
	if !strings.ContainsAny(arn, "*?") {
		return q.resource(arn)
	}
	rest, s3 := strings.CutPrefix(arn, "arn:aws:s3:::")
	if name, _, ok := strings.Cut(rest, "/"); s3 && ok && name != "" && !strings.ContainsAny(name, "*?") {
		return q.resource("arn:aws:s3:::" + name)
	}
	return nil
}

func (q *Query) request(ctx context.Context, pr iam.Principal, action, resourceARN string, res *graph.Entity) (*iam.Request, *iam.Policies, func(string) bool, bool, error) {
	req := &iam.Request{Principal: pr, Action: action, Resource: resourceARN, Context: map[string][]string{}}
	known := map[string]bool{}
	if res != nil {
		ri := q.resourceInfo(res)
		req.ResourceAccount = ri.account
		req.AWSManagedKey = awsManagedKey(res)
		req.RestrictPublic, req.RestrictPublicByAccount = publicRestriction(res), restrictedByAccount(res)
		for k, v := range ri.context {
			req.Context[k] = v
		}
		for k := range ri.known {
			known[k] = true
		}
	}
	external := false
	pol := &iam.Policies{}
	if resourceARN != "" && resourceARN != "*" {
		rp, err := q.resourcePolicy(ctx, resourceARN)
		if err != nil {
			return nil, nil, nil, false, err
		}
		pol.Resource = rp
	}
	switch {
	case pr.IsIAM() && pr.Type != iam.PrincipalRoot && pr.Type != iam.PrincipalFederatedUser:
		info := q.principalInfo(ctx, pr)
		if info.err != nil {
			return nil, nil, nil, false, info.err
		}
		if info.ent == nil {
			// Named by a resource policy, outside the snapshot: its own
			// account's policies are unknown.
			external = true
			break
		}
		known["aws:principaltag/"] = true
		for k, v := range info.context {
			req.Context[k] = v
		}
		pol.Identity = info.pp.Identity
		if info.pp.Boundary != nil {
			pol.Boundaries = []*iam.Policy{info.pp.Boundary}
		}
	case pr.IsIAM() && q.accounts[pr.Account] == nil:
		external = true // another account's root or federated user
	case !pr.IsIAM():
		// Anonymous callers and AWS services carry no principal tags nor
		// organisation: those keys are absent, and known to be.
		known["aws:principaltag/"], known["aws:principalorgid"], known["aws:principalorgpaths"] = true, true, true
	}
	if external {
		pol.Identity = []*iam.Policy{q.externalIdentity(pr.Account)}
	}
	if org, ok := q.orgOf(pr.Account); ok && pr.Account != "" {
		known["aws:principalorgid"] = true
		if org != "" {
			req.Context["aws:PrincipalOrgID"] = []string{org}
		}
	}
	if oi := q.org[pr.Account]; oi != nil && pr.IsIAM() && oi.pathKnown {
		known["aws:principalorgpaths"] = true
		if oi.path != "" {
			req.Context["aws:PrincipalOrgPaths"] = []string{oi.path}
		}
	}
	q.org.policies(pr, req.ResourceAccount, pol)
	unknown := func(key string) bool {
		if knownKeys[key] || known[key] {
			return false
		}
		for _, prefix := range []string{"aws:principaltag/", "aws:resourcetag/"} {
			if strings.HasPrefix(key, prefix) {
				return !known[prefix]
			}
		}
		return true
	}
	return req, pol, unknown, external, nil
}

// awsManagedKey reports whether res is an AWS managed KMS key (keyManager
// "AWS"): RCPs do not apply to it (iam.Request.AWSManagedKey). A key whose
// keyManager was not collected is not assumed to be one.
func awsManagedKey(res *graph.Entity) bool {
	return res != nil && res.Type == "aws_kms_key" && res.String("keyManager") == "AWS"
}

// knownKeys are derived from the request itself (iam.DerivedContext) or,
// when absent, known to be absent.
var knownKeys = map[string]bool{
	"aws:principalarn": true, "aws:principalaccount": true, "aws:principaltype": true,
	"aws:principalisawsservice": true, "aws:principalservicename": true, "aws:username": true,
	"aws:resourceaccount": true, "aws:currenttime": true, "aws:epochtime": true,
}

func (q *Query) decide(ctx context.Context, pr iam.Principal, action, resourceARN string, res *graph.Entity) (Answer, error) {
	a, _, err := q.decidePolicies(ctx, pr, action, resourceARN, res)
	return a, err
}

// decidePolicies is decide, with the policies it evaluated.
func (q *Query) decidePolicies(ctx context.Context, pr iam.Principal, action, resourceARN string, res *graph.Entity) (Answer, *iam.Policies, error) {
	a := Answer{Principal: principalName(pr), PrincipalType: string(pr.Type), Action: action, Resource: resourceARN}
	req, pol, unknown, external, err := q.request(ctx, pr, action, resourceARN, res)
	if err != nil {
		return a, nil, err
	}
	a.SCPs, a.RCPs = q.org.policies(pr, req.ResourceAccount, &iam.Policies{})
	r := q.ev.EvaluateUnknown(req, pol, unknown)
	a.Decision, a.Conditional, a.ConditionKeys = r.Decision, r.Conditional, r.ConditionKeys
	a.SomeResources, a.Reasons, a.Warnings = r.SomeResources, r.Reasons, r.Warnings
	if external && r.Decision == iam.Allowed {
		a.External, a.Conditional = true, true
		a.ConditionKeys = append([]string{"identity policies of account " + pr.Account + " (not in the snapshot)"}, a.ConditionKeys...)
	}
	return a, pol, nil
}

func principalName(pr iam.Principal) string {
	switch {
	case pr.Type == iam.PrincipalAnonymous:
		return "*"
	case pr.ARN != "":
		return pr.ARN
	}
	return pr.Raw
}

func (q *Query) principalEntity(pr iam.Principal) *graph.Entity {
	key := pr.ARN
	if pr.Type == iam.PrincipalAssumedRole {
		key = pr.RoleARN
	}
	if e := q.g.Entity(key); e != nil && e.String("_source") != placeholderSource {
		return e
	}
	// Path-insensitive: names are unique in an account.
	for _, e := range q.principals {
		if p, err := iam.ParsePrincipal(e.Key); err == nil && p.Account == pr.Account && p.Name == pr.Name &&
			(p.Type == pr.Type || (pr.Type == iam.PrincipalAssumedRole && p.Type == iam.PrincipalRole)) {
			return e
		}
	}
	return nil
}

// orgOf returns the organisation of an account the snapshot covers ("" when
// it is in none); ok is false when the snapshot does not know.
func (q *Query) orgOf(acct string) (string, bool) {
	e := q.accounts[acct]
	if e == nil {
		return "", false
	}
	if v, ok := e.Lookup("organizationId"); ok {
		s, _ := v.(string)
		return s, true
	}
	return "", false
}

// externalIdentity stands for the unknown identity policies of a principal
// outside the snapshot: taken to allow, and the answer says so.
func (q *Query) externalIdentity(acct string) *iam.Policy {
	if p, ok := q.external.Load(acct); ok {
		return p.(*iam.Policy)
	}
	p, err := iam.Parse("identity policies of account "+acct+" (not in the snapshot)",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	if err != nil {
		panic(err) // a constant document
	}
	q.external.Store(acct, p)
	return p
}

// principalInfo is what every request of one principal shares: its entity
// (nil outside the snapshot), policies and condition keys from its facts.
type principalInfo struct {
	ent     *graph.Entity
	pp      *iam.PrincipalPolicies
	context map[string][]string
	err     error
}

func (q *Query) principalInfo(ctx context.Context, pr iam.Principal) *principalInfo {
	key := string(pr.Type) + " " + pr.ARN
	if v, ok := q.infos.Load(key); ok {
		return v.(*principalInfo)
	}
	info := &principalInfo{ent: q.principalEntity(pr), context: map[string][]string{}}
	if info.ent != nil {
		addTags(info.context, "aws:PrincipalTag/", info.ent)
		if id := info.ent.String("userId"); id != "" && pr.Type == iam.PrincipalUser {
			info.context["aws:userid"] = []string{id}
		}
		info.pp, info.err = q.src.PrincipalPolicies(ctx, pr.ARN)
	}
	if ctx.Err() == nil { // a cancelled lookup is not remembered
		q.infos.Store(key, info)
	}
	return info
}

// resourceInfo is what every request on one resource shares: its account
// and the condition keys its facts give.
type resourceInfo struct {
	account string
	context map[string][]string
	known   map[string]bool
}

func (q *Query) resourceInfo(res *graph.Entity) *resourceInfo {
	if v, ok := q.resources.Load(res); ok {
		return v.(*resourceInfo)
	}
	ri := &resourceInfo{account: accountOf(res), context: map[string][]string{}, known: map[string]bool{}}
	if apply, known := resourceTags(res); known {
		ri.known["aws:resourcetag/"] = true
		if apply {
			addTags(ri.context, "aws:ResourceTag/", res)
		}
	}
	if org, ok := q.orgOf(ri.account); ok {
		ri.known["aws:resourceorgid"] = true
		if org != "" {
			ri.context["aws:ResourceOrgID"] = []string{org}
		}
	}
	if oi := q.org[ri.account]; oi != nil && oi.pathKnown {
		ri.known["aws:resourceorgpaths"] = true
		if oi.path != "" {
			ri.context["aws:ResourceOrgPaths"] = []string{oi.path}
		}
	}
	q.resources.Store(res, ri)
	return ri
}

// resourcePolicy is the resource's policy (nil when none), parsed once.
func (q *Query) resourcePolicy(ctx context.Context, arn string) (*iam.Policy, error) {
	type entry struct {
		p   *iam.Policy
		err error
	}
	if v, ok := q.policies.Load(arn); ok {
		e := v.(entry)
		return e.p, e.err
	}
	p, err := q.src.ResourcePolicy(ctx, arn)
	if ctx.Err() == nil {
		q.policies.Store(arn, entry{p, err})
	}
	return p, err
}

// tagsCollected reports whether the model collects tags for the type, so
// a tag's absence is known. Memoised: the ABAC fan-out asks it of every
// resource an ABAC statement reaches.
func tagsCollected(typ string) bool {
	if v, ok := tagsCollectedOf.Load(typ); ok {
		return v.(bool)
	}
	v := typeTagsCollected(typ)
	tagsCollectedOf.Store(typ, v)
	return v
}

// tagsCollectedOf is tagsCollected's memo, by type.
var tagsCollectedOf sync.Map

// typeTagsCollected is tagsCollected without the memo.
func typeTagsCollected(typ string) bool {
	t, ok := model.TypeOf(typ)
	if !ok {
		return false
	}
	if t.Tags != "" {
		return true
	}
	for _, en := range t.Enrich {
		if en.Tags != "" {
			return true
		}
	}
	return false
}

func addTags(ctx map[string][]string, prefix string, e *graph.Entity) {
	for k, v := range e.Props() {
		if name, ok := strings.CutPrefix(k, "tag."); ok {
			if s, ok := v.(string); ok {
				ctx[prefix+name] = []string{s}
			}
		}
	}
}

// parallel runs fn(0..n-1) on every core, stopping at the first error.
func (q *Query) parallel(ctx context.Context, n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
