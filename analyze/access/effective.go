package access

// Effective access: for every collected IAM user and role, the targets its
// policies reach (identity ALLOWS of its own, its groups' managed and
// inline policies) and the resources whose resource policy names it,
// evaluated with the real evaluator against everything that applies: the
// identity policies, the permissions boundary, and the target's resource
// policy (bucket/Lambda/... policy, or the trust policy when the target is
// a role). One relationship per (principal, target):
//
//	_class ALLOWS, _type aws_principal_access, _key <principal>|access|<target>
//	accessLevels + flags  the levels with at least one allowed action
//	admin                 a contributing grant is admin (grant.admin) and all its levels are allowed
//	actions               the granting Action patterns (sorted; at most Limits.MaxActionsListed,
//	                      actionCount is the full number, actionsTruncated when cut)
//	notActions            the exclusions of granting NotAction statements, when any
//	via                   the granting policies' keys (resource policies: <resource>#policy)
//	statements            the granting statements: "<via> statement #N (Sid)"
//	scope                 resource | service | account (see Who)
//	resources             the Resource patterns of the granting statements
//	conditional           every contributing statement has a Condition
//	conditionalLevels     the levels allowed only if conditions on request context hold
//	conditionKeys         those conditions' keys (lower case): what the snapshot cannot know
//	crossAccount          the target is in another account
//	sessions              only these sessions of the role have this access: the target's
//	                      resource policy names them (key <role>|access|<target>|sessions)
//
// For each access level the evaluator is asked about the level's concrete
// actions (from the catalog) one at a time until one is allowed, so a
// level counts when any of its actions is allowed; the common case costs
// one evaluation per level. The identity ALLOWS relationships get
// effective=true when at least one principal having the policy is allowed
// at least one of their actions; a policy nobody has stays false.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// AccessType is the _type of the effective-access relationships.
const AccessType = "aws_principal_access"

// access accumulates one principal's access to one target. patterns,
// notActions, resources, via and statements come from its grants: filled
// by accessPropsByKey, when fastProps does not find its property set.
type access struct {
	target     *graph.Entity
	scope      string
	levels     levelSet
	firm       levelSet // levels granted by an unconditional statement
	patterns   []string
	notActions []string
	resources  []string
	via        []string
	sessions   []string // granted only to these sessions of the role (a resource policy names them)
	statements []string // the granting statements (statementName)
	// conditionKeys are the keys the snapshot cannot know that decide a
	// conditional level (factLevels).
	conditionKeys []string
	conditional   bool
	admin         bool
	grants        []*grant // the grants that gave it, in order (fastProps)
}

// reset makes a the empty access to target, keeping its lists' capacity.
func (a *access) reset(target *graph.Entity, scope string) {
	*a = access{
		target: target, scope: scope, conditional: true,
		patterns: a.patterns[:0], notActions: a.notActions[:0], resources: a.resources[:0], via: a.via[:0],
		sessions: a.sessions[:0], statements: a.statements[:0], conditionKeys: a.conditionKeys[:0], grants: a.grants[:0],
	}
}

func (d *deriver) principalAccess(ctx context.Context) error {
	var principals []*graph.Entity
	principals = append(principals, d.g.EntitiesOfType("aws_iam_role")...)
	principals = append(principals, d.g.EntitiesOfType("aws_iam_user")...)
	d.denyHits() // read-only while the workers run (owndeny.go)
	return d.derivePrincipals(ctx, sortedEntities(principals))
}

