package access

// Exact scoped edges. A service- or account-scope aws_principal_access
// relationship says the principal's access to "*" (or a type-wide
// pattern); Who reads it onto every resource of the service or account its
// Resource patterns cover, at the levels of the actions that act on the
// resource's type (applicableLevels). Where the evaluator answers
// otherwise for some of those resources, the edge says so, and explicit
// edges carry what remains:
//
//	exceptIn         cells "<_type> <Region>" (the ARN's Region; the type
//	                 alone when the ARN has none) onto whose resources the
//	                 edge is not read: a permissions boundary, SCP or Deny
//	                 that keeps a service, a type or a Region out
//	                 (aws:RequestedRegion), or actions that act on other
//	                 types only
//	exceptResources  resource keys onto which the edge is not read: the
//	                 resource's own policy (a KMS key policy that does not
//	                 delegate to the account, a Deny), its tags (an ABAC
//	                 condition), a Deny naming it, an AWS managed policy
//
// and, for each resource so excepted where the evaluator still allows
// some level, an explicit edge (scope resource) with those levels.
//
// Which resources can differ from their cell's answer is known before
// asking: those with a resource policy (but roles, whose trust policy
// decides only sts's actions, read from sts's edge only when it delegates
// to the account: Who), tagged resources when the principal's statements
// read aws:ResourceTag, resources a Deny of the principal's names by a
// pattern other than "*", and resources AWS manages (managedByAWS: AWS
// managed policies, service-linked roles); every other resource
// of a cell (type, Region, account) gets the answer of its first one. The
// answers are shared by the principals of a class (accessClassKey): the
// same policies, boundary, account and the tags a statement reads.

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// The properties of a scoped edge that limit where Who reads it.
const (
	exceptInProp        = "exceptIn"
	exceptResourcesProp = "exceptResources"
)

// cellOf returns the cell of a resource: its _type and its ARN's Region.
func cellOf(e *graph.Entity) string {
	p, ok := arnParts(e.String("arn"))
	if !ok || p[3] == "" {
		return e.Type
	}
	return e.Type + "@" + p[3]
}

// scopedInventory is what the exceptions look at, by account: the
// resources of each cell, and those that can differ from their cell.
type scopedInventory struct {
	cells    map[string]map[string][]*graph.Entity // account -> cell -> resources, sorted by key
	order    map[string][]string                   // account -> its cells, sorted
	policied map[string][]*graph.Entity            // account -> resources with a resource policy (not roles)
	personal map[string][]*graph.Entity            // account -> those whose policy may tell principals of a class apart
	tagged   map[string][]*graph.Entity            // account -> resources with tags
	managed  map[string][]*graph.Entity            // account -> service-linked and reserved roles, AWS managed keys' aliases
	// delegating are the roles whose trust policy delegates to their
	// account: sts's edges are read onto them (Who).
	delegating   map[string][]*graph.Entity
	isDelegating map[string]bool
	// allowing are the resources whose policy only allows (and may refuse
	// nothing): they may get more than their cell where it is excepted.
	allowing map[string]bool
	global   []*graph.Entity // resources of no account (AWS managed policies)
}

