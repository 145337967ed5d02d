package access

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// Access is one answer of Who: a principal with access to the resource,
// read from one aws_principal_access relationship (or, for Everyone, from
// the resource policy's ALLOWS).
type Access struct {
	// Principal is the user or role key; a role session's ARN when the
	// resource policy grants to named sessions of the role only;
	// model.EveryoneKey for a public resource policy.
	Principal string
	// Target is the entity the access relationship points to: the resource
	// itself (Scope "resource"), its service entity (Scope "service":
	// the principal's policies grant the service's actions on "*") or its
	// account (Scope "account": every action on "*").
	Target       string
	Scope        string
	AccessLevels []string
	Via          []string // granting policy keys
	Conditional  bool
	Admin        bool
}

// Index answers Who queries over a derived graph without rescanning it.
// Build it after Derive; it does not see later changes to the graph.
type Index struct {
	g    *graph.Graph
	to   map[string][]*graph.Relationship // aws_principal_access by target
	from map[string][]*graph.Relationship // ALLOWS by source (resource policies)
	// grants are the resource-policy ALLOWS and the TRUSTS of each
	// resource, by resource key: the principals they name are candidates
	// of WhoCan.
	grants map[string][]*graph.Relationship
	// principals are the collected users and roles by account, sorted.
	principals map[string][]string
	// applicable caches applicableLevels by patterns, services and cell
	// (and key, for a resource of no account): the same for every
	// resource of one (cachedLevels).
	applicable sync.Map
}

// NewIndex indexes the effective-access and resource-policy ALLOWS
// relationships of g.
func NewIndex(g *graph.Graph) *Index {
	ix := &Index{g: g, to: map[string][]*graph.Relationship{}, from: map[string][]*graph.Relationship{},
		grants: map[string][]*graph.Relationship{}}
	for _, r := range g.Relationships() {
		switch {
		case r.Type == AccessType:
			ix.to[r.To] = append(ix.to[r.To], r)
			continue
		case r.Class == "ALLOWS" && r.To == model.EveryoneKey:
			ix.from[r.From] = append(ix.from[r.From], r)
		}
		if (r.Class == "ALLOWS" || r.Class == "TRUSTS") && r.Get("principal") != nil {
			ix.grants[r.From] = append(ix.grants[r.From], r)
		}
	}
	ix.principals = map[string][]string{}
	for _, typ := range []string{"aws_iam_role", "aws_iam_user"} {
		for _, e := range g.EntitiesOfType(typ) {
			if e.String("_source") != placeholderSource {
				ix.principals[accountOf(e)] = append(ix.principals[accountOf(e)], e.Key)
			}
		}
	}
	for _, l := range ix.principals {
		slices.Sort(l)
	}
	return ix
}

// Who returns the principals with access to the resource at the given
// level ("" for any level), sorted by principal and target. It reads the
// aws_principal_access relationships to the resource, to its service
// entity and to its account, the resource policy's effective ALLOWS to
// Everyone (listed as Everyone unless anonymousEffective is false: the
// resource account's RCPs refuse callers outside every account), and its grants to a whole account or to Everyone joined with
// the principals' own access (joined), and likewise a role's trust
// policy's grants to another account or to "*" (TRUSTS). Service and
// account scoped access
// was evaluated on resource "*" (or the type-wide pattern in their
// resources, which must cover the resource): a Deny in this resource's own
// policy is not applied to them. Principals outside the snapshot
// (cross-account grants in a resource policy) are not evaluated and not
// listed; find them as the resource's ALLOWS relationships. For one
// action's exact answer, use Index.WhoCan.
func Who(g *graph.Graph, resourceKey string, level actions.AccessLevel) ([]Access, error) {
	return NewIndex(g).Who(resourceKey, level)
}