// principal derives the access of p into out (d is a worker's: workers.go;
// the graph is changed only when the results are added, in principal
// order). With mayDefer, a principal whose class is still being derived by
// its first principal on another worker is left for later (out.deferred).
func (d *deriver) principal(p *graph.Entity, out *principalResult, mayDefer bool) error {
	pp, err := iam.ParsePrincipal(p.Key)
	if err != nil {
		return nil // not an IAM ARN key: nothing to evaluate as
	}
	policies, identity, boundary, ok := d.principalPolicies(p)
	if !ok {
		out.inconclusive = true // counted, marked and logged in principal order
		return nil
	}
	plain := boundary == nil && !d.hasDeny(policies)
	// The principal's policies as written (Conditions kept), for the
	// questions asked with every policy together; built when first asked.
	var own *strictOwn
	ownOf := func() *strictOwn {
		if own == nil {
			own = d.strictOwnOf(p, policies)
		}
		return own
	}
	// Access to targets without a resource-based policy is shared by the
	// principals of a class (shared.go): derived by its first principal,
	// reused by the others.
	ck, share := d.accessClassKey(p, pp, policies, identity, boundary)
	var cls *accessClass
	first, personalSeen := false, false
	if share {
		var ready bool
		cls, first, ready, share = d.par.class(ck)
		if !first && (!ready || (mayDefer && d.cfg.deferMembers)) {
			if mayDefer {
				out.deferred = true
				return nil
			}
			return fmt.Errorf("principal %s: its class's first principal is not derived", p.Key)
		}
	}
	var classEdges []sharedEdge
	if first {
		defer func() { d.par.classDone(cls, !personalSeen, classEdges) }()
	}
	reuse := share && !first
	if len(d.denyHitsOf) > 0 { // a Deny of its own naming resources (owndeny.go)
		k := ""
		if share {
			k = string(ck)
		}
		out.denials = d.ownDenials(p, pp, policies, k)
	}
	if reuse {
		d.sharedPrincipals++
	}
	// The accesses of the previous principal are reused: their lists keep
	// their capacity (accessProps copies what it keeps).
	if d.byTarget == nil {
		d.byTarget = map[string]*access{}
	}
	byTarget, used := d.byTarget, 0
	clear(byTarget)
	// The action classes of a request depend on its policies; only the
	// resource policy and the organisation policies change between this
	// principal's targets.
	if d.classesOf == nil {
		d.classesOf = map[classKey]*patternSet{}
	}
	classesBy := d.classesOf // reused: cleared for each principal
	clear(classesBy)
	var asked []mainAnswer
	consider := func(gr *grant, pp iam.Principal) bool {
		cross := gr.account != "" && gr.account != pp.Account
		res := d.resourcePolicyFor(gr.target)
		if cross && res == nil {
			// Cross-account without a resource-based policy: no access,
			// since both sides must allow. The evaluator denies every action
			// but sts:GetCallerIdentity, which needs no permission and acts on
			// no resource: asked about it here, it used to invent Read access
			// to every other account holding the same AWS managed policy
			// (AdministratorAccess). Not asking also keeps a shared AWS
			// managed policy's grants in other accounts from costing every
			// principal that has it.
			return false
		}
		// S3 Block Public Access: a restricted bucket grants nothing to
		// another account's principals (publicaccess.go); an unknown
		// setting makes their access conditional on it (below).
		restriction := iam.PublicUnrestricted
		if cross {
			if restriction = publicRestriction(gr.target); restriction == iam.PublicRestricted {
				return false
			}
		}
		d.pol = iam.Policies{Identity: identity, Boundaries: boundary, Resource: res} // reused: consider is not reentered
		pol := &d.pol
		// The organisation policies of the principal's and the target's
		// accounts (org.go): most grants have no action they can refuse.
		orgK := d.orgKeyOf(pp, gr.account)
		orgClear := d.orgClear(orgK, gr.set)
		if first && res == nil && ((gr.cond != nil && gr.cond.personal) || (!orgClear && d.orgPersonal(orgK, gr.set))) {
			personalSeen = true // the class's shared answer would be this principal's own
		}
		if d.tagsRefuse(gr, p, pp) {
			return false
		}
		classes := func() *patternSet {
			ck := classKey{pol.Resource, orgK}
			ps := classesBy[ck]
			if ps == nil {
				cp := *pol
				if !orgClear {
					d.org.policies(pp, gr.account, &cp) // their patterns split classes too
				}
				ps = newPatternSet(&cp, &d.classes)
				classesBy[ck] = ps
			}
			return ps
		}
		var resEnt *graph.Entity
		if gr.scope == scopeResource {
			resEnt = gr.target
		}
		short := plain && d.shortcut(gr, pp, pol)
		// The lenient answers (Allow Conditions dropped, policy.go) are
		// the evaluator's but where a Condition outside the grant's own
		// statements decides: in the target's resource policy (a key
		// policy's grant to "*" on a tag), in a permissions boundary, in
		// a Deny. Then every statement is decided with every policy as
		// written, the facts in the request (strict, factLevels).
		rcond := !short && d.resourceConditions(gr.target)
		// The principal's own answers for this grant, kept: the
		// per-statement levels (factLevels) ask some of them again.
		asked = asked[:0]
		allowed := func(action, resource string, firm bool) verdict {
			return d.both(orgK, orgClear, p, pp, action, resource, gr.account, resEnt, firm, pol, func() bool {
				if short {
					return true
				}
				for _, a := range asked {
					if a.action == action && a.resource == resource {
						return a.ok
					}
				}
				var ok bool
				if rcond || (!plain && ownOf().matches(action)) {
					// A Deny's Condition on request context the snapshot
					// cannot know may hold for a request without it
					// (BoolIfExists aws:MultiFactorAuthPresent false, a
					// Null test): asked with the facts and those keys
					// unknown, the access stays, to be decided with every
					// policy as written (strictAllows, factLevels).
					rq, unknown := d.factRequest(p, pp, action, resource, gr.account, resEnt)
					d.stats.Evaluations++
					ok = d.cfg.ev.EvaluateUnknown(rq, pol, unknown).Decision == iam.Allowed
				} else {
					ok = d.evaluate(pp, action, resource, gr.account, pol).Decision == iam.Allowed
				}
				asked = append(asked, mainAnswer{action, resource, ok})
				return ok
			})
		}
		strict := !short && (rcond || ownOf().decides(gr))
		var levels, firm []actions.AccessLevel
		var orgSoft levelSet // levels the organisation policies allow only under conditions
		var orgKeys []string
		if short && orgClear {
			levels, firm = gr.levels()
		} else {
			var granted bool
			if levels, orgSoft, orgKeys, granted = d.tryLevels(gr.set, gr.requests, false, classes, allowed); !granted {
				return false
			}
			// Levels unconditional statements grant on their own.
			switch gr.firm {
			case gr.set:
				firm = orgSoft.without(levels)
			case nil:
				firm = nil
			default:
				f, fsoft, fkeys, _ := d.tryLevels(gr.firm, gr.requests, false, classes, allowed)
				firm = fsoft.without(f)
				orgKeys = append(orgKeys, fkeys...)
			}
		}
		cond := gr.conditional()
		var keys []string
		if (gr.firm != gr.set && len(firm) < len(levels)) || strict { // unconditional statements grant every level otherwise
			// Some statement has a Condition. On a fact of the snapshot
			// (tags, accounts, organisation): decided again with the
			// conditions (factLevels). On request context only: the levels
			// unconditional statements do not grant depend on its keys.
			if facts, ck := gr.conditionKeys(); facts || strict {
				// Principals with the same account and tags get the same
				// answer unless the grant reads who they are.
				self := ""
				if gr.cond.personal || pp.Type == iam.PrincipalAssumedRole {
					self = pp.ARN
				}
				// What the principal's own policies and the organisation
				// policies allow is asked per statement too: the level an
				// unconditional answer came from may be another
				// statement's action, which a Deny, the boundary or the
				// target's policy refuses, or the organisation allows
				// only under conditions. Where nothing of the principal's
				// own can refuse (the shortcut), the organisation's
				// answers alone (shared and cached) say it.
				var parts func(*actionSet, levelSet) (levelSet, levelSet, []string)
				switch {
				case !short:
					// Each action asked with every policy: as written
					// where a Condition outside the grant may decide it
					// (strictAllows), leniently otherwise.
					rp := d.strictResource(gr.target)
					parts = func(set *actionSet, need levelSet) (levelSet, levelSet, []string) {
						lv, soft, keys, _ := d.tryLevelsBut(set, gr.requests, false, ^need, classes, func(action, resource string, firm bool) verdict {
							if rcond || ownOf().matches(action) {
								return d.strictAllows(orgK, p, pp, action, resource, gr.account, resEnt, ownOf(), rp)
							}
							return allowed(action, resource, firm)
						})
						return levelSet(0).with(lv), soft, keys
					}
				case !orgClear:
					parts = func(set *actionSet, _ levelSet) (levelSet, levelSet, []string) {
						if d.orgClear(orgK, set) {
							return set.levelBits(), 0, nil
						}
						lv, soft, _, _ := d.tryLevels(set, gr.requests, false, classes, func(action, resource string, _ bool) verdict {
							return d.orgAllows(orgK, p, pp, action, resource, gr.account, resEnt)
						})
						return levelSet(0).with(lv), soft, nil
					}
				}
				levels, firm, keys = d.factLevels(gr, p, pp, self, levels, parts)
				cond = len(firm) == 0
			} else if len(firm) < len(levels) {
				keys = ck
			}
		}
		if len(orgKeys) > 0 { // allowed only if the organisation policies' conditions hold
			keys = append(keys, orgKeys...)
			cond = cond || len(firm) == 0
		}
		if restriction == iam.PublicRestrictionUnknown { // every level, only if the bucket is not restricted
			keys = append(keys, iam.RestrictPublicKey)
			firm, cond = nil, true
		}
		if len(levels) == 0 && len(gr.set.unknown) == 0 {
			return false
		}
		if gr.rel != nil && gr.from != gr.target && !gr.marked.Load() { // identity ALLOWS: marked effective once derived (workers.go)
			gr.marked.Store(true)
		}
		k := gr.target.Key
		if pp.Type == iam.PrincipalAssumedRole {
			k += "|sessions" // a relationship of its own: the role's other sessions lack it
		}
		a := byTarget[k]
		if a == nil {
			if used == len(d.accessPool) {
				d.accessPool = append(d.accessPool, &access{})
			}
			a = d.accessPool[used]
			used++
			a.reset(gr.target, gr.scope)
			byTarget[k] = a
		}
		a.levels = a.levels.with(levels)
		a.firm = a.firm.with(firm)
		a.grants = append(a.grants, gr) // its patterns, resources, via and statements: accessPropsByKey
		a.conditional = a.conditional && cond
		a.conditionKeys = append(a.conditionKeys, keys...)
		if all, _ := gr.levels(); gr.admin() && len(levels) == len(all) {
			a.admin = true
		}
		if pp.Type == iam.PrincipalAssumedRole {
			a.sessions = append(a.sessions, pp.ARN)
		}
		return true
	}
	for _, pe := range policies {
		ag := d.identityGrants[pe.Key]
		lists := [][]*grant{ag.any, ag.byAccount[pp.Account]}
		if reuse {
			lists = lists[:1] // byAccount's targets have no resource-based policy: the class's edges below
		}
		for _, l := range lists {
			for _, gr := range l {
				if reuse && d.sharedTarget(gr.target) {
					continue // the class's edges below
				}
				consider(gr, pp)
			}
		}
	}
	for _, gr := range d.resourceGrants[p.Key] {
		if consider(gr, pp) {
			continue
		}
		// A resource policy that names sessions of this role
		// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) grants to them,
		// not to the role's other sessions: asked as each named session.
		for _, s := range roleSessions(gr.principals, pp) {
			consider(gr, s)
		}
	}
	keys := d.sortedTargets(byTarget)
	if max := d.cfg.limits.MaxAccessPerPrincipal; max > 0 && len(keys) > max {
		out.capped = len(keys) // counted, marked and logged in principal order
		keys = keys[:max]
	}
	acct := accountOf(p)
	noSCPs := d.withoutSCPs(pp)
	var shared []sharedEdge
	if reuse {
		shared = cls.edges
	}
	out.rels = make([]*graph.Relationship, 0, len(keys)+len(shared))
	if first && share && !personalSeen {
		classEdges = make([]sharedEdge, 0, len(keys)) // at most one per target: no regrowth
	}
	add := func(k string, target *graph.Entity, props *graph.Props, exceptIn bool) {
		// _key p|access|k: k is the target's key, with |sessions for a role's sessions.
		out.rels = append(out.rels, graph.NewKeyedRelationship(AccessType, "ALLOWS", p.Key, "access", target.Key, k[len(target.Key):], props))
		if exceptIn {
			d.stats.ExceptInEdges++
		}
	}
	var ownLim *cellLimits
	ownCells := func() *cellLimits { // computed once, for the first scoped edge
		if ownLim == nil {
			var bdoc *document
			if len(boundary) > 0 {
				bdoc = d.doc(d.g.Entity(p.String("permissionsBoundaryArn")), "document")
			}
			lim := d.ownCellLimits(policies, bdoc)
			ownLim = &lim
		}
		return ownLim
	}
	for _, k := range keys {
		for len(shared) > 0 && shared[0].k < k { // the class's edges, in the same key order
			add(shared[0].k, shared[0].target, shared[0].props, shared[0].exceptIn)
			shared = shared[1:]
		}
		a := byTarget[k]
		props := d.accessProps(a, acct, noSCPs)
		in := d.cellExceptions(p, pp, a, ownCells) // where a scoped edge does not hold (cells.go)
		if len(in) > 0 {
			props = d.withExceptIn(props, in)
		}
		add(k, a.target, props, len(in) > 0)
		if first && share && !personalSeen && d.sharedTarget(a.target) {
			classEdges = append(classEdges, sharedEdge{k, a.target, props, len(in) > 0})
		}
	}
	for _, e := range shared {
		add(e.k, e.target, e.props, e.exceptIn)
	}
	return nil
}