func (d *deriver) newScopedInventory() *scopedInventory {
	inv := &scopedInventory{cells: map[string]map[string][]*graph.Entity{}, order: map[string][]string{},
		policied: map[string][]*graph.Entity{}, personal: map[string][]*graph.Entity{}, tagged: map[string][]*graph.Entity{}, managed: map[string][]*graph.Entity{},
		delegating: map[string][]*graph.Entity{}, isDelegating: map[string]bool{}, allowing: map[string]bool{}}
	var all []*graph.Entity
	for e := range d.g.All() {
		if strings.HasPrefix(e.String("arn"), "arn:") && e.Type != "aws_account" && e.String("_source") != placeholderSource {
			all = append(all, e)
		}
	}
	slices.SortFunc(all, func(a, b *graph.Entity) int { return strings.Compare(a.Key, b.Key) })
	for _, e := range all {
		acct := accountOf(e)
		if acct == "" {
			inv.global = append(inv.global, e)
			continue
		}
		if managedByAWS(e) {
			inv.managed[acct] = append(inv.managed[acct], e)
		}
		if e.Type == "aws_iam_role" && d.delegates(e) {
			inv.delegating[acct] = append(inv.delegating[acct], e)
			inv.isDelegating[e.Key] = true
		}
		cells := inv.cells[acct]
		if cells == nil {
			cells = map[string][]*graph.Entity{}
			inv.cells[acct] = cells
		}
		c := cellOf(e)
		if cells[c] == nil {
			inv.order[acct] = append(inv.order[acct], c)
		}
		cells[c] = append(cells[c], e)
		if doc := d.resourceDocFor(e); doc != nil && e.Type != "aws_iam_role" {
			switch {
			case personalPolicy(doc):
				inv.personal[acct] = append(inv.personal[acct], e)
			case d.mayRefuse(e, doc):
				inv.policied[acct] = append(inv.policied[acct], e)
			case slices.ContainsFunc(doc.stmts, func(st *statement) bool { return st.effect == iam.Allow }):
				inv.allowing[e.Key] = true
			}
		}
		if hasTags(e) {
			inv.tagged[acct] = append(inv.tagged[acct], e)
		}
	}
	for _, l := range inv.order {
		slices.Sort(l)
	}
	return inv
}

// mayRefuse reports whether a resource policy may refuse its account's
// principals what their identity policies allow: a KMS key policy that does
// not delegate to the account (an ALLOWS to its root of every action,
// without conditions), or a Deny that holds without a condition or with
// one on snapshot facts (a Deny on request context only, such as
// aws:SecureTransport, leaves the access conditional, not refused).
func (d *deriver) mayRefuse(e *graph.Entity, doc *document) bool {
	if e.Type == "aws_kms_key" {
		r := d.g.Relationship(graph.RelationshipKey(e.Key, "ALLOWS", model.AccountKey(accountOf(e))))
		if r == nil || r.Get("admin") != true || r.Get("conditional") == true {
			return true
		}
	}
	for _, st := range doc.stmts {
		if st.effect != iam.Deny {
			continue
		}
		keys := st.conditionKeys()
		if len(keys) == 0 || slices.ContainsFunc(keys, factKey) {
			return true
		}
	}
	return false
}

// personalPolicy reports whether a resource policy may answer principals
// of one class (shared.go) differently: it names users, roles or
// sessions, excepts some (NotPrincipal), or reads who the caller is.
func personalPolicy(doc *document) bool {
	for _, st := range doc.stmts {
		if st.notPrincipal {
			return true
		}
		for _, pr := range st.principals {
			if strings.Contains(pr.raw, ":user/") || strings.Contains(pr.raw, ":role/") || strings.Contains(pr.raw, ":assumed-role/") ||
				strings.Contains(pr.raw, ":federated-user/") {
				return true
			}
		}
		c := strings.ToLower(st.conditions)
		for _, k := range []string{"aws:principalarn", "aws:userid", "aws:username", "aws:principaltag", "aws:sourceidentity"} {
			if strings.Contains(c, k) {
				return true
			}
		}
	}
	return false
}

// hasTags reports whether e has a tag (a tag.KEY property).
func hasTags(e *graph.Entity) bool {
	for k := range e.Props() {
		if strings.HasPrefix(k, "tag.") {
			return true
		}
	}
	return false
}

// scopedFix is what the exceptions change for one scoped edge: the cells
// and resources excepted, and the explicit edges that carry what remains
// on them.
type scopedFix struct {
	props               *graph.Props // the class's edge with exceptIn and exceptResources
	exceptIn, exceptRes []string
	explicit            []explicitAccess
}

