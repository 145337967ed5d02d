package access

// Joined grants: a resource policy's (or a role trust policy's) grant to
// a whole account (its root) or to Everyone is not fanned out to the
// principals it reaches; Who joins it with their own access (who.go,
// Index.joined). What the grant's own policy says of each principal is
// decided here, once, and recorded on the grant: its Conditions on
// principal facts the snapshot has (aws:PrincipalTag/*, aws:PrincipalOrgID,
// aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn,
// kms:CallerAccount, ...), its NotPrincipal, and the policy's Deny
// statements (a Deny naming a principal, or on such a fact).
// exceptPrincipals lists those the policy refuses at every level it
// grants; exceptLevels ("principal|Level") those it refuses at some
// levels only; in both an account ID stands for every principal of the
// account when the policy answers them all alike.
//
// The evaluator is asked with the grant's own statements (Conditions
// kept) and the policy's Deny statements as the resource policy, the
// principal's side allowing everything: whatever else refuses the
// principal (its own policies, boundary, SCPs) is its own access
// relationship's business, which Who joins with the grant. Principals are
// asked by group: one question per account (or, when no statement reads
// the account, per organisation and path), type and service-linked
// role, and values of the principal tags the statements read; per
// principal only when one reads who the principal is (its ARN, name or
// id, a policy variable, a NotPrincipal or a Deny naming principals).