// accessProps returns the properties of an access relationship. Many
// principals get the same access (the same managed policy on their
// account's service entity), so relationships with equal properties share
// one property set: at 30,000 resources, 283,573 relationships have 2,121 distinct
// property sets. The sets are read-only once Derive returns.
func (d *deriver) accessProps(a *access, acct string, noSCPs bool) *graph.Props {
	if p := d.fastProps(a, acct, noSCPs); p != nil { // the same grants and answers as before (shared.go)
		return p
	}
	p := d.accessPropsByKey(a, acct, noSCPs)
	d.setFastProps(p)
	return p
}

// accessPropsByKey is accessProps without fastProps.
func (d *deriver) accessPropsByKey(a *access, acct string, noSCPs bool) *graph.Props {
	a.patterns, a.notActions, a.resources, a.via, a.statements = a.patterns[:0], a.notActions[:0], a.resources[:0], a.via[:0], a.statements[:0]
	for _, gr := range a.grants {
		a.patterns = append(a.patterns, gr.set.patterns...)
		a.notActions = append(a.notActions, gr.set.notActions...)
		a.resources = append(a.resources, gr.resources...)
		a.via = append(a.via, gr.via)
		a.statements = append(a.statements, gr.statementNames()...)
	}
	// a's lists are its own: sorted in place, and copied into a new map
	// (a is reused for the next principal).
	pats := sortedUniq(a.patterns)
	count, truncated := len(pats), false
	if max := d.cfg.limits.MaxActionsListed; len(pats) > max {
		pats, truncated = pats[:max], true
	}
	na := sortedUniq(a.notActions)
	via := sortedUniq(a.via)
	res := sortedUniq(a.resources)
	sessions := sortedUniq(a.sessions)
	condKeys := sortedUniq(a.conditionKeys)
	stmts := sortedUniq(a.statements)
	ta := accountOf(a.target)
	cross := ta != "" && ta != acct
	noRCPs := d.withoutRCPs(ta)

	k := append(d.keyBuf[:0], byte(a.levels), byte(a.firm))
	for _, b := range []bool{truncated, a.admin, a.conditional, cross, noSCPs, noRCPs} {
		k = strconv.AppendBool(k, b)
	}
	k = strconv.AppendInt(k, int64(count), 10)
	k = append(k, ',')
	k = append(k, a.scope...)
	for _, l := range [][]string{pats, na, via, res, sessions, condKeys, stmts} {
		k = strconv.AppendInt(k, int64(len(l)), 10)
		for _, s := range l { // length-prefixed: no separator can collide
			k = append(k, ',')
			k = strconv.AppendInt(k, int64(len(s)), 10)
			k = append(k, ':')
			k = append(k, s...)
		}
	}
	d.keyBuf = k
	if p, ok := d.accessPropsOf[string(k)]; ok { // no allocation for the lookup
		return p
	}
	key := string(k)
	p := d.par.props(key, func() *graph.Props {
		return d.newAccessProps(a, count, truncated, cross, noSCPs, noRCPs, pats, na, via, res, sessions, condKeys, stmts)
	})
	d.accessPropsOf[key] = p
	return p
}