type explicitAccess struct {
	target        *graph.Entity
	from          *graph.Relationship // the scoped edge excepted: its grants
	levels, firm  levelSet
	conditionKeys []string
}

// scopedPass holds the state of the exceptions over all principals.
type scopedPass struct {
	q     *Query
	inv   *scopedInventory
	cache map[string]scopedFix // class key, edge target -> fix
	cat   *actions.Catalog
	// applicable caches applicableLevels by services and cell, actionsOf
	// actionsFor.
	applicable                   map[string]levelSet
	actionsOf                    map[string][]appliedAction
	partitions                   map[string][][]*graph.Entity // a cell's resources by the values of tags read
	evaluations, edges, explicit int
}

// exceptScoped returns rels (principal p's access relationships, in key
// order) with its scoped edges' exceptions set and the explicit edges
// they need added.
func (d *deriver) exceptScoped(ctx context.Context, p *graph.Entity, rels []*graph.Relationship) ([]*graph.Relationship, error) {
	var scoped []int
	for i, r := range rels {
		if s, _ := r.Get("scope").(string); s != scopeResource && r.Get("sessions") == nil {
			scoped = append(scoped, i)
		}
	}
	if len(scoped) == 0 {
		return rels, nil
	}
	pp, err := iam.ParsePrincipal(p.Key)
	if err != nil {
		return rels, nil
	}
	if d.scoped == nil {
		d.scoped = &scopedPass{q: NewQuery(d.g, d.cfg.ev, d.cfg.catalog), inv: d.newScopedInventory(), cache: map[string]scopedFix{},
			cat: d.cfg.catalog, applicable: map[string]levelSet{}, actionsOf: map[string][]appliedAction{},
			partitions: map[string][][]*graph.Entity{}}
	}
	sp := d.scoped
	ents, identity, boundary, ok := d.principalPolicies(p)
	if !ok {
		return rels, nil
	}
	classKey := "" // the class's answers are shared where its access is (shared.go)
	if ck, share := d.accessClassKey(p, pp, ents, identity, boundary); share && d.par != nil {
		if cls := d.par.classes[string(ck)]; cls != nil && cls.ok {
			classKey = string(ck)
		}
	}
	// What the principal's statements read and name.
	// plain: nothing of the principal's own can refuse an action its
	// statements grant (no boundary, no Deny, no Condition), so a cell's
	// answer is the catalog's where the organisation policies cannot
	// refuse either (scopedEdge).
	var tagNames []string // the resource tags its statements read
	plain := boundary == nil
	var denied []string
	docs := make([]*document, 0, len(ents)+1)
	for _, e := range ents {
		docs = append(docs, d.doc(e, "document"))
	}
	if b := p.String("permissionsBoundaryArn"); b != "" {
		if be := d.g.Entity(b); be != nil {
			docs = append(docs, d.doc(be, "document"))
		}
	}
	for _, doc := range docs {
		if doc == nil {
			continue
		}
		for _, st := range doc.stmts {
			for _, k := range st.conditionKeys() {
				if _, name, ok := strings.Cut(k, "resourcetag/"); ok {
					tagNames = append(tagNames, name)
				}
			}
			if st.effect == iam.Deny || st.hasCondition() {
				plain = false
			}
			if st.effect == iam.Deny { // the resources it names (or spares: NotResource) differ from their cells
				for _, r := range slices.Concat(st.resources, st.notResources) {
					if r != "*" {
						denied = append(denied, actions.VariablesAsWildcards(r))
					}
				}
			}
		}
	}
	acct := accountOf(p)
	var added []*graph.Relationship
	explicit := map[string]*explicitAccess{}
	var order []string
	for _, i := range scoped {
		r := rels[i]
		// The class's answers (cells, resources whose answer is the
		// class's), then the principal's own (personalPolicy).
		var fix scopedFix
		ck := ""
		if classKey != "" {
			ck = classKey + "\x00" + r.To
		}
		if f, ok := sp.cache[ck]; ok && ck != "" {
			fix = f
		} else {
			fix, err = d.scopedEdge(ctx, sp, pp, acct, r, uniqSorted(tagNames), plain, denied, false, nil)
			if err != nil {
				return nil, err
			}
			fix.props = exceptProps(r, fix.exceptIn, fix.exceptRes)
			if ck != "" {
				sp.cache[ck] = fix
			}
		}
		props := fix.props
		if len(sp.inv.personal[acct]) > 0 {
			own, err := d.scopedEdge(ctx, sp, pp, acct, r, nil, plain, denied, true, fix.exceptIn)
			if err != nil {
				return nil, err
			}
			if len(own.exceptRes) > 0 {
				props = exceptProps(r, fix.exceptIn, slices.Concat(fix.exceptRes, own.exceptRes))
			}
			fix.explicit = slices.Concat(fix.explicit, own.explicit)
		}
		if props != nil {
			rels[i] = graph.NewKeyedRelationship(AccessType, "ALLOWS", r.From, "access", r.To, "", props)
			sp.edges++
		}
		for _, x := range fix.explicit {
			if old := explicit[x.target.Key]; old != nil {
				old.levels |= x.levels
				old.firm |= x.firm
				old.conditionKeys = append(old.conditionKeys, x.conditionKeys...)
				continue
			}
			x := x
			explicit[x.target.Key] = &x
			order = append(order, x.target.Key)
		}
	}
	for _, k := range order {
		x := explicit[k]
		if old := slices.IndexFunc(rels, func(r *graph.Relationship) bool { return r.To == k && r.Get("sessions") == nil }); old >= 0 {
			// The principal has an edge to the resource already: its
			// levels and what the exception moved there, together.
			r := rels[old]
			lv := levelSet(0).with(levelsOf(stringList(r.Get("accessLevels"))))
			firm := lv &^ levelSet(0).with(levelsOf(stringList(r.Get("conditionalLevels"))))
			if lv|x.levels == lv && firm|x.firm == firm {
				continue
			}
			props := explicitProps(x.from, r, x.target, lv|x.levels, firm|x.firm, append(stringList(r.Get("conditionKeys")), x.conditionKeys...))
			rels[old] = graph.NewKeyedRelationship(AccessType, "ALLOWS", r.From, "access", r.To, "", props)
			continue
		}
		props := explicitProps(x.from, nil, x.target, x.levels, x.firm, x.conditionKeys)
		added = append(added, graph.NewKeyedRelationship(AccessType, "ALLOWS", p.Key, "access", k, "", props))
		sp.explicit++
	}
	if len(added) == 0 {
		return rels, nil
	}
	rels = append(rels, added...)
	slices.SortStableFunc(rels, func(a, b *graph.Relationship) int { return strings.Compare(a.To, b.To) })
	return rels, nil
}

