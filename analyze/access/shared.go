package access

// Access shared between principals. Most roles and users of an account
// carry the same policies as many others (the same managed policies,
// instance-profile roles cut from one template): their access to every
// target without a resource-based policy is decided by those policies,
// the tags their statements (or the organisation's) read and their
// account alone, so it is derived once per class
// (accessClassKey) and each further principal of the class gets the same
// relationships (the same shared property sets: the edges are
// byte-identical to those a derivation of its own would give). Targets
// with a resource-based policy (a bucket policy, a key policy, a role's
// trust policy), whose answer may depend on who asks, and the resource
// policies naming the principal are still derived per principal.
//
// A principal is derived alone when anything may tell it from the others
// of its class: a policy of its own reading who it is (iam.Policy.Personal,
// a grant condition on its name or ARN), an organisation policy doing so
// (any SCP or RCP of the snapshot that is personal), or a grant whose
// organisation policies read it (orgPersonal); and sharing is off under
// Limits.MaxAccessPerPrincipal (the cap picks among all of a principal's
// targets).

import (
	"slices"
	"strconv"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// sharedEdge is one access relationship of a class: its key suffix after
// the principal (k: the target's key), target and shared properties.
type sharedEdge struct {
	k      string
	target *graph.Entity
	props  *graph.Props
}

// accessClass is the shared access of a class of principals: ok is false
// when its first principal met something personal (each member is then
// derived alone).
type accessClass struct {
	ok    bool
	ready bool         // its first principal is done (workers.go)
	edges []sharedEdge // sorted by k
}

// accessClassKey returns the class of principal p (pp its ARN) with
// policy entities ents and permissions boundary; ok is false when p must
// be derived alone. The key is in a buffer reused for the next principal.
func (d *deriver) accessClassKey(p *graph.Entity, pp iam.Principal, ents []*graph.Entity, identity, boundary []*iam.Policy) ([]byte, bool) {
	if d.cfg.noShare || d.cfg.limits.MaxAccessPerPrincipal > 0 || d.orgPersonalPolicies() || pp.Type == iam.PrincipalAssumedRole {
		return nil, false
	}
	for _, l := range [][]*iam.Policy{identity, boundary} {
		for _, pol := range l {
			if pol.Personal() {
				return nil, false
			}
		}
	}
	b := d.classKeyBuf[:0]
	b = append(b, p.Type...)
	b = append(b, 0)
	b = append(b, pp.Account...)
	b = append(b, 0)
	b = append(b, accountOf(p)...)
	b = append(b, 0)
	b = strconv.AppendBool(b, pp.IsServiceLinkedRole())
	b = append(b, 0)
	be := p.String("permissionsBoundaryArn")
	b = append(b, be...)
	for _, e := range ents { // sorted by key (principalPolicies)
		b = append(b, 0)
		b = append(b, e.Key...)
	}
	// The principal's tags that a statement may read: of its own policies,
	// its boundary, or the organisation's (the others cannot tell it from
	// the rest of its class).
	names := append(d.tagNames[:0], d.orgTagNames()...)
	addNames := func(doc *document) {
		if doc != nil {
			for _, st := range doc.stmts {
				names = append(names, st.principalTagNames()...)
			}
		}
	}
	for _, e := range ents {
		addNames(d.doc(e, "document"))
	}
	if be != "" {
		addNames(d.doc(d.g.Entity(be), "document")) // in the graph: principalPolicies
	}
	slices.Sort(names)
	d.tagNames = names
	tags := d.lowerTags(p)
	for _, n := range slices.Compact(names) {
		v, has := tags[n]
		b = append(b, "\x00tag:"...)
		b = append(b, n...)
		b = append(b, '=')
		b = strconv.AppendBool(b, has)
		b = append(b, v...)
	}
	d.classKeyBuf = b
	return b, true
}

// orgTagNames returns the principal tags the SCPs and RCPs of the
// snapshot read, computed once.
func (d *deriver) orgTagNames() []string {
	if d.orgTags == nil {
		d.orgTags = []string{}
		d.orgStatements(func(st *statement) { d.orgTags = append(d.orgTags, st.principalTagNames()...) })
	}
	return d.orgTags
}

// orgStatements calls fn with each statement of the SCPs and RCPs of the
// snapshot.
func (d *deriver) orgStatements(fn func(*statement)) {
	for _, oi := range d.org {
		if oi == nil {
			continue
		}
		for _, levels := range [][][]*statement{oi.scps.stmts, oi.rcps.stmts} {
			for _, lvl := range levels {
				for _, st := range lvl {
					fn(st)
				}
			}
		}
	}
}

// orgPersonalPolicies reports whether some SCP or RCP of the snapshot
// reads who the principal is (iam.Policy.Personal), computed once.
func (d *deriver) orgPersonalPolicies() bool {
	if d.orgPersonalAny == 0 {
		d.orgPersonalAny = 1
		for _, oi := range d.org {
			if oi == nil {
				continue
			}
			for _, levels := range [][][]*iam.Policy{oi.scps.levels, oi.rcps.levels} {
				for _, lvl := range levels {
					for _, pol := range lvl {
						if pol != nil && pol.Personal() {
							d.orgPersonalAny = 2
						}
					}
				}
			}
		}
	}
	return d.orgPersonalAny == 2
}

// sharedTarget reports whether a target's access is shared in a class:
// it has no resource-based policy.
func (d *deriver) sharedTarget(t *graph.Entity) bool {
	return d.resourcePolicyFor(t) == nil
}