// newAccessProps builds the property set accessProps shares.
func (d *deriver) newAccessProps(a *access, count int, truncated, cross, noSCPs, noRCPs bool, pats, na, via, res, sessions, condKeys, stmts []string) *graph.Props {

	var levels []actions.AccessLevel
	condLevels := []string{}
	for i, lo := range levelOrder {
		if a.levels.has(i) {
			levels = append(levels, lo.level)
			if !a.firm.has(i) {
				condLevels = append(condLevels, string(lo.level))
			}
		}
	}
	pats, na, via, res = slices.Clone(pats), slices.Clone(na), slices.Clone(via), slices.Clone(res)
	sessions, condKeys, stmts = slices.Clone(sessions), slices.Clone(condKeys), slices.Clone(stmts)
	p := make(map[string]any, 26) // sized for every property: no rehash
	setLevels(p, levels)
	p["conditionalLevels"] = condLevels
	p["actionCount"] = count
	if truncated {
		p["actionsTruncated"] = true
	}
	p["actions"] = orEmpty(pats)
	if len(na) > 0 {
		p["notActions"] = na // from NotAction statements: everything but these
	}
	p["via"] = via
	if len(sessions) > 0 {
		p["sessions"] = sessions
	}
	p["conditionKeys"] = orEmpty(condKeys)
	p["statements"] = orEmpty(stmts)
	p["resources"] = orEmpty(res)
	p["scope"] = a.scope
	p["admin"] = a.admin
	p["conditional"] = a.conditional
	p["crossAccount"] = cross
	if noSCPs { // SCPs that could not be read might refuse this access
		p[withoutSCPsProp] = true
	}
	if noRCPs {
		p[withoutRCPsProp] = true
	}
	shared := graph.PropsOf(p)
	return &shared
}

// principalTags returns what deciding statement st takes from a
// principal's tags: the values of the tags st names (aws:PrincipalTag/KEY
// in a condition key or a policy variable), "" when none.
func (d *deriver) principalTags(p *graph.Entity, st *statement) string {
	return d.tagValues(p, st.principalTagNames())
}

// tagValues returns the values of an entity's tags names (lower case),
// "" when none; for no entity (a principal outside the graph: its tags
// unknown), a value no entity's tags give.
func (d *deriver) tagValues(p *graph.Entity, names []string) string {
	if len(names) == 0 {
		return ""
	}
	if p == nil {
		return "\x00unknown"
	}
	tags := d.lowerTags(p)
	var b strings.Builder
	for _, n := range names {
		v, has := tags[n]
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(strconv.FormatBool(has))
		b.WriteString(v)
		b.WriteByte(0)
	}
	return b.String()
}

// lowerTags returns an entity's tags with lower-cased keys, computed once.
func (d *deriver) lowerTags(e *graph.Entity) map[string]string {
	tags, ok := d.tagsOf[e]
	if !ok {
		for k, v := range e.Props() {
			if name, ok := strings.CutPrefix(k, "tag."); ok {
				if sv, ok := v.(string); ok {
					if tags == nil {
						tags = map[string]string{}
					}
					tags[strings.ToLower(name)] = sv
				}
			}
		}
		d.tagsOf[e] = tags
	}
	return tags
}

// personal reports whether a grant's answer may depend on the principal's
// own name: a policy variable, or a condition on its ARN, name or id.
func personal(gr *grant) bool {
	for _, st := range gr.stmts {
		if personalVar(st.conditions) {
			return true
		}
		for _, r := range st.resources {
			if personalVar(r) {
				return true
			}
		}
		for _, k := range st.conditionKeys() {
			switch k {
			case "aws:principalarn", "aws:username", "aws:userid", "aws:principaltype":
				return true
			}
		}
	}
	return false
}

// personalVar reports whether s holds a policy variable naming the
// principal itself (its tags and account are in its signature).
func personalVar(s string) bool {
	if !strings.Contains(s, "${") {
		return false
	}
	l := strings.ToLower(s)
	for _, v := range []string{"${aws:username", "${aws:userid", "${aws:principalarn", "${aws:principaltype", "${aws:federatedprovider"} {
		if strings.Contains(l, v) {
			return true
		}
	}
	return false
}

// factKeys are the condition keys (lower case) whose values the snapshot
// knows, or knows to be absent, for a request (Query.request): those
// derived from the request, and the facts it collected. (aws:RequestedRegion
// is one where the request decides it: grant.regionKnown.)
func factKey(k string) bool {
	return knownKeys[k] || strings.HasPrefix(k, "aws:principaltag/") || strings.HasPrefix(k, "aws:resourcetag/") ||
		k == "aws:principalorgid" || k == "aws:resourceorgid" || k == "aws:userid"
}

// regionKnown reports whether the evaluator knows aws:RequestedRegion for
// some request of the grant (iam.RequestedRegion: a regional resource, a
// global service); on "*" of a regional service the caller picks it.
func (gr *grant) regionKnown() bool {
	for _, req := range gr.requests {
		if _, ok := iam.RequestedRegion(iam.Principal{}, gr.service+":*", req); ok {
			return true
		}
	}
	return false
}

// conditionKeys returns the keys of the grant's statements' Conditions,
// and whether one is a fact of the snapshot (factKey).
func (gr *grant) conditionKeys() (facts bool, keys []string) {
	if gr.cond == nil {
		c := &grantConditions{}
		for _, st := range gr.stmts {
			for _, k := range st.conditionKeys() {
				c.keys = append(c.keys, k)
				c.facts = c.facts || factKey(k) || (k == "aws:requestedregion" && gr.regionKnown())
			}
		}
		c.personal = personal(gr)
		gr.cond = c
	}
	return gr.cond.facts, gr.cond.keys
}

// grantConditions is what conditionKeys and personal say of a grant,
// computed once.
type grantConditions struct {
	facts, personal bool
	keys            []string
}

