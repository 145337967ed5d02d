package access

import (
	"encoding/json"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

func zeroTime() time.Time { return time.Time{} }

// Scopes of a grant's target.
const (
	scopeResource = "resource" // a collected resource
	scopeService  = "service"  // a service entity aws_<svc>: Resource "*" for that service
	scopeAccount  = "account"  // the account: every action on "*"
)

// grant is what the statements of one policy allow on one target; it
// becomes one ALLOWS relationship (statements reaching the same target are
// merged, so relationship keys stay J1's from|allows|to).
type grant struct {
	from, to *graph.Entity // the relationship's ends
	target   *graph.Entity // the resource the access is to
	via      string        // the policy entity key, or the resource key for resource policies
	scope    string
	service  string // the target's service prefix, "" for the account scope
	account  string // the target's account
	stmts    []*statement
	parts    []grantPart
	set      *actionSet // merged, after finish
	// firm is the merged set of the statements without a Condition: set
	// itself when no statement has one, nil when all have.
	firm *actionSet
	// requests are the resources the evaluator is asked about (the
	// target's ARN, a sub-resource pattern under it, or "*").
	requests   []string
	resources  []string // Resource patterns as written that reached the target
	principals []string // raw principal entries (resource policies, trust policies)
	capped     int      // >0: a capped pattern; the number of resources it matched
	cond       *grantConditions
	stmtNames  []string   // statementName of stmts, computed once
	factParts  []factPart // statementHolds' per-part keys, computed once
	rel        *graph.Relationship
	// marked: a principal uses the grant, rel is to be marked effective
	// (principal-access sets it once every principal is derived).
	marked atomic.Bool
	// Computed once for every principal: the levels of set and firm
	// (levels), and whether the shortcut is ruled out (1 no, 2 yes).
	setLevels, firmLevels []actions.AccessLevel
	levelsDone            bool
	noShortcut            int8
	// id numbers the grant (warmGrant, from 1) for fastProps' keys; 0:
	// not numbered.
	id uint32
	// abac: a grant of abacTargets (a statement reading resource tags,
	// fanned out), which tagsRefuse may decide without the evaluator.
	abac bool
	// denials marks resourceDenials' grant: the resource policy's Deny
	// statements are asked of every principal even where they tell none
	// apart (an unconditional Deny to "*").
	denials bool
}

// levels returns the levels of set and of firm (nil when firm is),
// computed once; callers must not change them.
func (gr *grant) levels() (set, firm []actions.AccessLevel) {
	if !gr.levelsDone {
		gr.setLevels = gr.set.levels()
		if gr.firm != nil {
			gr.firmLevels = gr.firm.levels()
		}
		gr.levelsDone = true
	}
	return gr.setLevels, gr.firmLevels
}

// statementNames returns statementName of the grant's statements,
// computed once.
func (gr *grant) statementNames() []string {
	if gr.stmtNames == nil {
		for _, st := range gr.stmts {
			gr.stmtNames = append(gr.stmtNames, statementName(gr.via, st))
		}
	}
	return gr.stmtNames
}

// grantPart is one statement's action set within a grant.
type grantPart struct {
	st  *statement
	set *actionSet
}

func (gr *grant) add(st *statement, set *actionSet, request, resource string) {
	if !slices.Contains(gr.stmts, st) {
		gr.stmts = append(gr.stmts, st)
	}
	if set != nil && !slices.Contains(gr.parts, grantPart{st, set}) {
		gr.parts = append(gr.parts, grantPart{st, set})
	}
	if request != "" {
		gr.requests = append(gr.requests, request)
	}
	if resource != "" {
		gr.resources = append(gr.resources, resource)
	}
}

// finish merges the statements' action sets and sorts the lists.
func (gr *grant) finish() {
	var all, firm []*actionSet
	for _, p := range gr.parts {
		all = append(all, p.set)
		if !p.st.hasCondition() {
			firm = append(firm, p.set)
		}
	}
	gr.set = merge(all)
	switch len(firm) {
	case len(all):
		gr.firm = gr.set
	case 0:
		gr.firm = nil
	default:
		gr.firm = merge(firm)
	}
	gr.requests = uniqSorted(gr.requests)
	gr.resources = uniqSorted(gr.resources)
	gr.principals = uniqSorted(gr.principals)
}

// conditional is true when every contributing statement has a Condition
// (one unconditional statement grants without conditions).
func (gr *grant) conditional() bool {
	for _, s := range gr.stmts {
		if !s.hasCondition() {
			return false
		}
	}
	return len(gr.stmts) > 0
}

// admin is true when the grant covers every action of its service (or of
// every service), or includes a permissions-management action on a whole
// service or account ("*" resources).
func (gr *grant) admin() bool {
	if gr.set.full {
		return true
	}
	return gr.scope != scopeResource && len(gr.set.byLevel[actions.PermissionsManagement]) > 0
}

// props returns the relationship properties shared by every ALLOWS and
// TRUSTS relationship (see the package comment), in a map sized for n
// properties: the caller's own too, so that it never grows (a growing map
// was the largest allocation of identity-allows: 130 MB at 1,000,000
// resources).
func (gr *grant) props(n int) map[string]any {
	p := make(map[string]any, n)
	p["effect"] = "Allow"
	p["sid"] = joinSids(gr.stmts)
	p["conditional"] = gr.conditional()
	p["conditions"] = conditionsText(gr.stmts)
	return p
}

// Properties of the relationships, at most: props' and the callers'.
const (
	trustPropsMax = 10 // props, actions, principal, crossAccount, externalIdRequired, notPrincipal
	allowPropsMax = 28 // props, allowProps' 17, resource ALLOWS' principal, crossAccount, notPrincipal, effective, anonymousEffective, exceptPrincipals, ...
)

// allowProps adds the action properties of an ALLOWS relationship.
func (gr *grant) allowProps() map[string]any {
	p := gr.props(allowPropsMax)
	acts := gr.set.patterns
	if acts == nil {
		acts = []string{}
	}
	p["actions"] = acts
	p["normalizedActions"] = lowerAll(acts)
	if len(gr.set.notActions) > 0 {
		p["notActions"] = gr.set.notActions
	}
	setLevels(p, gr.set.levels())
	p["conditionalLevels"] = conditionalLevels(gr.set, gr.firm)
	p["admin"] = gr.admin()
	p["scope"] = gr.scope
	p["resources"] = orEmpty(gr.resources)
	if gr.capped > 0 {
		p["capped"] = true
		p["matched"] = gr.capped
	}
	return p
}

// conditionalLevels lists the levels of set that firm (the unconditional
// statements' actions) lacks.
func conditionalLevels(set, firm *actionSet) []string {
	out := []string{}
	for _, l := range set.levels() {
		if firm == nil || len(firm.byLevel[l]) == 0 {
			out = append(out, string(l))
		}
	}
	return out
}

// setLevels sets accessLevels and the per-level boolean flags.
func setLevels(p map[string]any, levels []actions.AccessLevel) {
	names := make([]string, 0, len(levels))
	for _, lo := range levelOrder {
		has := slices.Contains(levels, lo.level)
		p[lo.flag] = has
		if has {
			names = append(names, string(lo.level))
		}
	}
	p["accessLevels"] = names
}

func joinSids(stmts []*statement) string {
	var sids []string
	for _, s := range stmts {
		if s.sid != "" {
			sids = append(sids, s.sid)
		}
	}
	return strings.Join(sids, ",")
}

// conditionsText is the JSON array of the Condition blocks of the
// statements that have one, nil when none has.
func conditionsText(stmts []*statement) any {
	var blocks []json.RawMessage
	for _, s := range stmts {
		if s.hasCondition() {
			blocks = append(blocks, json.RawMessage(s.conditions))
		}
	}
	if len(blocks) == 0 {
		return nil
	}
	b, err := json.Marshal(blocks)
	if err != nil {
		return nil // each block is JSON already: cannot happen
	}
	return string(b)
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// grants collects grants by target key, in first-seen order.
type grants struct {
	byKey map[string]*grant
	order []*grant
}

func (gs *grants) get(key string, mk func() *grant) *grant {
	if gs.byKey == nil {
		gs.byKey = map[string]*grant{}
	}
	if g, ok := gs.byKey[key]; ok {
		return g
	}
	g := mk()
	gs.byKey[key] = g
	gs.order = append(gs.order, g)
	return g
}