// levelsOf converts level names.
func levelsOf(l []string) []actions.AccessLevel {
	out := make([]actions.AccessLevel, len(l))
	for i, s := range l {
		out[i] = actions.AccessLevel(s)
	}
	return out
}

// explicitProps returns the properties of an explicit edge that the
// exceptions of scoped edge from leave on a resource: from's grants (with
// those of base, the principal's edge to the resource, if any), scope
// resource, the levels the evaluator allows.
func explicitProps(from, base *graph.Relationship, target *graph.Entity, levels, firm levelSet, keys []string) *graph.Props {
	m := from.PropMap()
	// The resource and the parts of it the evaluator was asked about (a
	// bucket's objects), as Resource patterns reaching it.
	arn := target.String("arn")
	res := []string{arn}
	if strings.HasPrefix(arn, "arn:aws:s3:::") {
		res = append(res, arn+"/*")
	}
	if base != nil {
		res = append(res, stringList(base.Get("resources"))...)
	}
	m["resources"] = uniqSorted(res)
	if base != nil {
		for _, k := range []string{"actions", "notActions", "via", "statements"} {
			if u := uniqSorted(slices.Concat(stringList(m[k]), stringList(base.Get(k)))); len(u) > 0 {
				m[k] = u
			}
		}
		if base.Get("actionsTruncated") == true {
			m["actionsTruncated"] = true
		}
		if m["actionsTruncated"] != true {
			m["actionCount"] = len(stringList(m["actions"]))
		}
	}
	var lv []actions.AccessLevel
	cond := []string{}
	for i, lo := range levelOrder {
		if levels.has(i) {
			lv = append(lv, lo.level)
			if !firm.has(i) {
				cond = append(cond, string(lo.level))
			}
		}
	}
	setLevels(m, lv)
	m["conditionalLevels"] = cond
	m["conditional"] = firm == 0
	m["conditionKeys"] = orEmpty(uniqSorted(keys))
	m["scope"] = scopeResource
	m["admin"] = false
	m["crossAccount"] = false // the exceptions are in the principal's account
	delete(m, exceptInProp)
	delete(m, exceptResourcesProp)
	p := graph.PropsOf(m)
	return &p
}