// factLevels narrows the levels the lenient evaluation allowed for a
// grant with a Condition on a fact of the snapshot. Each statement of the
// grant with a Condition is decided alone the way Query decides a request
// (its Condition kept, the facts in the request context: principal and
// resource tags, accounts, organisation; every other key unknown,
// iam.Evaluator.EvaluateUnknown), with the target's resource policy as
// written (a grant there needs no identity condition; its own Conditions
// decide too). A statement false on the
// facts (another team's tag, another organisation) contributes nothing; one
// that holds only under unknown keys (source IP, MFA) contributes its
// levels as conditional, with the keys. Answers are shared by the
// principals with the same signature and by targets with the same facts.
// parts (nil when neither the organisation policies nor the principal's
// own can refuse one of the grant's actions) gives, for a statement's
// actions, the levels the organisation and the principal's own policies
// allow together, those they allow only under conditions, and the keys
// of those: each statement contributes only those, firm only where
// both are firm.
func (d *deriver) factLevels(gr *grant, p *graph.Entity, pp iam.Principal, self string, lenient []actions.AccessLevel,
	parts func(set *actionSet, need levelSet) (allowed, soft levelSet, keys []string)) (levels, firm []actions.AccessLevel, keys []string) {
	var res *graph.Entity
	if gr.scope == scopeResource {
		res = gr.target
	}
	var ok, sure levelSet
	// The keys of the levels a statement (or its actions) allows only
	// under conditions: kept for those no statement grants firmly.
	type softPart struct {
		levels levelSet
		keys   []string
	}
	var softBy []softPart
	defer func() {
		for _, sp := range softBy {
			if sp.levels&ok&^sure != 0 {
				keys = append(keys, sp.keys...)
			}
		}
	}()
	wanted := levelSet(0).with(lenient)
	for i, part := range gr.parts {
		var holds, cond bool
		var k []string
		if part.st.hasCondition() {
			if holds, cond, k = d.statementHolds(gr, i, p, pp, res, self); !holds {
				continue // false on the facts: nothing to ask of its actions
			}
		}
		// The levels of the statement the organisation policies (with the
		// principal's own) allow, and those only under conditions: asked
		// only about levels no statement has granted outright yet.
		pl, soft := part.set.levelBits()&wanted, levelSet(0)
		var softKeys []string
		if parts != nil && pl&^sure != 0 {
			var allowed levelSet
			allowed, soft, softKeys = parts(part.set, pl&^sure)
			pl = (pl & sure) | (pl & allowed)
			soft &^= sure
		} else if parts != nil {
			soft = 0 // every level of the statement is granted outright already
		}
		if pl&soft != 0 && len(softKeys) > 0 {
			softBy = append(softBy, softPart{pl & soft, softKeys})
		}
		if !part.st.hasCondition() {
			ok, sure = ok|pl, sure|(pl&^soft)
			continue
		}
		ok |= pl
		if cond {
			softBy = append(softBy, softPart{pl, k})
		} else {
			sure |= pl &^ soft
		}
	}
	for _, l := range lenient {
		for i, lo := range levelOrder {
			if lo.level == l && ok.has(i) {
				levels = append(levels, l)
				if sure.has(i) {
					firm = append(firm, l)
				}
			}
		}
	}
	return levels, firm, keys
}

// factPart is what statementHolds takes from one part of a grant, the
// same for every principal: the resource policy that weighs and the
// resource's share of the cache key.
type factPart struct {
	done bool
	rp   *iam.Policy
	rk   string
}

// stmtCacheKey names statementHolds' answer: the statement, what it takes
// from the principal (account, type, the tags it names, its ARN when it
// reads it) and from the resource.
type stmtCacheKey struct {
	st                    *statement
	acct, typ, tags, self string
	res                   string
	region                string // the requests' aws:RequestedRegion, when st reads it
}

type stmtResult struct {
	holds, conditional bool
	keys               []string
}

// statementHolds decides one statement with a Condition for a principal
// and the grant's target (see factLevels): whether it can allow, whether
// only under unknown keys, and those keys.
func (d *deriver) statementHolds(gr *grant, i int, p *graph.Entity, pp iam.Principal, res *graph.Entity, self string) (bool, bool, []string) {
	part := gr.parts[i]
	fp := d.factPartOf(gr, i)
	rp, rk := fp.rp, fp.rk
	ck := stmtCacheKey{st: part.st, acct: pp.Account, typ: string(pp.Type), tags: d.principalTags(p, part.st), self: self, res: rk}
	// Whether the Condition can hold does not depend on which of the
	// statement's actions is asked: one is; one per level for an ABAC
	// grant (abacTargets) where the target's resource policy weighs (it
	// may grant some actions only: a bucket's objects to another account,
	// not its listing).
	var acts []string
	for _, lo := range levelOrder {
		if a := part.set.byLevel[lo.level]; len(a) > 0 {
			acts = append(acts, a[0])
			if rp == nil || !gr.abac {
				break
			}
		}
	}
	if len(acts) == 0 {
		acts = part.set.unknown[:min(1, len(part.set.unknown))]
	}
	if len(acts) > 0 && part.st.readsRegion() { // the evaluator takes it from the request (iam.RequestedRegion)
		for _, req := range gr.requests {
			r, _ := iam.RequestedRegion(pp, acts[0], req)
			ck.region += r + "\x00"
		}
	}
	if r, ok := d.stmtCache.get(ck); ok {
		return r.holds, r.conditional, r.keys
	}
	var r stmtResult
	defer func() { d.stmtCache.put(ck, r) }()
	sp, err := part.st.strictPolicy()
	if err != nil {
		return false, false, nil
	}
	pol := &iam.Policies{Identity: []*iam.Policy{sp}, Resource: rp}
	if gr.from == gr.target { // a resource policy statement: the identity side is not its business
		pol = &iam.Policies{Identity: []*iam.Policy{allowAll()}, Resource: sp}
	}
	for _, act := range acts {
		for _, req := range gr.requests {
			d.stats.Evaluations++
			rq, unknown := d.factRequest(p, pp, act, req, gr.account, res)
			ans := d.cfg.ev.EvaluateUnknown(rq, pol, unknown)
			if ans.Decision != iam.Allowed {
				continue
			}
			if !ans.Conditional {
				r = stmtResult{holds: true}
				return true, false, nil
			}
			r.holds, r.conditional = true, true
			r.keys = append(r.keys, ans.ConditionKeys...)
		}
	}
	return r.holds, r.conditional, r.keys
}

