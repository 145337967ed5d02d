package access

import (
	"context"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// asker decides the requests of one principal (or one class of principals,
// classKey) for the escalation analysis, once per group of resources the
// evaluator cannot tell apart: a technique asks the same action on every
// role or user of an account, and the statements that can match the
// action rarely look at the resource's ARN (iam.SplitByResource): one
// evaluation answers for every resource of the account with the same
// resource-based policy and the same iam.ResourceSplit signature. Not safe
// for concurrent use: one per analysis of a principal.
type asker struct {
	ex *escalator
	pr iam.Principal
	// class is pr's classKey ("" when none): a request on a pattern,
	// which no resource-based policy answers, is decided once per class.
	class string
	memo  map[askKey]*askMemo
	// anyGrant is a resource-based policy granting pr everything
	// (ownSideAllows), parsed once.
	anyGrant *iam.Policy
	// identityKnown: identity, identityMask (the actions of maskActions
	// some identity policy may match) and identityAny (pr's policies are
	// unknown: any may) are set.
	identityKnown bool
	identityAny   bool
	identity      []*iam.Policy
	identityMask  uint64
}

// patternKey is a request on a pattern by a class of principals
// (escalator.patterns).
type patternKey struct{ class, action, pattern string }

// askKey groups the requests one evaluation may answer: one action on a
// pattern (the same request each time), or on resources of one type and
// account whose resource-based policies decide alike (policy: the
// policy's digest, "silent" when none of its statements may match the
// action, "" when there is none).
type askKey struct {
	action, typ, account, policy, pattern string
}

// askMemo holds the answers of one key by signature; split is nil when
// each resource must be decided alone.
type askMemo struct {
	split   *iam.ResourceSplit
	answers map[string]Answer
}

// decide is Query.decide, reusing an answer where it must be the same.
func (k *asker) decide(ctx context.Context, action, arn string, res *graph.Entity) (Answer, error) {
	// A pattern has no resource-based policy: without an identity
	// statement that may match the action, nothing allows it (the
	// analysis reads nothing but the decision of a request it denies).
	if res == nil && strings.ContainsAny(arn, "*?") && !k.identityMayMatch(ctx, action) {
		return k.denied(action, arn), nil
	}
	// Nor on a resource whose resource-based policy has no statement
	// that may match the action either (a user, group or managed policy
	// has none; a role's trust policy speaks to sts:* alone): most of
	// the requests a principal makes on itself, its groups and policies.
	if res != nil && !k.identityMayMatch(ctx, action) {
		if t := k.ex.target(arn); t != nil && !t.policyErr {
			if !t.mayMatch(action) {
				return k.denied(action, arn), nil
			}
		} else if rp, err := k.ex.q.resourcePolicy(ctx, arn); err == nil && !k.ex.mayMatch(rp, action) {
			return k.denied(action, arn), nil
		}
	}
	if res == nil && k.class != "" {
		shared := patternKey{k.class, action, arn}
		if v, ok := k.ex.patterns.Load(shared); ok {
			return v.(Answer), nil
		}
		a, err := k.ex.q.decide(ctx, k.pr, action, arn, nil)
		if err == nil {
			// Kept for the whole analysis, once per class and request:
			// without the reasons and warnings, which the analysis
			// does not read.
			a.Reasons, a.Warnings = nil, nil
			k.ex.patterns.Store(shared, a)
		}
		return a, err
	}
	key, t, ok := k.key(ctx, action, arn, res)
	m := k.memo[key]
	sig := ""
	if ok && m != nil {
		if m.split == nil {
			return k.ex.q.decide(ctx, k.pr, action, arn, res)
		}
		sig = m.split.Signature(arn, t.tags)
		if a, hit := m.answers[sig]; hit {
			a.Resource = arn
			return a, nil
		}
	}
	a, pol, err := k.ex.q.decidePolicies(ctx, k.pr, action, arn, res)
	if err != nil || !ok {
		return a, err
	}
	if m == nil {
		m = &askMemo{answers: map[string]Answer{}}
		if res == nil {
			m.split = &iam.ResourceSplit{} // the same request
		} else if sp, ok := iam.SplitByResource(pol, action); ok {
			m.split = sp
			sig = sp.Signature(arn, t.tags)
		}
		k.memo[key] = m
	}
	if m.split != nil {
		m.answers[sig] = a
	}
	return a, nil
}

// decideStep decides step s of a technique on its resource (res, by the
// step's `on`). A step on "*" (onAny) is the same request for every
// target of the technique: its answer is kept in *anyAnswer, asked once.
func (k *asker) decideStep(ctx context.Context, anyAnswer **Answer, s step, res onRes) (Answer, error) {
	if s.On == onAny && res[onAny] == "*" {
		if *anyAnswer != nil {
			return **anyAnswer, nil
		}
		a, err := k.decide(ctx, s.Action, "*", nil)
		if err == nil {
			*anyAnswer = &a
		}
		return a, err
	}
	arn := res[s.On]
	return k.decide(ctx, s.Action, arn, k.ex.entity(arn))
}

// denied is the answer to a request that nothing may allow.
func (k *asker) denied(action, arn string) Answer {
	return Answer{Principal: principalName(k.pr), PrincipalType: string(k.pr.Type), Action: action, Resource: arn,
		Decision: iam.ImplicitlyDenied}
}

// patternTarget is the target of a request on a pattern: no tags.
var patternTarget = &target{}

// key groups arn; ok is false when it must be decided alone. t is arn's
// target (patternTarget for a pattern).
func (k *asker) key(_ context.Context, action, arn string, res *graph.Entity) (askKey, *target, bool) {
	if res == nil {
		return askKey{action: action, pattern: arn}, patternTarget, true
	}
	t := k.ex.target(arn)
	if t == nil || t.special || t.policyErr || t.ent != res {
		return askKey{}, nil, false
	}
	key := askKey{action: action, typ: res.Type, account: t.account}
	switch {
	case t.policy == nil:
	case !t.mayMatch(action):
		key.policy = "silent"
	default:
		key.policy = t.policy.Digest
	}
	return key, t, true
}

// target is what the analysis needs of each target, found once.
type target struct {
	ent       *graph.Entity
	account   string
	policy    *iam.Policy // its resource-based policy (a role's trust policy), nil when none
	policyErr bool        // the policy does not parse: decided alone, which reports it
	special   bool        // iam.ResourceSpecial
	// tags are ent's aws:ResourceTag/* keys (asker.tags), found once.
	tags map[string][]string
	// mask is policy's escalator.mayMask.
	mask uint64
}

// mayMatch is t.policy.MayMatch(action).
func (t *target) mayMatch(action string) bool {
	if i, ok := maskActions[action]; ok {
		return t.mask&(1<<i) != 0
	}
	return t.mayMatch(action)
}

// indexTargets finds the targets of every technique: users, roles, and
// the resources that run as a role; each on the workers.
func (ex *escalator) indexTargets(ctx context.Context) error {
	var arns []string
	seen := map[string]bool{"": true}
	add := func(arn string) {
		if !seen[arn] {
			seen[arn] = true
			arns = append(arns, arn)
		}
	}
	for _, p := range ex.q.principals {
		add(p.Key)
	}
	for _, pairs := range ex.via {
		for _, pair := range pairs {
			add(pair[0].String("arn"))
		}
	}
	targets := make([]target, len(arns))
	err := ex.q.parallel(ctx, len(arns), func(i int) error {
		arn, t := arns[i], &targets[i]
		t.ent, t.special = ex.q.resource(arn), iam.ResourceSpecial(arn)
		if t.ent != nil {
			t.account = accountOf(t.ent)
			t.tags = ex.q.resourceInfo(t.ent).context
		}
		var err error
		t.policy, err = ex.q.resourcePolicy(ctx, arn)
		t.policyErr = err != nil
		t.mask = ex.mayMask(t.policy)
		return nil
	})
	ex.targets = make(map[string]*target, len(arns))
	for i, arn := range arns {
		ex.targets[arn] = &targets[i]
	}
	return err
}

// target returns the target of an ARN, nil when it is none.
func (ex *escalator) target(arn string) *target {
	return ex.targets[arn]
}

// entity is Query.resource(arn), from the targets' index when arn is one
// (its entity found once); nil for "*".
func (ex *escalator) entity(arn string) *graph.Entity {
	if arn == "*" {
		return nil
	}
	if t := ex.targets[arn]; t != nil {
		return t.ent
	}
	return ex.q.resource(arn)
}

// reachable is false when a principal of account acct surely cannot do action on the
// target arn: the target is in another account and has no resource-based
// policy that may allow the action (across accounts, the resource's
// policy must allow too).
func (ex *escalator) reachable(acct, action, arn string) bool {
	t := ex.target(arn)
	if t == nil || t.policyErr || t.account == "" || t.account == acct {
		return true
	}
	return t.mayMatch(action)
}

// tags are the resource's aws:ResourceTag/* keys (nil for a pattern).
func (k *asker) tags(res *graph.Entity) map[string][]string {
	if res == nil {
		return nil
	}
	return k.ex.q.resourceInfo(res).context
}

// candidates are the targets of list (in order) that a principal of acct
// may reach with technique t: those of its own account, and those whose
// resource-based policy may allow each permission the technique asks on
// them. Found once per technique and account, from candidateIndex: what an
// account holds, not the whole organisation per account.
func (ex *escalator) candidates(t technique, acct string, list []*graph.Entity) []*graph.Entity {
	key := t.ID + "|" + acct
	if v, ok := ex.cands.Load(key); ok {
		return v.([]*graph.Entity)
	}
	var out []*graph.Entity
	for _, i := range ex.candidateIndex(t, len(list), func(i int) string { return list[i].Key }).of(acct) {
		out = append(out, list[i])
	}
	ex.cands.Store(key, out)
	return out
}

// viaPair is a resource that runs as a role: its ARN, and the role (never
// a placeholder).
type viaPair struct {
	arn  string
	role *graph.Entity
}

// viaCandidates is candidates for the resources that run as a role.
func (ex *escalator) viaCandidates(t technique, acct string) []viaPair {
	key := t.ID + "|" + acct
	if v, ok := ex.cands.Load(key); ok {
		return v.([]viaPair)
	}
	list := ex.via[t.Via]
	var out []viaPair
	for _, i := range ex.candidateIndex(t, len(list), func(i int) string { return list[i][0].String("arn") }).of(acct) {
		if role := list[i][1]; role.String("_source") != placeholderSource {
			out = append(out, viaPair{list[i][0].String("arn"), role})
		}
	}
	ex.cands.Store(key, out)
	return out
}

// candidateIndex splits the n targets of technique t (arn(i) is the i-th)
// into those of each account and those a principal of any account may
// reach (reachableBy with an account they are not in), once per technique.
func (ex *escalator) candidateIndex(t technique, n int, arn func(i int) string) *candidateIndex {
	key := "index of " + t.ID
	if v, ok := ex.cands.Load(key); ok {
		return v.(*candidateIndex)
	}
	ix := &candidateIndex{byAccount: map[string][]int{}}
	for i := range n {
		a := arn(i)
		if tg := ex.target(a); tg != nil && tg.account != "" {
			ix.byAccount[tg.account] = append(ix.byAccount[tg.account], i)
		}
		if ex.reachableBy(t, "", a) {
			ix.anyAccount = append(ix.anyAccount, i)
		}
	}
	v, _ := ex.cands.LoadOrStore(key, ix)
	return v.(*candidateIndex)
}

// candidateIndex: positions in a technique's target list, ascending.
type candidateIndex struct {
	byAccount  map[string][]int
	anyAccount []int
}

// of merges the targets of acct with those any account may reach, in list
// order.
func (ix *candidateIndex) of(acct string) []int {
	own, others := ix.byAccount[acct], ix.anyAccount
	out := make([]int, 0, len(own)+len(others))
	for len(own) > 0 || len(others) > 0 {
		switch {
		case len(others) == 0 || (len(own) > 0 && own[0] < others[0]):
			out, own = append(out, own[0]), own[1:]
		case len(own) == 0 || others[0] < own[0]:
			out, others = append(out, others[0]), others[1:]
		default: // the same target
			out, own, others = append(out, own[0]), own[1:], others[1:]
		}
	}
	return out
}

// reachableBy is reachable for every permission t asks on its target.
func (ex *escalator) reachableBy(t technique, acct, arn string) bool {
	for _, s := range t.Steps {
		if (s.On == onTarget || s.On == onVia) && !ex.reachable(acct, s.Action, arn) {
			return false
		}
	}
	return true
}

// identityMayMatch is false when no identity policy of the principal may
// match action: then no resource of another account allows it.
func (k *asker) identityMayMatch(ctx context.Context, action string) bool {
	if !k.identityKnown {
		k.identityKnown = true
		info := k.ex.q.principalInfo(ctx, k.pr)
		if k.identityAny = info.err != nil || info.ent == nil || info.pp == nil; !k.identityAny {
			k.identity = info.pp.Identity
			for _, p := range k.identity {
				k.identityMask |= k.ex.mayMask(p)
			}
		}
	}
	if k.identityAny {
		return true
	}
	if i, ok := maskActions[action]; ok {
		return k.identityMask&(1<<i) != 0
	}
	return slices.ContainsFunc(k.identity, func(p *iam.Policy) bool { return p.MayMatch(action) })
}

// ownSideAllows reports whether the principal's own side (its identity
// policies, boundary, SCPs, and the RCPs of the resource's account) may
// allow action on a resource of another account: the decision with a
// resource-based policy granting it everything. A false answer is final:
// across accounts both sides must allow, and the real resource policy
// grants no more. One evaluation answers for the resources the own side
// cannot tell apart (iam.SplitByResource), as in decide.
func (k *asker) ownSideAllows(ctx context.Context, action, arn string, res *graph.Entity) (bool, error) {
	// Without an identity statement that may match the action, nothing
	// to evaluate.
	if !k.identityMayMatch(ctx, action) {
		return false, nil
	}
	t := k.ex.target(arn)
	key := askKey{action: action, typ: res.Type, policy: "any grant"}
	if t != nil {
		key.account = t.account
	}
	m := k.memo[key]
	if m != nil && m.split != nil && t != nil && !t.special {
		if a, hit := m.answers[m.split.Signature(arn, k.tags(res))]; hit {
			return a.Decision == iam.Allowed, nil
		}
	}
	req, pol, unknown, _, err := k.ex.q.request(ctx, k.pr, action, arn, res)
	if err != nil {
		return false, err
	}
	if k.anyGrant == nil {
		if k.anyGrant, err = iam.Parse("any grant to "+k.pr.ARN, map[string]any{"Version": iam.Version2012, "Statement": []any{
			map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": k.pr.ARN}, "Action": "*"}}}); err != nil {
			return false, err
		}
	}
	own := *pol
	own.Resource = k.anyGrant
	a := Answer{Decision: k.ex.q.ev.EvaluateUnknown(req, &own, unknown).Decision}
	if t == nil || t.special {
		return a.Decision == iam.Allowed, nil
	}
	if m == nil {
		m = &askMemo{answers: map[string]Answer{}}
		if sp, ok := iam.SplitByResource(&own, action); ok {
			m.split = sp
		}
		k.memo[key] = m
	}
	if m.split != nil {
		m.answers[m.split.Signature(arn, k.tags(res))] = a
	}
	return a.Decision == iam.Allowed, nil
}

// maskActions are the actions asked by some technique (and
// sts:AssumeRole), at most 64, each with its bit in a policy's mask
// (escalator.mayMask); built once, read only.
var maskActions = func() map[string]int {
	m := map[string]int{"sts:AssumeRole": 0}
	for _, t := range techniques {
		for _, s := range t.Steps {
			if _, ok := m[s.Action]; !ok && len(m) < 64 {
				m[s.Action] = len(m)
			}
		}
	}
	return m
}()

// mayMask has the bit of each action of maskActions that p may match
// (iam.Policy.MayMatch), found once per parsed policy: principals share
// their managed policies.
func (ex *escalator) mayMask(p *iam.Policy) uint64 {
	if p == nil {
		return 0
	}
	if v, ok := ex.mayMasks.Load(p); ok {
		return v.(uint64)
	}
	var m uint64
	for a, i := range maskActions {
		if p.MayMatch(a) {
			m |= 1 << i
		}
	}
	ex.mayMasks.Store(p, m)
	return m
}

// mayMatch is p.MayMatch(action) (false for a nil p).
func (ex *escalator) mayMatch(p *iam.Policy, action string) bool {
	if i, ok := maskActions[action]; ok {
		return ex.mayMask(p)&(1<<i) != 0
	}
	return p.MayMatch(action)
}
