package access

// A principal's own Deny naming resources. A Deny in a principal's
// identity policies or boundary whose Resource names particular resources
// (arn:aws:s3:::prod, not "*" nor a whole type: those the cells decide,
// cells.go) refuses it there whatever its Allow statements grant on "*";
// its service- or account-scope edge must not be read onto them. For each
// resource such a Deny names in the principal's account, principal-access
// asks which access levels the principal's own policies (and the
// resource's policy) still allow some action of that acts on the resource
// (actionsOn), and the levels refused go on the resource, as its own
// policy's Deny statements do (denials.go): deniedPrincipals when every
// level is refused, deniedLevels "principal|Level" otherwise. Who reads
// them (deniedTo). The answers are shared by a class of principals
// (accessClassKey) and computed only for principals with such a Deny, or
// with an ABAC statement whose tags accept most resources and refuse
// these (abac.go mostlyAccepted: an exclusion tag).

import (
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// maxDenyHits bounds the resources one Deny pattern may name for its
// refusals to be written per resource: a pattern reaching more (a prefix
// of thousands of buckets) is left to Index.WhoCan.
const maxDenyHits = 1000

// ownDenial is a resource a principal's own Deny refuses it: every level
// (all) or the levels listed.
type ownDenial struct {
	e      *graph.Entity
	all    bool
	levels []string
}

// denyHits computes, before the workers start, the resources each Deny
// statement of an identity policy names by a pattern other than "*" or a
// whole type (d.denyHitsOf, read-only while they run).
func (d *deriver) denyHits() {
	if d.denyHitsOf == nil { // abacTargets may have added an ABAC statement's refused resources
		d.denyHitsOf = map[*statement][]hit{}
	}
	for _, typ := range policyTypes {
		for _, pe := range sortedEntities(d.g.EntitiesOfType(typ)) {
			doc := d.doc(pe, "document")
			if doc == nil {
				continue
			}
			for _, st := range doc.stmts {
				if st.effect != iam.Deny || st.resources == nil {
					continue
				}
				var hits []hit
				for _, pat := range st.resources {
					if strings.TrimSpace(pat) == "*" {
						continue
					}
					if parts, ok := arnParts(actions.VariablesAsWildcards(pat)); !ok || typeWide(parts) {
						continue
					}
					hits = append(hits, d.idx.match(pat, nil)...)
				}
				if len(hits) > 0 && len(hits) <= maxDenyHits {
					d.denyHitsOf[st] = hits
				}
			}
		}
	}
}

// ownDenials returns the resources of pp's account that a Deny of its own
// policies names (or an exclusion-tag ABAC statement refuses) and that
// refuse it some level (see above), asked with its policies as written;
// classKey, when not empty, shares the answers among the principals of its
// class.
func (d *deriver) ownDenials(p *graph.Entity, pp iam.Principal, policies []*graph.Entity, classKey string) []ownDenial {
	var named []*graph.Entity
	seen := map[*graph.Entity]bool{}
	for _, pe := range policies {
		doc := d.doc(pe, "document")
		if doc == nil {
			continue
		}
		for _, st := range doc.stmts {
			for _, h := range d.denyHitsOf[st] {
				if accountOf(h.e) == pp.Account && !seen[h.e] {
					seen[h.e] = true
					named = append(named, h.e)
				}
			}
		}
	}
	if len(named) == 0 {
		return nil
	}
	slices.SortFunc(named, func(a, b *graph.Entity) int { return strings.Compare(a.Key, b.Key) })
	var out []ownDenial
	var own *strictOwn // built when first asked
	for _, e := range named {
		k := ""
		if classKey != "" {
			k = classKey + "\x00" + e.Key
			if dn, ok := d.ownDenied[k]; ok { // dn.e is e: the key names it
				if dn.all || len(dn.levels) > 0 {
					out = append(out, dn)
				}
				continue
			}
		}
		if own == nil {
			own = d.strictOwnOf(p, policies)
		}
		dn := d.refusedOn(p, pp, e, own)
		if k != "" {
			if d.ownDenied == nil {
				d.ownDenied = map[string]ownDenial{}
			}
			d.ownDenied[k] = dn
		}
		if dn.all || len(dn.levels) > 0 {
			out = append(out, dn)
		}
	}
	return out
}

// refusedOn returns the levels of the actions that act on e (or its
// parts) of which pp's own policies and e's policy allow none.
func (d *deriver) refusedOn(p *graph.Entity, pp iam.Principal, e *graph.Entity, own *strictOwn) ownDenial {
	arn := e.String("arn")
	// As written (Conditions kept), with the snapshot's facts: an ABAC
	// statement's tag condition decides, one on request context leaves
	// the level allowed (conditionally).
	pol := &iam.Policies{Identity: own.identity, Boundaries: own.boundary, Resource: d.strictResource(e)}
	var applicable, allowed levelSet
	actionsOn(d.cfg.catalog, resourceServices(arnService(arn)), arn, partsOf(arn), func(a actions.Action, request string) {
		if iam.Immutable(a.String(), request) {
			return
		}
		lv := levelSet(0).with(a.Levels())
		applicable |= lv
		if allowed&lv == lv {
			return // every level of it is allowed already
		}
		rq, unknown := d.factRequest(p, pp, a.String(), request, accountOf(e), e)
		d.stats.Evaluations++
		if d.cfg.ev.EvaluateUnknown(rq, pol, unknown).Decision == iam.Allowed {
			allowed |= lv
		}
	})
	refused := applicable &^ allowed
	dn := ownDenial{e: e}
	if refused == 0 {
		return dn
	}
	if refused == applicable {
		dn.all = true
		return dn
	}
	for i, lf := range levelOrder {
		if refused.has(i) {
			dn.levels = append(dn.levels, string(lf.level))
		}
	}
	return dn
}

// addOwnDenials records a principal's own denials on the resources (in
// principal order, after the workers: the graph's entities are changed
// only then).
func addOwnDenials(p *graph.Entity, l []ownDenial) {
	for _, dn := range l {
		if dn.all {
			dn.e.Set(deniedPrincipalsProp, mergeSorted(stringList(dn.e.Get(deniedPrincipalsProp)), []string{p.Key}))
			continue
		}
		entries := make([]string, len(dn.levels))
		for i, l := range dn.levels {
			entries[i] = p.Key + "|" + l
		}
		dn.e.Set(deniedLevelsProp, mergeSorted(stringList(dn.e.Get(deniedLevelsProp)), entries))
	}
}