// factPartOf returns what statementHolds takes from part i of a grant,
// computed once (before the workers start: workers.go warm).
func (d *deriver) factPartOf(gr *grant, i int) *factPart {
	part := gr.parts[i]
	var res *graph.Entity
	if gr.scope == scopeResource {
		res = gr.target
	}
	if gr.factParts == nil {
		gr.factParts = make([]factPart, len(gr.parts))
	}
	fp := &gr.factParts[i]
	if !fp.done {
		// The target's resource policy as written: its own Conditions
		// decide too (the lenient copy would let its conditional grants
		// allow whatever the statement's Condition says). A role's trust
		// policy decides only its sts actions.
		if rd := d.resourceDocFor(gr.target); rd != nil && (gr.target.Type != "aws_iam_role" || gatedActions(part.set)) {
			fp.rp, _ = rd.strictPolicy() // it parsed leniently: an error is not expected
		}
		fp.rk = gr.account
		if res != nil {
			fp.rk = res.Key
			if gr.from != gr.target && fp.rp == nil { // same tags and account: same answer
				fp.rk = d.resourceSignature(res, part.st)
			}
		}
		fp.done = true
	}
	return fp
}

// factRequest builds the request Query.request would for a collected
// principal p (pp: itself or a session of it), with the facts the snapshot
// has in its context, and the predicate of the keys it cannot know.
func (d *deriver) factRequest(p *graph.Entity, pp iam.Principal, action, resource, acct string, res *graph.Entity) (*iam.Request, func(string) bool) {
	d.orgIDs()
	rq := &iam.Request{Principal: pp, Action: action, Resource: resource, ResourceAccount: acct, Context: map[string][]string{},
		AWSManagedKey: awsManagedKey(res), RestrictPublic: publicRestriction(res)}
	// Anonymous callers and AWS services carry no principal tags nor
	// organisation: those keys are absent, and known to be (as Query).
	prTags := p != nil || !pp.IsIAM()
	if p != nil {
		addTags(rq.Context, "aws:PrincipalTag/", p)
		if id := p.String("userId"); id != "" && pp.Type == iam.PrincipalUser {
			rq.Context["aws:userid"] = []string{id}
		}
	}
	resTags, resOrg := false, false
	if apply, known := resourceTags(res); known {
		resTags = true
		if apply {
			addTags(rq.Context, "aws:ResourceTag/", res)
		}
	}
	prOrg, prKnown := d.orgs[pp.Account]
	prKnown = prKnown || !pp.IsIAM()
	if s, _ := prOrg.(string); s != "" && pp.IsIAM() {
		rq.Context["aws:PrincipalOrgID"] = []string{s}
	}
	if o, ok := d.orgs[acct]; ok {
		resOrg = true
		if s, _ := o.(string); s != "" {
			rq.Context["aws:ResourceOrgID"] = []string{s}
		}
	}
	prPath, resPath := !pp.IsIAM(), false
	if oi := d.org[pp.Account]; oi != nil && pp.IsIAM() && oi.pathKnown {
		prPath = true
		if oi.path != "" {
			rq.Context["aws:PrincipalOrgPaths"] = []string{oi.path}
		}
	}
	if oi := d.org[acct]; oi != nil && oi.pathKnown {
		resPath = true
		if oi.path != "" {
			rq.Context["aws:ResourceOrgPaths"] = []string{oi.path}
		}
	}
	return rq, func(key string) bool {
		switch {
		case knownKeys[key]:
			return false
		case strings.HasPrefix(key, "aws:principaltag/"):
			return !prTags
		case strings.HasPrefix(key, "aws:resourcetag/"):
			return !resTags
		case key == "aws:principalorgid":
			return !prKnown
		case key == "aws:resourceorgid":
			return !resOrg
		case key == "aws:principalorgpaths":
			return !prPath
		case key == "aws:resourceorgpaths":
			return !resPath
		}
		return true
	}
}

// orgIDs fills d.orgs, the organizationId by collected account, once.
func (d *deriver) orgIDs() {
	if d.orgs == nil {
		d.orgs = map[string]any{}
		for _, a := range d.g.EntitiesOfType("aws_account") {
			if v, ok := a.Lookup("organizationId"); ok && a.String("_source") != placeholderSource {
				d.orgs[a.String("accountId")] = v
			}
		}
	}
}

// resourceSignature is what deciding statement st takes from a resource
// without a resource policy: its type, account, and the tags st's
// conditions name (aws:ResourceTag/KEY).
func (d *deriver) resourceSignature(e *graph.Entity, st *statement) string {
	tags := d.lowerTags(e)
	sig := e.Type + "\x00" + accountOf(e) + abacMark(e)
	for _, k := range st.conditionKeys() {
		if name, ok := strings.CutPrefix(k, "aws:resourcetag/"); ok {
			v, has := tags[name]
			sig += "\x00" + name + "=" + strconv.FormatBool(has) + v
		}
	}
	return sig
}

