package access

// Bucket ABAC: a general purpose bucket's tags are aws:ResourceTag/* in
// authorization only when ABAC is enabled on it (Amazon S3 User Guide,
// buckets-tagging-enable-abac.html: ABAC is disabled by default, and a
// bucket with ABAC disabled uses its tags for cost allocation only;
// API AbacStatus). The model's abacEnabled (s3 GetBucketAbac) decides:
// enabled, the tags apply; disabled, aws:ResourceTag/* is absent, and
// known to be; unknown (the call failed, or a snapshot from before it was
// collected), the keys are unknown and a condition on them makes an
// answer conditional. On an object the bucket's state applies, as its
// tags do (Query.owner).

import (
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// resourceTags says what aws:ResourceTag/* is for requests on res: apply
// (res's tags are the keys) and known (the keys are known: its tags, or
// known to be absent).
func resourceTags(res *graph.Entity) (apply, known bool) {
	if res == nil || !tagsCollected(res.Type) {
		return false, false
	}
	if res.Type != "aws_s3_bucket" {
		return true, true
	}
	abac, ok := res.Get("abacEnabled").(bool)
	return ok && abac, ok
}

// abacMark is what a bucket's ABAC state adds to a resource signature
// (resourceSignature): two buckets with the same tags decide alike only
// when their tags apply alike.
func abacMark(res *graph.Entity) string {
	if res.Type != "aws_s3_bucket" {
		return ""
	}
	switch apply, known := resourceTags(res); {
	case apply:
		return "\x00abac=on"
	case known:
		return "\x00abac=off"
	}
	return "\x00abac=unknown"
}

// ABAC in identity policies (IAM User Guide,
// introduction_attribute-based-access-control.html;
// reference_policies_condition-keys.html#condition-keys-resourcetag): an
// Allow statement on "*" or on a type-wide pattern whose Condition reads
// aws:ResourceTag/* grants each resource according to its tags, so it is
// not uniform over its service: a service-entity edge would be read by
// Who onto every resource of the service, those whose tags refuse it too.
// Such a statement fans out instead (abacTargets): a grant to each
// collected resource of its services that it can act on, in the policy's
// accounts (and elsewhere where a resource-based policy may open it to
// them), with the statement's actions that act on the resource's type
// (abacSet). principal-access then decides each grant with the
// resource's tags (factLevels; statementHolds caches the answer by the
// resource's tag signature, resourceSignature, and the principal's
// tags): a resource whose tags refuse gets no edge, one whose tags decide
// it a firm edge, one whose tags are unknown (a bucket whose ABAC setting
// is unknown, a type whose tags are not collected) a conditional edge on
// the key. The statement's actions that act on no collected resource
// (s3:ListAllMyBuckets, or none of the account's) keep the service
// entity's edge, listing only those actions, so Who (grantedLevels) reads
// it onto no resource. Explicit edges rather than one service edge with
// exceptResources: the resources a tag condition accepts are usually the
// few (one team's of many), so the exceptions would be the long list.
// Not fanned out (as before, a coarse service or account edge): a
// statement with NotResource, with NotAction, or with actions of every
// service; a pattern capped by Limits.MaxTargetsPerStatement.

// readsResourceTags reports whether the statement's Condition reads a
// resource tag (aws:ResourceTag/KEY).
func (s *statement) readsResourceTags() bool {
	for _, k := range s.conditionKeys() {
		if strings.HasPrefix(k, "aws:resourcetag/") {
			return true
		}
	}
	return false
}

// abacTargets adds the grants of an ABAC statement (readsResourceTags) on
// pattern pat: "*" (wide nil) or a type-wide pattern (wide its parts). It
// returns false, having added nothing, where the statement is not fanned
// out: the caller adds the service or account targets as for any other.
func (d *deriver) abacTargets(pe *graph.Entity, st *statement, gs *grants, pat string, wide *[6]string) bool {
	if !st.readsResourceTags() {
		return false
	}
	svcs, all := servicesOf(st)
	if all {
		return false
	}
	if len(d.attached[pe.Key]) == 0 {
		return false // nobody has the policy: its grants give no access edge, the service entity's are as good
	}
	accts := d.policyAccounts(pe)
	if len(accts) == 0 {
		return false
	}
	var patterns []string // what the resource index is asked
	if wide == nil {
		for _, svc := range svcs {
			patterns = append(patterns, "arn:*:"+svc+":*:*:*")
			for _, c := range crossService {
				if c.Action == svc {
					patterns = append(patterns, "arn:*:"+c.Resource+":*:*:*")
				}
			}
		}
	} else {
		if strings.ContainsAny(wide[2], "*?") {
			return false
		}
		if isAccountID(wide[4]) {
			accts = []string{wide[4]}
		}
		patterns = []string{pat}
	}
	hits := d.abacHits(patterns, accts)
	if max := d.cfg.limits.MaxTargetsPerStatement; max > 0 && len(hits) > max {
		return false // capped: the caller's service or account targets (cappedTargets logs and counts patterns only)
	}
	// The statement's action sets by service: the same for every
	// resource of a service (resourceSets builds them anew each time).
	setsBy := map[string][]*actionSet{}
	setsOf := func(e *graph.Entity) []*actionSet {
		svc := arnService(e.String("arn"))
		sets, ok := setsBy[svc]
		if !ok {
			sets = d.resourceSets(st, svc)
			setsBy[svc] = sets
		}
		return sets
	}
	if mostly, refused := d.mostlyAccepted(st, hits, accts[0], setsOf); mostly {
		// The caller's service or account targets, as written; the
		// resources the tags refuse are asked per holder as those a Deny
		// of its own names are (owndeny.go).
		if len(refused) > 0 && len(refused) <= maxDenyHits {
			if d.denyHitsOf == nil {
				d.denyHitsOf = map[*statement][]hit{}
			}
			d.denyHitsOf[st] = refused
		}
		return false
	}
	covered := map[string]bool{} // the actions that act on a resource reached
	seen := map[*actionSet]bool{}
	for _, h := range hits {
		for _, set := range setsOf(h.e) {
			rs := d.abacSet(set, h.e)
			if rs == nil {
				continue
			}
			if !seen[rs] { // abacSet's sets are shared: each one's actions once
				seen[rs] = true
				for _, acts := range rs.byLevel {
					for _, a := range acts {
						covered[a] = true
					}
				}
			}
			if d.tagsNeverAccept(st, rs, h, accts[0]) {
				continue
			}
			gr := gs.get(h.e.Key, func() *grant {
				return &grant{from: pe, to: h.e, target: h.e, via: pe.Key, scope: scopeResource, service: arnService(h.e.String("arn")), account: accountOf(h.e), abac: true}
			})
			gr.add(st, rs, h.request, pat)
			if sr, ok := subResourceOf(arnService(h.request)); ok && h.request == h.e.String("arn") {
				// "*" covers its parts too (a bucket's objects), which a
				// resource policy may grant apart from the resource.
				gr.add(st, nil, h.request+string(sr.Sep)+"*", "")
			}
		}
	}
	// The actions that act on no resource reached: the service entity's,
	// as written where the service has none of its actions reaching one.
	rest := *st
	rest.actions, rest.condKeys, rest.prTags, rest.lowActions, rest.lowNotActions = nil, nil, nil, nil, nil
	for _, svc := range svcs {
		pats := forService(st.actions, svc)
		set := d.cat.set(pats, false, svc)
		var left []string
		some := false
		for _, lo := range levelOrder {
			for _, a := range set.byLevel[lo.level] {
				if covered[a] {
					some = true
				} else {
					left = append(left, a)
				}
			}
		}
		if !some {
			rest.actions = append(rest.actions, pats...)
			continue
		}
		rest.actions = append(rest.actions, uniqSorted(append(left, set.unknown...))...)
	}
	if len(rest.actions) > 0 {
		if wide == nil {
			d.wideTargets(pe, &rest, gs, pat)
		} else {
			d.typeWideTargets(pe, &rest, gs, pat, *wide)
		}
	}
	return true
}

// mostlyAccepted reports whether the statement's tags accept more of the
// resources hits whose tags are known than they refuse, where its tags alone decide (no policy
// variable, no principal tag: tagsNeverAccept's "may accept" is then
// every principal's). An exclusion tag (Null aws:ResourceTag/KEY "true":
// every resource but those tagged KEY, as AWS managed policies such as
// ComputeOptimizerAutomationServiceRolePolicy write it) accepts nearly
// every resource: fanned out it would be an edge per resource from each
// holder (BenchmarkDerive at 10,000 roles x 100,000 resources: 180,000
// edges, half again the derivation's CPU). Such a statement keeps its
// service or account edge, and the resources whose tags refuse it are
// asked per holder as those a Deny of its own names (owndeny.go: what its
// policies allow there, the refused levels on the resource). It returns
// those resources.
func (d *deriver) mostlyAccepted(st *statement, hits []hit, acct string, setsOf func(*graph.Entity) []*actionSet) (bool, []hit) {
	if strings.Contains(st.conditions, "${") || slices.ContainsFunc(st.conditionKeys(), func(k string) bool { return strings.HasPrefix(k, "aws:principaltag/") }) {
		return false, nil
	}
	accepted, refused := 0, 0
	var refusedHits []hit
	for i, h := range hits {
		if left := len(hits) - i; refused >= accepted+left {
			return false, nil
		}
		if _, known := resourceTags(h.e); !known {
			continue // its tags decide nothing: a conditional edge of its own either way
		}
		acts, ok := false, false // the statement acts on it; its tags may accept
		for _, set := range setsOf(h.e) {
			if rs := d.abacSet(set, h.e); rs != nil {
				acts = true
				if !d.tagsNeverAccept(st, rs, h, acct) {
					ok = true
					break
				}
			}
		}
		switch {
		case ok:
			accepted++
		case acts:
			refused++
			refusedHits = append(refusedHits, h)
		}
	}
	return accepted > refused, refusedHits
}

// abacHits returns the collected resources the index patterns reach that
// are in one of accts or have a resource-based policy, sorted by key;
// computed once per patterns and accounts (many statements of AWS managed
// policies ask the same: "*" on EC2 in the same accounts).
func (d *deriver) abacHits(patterns, accts []string) []hit {
	k := strings.Join(patterns, "\x00") + "\x01" + strings.Join(accts, ",")
	if hits, ok := d.abacHitsOf[k]; ok {
		return hits
	}
	var hits []hit
	seen := map[string]bool{}
	for _, ip := range patterns {
		for _, h := range d.idx.match(ip, nil) {
			if !seen[h.e.Key] && (slices.Contains(accts, accountOf(h.e)) || d.resourcePolicyFor(h.e) != nil) {
				seen[h.e.Key] = true
				hits = append(hits, h)
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return strings.Compare(a.e.Key, b.e.Key) })
	if d.abacHitsOf == nil {
		d.abacHitsOf = map[string][]hit{}
	}
	d.abacHitsOf[k] = hits
	return hits
}

// tagsNeverAccept reports whether the statement, alone with its
// Condition, allows none of the actions of rs on the resource of h for
// any principal: its tags refuse (another value, a key it lacks) whoever
// asks. Every key but aws:ResourceTag/* is unknown (the principal's tags,
// account, request context), so only the resource's tags can refuse. The
// answer is cached by statement and resource signature (the resources
// without any tag the statement reads share one per type, account and
// ABAC state), so a statement of an AWS managed policy reading a tag no
// resource has costs a map lookup per resource and no edge. acct is an
// account of the policy, for a resource of no account.
func (d *deriver) tagsNeverAccept(st *statement, rs *actionSet, h hit, acct string) bool {
	e := h.e
	tags := d.lowerTags(e)
	byStmt := d.abacRefused[st]
	if byStmt == nil {
		if d.abacRefused == nil {
			d.abacRefused = map[*statement]*abacAnswers{}
		}
		byStmt = &abacAnswers{names: st.resourceTagNames(), bySig: map[string]bool{}, absent: map[abacAbsentKey]bool{}}
		d.abacRefused[st] = byStmt
	}
	var store func(bool)
	if slices.ContainsFunc(byStmt.names, func(n string) bool { _, ok := tags[n]; return ok }) {
		if strings.Contains(st.conditions, "${") {
			return false // a value to compare with the principal's: principal-access decides
		}
		sig := d.resourceSignature(e, st)
		if r, ok := byStmt.bySig[sig]; ok {
			return r
		}
		store = func(r bool) { byStmt.bySig[sig] = r }
	} else {
		k := abacAbsentKey{d.abacCell(e), accountOf(e), abacMark(e)}
		if r, ok := byStmt.absent[k]; ok {
			return r
		}
		store = func(r bool) { byStmt.absent[k] = r }
	}
	refused := true
	defer func() { store(refused) }()
	sp, err := st.strictPolicy()
	if err != nil {
		return false // parsed leniently: kept, as any grant
	}
	ra := accountOf(e)
	if ra == "" {
		ra = acct
	}
	pp, err := iam.ParsePrincipal("arn:aws:iam::" + ra + ":user/abac")
	if err != nil {
		return false
	}
	apply, known := resourceTags(e)
	pol := &iam.Policies{Identity: []*iam.Policy{sp}}
	var vars []string // principal tags the Condition's policy variables name: a value no tag has
	if strings.Contains(st.conditions, "${") {
		if !onlyPrincipalTagVariables(st) {
			return false
		}
		vars = st.principalTagNames()
	}
	for _, lo := range levelOrder {
		acts := rs.byLevel[lo.level]
		if len(acts) == 0 {
			continue
		}
		rq := &iam.Request{Principal: pp, Action: acts[0], Resource: h.request, ResourceAccount: ra, Context: map[string][]string{},
			AWSManagedKey: awsManagedKey(e), RestrictPublic: publicRestriction(e)}
		if apply {
			addTags(rq.Context, "aws:ResourceTag/", e)
		}
		for _, n := range vars {
			rq.Context["aws:PrincipalTag/"+n] = []string{"\x00abac"}
		}
		d.stats.Evaluations++
		if d.cfg.ev.EvaluateUnknown(rq, pol, func(k string) bool { return !strings.HasPrefix(k, "aws:resourcetag/") || !known }).Decision == iam.Allowed {
			refused = false
			return false
		}
	}
	return true
}

// abacAnswers are tagsNeverAccept's answers for one statement: by the
// resource's signature where it has a tag the statement reads, else by
// the resource's cell, account and ABAC state.
type abacAnswers struct {
	names  []string // the resource tags the statement reads (resourceTagNames)
	bySig  map[string]bool
	absent map[abacAbsentKey]bool
}

// abacAbsentKey names the resources without any tag a statement reads
// that tagsNeverAccept answers alike.
type abacAbsentKey struct{ cell, account, mark string }

// onlyPrincipalTagVariables reports whether the policy variables of the
// statement's Condition are all principal tags (${aws:PrincipalTag/KEY})
// and its condition keys name no principal tag: then, on a resource
// without any tag the statement reads, no principal's tag values change
// the answer (a missing key decides an operator alone), and
// tagsNeverAccept may give them any value.
func onlyPrincipalTagVariables(st *statement) bool {
	for _, k := range st.conditionKeys() {
		if strings.HasPrefix(k, "aws:principaltag/") {
			return false
		}
	}
	l := strings.ToLower(st.conditions)
	for {
		i := strings.Index(l, "${")
		if i < 0 {
			return true
		}
		if !strings.HasPrefix(l[i:], "${aws:principaltag/") {
			return false
		}
		l = l[i+2:]
	}
}

// resourceTagNames returns the resource tags (lower case) the statement's
// Condition reads (aws:ResourceTag/KEY).
func (s *statement) resourceTagNames() []string {
	var out []string
	for _, k := range s.conditionKeys() {
		if n, ok := strings.CutPrefix(k, "aws:resourcetag/"); ok {
			out = append(out, n)
		}
	}
	return out
}

// abacCell returns applicableKey of a resource for the services whose
// actions act on it, computed once per resource.
func (d *deriver) abacCell(e *graph.Entity) string {
	if k, ok := d.abacCells[e]; ok {
		return k
	}
	k := applicableKey(resourceServices(arnService(e.String("arn"))), e)
	if d.abacCells == nil {
		d.abacCells = map[*graph.Entity]string{}
	}
	d.abacCells[e] = k
	return k
}

// abacSetKey names abacSet's answer: the set and the resource's cell.
type abacSetKey struct {
	set  *actionSet
	cell string
}

// abacSet returns the actions of set that act on resource e or one of its
// parts (actionsOn: a bucket's objects), nil when none does; the patterns
// stay as written. Computed once per set and cell (applicableKey).
func (d *deriver) abacSet(set *actionSet, e *graph.Entity) *actionSet {
	k := abacSetKey{set, d.abacCell(e)}
	if rs, ok := d.abacSets[k]; ok {
		return rs
	}
	svcs := resourceServices(arnService(e.String("arn")))
	on := map[string]bool{}
	actionsOn(d.cat.c, svcs, e.String("arn"), partsOf(e.String("arn")), func(a actions.Action, _ string) { on[a.String()] = true })
	rs := &actionSet{patterns: set.patterns, notActions: set.notActions, full: set.full, byLevel: map[actions.AccessLevel][]string{}}
	for l, acts := range set.byLevel {
		for _, a := range acts {
			if on[a] {
				rs.byLevel[l] = append(rs.byLevel[l], a)
			}
		}
	}
	if len(rs.byLevel) == 0 {
		rs = nil
	}
	if d.abacSets == nil {
		d.abacSets = map[abacSetKey]*actionSet{}
	}
	d.abacSets[k] = rs
	return rs
}

// tagsRefuse reports whether the facts refuse principal p every statement
// of a grant abacTargets made whose statements all have a Condition: then
// the grant gives it nothing, and the evaluator need not be asked about
// its actions. The answers are shared by the principals with the same
// tags and the resources with the same tag signature (resourceSignature),
// so a principal costs a lookup per resource its tags refuse, not an
// evaluation per action. A statement is decided as factLevels decides it
// (statementHolds), but on a resource of the principal's own account with
// a resource-based policy, alone (holdsAlone): there the resource policy
// may grant on its own, and that grant is the resource's (its ALLOWS,
// which Who joins with the account's principals), not this statement's.
func (d *deriver) tagsRefuse(gr *grant, p *graph.Entity, pp iam.Principal) bool {
	if !gr.abac || gr.firm != nil {
		return false
	}
	gr.conditionKeys()
	self := ""
	if gr.cond.personal || pp.Type == iam.PrincipalAssumedRole {
		self = pp.ARN
	}
	for i := range gr.parts {
		var holds bool
		if d.factPartOf(gr, i).rp != nil && gr.account == pp.Account {
			holds = d.holdsAlone(gr, i, p, pp, self)
		} else {
			holds, _, _ = d.statementHolds(gr, i, p, pp, gr.target, self)
		}
		if holds {
			return false
		}
	}
	return true
}

// holdsAlone reports whether part i's statement, alone with its Condition
// and the snapshot's facts (every other key unknown), allows one of its
// actions on the grant's target for principal p (a principal of the
// target's account): statementHolds without the target's resource policy,
// cached the same way.
func (d *deriver) holdsAlone(gr *grant, i int, p *graph.Entity, pp iam.Principal, self string) bool {
	part := gr.parts[i]
	ck := stmtCacheKey{st: part.st, acct: pp.Account, typ: string(pp.Type), tags: d.principalTags(p, part.st), self: self,
		res: "\x00alone\x00" + d.resourceSignature(gr.target, part.st)}
	if r, ok := d.stmtCache.get(ck); ok {
		return r.holds
	}
	var r stmtResult
	defer func() { d.stmtCache.put(ck, r) }()
	sp, err := part.st.strictPolicy()
	if err != nil {
		return false
	}
	pol := &iam.Policies{Identity: []*iam.Policy{sp}}
	for _, lo := range levelOrder {
		acts := part.set.byLevel[lo.level]
		if len(acts) == 0 {
			continue
		}
		for _, req := range gr.requests {
			d.stats.Evaluations++
			rq, unknown := d.factRequest(p, pp, acts[0], req, gr.account, gr.target)
			if d.cfg.ev.EvaluateUnknown(rq, pol, unknown).Decision == iam.Allowed {
				r.holds = true
				return true
			}
		}
	}
	return false
}
