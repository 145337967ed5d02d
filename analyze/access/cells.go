package access

// Where a scoped edge does not hold. A service- or account-scope
// aws_principal_access relationship is derived on "*" (or a type-wide
// pattern) and Who reads it onto every resource of its service or account
// that its Resource patterns cover. Two things can refuse some of those
// resources what "*" is allowed, and the edge says where (exceptIn):
//
//   - the Region: a deciding statement reads aws:RequestedRegion (a region
//     guard SCP, a boundary or identity policy's condition). On "*" the
//     caller picks the Region and the edge is conditional on it; on a
//     regional resource the evaluator knows it (iam.RequestedRegion) and
//     may refuse;
//   - the service: a permissions boundary, a Deny of the principal's, or
//     organisation policies that can refuse some of the edge's actions
//     (orgClear) keep services out of an edge to the account (AWS:
//     access_policies_boundaries.html, the effective permissions are the
//     intersection).
//
// A cell is the service of a resource's ARN and the Region of a request on
// it (iam.RequestedRegion with an action of that service: the ARN's Region,
// us-east-1 for the global services, "" where the caller picks it). The
// edge's exceptIn lists, sorted:
//
//	"<service>@<region>"          no level of the edge holds there
//	"<service>@<region>|<Level>"  that level does not
//	"<service>" / "<service>|<Level>"  the same in every Region (nothing
//	                              deciding reads the Region)
//
// Only what can vary is asked (cellExceptions): nothing when no trigger
// fires; the Regions only when a deciding statement reads
// aws:RequestedRegion or a limiting statement names resources; the
// services the limiting statements name (their Action or NotAction
// patterns' prefixes) each, and every other service by one representative
// (those statements treat them alike), asked again one by one only when the
// representative's answer is partial or the edge's own grants name
// resources (they may not treat the services alike). A limiting
// statement naming resources leaves its services' cells out: a cell's
// pattern is not each resource of it. A cell is asked on the edge's
// requests narrowed to it (arn:aws:<service>:<region>:<account>:*) with
// every policy of the principal and its organisation, one action per level
// and action class (tryLevels). The answers are the class's (shared.go):
// its first principal computes them, the others share its edges.