// scopedEdge computes the exceptions of one scoped edge r of principal p.
func (d *deriver) scopedEdge(ctx context.Context, sp *scopedPass, pp iam.Principal, acct string, r *graph.Relationship,
	tagNames []string, plain bool, denied []string, own bool, classCells []string) (scopedFix, error) {
	var fix scopedFix
	plain = plain && len(stringList(r.Get("conditionKeys"))) == 0 && len(stringList(r.Get("conditionalLevels"))) == 0
	orgK := d.orgKeyOf(pp, acct)
	levels := levelSet(0).with(levelsOf(stringList(r.Get("accessLevels"))))
	pats := stringList(r.Get("resources"))
	account := r.To == model.AccountKey(acct)
	// The services whose resources the edge is read onto, and with which
	// services' actions.
	type edgeSvcs struct {
		svcs, fanOutSvcs []string // without, with the services whose grants fan out (sts onto roles)
		ok, fanOut       bool
	}
	bySvc := map[string]*edgeSvcs{}
	svcsOn := func(e *graph.Entity) ([]string, bool) {
		svc := arnService(e.String("arn"))
		es := bySvc[svc]
		if es == nil {
			es = &edgeSvcs{}
			bySvc[svc] = es
			switch {
			case account:
				es.svcs, es.fanOutSvcs, es.ok = []string{svc}, []string{svc}, true
				for _, c := range crossService {
					if c.Resource == svc {
						es.fanOutSvcs = append(es.fanOutSvcs, c.Action)
						if !c.FanOut {
							es.svcs = append(es.svcs, c.Action)
						}
					}
				}
			case r.To == model.ServiceKey(acct, serviceName(svc)) || r.To == model.ServiceKey(acct, serviceName(svc)+"_service"):
				es.svcs, es.fanOutSvcs, es.ok = []string{svc}, []string{svc}, true
			default:
				for _, c := range crossService {
					if c.Resource == svc && r.To == model.ServiceKey(acct, serviceName(c.Action)) {
						es.fanOutSvcs, es.ok, es.fanOut = []string{c.Action}, true, c.FanOut
						if !c.FanOut {
							es.svcs = es.fanOutSvcs
						}
					}
				}
			}
		}
		if !es.ok {
			return nil, false
		}
		if sp.inv.isDelegating[e.Key] {
			return es.fanOutSvcs, true
		}
		if es.svcs == nil {
			return nil, false
		}
		return es.svcs, true
	}
	// wide: the edge's patterns cover every resource ("*", or none).
	wide := len(pats) == 0 || slices.Contains(pats, "*")
	reading := func(e *graph.Entity, svcs []string) levelSet {
		if !wide && !coversARN(pats, e.String("arn")) {
			return 0
		}
		return levels & sp.applicableOf(svcs, e)
	}
	// The actions the edge names: the evaluator's answers about the others
	// are other grants' (a resource policy's), which their own edges say.
	named := func(string) bool { return true }
	if r.Get("actionsTruncated") != true {
		pa, na := lowerAll(stringList(r.Get("actions"))), lowerAll(stringList(r.Get("notActions")))
		named = func(a string) bool {
			return slices.ContainsFunc(pa, func(p string) bool { return glob(p, a) }) ||
				(len(na) > 0 && !slices.ContainsFunc(na, func(p string) bool { return glob(p, a) }))
		}
	}
	var exceptIn, exceptRes []string
	special := map[string]bool{}
	var specials []*graph.Entity
	mark := func(e *graph.Entity) {
		if !special[e.Key] {
			special[e.Key] = true
			specials = append(specials, e)
		}
	}
	cells := sp.inv.cells[acct]
	if own { // the principal's own: the resources whose policy is personal, in the class's cells
		specials, exceptIn = sp.inv.personal[acct], classCells
	} else {
		for _, e := range sp.inv.personal[acct] {
			special[e.Key] = true // asked for each principal (own), never from its cell
		}
		for _, l := range [][]*graph.Entity{sp.inv.policied[acct], sp.inv.global, sp.inv.managed[acct], sp.inv.delegating[acct]} {
			for _, e := range l {
				mark(e)
			}
		}
		if len(denied) > 0 {
			for _, c := range sp.inv.order[acct] {
				for _, e := range cells[c] {
					if coversARN(denied, e.String("arn")) {
						mark(e)
					}
				}
			}
		}
	}
	addExplicit := func(e *graph.Entity, allowed, firm levelSet, keys []string) {
		if allowed != 0 {
			fix.explicit = append(fix.explicit, explicitAccess{target: e, from: r, levels: allowed, firm: firm, conditionKeys: keys})
		}
	}
	for _, c := range sp.inv.order[acct] {
		if own {
			break
		}
		// The cell's resources by the values of the tags the principal's
		// statements read: each group answers for its members; the
		// largest one's answer is the cell's (exceptIn), the others'
		// members that differ are excepted on their own.
		type group struct {
			rep     *graph.Entity
			svcs    []string
			want    levelSet
			members []*graph.Entity
		}
		// The partition of the cell's resources by tag values, shared by
		// every edge that reads the same tags (the principal's specials
		// but those every principal has apart: a Deny naming resources).
		var groups []*group
		var part [][]*graph.Entity
		pk := ""
		if len(tagNames) > 0 && len(denied) == 0 {
			pk = acct + "\x00" + c + "\x00" + strings.Join(tagNames, "\x00")
		}
		if p, ok := sp.partitions[pk]; ok && pk != "" {
			part = p
		} else {
			bySig := map[string]int{}
			for _, e := range cells[c] {
				if special[e.Key] || sp.inv.allowing[e.Key] {
					continue
				}
				sig := ""
				if len(tagNames) > 0 {
					tags := d.lowerTags(e)
					for _, n := range tagNames {
						v, ok := tags[n]
						sig += strconv.FormatBool(ok) + v + "\x00"
					}
				}
				i, ok := bySig[sig]
				if !ok {
					i = len(part)
					bySig[sig] = i
					part = append(part, nil)
				}
				part[i] = append(part[i], e)
				if len(tagNames) == 0 {
					break // one group: its first resource answers
				}
			}
			if pk != "" {
				sp.partitions[pk] = part
			}
		}
		if len(part) > 0 {
			if s, ok := svcsOn(part[0][0]); !ok {
				continue // the cell's service is not the edge's
			} else if levels&sp.applicableOf(s, part[0][0]) == 0 {
				continue // no level of the edge acts on the type
			}
		}
		for _, members := range part {
			g := &group{}
			for _, e := range members {
				if wide && g.rep != nil { // the same reading for every resource of the cell
					g.members = append(g.members, e)
					continue
				}
				s, _ := svcsOn(e)
				if w := reading(e, s); w != 0 {
					if g.rep == nil {
						g.rep, g.svcs, g.want = e, s, w
					}
					g.members = append(g.members, e)
				}
			}
			if g.rep != nil {
				groups = append(groups, g)
			}
		}
		// A resource whose policy allows may get more than its cell: asked
		// on its own where the cell has no answer or is excepted.
		allowingToo := func() {
			for _, e := range cells[c] {
				if sp.inv.allowing[e.Key] {
					mark(e)
				}
			}
		}
		if len(groups) == 0 {
			allowingToo()
			continue
		}
		base := groups[0]
		for _, g := range groups[1:] {
			if len(g.members) > len(base.members) {
				base = g
			}
		}
		allowed, _, _, err := d.cellAnswer(ctx, sp, pp, orgK, plain, base.rep, base.svcs, base.want, named)
		if err != nil {
			return fix, err
		}
		want := base.want
		if allowed != want {
			allowingToo()
		}
		switch {
		case allowed == want:
		case allowed == 0:
			exceptIn = append(exceptIn, c)
		default: // the levels that do not hold there
			for i, lo := range levelOrder {
				if want.has(i) && !allowed.has(i) {
					exceptIn = append(exceptIn, c+"/"+string(lo.level))
				}
			}
		}
		for _, g := range groups {
			if g == base {
				continue
			}
			ga, gf, gk, err := d.cellAnswer(ctx, sp, pp, orgK, plain, g.rep, g.svcs, g.want, named)
			if err != nil {
				return fix, err
			}
			if ga == g.want&^exceptedIn(exceptIn, c) {
				continue
			}
			for _, e := range g.members {
				exceptRes = append(exceptRes, e.Key)
				addExplicit(e, ga, gf, gk)
			}
		}
	}
	for _, e := range specials {
		svcs, ok := svcsOn(e)
		if !ok {
			continue
		}
		want := reading(e, svcs)
		if want == 0 {
			continue
		}
		allowed, firm, keys, err := sp.exactOn(ctx, pp, e, svcs, want, named)
		if err != nil {
			return fix, err
		}
		// A resource that can differ from its cell: where the evaluator
		// does not answer as the cell's exceptions read, excepted whole,
		// with an explicit edge for what remains.
		if allowed == want&^exceptedIn(exceptIn, cellOf(e)) {
			continue
		}
		exceptRes = append(exceptRes, e.Key)
		addExplicit(e, allowed, firm, keys)
	}
	if !own {
		fix.exceptIn = exceptIn
	}
	fix.exceptRes = exceptRes
	return fix, nil
}