// Who is the package-level Who over the index.
func (ix *Index) Who(resourceKey string, level actions.AccessLevel) ([]Access, error) {
	if level != "" && !slices.ContainsFunc(levelOrder, func(l levelFlag) bool { return l.level == level }) {
		return nil, fmt.Errorf("access: unknown access level %q", level)
	}
	e := ix.g.Entity(resourceKey)
	if e == nil {
		return nil, fmt.Errorf("access: no entity %q in the graph", resourceKey)
	}
	var out []Access
	ix.accessTo(e, func(r *graph.Relationship, levels []string, scope string) {
		if level != "" && !slices.Contains(levels, string(level)) {
			return
		}
		cond, _ := r.Get("conditional").(bool)
		admin, _ := r.Get("admin").(bool)
		for _, p := range accessCallers(r) {
			out = append(out, Access{
				Principal: p, Target: r.To, Scope: scope, AccessLevels: levels,
				Via: stringList(r.Get("via")), Conditional: cond, Admin: admin,
			})
		}
	})
	out = append(out, ix.joined(e, level)...)
	for _, r := range ix.from[resourceKey] {
		levels := stringList(r.Get("accessLevels"))
		if eff, _ := r.Get("effective").(bool); !eff || (level != "" && !slices.Contains(levels, string(level))) {
			continue
		}
		if anon, ok := r.Get("anonymousEffective").(bool); ok && !anon {
			continue // the resource account's RCPs refuse callers outside every account
		}
		cond, _ := r.Get("conditional").(bool)
		admin, _ := r.Get("admin").(bool)
		out = append(out, Access{
			Principal: model.EveryoneKey, Target: resourceKey, Scope: scopeResource, AccessLevels: levels,
			Via: []string{resourceKey + "#policy"}, Conditional: cond, Admin: admin,
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Principal != out[j].Principal {
			return out[i].Principal < out[j].Principal
		}
		return out[i].Target < out[j].Target
	})
	return out, nil
}

// joined returns the access a resource policy grants to a whole account
// (its root) or to Everyone, joined with the principals' own access: a
// principal of the resource's account needs nothing more from a grant to
// Everyone (a grant to its own account's root only delegates to IAM, which
// its own relationships already say); a principal of another account needs
// its own access relationships to reach the resource too (its account or
// service entity, Resource patterns covering the resource, the resource
// not in their exceptResources — a property Derive does not write yet: the
// place for scoped edges' per-resource exceptions), at the levels both give
// but those their exceptIn refuses in the resource's cell (cells.go: its
// boundary or SCPs keep the service or the Region out). What the
// grant's policy says of each principal is on the grant (joined.go):
// exceptPrincipals are refused every level (the grant's Conditions on
// their facts, its NotPrincipal, a Deny of the policy; for the resource's
// own account also their own Deny and organisation policies; for other
// accounts the resource account's RCPs), exceptLevels some levels only;
// an account ID in either stands for every principal of the account.
// What the principal's own side says (its identity policies, boundary and
// SCPs) is its own relationships' answer, evaluated on "*" or its Resource
// patterns: where that is coarser than the resource (a condition on the
// resource's tags, a boundary that leaves the level but not the action),
// Who says more than the evaluator (Index.WhoCan decides each principal
// with the evaluator). A role's trust policy (TRUSTS) to an account or to
// Everyone is read the same way, at the levels of the trust actions it
// allows (trustLevels), its NotPrincipal and exceptPrincipals excepted.
func (ix *Index) joined(e *graph.Entity, level actions.AccessLevel) []Access {
	home := accountOf(e)
	arn := e.String("arn")
	var out []Access
	for _, r := range ix.grants[e.Key] {
		var granted []string
		except := stringList(r.Get("exceptPrincipals"))
		via := e.Key + "#policy"
		switch r.Class {
		case "ALLOWS":
			if eff, _ := r.Get("effective").(bool); !eff {
				continue
			}
			granted = stringList(r.Get("accessLevels"))
		case "TRUSTS":
			granted, except = trustLevels(r), slices.Concat(except, stringList(r.Get("notPrincipal")))
			via = e.Key + "#assumeRolePolicyDocument"
		default:
			continue
		}
		excepted := make(map[string]bool, len(except)) // a public grant's list may hold every other account's principals
		for _, p := range except {
			excepted[p] = true
		}
		// An entry may be an account ID: every principal of the account.
		refused := exceptLevelsOf(r)
		isRefused := func(p, acct, l string) bool {
			return slices.Contains(refused[p], l) || slices.Contains(refused[acct], l)
		}
		to := ix.g.Entity(r.To)
		if to == nil {
			continue
		}
		var accts []string
		switch {
		case to.Key == model.EveryoneKey:
			accts = sortedKeys(ix.principals)
		case to.Type == "aws_account" && to.String("accountId") != home:
			accts = []string{to.String("accountId")}
		default:
			continue
		}
		cond, _ := r.Get("conditional").(bool)
		c, _ := cellOfARN(arn)
		cat, err := whoCatalog()
		if err != nil {
			return nil // the embedded catalog: cannot happen
		}
		for _, a := range accts {
			if a == home { // Everyone, in the resource's own account: the policy alone grants
				if level != "" && !slices.Contains(granted, string(level)) {
					continue
				}
				for _, p := range ix.principals[a] {
					levels := granted
					if len(refused) > 0 {
						levels = slices.DeleteFunc(slices.Clone(granted), func(l string) bool { return isRefused(p, a, l) })
					}
					if excepted[p] || excepted[a] || len(levels) == 0 || (level != "" && !slices.Contains(levels, string(level))) {
						continue
					}
					out = append(out, Access{Principal: p, Target: e.Key, Scope: scopeResource, AccessLevels: levels, Via: []string{via}, Conditional: cond})
				}
				continue
			}
			for _, t := range ownTargets(a, arnService(arn)) {
				for _, pr := range ix.to[t] {
					if !coversARN(stringList(pr.Get("resources")), arn) || excepted[pr.From] || excepted[a] ||
						slices.Contains(stringList(pr.Get("exceptResources")), e.Key) {
						continue // or the grant's policy or the resource account's RCPs refuse it, or its own edge does not reach e
					}
					var both []string
					notHere := ix.notIn(cat, pr, e, c) // where its own edge does not hold (cells.go)
					for _, l := range stringList(pr.Get("accessLevels")) {
						if slices.Contains(granted, l) && !isRefused(pr.From, a, l) && !notHere.hasLevel(l) {
							both = append(both, l)
						}
					}
					if len(both) == 0 || (level != "" && !slices.Contains(both, string(level))) {
						continue
					}
					pc, _ := pr.Get("conditional").(bool)
					out = append(out, Access{Principal: pr.From, Target: e.Key, Scope: scopeResource, AccessLevels: both,
						Via: slices.Concat(stringList(pr.Get("via")), []string{via}), Conditional: cond || pc})
				}
			}
		}
	}
	return out
}

// hasLevel reports whether s holds the level named l.
func (s levelSet) hasLevel(l string) bool {
	i := slices.IndexFunc(levelOrder, func(lo levelFlag) bool { return string(lo.level) == l })
	return i >= 0 && s.has(i)
}

// trustLevels returns the access levels of the trust actions a TRUSTS
// relationship allows (sts:AssumeRole: Write; sts:TagSession: Tagging).
func trustLevels(r *graph.Relationship) []string {
	cat, err := whoCatalog()
	if err != nil {
		return nil // the embedded catalog: cannot happen
	}
	var levels []string
	for _, name := range stringList(r.Get("actions")) {
		if a, ok := cat.Lookup(name); ok {
			for _, l := range a.Levels() {
				levels = append(levels, string(l))
			}
		}
	}
	return uniqSorted(levels)
}

// ownTargets are the entities of account acct whose access relationships
// reach a resource of service svc (of acct, or of another account when
// joined with a grant there): svc's service entity, those of the services
// whose actions act on svc's resources (crossService: sts:AssumeRole on
// "*" reaches roles), and the account.
func ownTargets(acct, svc string) []string {
	out := []string{model.ServiceKey(acct, serviceName(svc)), model.ServiceKey(acct, serviceName(svc)+"_service")}
	for _, c := range crossService {
		if c.Resource == svc {
			out = append(out, model.ServiceKey(acct, serviceName(c.Action)))
		}
	}
	return append(out, model.AccountKey(acct))
}

// whoCatalog is the action catalog Who reads trust actions' levels from.
var whoCatalog = sync.OnceValues(actions.Load)

// accessTo calls fn with each aws_principal_access relationship that
// reaches resource e: to e itself, or to its service entity or account
// with Resource patterns that cover e, at the levels it has there. A
// service- or account-scope edge is read onto e only at the levels of the
// catalog actions that act on e's type (applicableLevels: those of the
// service entity's service, or for the account those of every service
// whose actions act on e), and the levels of a service whose grants are
// fanned out to each resource (crossService FanOut: sts onto roles, whose
// trust policy decides each), from its service entity or the account,
// only when e's policy delegates to its own account (grants to its root):
// else the trust policy alone decides, and the explicit edges and joined
// grants say it.
func (ix *Index) accessTo(e *graph.Entity, fn func(r *graph.Relationship, levels []string, scope string)) {
	for _, r := range ix.to[e.Key] {
		scope, _ := r.Get("scope").(string)
		if scope != scopeResource && !coversARN(stringList(r.Get("resources")), e.String("arn")) {
			continue
		}
		fn(r, stringList(r.Get("accessLevels")), scope)
	}
	arn := e.String("arn")
	svc := arnService(arn)
	if svc == "" {
		return
	}
	cat, err := whoCatalog()
	if err != nil {
		return // the embedded catalog: cannot happen
	}
	accts := []string{accountOf(e)}
	if accts[0] == "" { // a global resource (an AWS managed policy): in every account
		accts = accts[:0]
		for _, a := range ix.g.EntitiesOfType("aws_account") {
			if a.String("_source") != placeholderSource {
				accts = append(accts, a.String("accountId"))
			}
		}
	}
	own := ix.applicableLevels(cat, []string{svc}, e)
	if gate, ok := ix.delegatedLevels(e); ok {
		own &= gate
	}
	all := own
	type scoped struct {
		key     string
		levels  levelSet
		account bool
	}
	var targets []scoped
	for _, acct := range accts {
		targets = append(targets, scoped{key: model.ServiceKey(acct, serviceName(svc)), levels: own},
			scoped{key: model.ServiceKey(acct, serviceName(svc)+"_service"), levels: own})
		for _, c := range crossService {
			if c.Resource != svc {
				continue
			}
			if c.FanOut && !ix.delegates(e) {
				continue
			}
			lv := ix.applicableLevels(cat, []string{c.Action}, e)
			all |= lv
			targets = append(targets, scoped{key: model.ServiceKey(acct, serviceName(c.Action)), levels: lv})
		}
		targets = append(targets, scoped{key: model.AccountKey(acct), account: true}) // every service's levels: below
	}
	c, _ := cellOfARN(arn)
	denying := e.Get(deniedPrincipalsProp) != nil || e.Get(deniedLevelsProp) != nil
	for _, t := range targets {
		if t.account {
			t.levels = all
		}
		for _, r := range ix.to[t.key] {
			if !coversARN(stringList(r.Get("resources")), arn) {
				continue
			}
			read := t.levels & ix.grantedLevels(cat, r, e) &^ ix.notIn(cat, r, e, c)
			var levels []string
			for _, l := range stringList(r.Get("accessLevels")) {
				if i := slices.IndexFunc(levelOrder, func(lo levelFlag) bool { return string(lo.level) == l }); i >= 0 && read.has(i) {
					levels = append(levels, l)
				}
			}
			if denying {
				// e's own policy's Deny statements (denials.go).
				all, denied := deniedTo(e, r.From, principalAccount(r.From))
				if all {
					continue
				}
				levels = slices.DeleteFunc(levels, func(l string) bool { return slices.Contains(denied, l) })
			}
			if len(levels) == 0 {
				continue
			}
			scope, _ := r.Get("scope").(string)
			fn(r, levels, scope)
		}
	}
}

// notIn returns the levels at which scoped edge r must not be read onto e
// of cell c (its exceptIn, cells.go): those no action of is allowed there,
// and those only the copy actions are (iam.CrossRegion) unless one of
// them acts on e's type.
func (ix *Index) notIn(cat *actions.Catalog, r *graph.Relationship, e *graph.Entity, c cell) levelSet {
	in := stringList(r.Get(exceptInProp))
	if len(in) == 0 {
		return 0
	}
	no, copyOnly := exceptedIn(in, c)
	if copyOnly != 0 {
		copyOnly &^= ix.cachedLevels(cat, resourceServices(c.svc), e, iam.CrossRegionActions())
	}
	return no | copyOnly
}

// applicableLevels is applicableLevels with every action, cached by
// services and cell.
func (ix *Index) applicableLevels(cat *actions.Catalog, svcs []string, e *graph.Entity) levelSet {
	return ix.cachedLevels(cat, svcs, e, nil)
}

// grantedLevels returns the levels of the catalog actions that act on e
// (or one of its parts) and that r's Action patterns name: a scoped edge
// granting ec2:Describe* on "*" says List, but no Describe action acts on
// an instance, so it is not read onto one. Every level when r's patterns
// are not all listed (actionsTruncated) or come with NotAction exclusions
// (the complement is not listed): nothing is decided then.
func (ix *Index) grantedLevels(cat *actions.Catalog, r *graph.Relationship, e *graph.Entity) levelSet {
	patterns := stringList(r.Get("actions"))
	if truncated, _ := r.Get("actionsTruncated").(bool); truncated || len(patterns) == 0 || len(stringList(r.Get("notActions"))) > 0 {
		return levelSet(1<<len(levelOrder) - 1)
	}
	return ix.cachedLevels(cat, resourceServices(arnService(e.String("arn"))), e, lowerAll(patterns))
}

// cachedLevels is applicableLevels, cached by services, patterns and e's
// cell (applicableKey).
func (ix *Index) cachedLevels(cat *actions.Catalog, svcs []string, e *graph.Entity, patterns []string) levelSet {
	k := strings.Join(patterns, ",") + "\x00" + applicableKey(svcs, e)
	if v, ok := ix.applicable.Load(k); ok {
		return v.(levelSet)
	}
	lv := applicableLevels(cat, svcs, e.String("arn"), patterns)
	ix.applicable.Store(k, lv)
	return lv
}

// applicableKey is the key of a resource's applicable levels: they are the
// same for every resource of a cell, but for AWS managed resources (of no
// account) and the others managedByAWS reports.
func applicableKey(svcs []string, e *graph.Entity) string {
	k := strings.Join(svcs, ",") + "\x00" + cellOf(e)
	if managedByAWS(e) {
		k += "\x00" + e.Key
	}
	return k
}

// managedByAWS reports whether e may be a resource AWS refuses customers
// some actions on (iam.Immutable): of no account (an AWS managed policy),
// a service-linked or reserved role, an AWS managed key's alias.
func managedByAWS(e *graph.Entity) bool {
	arn := e.String("arn")
	return accountOf(e) == "" || strings.HasPrefix(arn, "arn:aws:iam::aws:") || strings.Contains(arn, ":role/aws-service-role/") || strings.Contains(arn, ":role/aws-reserved/") ||
		strings.Contains(arn, ":alias/aws/")
}

// delegatedLevels returns, for a resource whose policy must delegate to its
// account before identity policies count (resourcePolicyType.Delegates: a
// KMS key), the levels its effective grants to its own account's root
// allow, and true; false when its type needs no delegation or its policy
// is not known (not collected: nothing is decided from it).
func (ix *Index) delegatedLevels(e *graph.Entity) (levelSet, bool) {
	rp, ok := resourcePolicyOf(e.Type)
	if !ok || !rp.Delegates || e.String(rp.Prop) == "" {
		return 0, false
	}
	root := model.AccountKey(accountOf(e))
	var s levelSet
	for _, r := range ix.grants[e.Key] {
		if r.Class != "ALLOWS" || r.To != root {
			continue
		}
		if eff, ok := r.Get("effective").(bool); ok && !eff {
			continue
		}
		for _, l := range stringList(r.Get("accessLevels")) {
			s = s.with([]actions.AccessLevel{actions.AccessLevel(l)})
		}
	}
	return s, true
}

// delegates reports whether e's resource or trust policy grants to its own
// account's root, delegating to the account's identity policies.
func (ix *Index) delegates(e *graph.Entity) bool {
	root := model.AccountKey(accountOf(e))
	return slices.ContainsFunc(ix.grants[e.Key], func(r *graph.Relationship) bool { return r.To == root })
}

// coversARN reports whether a service- or account-scoped grant's Resource
// patterns reach arn or something inside it (an object of a bucket). No
// patterns (a statement without Resource) covers everything.
func coversARN(patterns []string, arn string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		p = actions.VariablesAsWildcards(p)
		if glob(p, arn) || glob(p, arn+"/x") || glob(p, arn+":x") {
			return true
		}
	}
	return false
}

// stringList reads a []string or []any property.
func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// accessCallers are the principals an access relationship gives its access
// to: the named sessions of its role when a grant names sessions only
// ("sessions"), else its source principal.
func accessCallers(r *graph.Relationship) []string {
	if sessions := stringList(r.Get("sessions")); len(sessions) > 0 {
		return sessions
	}
	return []string{r.From}
}