import (
	"slices"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// exceptInProp is the property of a scoped edge listing where Who must not
// read it.
const exceptInProp = "exceptIn"

// cell is a service and a requested Region of collected resources.
type cell struct {
	name      string   // label, computed once (cellsOf)
	svcs      []string // resourceServices(svc), computed once (cellsOf)
	svc       string   // the ARN's service
	region    string   // aws:RequestedRegion of a request on it, "" when the caller picks it
	arnRegion string   // the ARN's Region field, for the narrowed request
	partition string
	noAccount bool // the ARN's account field is empty (S3 buckets)
}

func (c cell) label() string {
	if c.name != "" {
		return c.name
	}
	return c.svc + "@" + c.region
}

// cellOfARN returns the cell of a resource ARN (ok false: not an ARN).
func cellOfARN(arn string) (cell, bool) {
	p, ok := arnParts(arn)
	if !ok || p[0] != "arn" || p[2] == "" {
		return cell{}, false
	}
	r, _ := iam.RequestedRegion(iam.Principal{}, p[2]+":x", arn)
	return cell{svc: p[2], region: r, arnRegion: p[3], partition: p[1], noAccount: p[4] == ""}, true
}

// cellInventory is every cell of the collected resources (of every account:
// a joined grant reads an edge onto another account's resource), sorted by
// label; built once, when an edge first needs it.
type cellInventory struct {
	once  sync.Once
	cells []cell
}

func (d *deriver) cellsOf() []cell {
	inv := d.par.cells
	inv.once.Do(func() {
		seen := map[string]bool{}
		for svc, byAcct := range d.idx.groups {
			for _, l := range byAcct {
				for _, x := range l {
					c, ok := cellOfARN(x.arn)
					if ok && c.svc == svc && !seen[c.label()] {
						seen[c.label()] = true
						c.name, c.svcs = c.label(), resourceServices(c.svc)
						inv.cells = append(inv.cells, c)
					}
				}
			}
		}
		slices.SortFunc(inv.cells, func(a, b cell) int { return strings.Compare(a.label(), b.label()) })
	})
	return inv.cells
}

// cellRequest narrows a grant's request to cell c of account acct: "*"
// becomes arn:PARTITION:SVC:REGION:ACCT:*, a type-wide pattern gets the
// cell's service, Region and account where it has wildcards (no account
// where the service's ARNs have none); ok is false
// when the request does not reach the cell.
func cellRequest(req string, c cell, acct string) (string, bool) {
	if c.noAccount {
		acct = ""
	}
	if req == "*" {
		return "arn:" + c.partition + ":" + c.svc + ":" + c.arnRegion + ":" + acct + ":*", true
	}
	p, ok := arnParts(req)
	if !ok {
		return "", false
	}
	for i, v := range [3]string{c.svc, c.arnRegion, acct} {
		f := &p[2+i]
		switch {
		case *f == v:
		case strings.ContainsAny(*f, "*?") && glob(*f, v):
			*f = v
		default:
			return "", false
		}
	}
	return strings.Join(p[:], ":"), true
}

// cellLimits is what may make the answers of a principal's scoped edge
// vary by cell.
type cellLimits struct {
	limiting bool            // a limiting statement: a boundary's, a Deny, an organisation policy's that may refuse
	regional bool            // a deciding statement reads aws:RequestedRegion
	named    map[string]bool // the services limiting statements name
	allNamed bool            // a limiting statement's service prefix has a wildcard: every service asked
	// resources are the services a limiting statement's Resource or
	// NotResource names (resourcesAll: any service's): not decided by cell.
	resources    map[string]bool
	resourcesAll bool
	// The principal's own (ownCellLimits): its policies with a Deny, their
	// keys, its boundary, and whether one of those statements reads who
	// the principal is (its answers are then its own, not cached).
	denies   []*iam.Policy
	denyKey  string
	boundary *iam.Policy
	personal bool
	own      bool // the principal's own policies limit or read aws:RequestedRegion
	// withOrg is these limits plus the organisation's of withOrgKey
	// (cellLimitsOf), kept for the principal's next edge.
	withOrg    *cellLimits
	withOrgKey orgKey
}

// name adds a limiting statement (or one reading aws:RequestedRegion).
func (lim *cellLimits) name(st *statement) {
	lim.limiting = true
	lim.regional = lim.regional || st.readsRegion()
	if !st.onEveryResource() {
		// It names resources: a cell's pattern is not each resource of it
		// (a Deny with NotResource refuses the pattern, not the resources
		// it spares). Those services' cells are not asked.
		for _, r := range slices.Concat(st.resources, st.notResources) {
			p, ok := arnParts(r)
			switch svc := strings.ToLower(p[2]); {
			case !ok || strings.ContainsAny(svc, "*?"):
				lim.resourcesAll = true
			default:
				lim.resources = addName(lim.resources, svc)
			}
		}
	}
	for _, p := range slices.Concat(st.actions, st.notActions) {
		switch svc := serviceOf(p); {
		case svc == "*": // every service alike
		case strings.ContainsAny(svc, "*?"):
			lim.allNamed = true
		default:
			lim.named = addName(lim.named, svc)
		}
	}
}

func addName(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}

// plus returns the union of two limits.
func (lim cellLimits) plus(o cellLimits) cellLimits {
	out := cellLimits{limiting: lim.limiting || o.limiting, regional: lim.regional || o.regional, allNamed: lim.allNamed || o.allNamed,
		resourcesAll: lim.resourcesAll || o.resourcesAll, denies: lim.denies, denyKey: lim.denyKey, boundary: lim.boundary, personal: lim.personal,
		own: lim.own}
	for _, m := range []map[string]bool{lim.named, o.named} {
		for k := range m {
			out.named = addName(out.named, k)
		}
	}
	for _, m := range []map[string]bool{lim.resources, o.resources} {
		for k := range m {
			out.resources = addName(out.resources, k)
		}
	}
	return out
}

// ownCellLimits returns the limits of a principal's own policies: its
// boundary's statements, its Denies, and its statements reading
// aws:RequestedRegion (computed once per principal: principal).
func (d *deriver) ownCellLimits(policies []*graph.Entity, boundary *document) cellLimits {
	var lim cellLimits
	for _, pe := range policies {
		doc := d.doc(pe, "document")
		if doc == nil {
			continue
		}
		deny := false
		for _, st := range doc.stmts {
			if st.effect == iam.Deny || st.readsRegion() {
				lim.name(st)
				lim.personal = lim.personal || readsPrincipal(st)
			}
			deny = deny || st.effect == iam.Deny
		}
		if deny {
			lim.denies = append(lim.denies, doc.eval)
			lim.denyKey += pe.Key + "\x00"
		}
	}
	if boundary != nil {
		lim.boundary = boundary.eval
		for _, st := range boundary.stmts {
			lim.name(st)
			lim.personal = lim.personal || readsPrincipal(st)
		}
	}
	lim.own = lim.limiting || lim.regional
	return lim
}

// orgCellLimits returns the limits of the organisation policies of k,
// cached by k.
func (d *deriver) orgCellLimits(k orgKey) cellLimits {
	if lim, ok := d.cellOrgs[k]; ok {
		return lim
	}
	var lim cellLimits
	for _, l := range []*orgLevels{d.scpsOf(k), d.rcpsOf(k)} {
		if l == nil {
			continue
		}
		for _, lvl := range l.stmts {
			for _, st := range lvl {
				lim.name(st)
			}
		}
	}
	if d.cellOrgs == nil {
		d.cellOrgs = map[orgKey]cellLimits{}
	}
	d.cellOrgs[k] = lim
	return lim
}

// cellLimitsOf returns the limits of principal p's edge a (own: those of
// its policies, ownCellLimits; orgK: the organisation policies of its
// requests), and false when nothing can vary: no boundary, no Deny of the
// principal's, organisation policies that refuse none of the edge's
// actions, and no deciding statement reading aws:RequestedRegion.
func (d *deriver) cellLimitsOf(a *access, own *cellLimits, orgK orgKey) (*cellLimits, bool) {
	lim := own
	for _, gr := range a.grants {
		if !d.orgClear(orgK, gr.set) {
			if own.withOrg == nil || own.withOrgKey != orgK { // the principal's edges mostly share one key
				w := own.plus(d.orgCellLimits(orgK))
				own.withOrg, own.withOrgKey = &w, orgK
			}
			lim = own.withOrg
			break
		}
	}
	return lim, lim.limiting || lim.regional
}

func (d *deriver) scpsOf(k orgKey) *orgLevels {
	if k.scp == nil {
		return nil
	}
	return &k.scp.scps
}

func (d *deriver) rcpsOf(k orgKey) *orgLevels {
	if k.rcp == nil {
		return nil
	}
	return &k.rcp.rcps
}

// cellActions are the actions of a grant's set that act on resources of
// one ARN service (cellSet).
type cellActions struct {
	set    *actionSet // but the copy actions; nil when none
	copies []copyAction
	levels levelSet // of both
}

// copyAction is an action whose Region the caller picks whatever the
// resource (iam.CrossRegion).
type copyAction struct {
	name   string
	levels levelSet
}

// cellSet returns the actions of set that act on resources of ARN service
// svc (resourceServices: svc's own and the services acting on it), cached
// by set and service.
func (d *deriver) cellSet(set *actionSet, svc string) cellActions {
	k := cellSetKey{set, svc}
	if s, ok := d.cellSets[k]; ok {
		return s
	}
	svcs := resourceServices(svc)
	var out cellActions
	for i, lo := range levelOrder {
		for _, a := range set.byLevel[lo.level] {
			if !slices.Contains(svcs, serviceOf(a)) {
				continue
			}
			out.levels |= 1 << i
			if iam.CrossRegion(a) {
				out.copies = append(out.copies, copyAction{a, 1 << i})
				continue
			}
			if out.set == nil {
				out.set = &actionSet{patterns: set.patterns, notActions: set.notActions, byLevel: map[actions.AccessLevel][]string{}}
			}
			out.set.byLevel[lo.level] = append(out.set.byLevel[lo.level], a)
		}
	}
	if d.cellSets == nil {
		d.cellSets = map[cellSetKey]cellActions{}
	}
	d.cellSets[k] = out
	return out
}

type cellSetKey struct {
	set *actionSet
	svc string
}

// cellExceptions returns the exceptIn entries of principal p's scoped
// access a (see the top of the file), nil when it holds in every cell.
func (d *deriver) cellExceptions(p *graph.Entity, pp iam.Principal, a *access, own func() *cellLimits) []string {
	if a.scope == scopeResource || len(a.sessions) > 0 || len(a.grants) == 0 {
		return nil
	}
	acct := a.grants[0].account
	orgK := d.orgKeyOf(pp, acct)
	lim, vary := d.cellLimitsOf(a, own(), orgK)
	if !vary {
		return nil
	}
	// refused returns the levels of the edge asked in cell c, those the
	// evaluator refuses there, and of those the ones only a copy action is
	// allowed (iam.CrossRegion: requested in the caller's Region): the
	// union of its grants' answers (cellGrant).
	refused := func(c cell) (asked, no, copyOnly levelSet) {
		var allowed, copies levelSet
		for _, gr := range a.grants {
			ans := d.cellGrant(p, pp, gr, lim, orgK, c)
			asked |= ans.asked & a.levels
			allowed |= ans.allowed
			copies |= ans.copies
		}
		no = asked &^ allowed
		return asked, no, no & copies &^ allowed
	}
	var out []string
	entry := func(label string, asked, no, copyOnly levelSet) {
		if no == 0 {
			return
		}
		if no == asked && copyOnly == 0 {
			out = append(out, label)
			return
		}
		for i, lo := range levelOrder {
			switch {
			case copyOnly.has(i):
				out = append(out, label+"|"+string(lo.level)+"|copy")
			case no.has(i):
				out = append(out, label+"|"+string(lo.level))
			}
		}
	}
	named := func(svc string, svcs []string) bool {
		if lim.allNamed || (lim.regional && d.crossRegion(a, svc)) {
			return true // the Region of some of its requests is the caller's (iam.CrossRegion): not like the others
		}
		return slices.ContainsFunc(svcs, func(s string) bool { return lim.named[s] })
	}
	// Without a Region to tell cells apart, a service's first cell answers
	// for all its cells ("<service>").
	label := func(c cell) string {
		if lim.regional {
			return c.label()
		}
		return c.svc
	}
	// Unnamed services wait, by Region (or all in one group), in pending:
	// indices into cells, a group's together in Region order.
	cells := d.cellsOf()
	pending := d.cellPending[:0] // reused
	last := ""                   // the cells are sorted by label: one service's are together
	for i := range cells {
		c := &cells[i]
		l := label(*c)
		if l == last || lim.resourcesAll || slices.ContainsFunc(c.svcs, func(s string) bool { return lim.resources[s] }) {
			continue
		}
		last = l
		if named(c.svc, c.svcs) {
			asked, no, copyOnly := refused(*c)
			entry(l, asked, no, copyOnly)
			continue
		}
		pending = append(pending, i)
	}
	d.cellPending = pending
	group := func(i int) string {
		if lim.regional {
			return cells[i].region
		}
		return ""
	}
	slices.SortStableFunc(pending, func(a, b int) int { return strings.Compare(group(a), group(b)) })
	// The grants' own statements must treat the services alike too: one
	// naming resources (NotResource, a pattern) may allow one and not
	// another, and each is asked.
	uniform := !slices.ContainsFunc(a.grants, func(gr *grant) bool {
		return slices.ContainsFunc(gr.stmts, func(st *statement) bool { return !st.onEveryResource() })
	})
	// The limiting statements treat unnamed services alike, so in each
	// group the first whose answer is all or nothing answers for the rest;
	// a partial answer (the services' own actions differ) asks the next.
	for len(pending) > 0 {
		gk := group(pending[0])
		n := 1
		for n < len(pending) && group(pending[n]) == gk {
			n++
		}
		g := pending[:n]
		pending = pending[n:]
		for j, i := range g {
			asked, no, copyOnly := refused(cells[i])
			if asked == 0 {
				continue
			}
			entry(label(cells[i]), asked, no, copyOnly)
			if (no != 0 && (no != asked || copyOnly != 0)) || !uniform {
				continue
			}
			for _, o := range g[j+1:] {
				if no == 0 {
					break
				}
				if set := d.anyCellSet(a, cells[o].svc) & a.levels; set != 0 {
					entry(label(cells[o]), set, set, 0)
				}
			}
			break
		}
	}
	slices.Sort(out)
	return out
}

// cellAnswer is what the evaluator says of one grant's actions in a cell:
// the levels asked (its actions acting on the cell's service), those
// allowed (some action of the level, for some request context), and
// those a copy action is allowed (iam.CrossRegion).
type cellAnswer struct{ asked, allowed, copies levelSet }

// cellAnswerKey names a cellAnswer shared by every principal with the
// same grant (policy and account), principal type, Denies, boundary and
// organisation policies, where none of those statements reads who the
// principal is.
type cellAnswerKey struct {
	gr       *grant
	typ      iam.PrincipalType
	denies   string
	boundary *iam.Policy
	org      orgKey
	cell     string
}

// cellPatternKey names the action classes (patternSet) of a cellGrant's
// policies: the grant's, the principal's Denies and boundary, the
// organisation's.
type cellPatternKey struct {
	grant    *iam.Policy
	denies   string
	boundary *iam.Policy
	org      orgKey
}

// cellGrant asks the evaluator about grant gr's actions in cell c, with
// the grant's policy, the principal's Denies and boundary and the
// organisation policies of orgK: one action per level and action class
// (tryLevels), the copy actions on their own (the classes do not tell
// them apart). Another identity policy's Allow is its own grant, read by
// Who on its own, so asking without it excepts nothing the evaluator
// allows through this grant.
func (d *deriver) cellGrant(p *graph.Entity, pp iam.Principal, gr *grant, lim *cellLimits, orgK orgKey, c cell) cellAnswer {
	k := cellAnswerKey{gr: gr, typ: pp.Type, denies: lim.denyKey, boundary: lim.boundary, org: orgK, cell: c.label()}
	shared := !d.cfg.noFast && !lim.personal && (gr.cond == nil || !gr.cond.personal) && !d.orgPersonal(orgK, gr.set)
	if shared {
		if ans, ok := d.cellAnswers[k]; ok {
			return ans
		}
	}
	cs := d.cellSet(gr.set, c.svc)
	if cs.set == nil && len(cs.copies) == 0 {
		return cellAnswer{}
	}
	acct := gr.account
	var reqs []string
	for _, r := range gr.requests {
		if n, ok := cellRequest(r, c, acct); ok {
			reqs = append(reqs, n)
		}
	}
	// Where nothing of the principal's own limits (no boundary, no Deny, no
	// statement reading aws:RequestedRegion) and the grant's statements
	// allow its actions on every resource of their requests (no
	// NotResource), the grant allows them on the narrowed requests too:
	// the organisation policies alone decide.
	orgOnly := !d.cfg.noFast && !lim.own && !slices.ContainsFunc(gr.stmts, func(st *statement) bool { return st.notResources != nil })
	var ans cellAnswer
	if doc := d.doc(gr.from, "document"); doc != nil && len(reqs) > 0 {
		ans.asked = cs.levels
		pol := iam.Policies{Identity: append([]*iam.Policy{doc.eval}, lim.denies...)}
		if lim.boundary != nil {
			pol.Boundaries = []*iam.Policy{lim.boundary}
		}
		d.addOrg(orgK, pp, acct, &pol)
		ask := func(action, resource string, _ bool) verdict {
			if orgOnly { // the organisation's answer, shared by every grant (orgAllows' memo)
				return verdict{ok: d.orgAllows(orgK, p, pp, action, resource, acct, nil).ok}
			}
			d.stats.CellEvaluations++
			rq, unknown := d.factRequest(p, pp, action, resource, acct, nil)
			r := d.cfg.ev.EvaluateUnknown(rq, &pol, unknown)
			return verdict{ok: r.Decision == iam.Allowed} // allowed for some request context is enough
		}
		if cs.set != nil {
			pk := cellPatternKey{doc.eval, lim.denyKey, lim.boundary, orgK}
			lv, _, _, _ := d.tryLevels(cs.set, reqs, false, func() *patternSet {
				ps := d.cellPatterns[pk]
				if ps == nil {
					ps = newPatternSet(&pol, &d.classes)
					if d.cellPatterns == nil {
						d.cellPatterns = map[cellPatternKey]*patternSet{}
					}
					d.cellPatterns[pk] = ps
				}
				return ps
			}, ask)
			ans.allowed = ans.allowed.with(lv)
		}
		for _, ca := range cs.copies {
			if ca.levels&^ans.allowed&^ans.copies != 0 && slices.ContainsFunc(reqs, func(r string) bool { return ask(ca.name, r, false).ok }) {
				ans.copies |= ca.levels
			}
		}
	}
	if shared {
		if d.cellAnswers == nil {
			d.cellAnswers = map[cellAnswerKey]cellAnswer{}
		}
		d.cellAnswers[k] = ans
	}
	return ans
}

// anyCellSet returns the levels of a's grants' actions that act on
// resources of service svc.
func (d *deriver) anyCellSet(a *access, svc string) levelSet {
	var s levelSet
	for _, gr := range a.grants {
		s |= d.cellSet(gr.set, svc).levels
	}
	return s
}

// crossRegion reports whether a's grants hold an action on resources of
// svc whose Region the caller picks whatever the resource
// (iam.CrossRegion: the copy actions).
func (d *deriver) crossRegion(a *access, svc string) bool {
	if !copyServices[svc] {
		return false
	}
	for _, gr := range a.grants {
		if len(d.cellSet(gr.set, svc).copies) > 0 {
			return true
		}
	}
	return false
}

// copyServices are the services of iam.CrossRegionActions.
var copyServices = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range iam.CrossRegionActions() {
		m[serviceOf(a)] = true
	}
	return m
}()