// exceptProps returns r's properties with exceptIn and exceptResources,
// nil when both are empty.
func exceptProps(r *graph.Relationship, exceptIn, exceptRes []string) *graph.Props {
	if len(exceptIn) == 0 && len(exceptRes) == 0 {
		return nil
	}
	m := r.PropMap()
	if len(exceptIn) > 0 {
		m[exceptInProp] = exceptIn
	}
	if len(exceptRes) > 0 {
		m[exceptResourcesProp] = uniqSorted(exceptRes)
	}
	props := graph.PropsOf(m)
	return &props
}

// applicableOf is applicableLevels, cached by services and cell.
func (sp *scopedPass) applicableOf(svcs []string, e *graph.Entity) levelSet {
	k := applicableKey(svcs, e)
	lv, ok := sp.applicable[k]
	if !ok {
		lv = applicableLevels(sp.cat, svcs, e.String("arn"))
		sp.applicable[k] = lv
	}
	return lv
}

// cellAnswer returns the levels of want pp is allowed on rep (firm, and
// the keys of conditional answers): where nothing of the principal's own
// can refuse (plain), a level holds when an action of it that the edge
// names acts on the type and the organisation policies cannot refuse it;
// the evaluator is asked about the others (exactOn).
func (d *deriver) cellAnswer(ctx context.Context, sp *scopedPass, pp iam.Principal, orgK orgKey, plain bool, rep *graph.Entity, svcs []string,
	want levelSet, named func(string) bool) (allowed, firm levelSet, keys []string, err error) {
	ask := want
	if plain {
		ask = 0
		for _, a := range sp.actionsFor(svcs, rep) {
			switch lv := a.levels & want; {
			case lv == 0 || !named(a.lower):
			case d.orgActionOf(orgK, a.name).clear:
				allowed |= lv
			default:
				ask |= lv
			}
		}
		ask &^= allowed
		firm = allowed
	}
	if ask != 0 {
		more, mf, mk, err := sp.exactOn(ctx, pp, rep, svcs, ask, named)
		if err != nil {
			return 0, 0, nil, err
		}
		allowed, firm, keys = allowed|more, firm|mf, mk
	}
	return allowed, firm, keys, nil
}

