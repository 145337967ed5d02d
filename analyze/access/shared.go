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
	"encoding/binary"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// sharedEdge is one access relationship of a class: its key suffix after
// the principal (k: the target's key), target and shared properties.
type sharedEdge struct {
	k        string
	target   *graph.Entity
	props    *graph.Props
	exceptIn bool // props has exceptIn (counted per edge: Stats.ExceptInEdges)
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

// orgCanon maps the organisation of each collected account to the first
// whose SCPs (scp), and whose RCPs (rcp), are the same documents at the
// same levels. What orgActionOf, orgClear and orgPersonal say of an
// orgKey depends only on those statements, so accounts of one
// organisational unit share their answers instead of each account's
// being computed again for every action (80 accounts at 1,000,000
// resources: 80 times the same work). Only they use it (canonOrg): the
// evaluations still get each account's own policies.
type orgCanon struct{ scp, rcp map[*orgInfo]*orgInfo }

// canonicalOrgs builds the orgCanon of the collected accounts of g (org:
// orgInfos of g); an account whose policies were not applied maps to
// itself.
func canonicalOrgs(g *graph.Graph, org orgMap) orgCanon {
	c := orgCanon{scp: map[*orgInfo]*orgInfo{}, rcp: map[*orgInfo]*orgInfo{}}
	firstSCP, firstRCP := map[string]*orgInfo{}, map[string]*orgInfo{}
	for _, e := range g.EntitiesOfType("aws_account") {
		if e.String("_source") == placeholderSource {
			continue
		}
		oi := org[e.String("accountId")]
		if oi == nil {
			continue
		}
		for _, t := range []struct {
			prop   string
			status string
			first  map[string]*orgInfo
			out    map[*orgInfo]*orgInfo
		}{{"serviceControlPolicies", oi.scps.status, firstSCP, c.scp}, {"resourceControlPolicies", oi.rcps.status, firstRCP, c.rcp}} {
			sig, ok := orgLevelsSignature(e.String(t.prop))
			if t.status != OrgPoliciesApplied || !ok {
				continue
			}
			if f := t.first[sig]; f != nil {
				t.out[oi] = f
			} else {
				t.first[sig] = oi
			}
		}
	}
	return c
}

// orgLevelsSignature returns the documents of each level of an
// aws_account's serviceControlPolicies or resourceControlPolicies
// (parseLevels), without the targets' and policies' names; ok is false
// when it does not parse.
func orgLevelsSignature(raw string) (string, bool) {
	var ls []struct {
		Policies []struct {
			Document string `json:"document"`
		} `json:"policies"`
	}
	if err := json.Unmarshal([]byte(raw), &ls); err != nil {
		return "", false
	}
	var b []byte
	for _, l := range ls {
		b = strconv.AppendInt(append(b, 'L'), int64(len(l.Policies)), 10)
		for _, p := range l.Policies { // length-prefixed: no document can run into the next
			b = strconv.AppendInt(append(b, ','), int64(len(p.Document)), 10)
			b = append(append(b, ':'), p.Document...)
		}
	}
	return string(b), true
}

// canonOrg returns the orgKey whose organisation policies are the same
// as k's and whose answers orgClear and orgPersonal share (orgCanon).
func (d *deriver) canonOrg(k orgKey) orgKey {
	if c := d.orgCanon.scp[k.scp]; c != nil {
		k.scp = c
	}
	if c := d.orgCanon.rcp[k.rcp]; c != nil {
		k.rcp = c
	}
	return k
}

// maxFastProps bounds a worker's fastProps map: past it the map starts
// again (a miss costs only accessProps' full key).
const maxFastProps = 1 << 18

// fastProps returns the property set of access a when a relationship
// made of the same grants with the same answers was built before by this
// worker, nil when not (or when a holds what the grants do not say: a
// role's sessions, condition keys). The properties are functions of the
// grants (their patterns, resources, policies and statements, the
// target and its account), the levels, firm levels, admin and
// conditional, the principal's account and whether its SCPs were
// unreadable: the key holds those, far shorter than accessProps' key of
// every sorted list. A hit is the set accessProps would return: it is
// what it returned for the same inputs (setFastProps).
func (d *deriver) fastProps(a *access, acct string, noSCPs bool) *graph.Props {
	if d.cfg.noFast || len(a.sessions) > 0 || len(a.conditionKeys) > 0 {
		d.fastKey = d.fastKey[:0]
		return nil
	}
	k := append(d.fastKey[:0], byte(a.levels), byte(a.firm))
	for _, b := range []bool{a.admin, a.conditional, noSCPs} {
		k = strconv.AppendBool(k, b)
	}
	k = append(append(k, acct...), 0)
	for _, gr := range a.grants {
		if gr.id == 0 { // not numbered (warm): no fast key
			d.fastKey = d.fastKey[:0]
			return nil
		}
		k = binary.LittleEndian.AppendUint32(k, gr.id)
	}
	d.fastKey = k
	p := d.fastPropsOf[string(k)] // no allocation for the lookup
	if p != nil {
		d.fastHits++
	}
	return p
}

// setFastProps records the property set accessProps built or found for
// the key fastProps left (none when it had none).
func (d *deriver) setFastProps(p *graph.Props) {
	if len(d.fastKey) == 0 {
		return
	}
	if d.fastPropsOf == nil || len(d.fastPropsOf) >= maxFastProps {
		d.fastPropsOf = map[string]*graph.Props{}
	}
	d.fastPropsOf[string(d.fastKey)] = p
}