import (
	"maps"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// exceptLevelsProp lists the principals a joined grant reaches at some of
// its levels only, as "principal|Level".
const exceptLevelsProp = "exceptLevels"

// joinedPolicy compiles what a joined grant's policy says of a principal:
// the grant's statements and the document's Deny statements, Conditions
// kept. It returns nil when that cannot tell two principals apart: no
// statement has a NotPrincipal or a Condition on a fact (readsFacts), and
// no Deny names principals.
func joinedPolicy(gr *grant, doc *document) (*iam.Policy, []*statement, error) {
	var stmts []*statement
	decides := gr.denials // resourceDenials: every refusal counts, one that tells nobody apart too
	for _, st := range gr.stmts {
		stmts = append(stmts, st)
		decides = decides || readsFacts(st) || st.notPrincipal
	}
	for _, st := range doc.stmts {
		if st.effect == iam.Deny {
			stmts = append(stmts, st)
			decides = decides || readsFacts(st) || st.notPrincipal || namesPrincipals(st)
		}
	}
	if !decides {
		return nil, nil, nil
	}
	raw := make([]any, len(stmts))
	for i, st := range stmts {
		raw[i] = st.raw
	}
	top := map[string]any{"Statement": raw}
	if v := doc.top["Version"]; v != nil {
		top["Version"] = v
	}
	p, err := iam.Parse(doc.name, top)
	return p, stmts, err
}

// readsFacts reports whether a statement's Condition reads a fact the
// snapshot has of a principal or resource, or a policy variable: only
// then may it tell two principals apart (a Condition on request context
// alone is unknown for every principal alike).
func readsFacts(st *statement) bool {
	if hasVariable(st.conditions) {
		return true
	}
	for _, k := range st.conditionKeys() {
		switch {
		case factKey(k), k == "aws:principalorgpaths", k == "aws:resourceorgpaths", k == "kms:calleraccount":
			return true
		}
	}
	return false
}

// namesPrincipals reports whether a statement's Principal names someone
// other than "*".
func namesPrincipals(st *statement) bool {
	return slices.ContainsFunc(st.principals, func(r principalRef) bool { return r.raw != "*" })
}

// joinedGroup is what the statements of a joined policy read of a
// principal beyond its class (account, type, service-linked): the
// account itself, tag names, or who it is.
type joinedGroup struct {
	account, identity bool
	tags              []string
}

func joinedReads(stmts []*statement) joinedGroup {
	var g joinedGroup
	for _, st := range stmts {
		g.tags = append(g.tags, st.principalTagNames()...)
		named := namesPrincipals(st)
		g.identity = g.identity || readsIdentity(st) || st.notPrincipal || (st.effect == iam.Deny && named)
		g.account = g.account || named || strings.Contains(st.conditions, "${")
		for _, k := range st.conditionKeys() {
			switch k {
			case "aws:principalaccount", "kms:calleraccount", "aws:resourceaccount":
				g.account = true
			}
		}
	}
	g.tags = uniqSorted(g.tags)
	return g
}

// joinedRefusals returns what a joined grant's own policy (joinedPolicy)
// refuses of the collected principals of accts: refused (exceptPrincipals)
// lists those refused every level it grants, or, as an account ID, every
// principal of an account all of whose principals are; levels
// (exceptLevels) lists as "principal|Level" (or "account|Level", for
// every principal of the account) the levels refused to those it allows
// at some levels only. An account's principals are never listed one by
// one when one entry says it: a condition on the caller's account (an
// AWS managed key's kms:CallerAccount) refuses whole accounts, and the
// graph stays proportional to the grants.
func (d *deriver) joinedRefusals(gr *grant, doc *document, accts []string) (refused, levels []string, err error) {
	refused = []string{}
	pol, stmts, err := joinedPolicy(gr, doc)
	if pol == nil || err != nil || gr.set == nil {
		return refused, nil, err
	}
	reads := joinedReads(stmts)
	var lits *identityLiterals
	if reads.identity {
		lits = identityLiteralsOf(stmts)
	}
	// Another account's principal needs its own side too (allowing
	// everything here); one of the resource's account is granted by the
	// policy alone (Who reads no own edge for it).
	cross := &iam.Policies{Identity: []*iam.Policy{allowAll()}, Resource: pol}
	home := &iam.Policies{Resource: pol}
	var resEnt *graph.Entity
	if gr.scope == scopeResource {
		resEnt = gr.target
	}
	grantedLevels, _ := gr.levels()
	answers := map[string]*joinedAnswer{}
	// Asked per principal (the statements read who it is), the request is
	// built once per group of the same facts (group) and given each
	// principal's ARN and id: its other tags are read by no statement.
	type reqKey struct{ group, action, resource string }
	type builtReq struct {
		rq      *iam.Request
		unknown func(string) bool
	}
	built := map[reqKey]builtReq{}
	readsID := slices.ContainsFunc(stmts, func(st *statement) bool {
		return slices.Contains(st.conditionKeys(), "aws:userid") || strings.Contains(strings.ToLower(st.conditions), "${aws:userid}") ||
			slices.ContainsFunc(st.resources, func(r string) bool { return strings.Contains(strings.ToLower(r), "${aws:userid}") })
	})
	var scratch iam.Request // asked at once: the evaluator keeps no request
	request := func(m member, group, action, resource string) (*iam.Request, func(string) bool) {
		if group == "" {
			return d.factRequest(m.e, m.pp, action, resource, gr.account, resEnt)
		}
		k := reqKey{group, action, resource}
		b, ok := built[k]
		if !ok {
			b.rq, b.unknown = d.factRequest(m.e, m.pp, action, resource, gr.account, resEnt)
			built[k] = b
			return b.rq, b.unknown
		}
		scratch = *b.rq
		scratch.Principal = m.pp
		if readsID { // else the first principal's id is read by no statement
			id := m.e.String("userId")
			scratch.Context = maps.Clone(scratch.Context)
			delete(scratch.Context, "aws:userid")
			if id != "" && m.pp.Type == iam.PrincipalUser {
				scratch.Context["aws:userid"] = []string{id}
			}
		}
		return &scratch, b.unknown
	}
	ask := func(a string, m member, sig, group string) *joinedAnswer {
		if ans := answers[sig]; ans != nil {
			return ans
		}
		pols := cross
		if a == gr.account {
			pols = home
		}
		allowed, _, _, granted := d.tryLevels(gr.set, gr.requests, false, func() *patternSet { return newPatternSet(pols, &d.classes) },
			func(action, resource string, _ bool) verdict {
				rq, unknown := request(m, group, action, resource)
				d.stats.Evaluations++
				r := d.cfg.ev.EvaluateUnknown(rq, pols, unknown)
				return verdict{ok: r.Decision == iam.Allowed, cond: r.Conditional, keys: r.ConditionKeys}
			})
		ans := &joinedAnswer{none: !granted}
		for _, l := range grantedLevels {
			if !slices.Contains(allowed, l) {
				ans.refused = append(ans.refused, string(l))
			}
		}
		ans.text = boolStr(ans.none) + strings.Join(ans.refused, ",")
		answers[sig] = ans
		return ans
	}
	d.orgIDs()
	d.accountClasses("") // builds every account's classes
	for _, a := range accts {
		// The facts every principal of the account shares: its account,
		// or only its organisation's when no statement reads the account;
		// and whether it is the resource's (Block Public Access tells
		// them apart).
		acctSig := a
		if !reads.account {
			path := ""
			if oi := d.org[a]; oi != nil {
				path = boolStr(oi.pathKnown) + oi.path
			}
			org, known := d.orgs[a]
			acctSig = boolStr(known) + anyStr(org) + "\x00" + path
		}
		acctSig += "\x00" + boolStr(a == gr.account)
		var byMember []*joinedAnswer // by member, in class order
		for _, class := range d.classesBy[a] {
			classSig := acctSig + "\x00" + string(class[0].pp.Type) + boolStr(class[0].pp.IsServiceLinkedRole())
			var shared *joinedAnswer
			for _, m := range class {
				ans := shared
				if ans == nil {
					sig, group := classSig, ""
					if len(reads.tags) > 0 {
						sig += "\x00" + d.tagValues(m.e, reads.tags)
					}
					if reads.identity {
						who := m.e.Key
						if lits != nil { // principals the literals tell apart no more answer alike
							who = lits.signature(m.e)
						}
						sig, group = sig+"\x00"+who, sig
					}
					ans = ask(a, m, sig, group)
					if !reads.identity && len(reads.tags) == 0 {
						shared = ans // the same facts for the whole class
					}
				}
				byMember = append(byMember, ans)
			}
		}
		if len(byMember) == 0 {
			continue
		}
		if !slices.ContainsFunc(byMember, func(x *joinedAnswer) bool { return x.text != byMember[0].text }) {
			// One answer for the whole account: one entry.
			if byMember[0].none {
				refused = append(refused, a)
			}
			for _, l := range byMember[0].refused {
				if !byMember[0].none {
					levels = append(levels, a+"|"+l)
				}
			}
			continue
		}
		i := 0
		for _, class := range d.classesBy[a] {
			for _, m := range class {
				switch ans := byMember[i]; {
				case ans.none:
					refused = append(refused, m.e.Key)
				default:
					for _, l := range ans.refused {
						levels = append(levels, m.e.Key+"|"+l)
					}
				}
				i++
			}
		}
	}
	slices.Sort(refused)
	slices.Sort(levels)
	return refused, levels, nil
}

// joinedAnswer is what a joined grant's policy says of a group of
// principals: nothing granted (none), or the granted levels refused;
// text is both, to compare answers.
type joinedAnswer struct {
	none    bool
	refused []string
	text    string
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func anyStr(v any) string {
	s, _ := v.(string)
	return s
}

// exceptLevelsOf reads a joined grant's exceptLevels: the levels refused
// by principal.
func exceptLevelsOf(r *graph.Relationship) map[string][]string {
	l := stringList(r.Get(exceptLevelsProp))
	if len(l) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, s := range l {
		if p, lvl, ok := strings.Cut(s, "|"); ok {
			out[p] = append(out[p], lvl)
		}
	}
	return out
}

// setExceptLevels sets exceptLevels on a joined grant's properties when
// some principal is refused some levels only.
func setExceptLevels(p map[string]any, levels []string) {
	if len(levels) > 0 {
		p[exceptLevelsProp] = levels
	}
}

// classAccounts returns the accounts with collected users or roles,
// sorted.
func (d *deriver) classAccounts() []string {
	d.accountClasses("") // builds every account's classes
	return slices.Sorted(maps.Keys(d.classesBy))
}

// identityLiterals are the values a joined policy's statements compare
// who a principal is with: each Condition value on aws:PrincipalArn,
// aws:username or aws:userid, and each principal a Principal or
// NotPrincipal names. Two principals of a group (the same account, type,
// tags) that match the same of them get the same answer from the
// statements, so joinedRefusals asks once per signature rather than per
// principal: "deny everyone but the administrator" costs two questions,
// not one per principal of the account.
type identityLiterals struct {
	keys, values []string // lower case; key "principal" for a named principal
}

// identityLiteralsOf returns the statements' identityLiterals, nil when a
// statement reads who the principal is in another way (a policy variable,
// aws:SourceIdentity, a value that is not a string): then each principal
// is asked on its own.
func identityLiteralsOf(stmts []*statement) *identityLiterals {
	l := &identityLiterals{}
	for _, st := range stmts {
		if hasVariable(st.conditions) || slices.ContainsFunc(st.resources, hasVariable) || slices.ContainsFunc(st.notResources, hasVariable) {
			return nil
		}
		for _, p := range st.principals {
			if p.raw != "*" {
				l.keys, l.values = append(l.keys, "principal"), append(l.values, strings.ToLower(p.raw))
			}
		}
		cond, _ := st.raw["Condition"].(map[string]any)
		for _, byKey := range cond {
			m, ok := byKey.(map[string]any)
			if !ok {
				return nil
			}
			for k, v := range m {
				k = strings.ToLower(k)
				switch k {
				case "aws:principalarn", "aws:username", "aws:userid":
				case "aws:sourceidentity":
					return nil
				default:
					continue
				}
				vals := []any{v}
				if list, ok := v.([]any); ok {
					vals = list
				}
				for _, x := range vals {
					s, ok := x.(string)
					if !ok {
						return nil
					}
					l.keys, l.values = append(l.keys, k), append(l.values, strings.ToLower(s))
				}
			}
		}
	}
	return l
}

// signature returns which of the literals match principal e: its ARN for
// aws:PrincipalArn and a named principal, its name for aws:username, its
// unique id for aws:userid (glob: a Like operator's wildcards; an Equals
// operator's value has none, or matches only itself).
func (l *identityLiterals) signature(e *graph.Entity) string {
	b := make([]byte, len(l.values))
	arn := strings.ToLower(e.Key)
	for i, v := range l.values {
		fact := arn
		switch l.keys[i] {
		case "aws:username":
			fact = strings.ToLower(e.String("name"))
		case "aws:userid":
			fact = strings.ToLower(e.String("userId"))
		}
		b[i] = '0'
		if v == fact || glob(v, fact) {
			b[i] = '1'
		}
	}
	return "lits:" + string(b)
}