// withExceptIn returns props with exceptIn set, shared between edges with
// the same properties and entries.
func (d *deriver) withExceptIn(props *graph.Props, in []string) *graph.Props {
	k := exceptInKey{props, strings.Join(in, "\x00")}
	d.par.cellsMu.Lock()
	defer d.par.cellsMu.Unlock()
	if p, ok := d.par.cellProps[k]; ok {
		return p
	}
	m := props.Map()
	m[exceptInProp] = in
	p := graph.PropsOf(m)
	d.par.cellProps[k] = &p
	return &p
}

type exceptInKey struct {
	props *graph.Props
	in    string
}

// exceptedIn returns the levels an exceptIn list refuses on a resource of
// cell c: every action's (no), or every action's but the copy actions'
// (copyOnly: read only onto the types a copy action acts on).
func exceptedIn(in []string, c cell) (no, copyOnly levelSet) {
	for _, x := range in {
		where, level, per := strings.Cut(x, "|")
		if where != c.label() && where != c.svc {
			continue
		}
		if !per {
			return ^levelSet(0), 0
		}
		level, copy := strings.CutSuffix(level, "|copy")
		l := levelSet(0).with([]actions.AccessLevel{actions.AccessLevel(level)})
		if copy {
			copyOnly |= l
		} else {
			no |= l
		}
	}
	return no, copyOnly
}