// delegates reports whether e's resource or trust policy grants to its
// own account's root (Index.delegates, from the derived graph).
func (d *deriver) delegates(e *graph.Entity) bool {
	root := model.AccountKey(accountOf(e))
	return d.g.Relationship(graph.RelationshipKey(e.Key, "TRUSTS", root)) != nil ||
		d.g.Relationship(graph.RelationshipKey(e.Key, "ALLOWS", root)) != nil
}

// exactOn asks the evaluator which of the levels want pp is allowed on
// resource e or a part of it, by the catalog actions of svcs that act on
// it: allowed, firm (some action allowed without conditions) and the keys
// of the conditional answers.
func (sp *scopedPass) exactOn(ctx context.Context, pp iam.Principal, e *graph.Entity, svcs []string, want levelSet, named func(string) bool) (allowed, firm levelSet, keys []string, err error) {
	arn := e.String("arn")
	for _, a := range sp.actionsFor(svcs, e) {
		lv := a.levels & want
		if lv == 0 || lv&^firm == 0 || !named(a.lower) {
			continue
		}
		sp.evaluations++
		ans, err := sp.q.decide(ctx, pp, a.name, arn+a.suffix, e)
		if err != nil {
			return 0, 0, nil, err
		}
		if ans.Decision != iam.Allowed {
			continue
		}
		allowed |= lv
		if ans.Conditional {
			keys = append(keys, ans.ConditionKeys...)
		} else {
			firm |= lv
		}
	}
	return allowed, firm, keys, nil
}

// appliedAction is a catalog action that acts on a resource (actionsOn),
// asked on the resource's ARN followed by suffix.
type appliedAction struct {
	name, lower, suffix string
	levels              levelSet
}

// actionsFor returns the actions of svcs that act on e or its parts (a
// bucket's objects, all or one), but those AWS refuses customers on it
// (iam.Immutable), cached by services and cell as applicableLevels is.
func (sp *scopedPass) actionsFor(svcs []string, e *graph.Entity) []appliedAction {
	k := applicableKey(svcs, e)
	if l, ok := sp.actionsOf[k]; ok {
		return l
	}
	arn := e.String("arn")
	parts := partsOf(arn)
	if strings.HasPrefix(arn, "arn:aws:s3:::") {
		parts = []string{"/*", "/x"}
	}
	var l []appliedAction
	actionsOn(sp.cat, svcs, arn, parts, func(a actions.Action, request string) {
		if !iam.Immutable(a.String(), request) {
			l = append(l, appliedAction{name: a.String(), lower: strings.ToLower(a.String()), suffix: request[len(arn):], levels: levelSet(0).with(a.Levels())})
		}
	})
	sp.actionsOf[k] = l
	return l
}