var allowAll = sync.OnceValue(func() *iam.Policy {
	p, err := iam.Parse("identity side", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	if err != nil {
		panic(err) // a constant document
	}
	return p
})

// statementName names a statement of a policy (via: its entity key, or
// <resource>#<property>) as the evaluator's reasons do: `<via> statement #N`,
// with the Sid in parentheses when it has one.
func statementName(via string, st *statement) string {
	n := via + " statement #" + strconv.Itoa(st.index)
	if st.sid != "" {
		n += " (" + st.sid + ")"
	}
	return n
}

// roleSessions returns the assumed-role sessions of role among raw
// principal entries.
func roleSessions(raws []string, role iam.Principal) []iam.Principal {
	var out []iam.Principal
	for _, r := range raws {
		if p, err := iam.ParsePrincipal(r); err == nil && p.Type == iam.PrincipalAssumedRole &&
			p.Account == role.Account && p.Name == role.Name {
			out = append(out, p)
		}
	}
	return out
}

// sortedUniq sorts l in place and drops repeats.
func sortedUniq(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	sort.Strings(l)
	return slices.Compact(l)
}

// levelSet is a set of access levels: bit i stands for levelOrder[i].
type levelSet uint8

func (s levelSet) has(i int) bool { return s&(1<<i) != 0 }

// without returns the levels of l that are not in s.
func (s levelSet) without(l []actions.AccessLevel) []actions.AccessLevel {
	if s == 0 {
		return l
	}
	var out []actions.AccessLevel
	for _, lv := range l {
		if i := slices.IndexFunc(levelOrder, func(lo levelFlag) bool { return lo.level == lv }); i < 0 || !s.has(i) {
			out = append(out, lv)
		}
	}
	return out
}

// classKey names the action classes of a principal's requests to one
// target (principal): its resource policy and organisation policies.
type classKey struct {
	res *iam.Policy
	org orgKey
}

// with returns s plus the levels of l.
func (s levelSet) with(l []actions.AccessLevel) levelSet {
	for _, lv := range l {
		for i, lo := range levelOrder {
			if lo.level == lv {
				s |= 1 << i
			}
		}
	}
	return s
}

// shortcut reports whether the evaluator's answer for an identity grant is
// known without asking: every action of the grant is allowed when the
// principal has no permissions boundary and no Deny in any identity policy
// (the caller checks both), the target has no resource policy and is in
// the principal's account, its service has no mandatory resource policy
// (KMS key policies, role trust policies), and no Resource pattern of the
// grant holds a policy variable. Then the granting statement — in the
// principal's own identity policies, its Condition removed (policy.go) —
// matches each of its actions on each request resource, and nothing can
// deny: the decision is Allowed. TestShortcutExact checks this against the
// evaluator on the real dumps.
func (d *deriver) shortcut(gr *grant, pp iam.Principal, pol *iam.Policies) bool {
	if d.cfg.exact || gr.from == gr.target || pol.Resource != nil {
		return false
	}
	if gr.account != "" && gr.account != pp.Account {
		return false
	}
	if gr.scope == scopeAccount {
		return false
	}
	return !gr.shortcutRuledOut()
}

// shortcutRuledOut reports whether a grant's actions or Resource patterns
// rule the shortcut out, the same for every principal: decided once.
func (gr *grant) shortcutRuledOut() bool {
	if gr.noShortcut == 0 {
		gr.noShortcut = 1
		if gatedActions(gr.set) || slices.ContainsFunc(gr.stmts, func(st *statement) bool {
			return slices.ContainsFunc(st.resources, hasVariable) || slices.ContainsFunc(st.notResources, hasVariable)
		}) {
			gr.noShortcut = 2
		}
	}
	return gr.noShortcut == 2
}

func hasVariable(s string) bool { return strings.Contains(s, "${") }

// gatedActions reports whether a set may hold kms or sts actions (a key
// policy or trust policy must allow those even in the same account).
func gatedActions(set *actionSet) bool {
	for _, p := range set.patterns {
		svc := serviceOf(p)
		if glob(svc, "kms") || glob(svc, "sts") {
			return true
		}
	}
	if len(set.notActions) == 0 {
		return false
	}
	for _, acts := range set.byLevel {
		for _, a := range acts {
			if strings.HasPrefix(a, "kms:") || strings.HasPrefix(a, "sts:") {
				return true
			}
		}
	}
	return false
}

// hasDeny reports whether any of the policies has a Deny statement.
func (d *deriver) hasDeny(policies []*graph.Entity) bool {
	for _, pe := range policies {
		if doc := d.doc(pe, "document"); doc != nil {
			for _, st := range doc.stmts {
				if st.effect == iam.Deny {
					return true
				}
			}
		}
	}
	return false
}

// principalPolicies returns the identity policy entities of a user or role
// (its own and, for a user, its groups'), their compiled documents and the
// compiled permissions boundary. ok is false when the principal has a
// boundary the graph does not hold.
func (d *deriver) principalPolicies(p *graph.Entity) (ents []*graph.Entity, identity, boundary []*iam.Policy, ok bool) {
	owners := append([]*graph.Entity{p}, d.groupsOf[p.Key]...)
	seen := map[string]bool{}
	for _, o := range owners {
		for _, pe := range d.policiesOf[o.Key] {
			if seen[pe.Key] {
				continue
			}
			seen[pe.Key] = true
			ents = append(ents, pe)
			if doc := d.doc(pe, "document"); doc != nil {
				identity = append(identity, doc.eval)
			}
		}
	}
	slices.SortFunc(ents, func(a, b *graph.Entity) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	if b := p.String("permissionsBoundaryArn"); b != "" {
		be := d.g.Entity(b)
		if be == nil {
			return nil, nil, nil, false
		}
		doc := d.doc(be, "document")
		if doc == nil {
			return nil, nil, nil, false
		}
		boundary = []*iam.Policy{doc.eval}
	}
	return ents, identity, boundary, true
}

// resourcePolicyFor returns the compiled (lenient) resource-based policy
// of a target: its declared resource policy, or a role's trust policy.
func (d *deriver) resourcePolicyFor(t *graph.Entity) *iam.Policy {
	if doc := d.resourceDocFor(t); doc != nil {
		return doc.eval
	}
	return nil
}

// resourceDocFor returns the resource-based policy document of a target
// (resourcePolicyFor).
func (d *deriver) resourceDocFor(t *graph.Entity) *document {
	prop := ""
	if rt, ok := resourcePolicyOf(t.Type); ok {
		prop = rt.Prop
	} else if t.Type == "aws_iam_role" {
		prop = "assumeRolePolicyDocument"
	}
	if prop == "" {
		return nil
	}
	return d.doc(t, prop)
}

// verdict is an answer about one request: allowed, and whether only if
// conditions on request context hold (cond, with the keys that decide).
type verdict struct {
	ok, cond bool
	keys     []string
}

// tryLevels asks ok about the actions of set level by level, one request
// resource at a time, and returns the levels where ok held for some action
// (and whether it held for any action, counting actions the catalog does
// not know). soft holds the levels allowed only under conditions (no
// action of the level allowed without), keys their conditions' keys. With
// first, it stops at the first success.
//
// Only the first action of a level is always asked about; when it is
// refused (or allowed only under conditions), the others are reduced to
// one representative per action class of the request's policies
// (classes.go), which classes returns. Once a level has a conditional
// answer, ok is told only an unconditional one helps (firm): it may then
// skip what cannot give one.
func (d *deriver) tryLevels(set *actionSet, requests []string, first bool, classes func() *patternSet, ok func(action, resource string, firm bool) verdict) (levels []actions.AccessLevel, soft levelSet, keys []string, granted bool) {
	return d.tryLevelsBut(set, requests, first, 0, classes, ok)
}

// tryLevelsBut is tryLevels without asking about the levels of skip (nor,
// when it skips any, the actions the catalog does not know).
func (d *deriver) tryLevelsBut(set *actionSet, requests []string, first bool, skip levelSet, classes func() *patternSet, ok func(action, resource string, firm bool) verdict) (levels []actions.AccessLevel, soft levelSet, keys []string, granted bool) {
	firm := false
	try := func(action string) verdict {
		if action == freeAction {
			return verdict{} // everybody's, whatever the grant (freeAction)
		}
		var best verdict
		for _, r := range requests {
			v := ok(action, r, firm || best.ok)
			switch {
			case !v.ok:
			case !v.cond:
				return v
			case !best.ok:
				best = verdict{ok: true, cond: true, keys: slices.Clone(v.keys)}
			default:
				best.keys = append(best.keys, v.keys...)
			}
		}
		return best
	}
	var ps *patternSet
	for i, lo := range levelOrder {
		acts := set.byLevel[lo.level]
		if len(acts) == 0 || skip.has(i) {
			continue
		}
		firm = false
		found := try(acts[0])
		if (!found.ok || found.cond) && len(acts) > 1 {
			if ps == nil {
				ps = classes()
			}
			ps.representatives(acts[1:], func(a string) bool {
				firm = found.ok
				v := try(a)
				if v.ok && !v.cond {
					found = v
					return false
				}
				if v.ok && !found.ok {
					found = v
				}
				return true
			})
		}
		if !found.ok {
			continue
		}
		levels = append(levels, lo.level)
		granted = true
		if found.cond {
			soft |= 1 << i
			keys = append(keys, found.keys...)
		}
		if first {
			return levels, soft, keys, true
		}
	}
	if !granted && skip == 0 {
		firm = false
		for _, a := range set.unknown {
			if v := try(a); v.ok {
				return levels, soft, append(keys, v.keys...), true
			}
		}
	}
	return levels, soft, keys, granted
}

// freeAction needs no permission: the evaluator allows it to every
// principal whatever its policies (iam: "sts:GetCallerIdentity needs no
// permission"), so it says nothing of a grant. The levels of access
// relationships leave it out: a grant's conditional Read is not made firm
// by it, and a grant of it alone is no access.
const freeAction = "sts:GetCallerIdentity"

// anyAction reports whether ok holds for some action of the grant.
func (d *deriver) anyAction(gr *grant, pols *iam.Policies, ok func(action, resource string, firm bool) verdict) bool {
	_, _, _, granted := d.tryLevels(gr.set, gr.requests, true, func() *patternSet { return newPatternSet(pols, &d.classes) }, ok)
	return granted
}

func (d *deriver) evaluate(pp iam.Principal, action, resource, acct string, pol *iam.Policies) iam.Result {
	d.stats.Evaluations++
	d.req = iam.Request{Principal: pp, Action: action, Resource: resource, ResourceAccount: acct} // reused: the evaluator keeps no request
	return d.cfg.ev.Evaluate(&d.req, pol)
}

// mainAnswer is the lenient answer of a principal's own policies about
// one request of a grant.
type mainAnswer struct {
	action, resource string
	ok               bool
}

// strictOwn is a principal's identity policies and permissions boundary
// as written (Conditions kept), and whether a Condition among them can
// make the lenient answers (policy.go) differ from the evaluator's: a
// Deny with a Condition, or a boundary with one.
type strictOwn struct {
	identity, boundary []*iam.Policy
	conditions         []*statement
	// low are the Action and NotAction patterns of conditions, lower
	// case (matches; the statements' own cache is not written here: the
	// statements are shared).
	low, lowNot [][]string
}

// decides reports whether a Condition of the principal's own policies
// may decide an action of the grant: a statement with one that matches
// an action of its set (its service first, which most do not name).
func (o *strictOwn) decides(gr *grant) bool {
	for _, st := range o.conditions {
		if gr.service != "" && st.actions != nil && !slices.ContainsFunc(st.actions, func(a string) bool { return glob(serviceOf(a), gr.service) }) {
			continue
		}
		for _, acts := range gr.set.byLevel {
			if slices.ContainsFunc(acts, o.matches) {
				return true
			}
		}
		if slices.ContainsFunc(gr.set.unknown, o.matches) {
			return true
		}
	}
	return false
}

// matches reports whether a statement with a Condition of the
// principal's own policies names action.
func (o *strictOwn) matches(action string) bool {
	la := strings.ToLower(action)
	match := func(pats []string) bool { return slices.ContainsFunc(pats, func(p string) bool { return glob(p, la) }) }
	for i, st := range o.conditions {
		if (st.actions != nil && match(o.low[i])) || (st.actions == nil && st.notActions != nil && !match(o.lowNot[i])) {
			return true
		}
	}
	return false
}

// strictOwnOf compiles the policies of principal p (its policy entities:
// principalPolicies) as written.
func (d *deriver) strictOwnOf(p *graph.Entity, policies []*graph.Entity) *strictOwn {
	o := &strictOwn{}
	defer func() {
		low := func(l []string) []string {
			out := make([]string, len(l))
			for i, p := range l {
				out[i] = strings.ToLower(strings.TrimSpace(p))
			}
			return out
		}
		for _, st := range o.conditions {
			o.low, o.lowNot = append(o.low, low(st.actions)), append(o.lowNot, low(st.notActions))
		}
	}()
	for _, pe := range policies {
		if doc := d.doc(pe, "document"); doc != nil {
			if sp, err := doc.strictPolicy(); err == nil {
				o.identity = append(o.identity, sp)
			}
			for _, st := range doc.stmts {
				if st.effect == iam.Deny && st.hasCondition() {
					o.conditions = append(o.conditions, st)
				}
			}
		}
	}
	if b := p.String("permissionsBoundaryArn"); b != "" {
		if be := d.g.Entity(b); be != nil {
			if doc := d.doc(be, "document"); doc != nil {
				if sp, err := doc.strictPolicy(); err == nil {
					o.boundary = []*iam.Policy{sp}
				}
				for _, st := range doc.stmts {
					if st.hasCondition() {
						o.conditions = append(o.conditions, st)
					}
				}
			}
		}
	}
	return o
}

// resourceConditions reports whether the resource-based policy of a
// target (resourceDocFor) has a statement with a Condition.
func (d *deriver) resourceConditions(t *graph.Entity) bool {
	doc := d.resourceDocFor(t)
	return doc != nil && slices.ContainsFunc(doc.stmts, (*statement).hasCondition)
}

// strictResource returns the resource-based policy of a target as
// written, nil when it has none.
func (d *deriver) strictResource(t *graph.Entity) *iam.Policy {
	if doc := d.resourceDocFor(t); doc != nil {
		if sp, err := doc.strictPolicy(); err == nil {
			return sp
		}
	}
	return nil
}

// strictAllows asks the evaluator about one request with every policy as
// written — the principal's own (own), the target's resource policy (rp)
// and the organisation policies of k — and the snapshot's facts in its
// context, as Query asks it.
func (d *deriver) strictAllows(k orgKey, p *graph.Entity, pp iam.Principal, action, resource, acct string, res *graph.Entity, own *strictOwn, rp *iam.Policy) verdict {
	pol := &iam.Policies{Identity: own.identity, Boundaries: own.boundary, Resource: rp}
	d.addOrg(k, pp, acct, pol)
	rq, unknown := d.factRequest(p, pp, action, resource, acct, res)
	d.stats.Evaluations++
	r := d.cfg.ev.EvaluateUnknown(rq, pol, unknown)
	return verdict{ok: r.Decision == iam.Allowed, cond: r.Conditional, keys: r.ConditionKeys}
}
