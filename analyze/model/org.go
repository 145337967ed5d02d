package model

// The organisation's policies on each account: its path in the
// organisation (root, OUs) and the SCPs and RCPs attached at each level,
// which the access analysis applies (analyze/access, query.go).
//
// No spec type stands for roots, OUs or organisation policies
// (testdata/spec/entities.tsv has none), so rather than invent types the
// facts are properties of aws_account (decision recorded here):
//
//   - organizationPath: the account's path as aws:PrincipalOrgPaths and
//     aws:ResourceOrgPaths spell it, "o-id/r-id/ou-id/.../" (IAM User
//     Guide, reference_policies_condition-keys.html#condition-keys-principalorgpaths).
//   - serviceControlPolicies, resourceControlPolicies: a JSON array of the
//     levels root first — the root, each OU down the path, the account
//     itself — each {"target": id, "policies": [{"id", "name",
//     "document"}]}: the policies of that type attached there
//     (ListTargetsForPolicy). "[]" when the type is not enabled on the
//     root: no policy of that type applies (disabling a type detaches its
//     policies: orgs_manage_policies_enable-disable.html).
//
// Each is null (unknown) unless every call it depends on answered in
// full: a member account cannot read its organisation (AccessDenied), so
// its aws_account says nothing rather than "no SCPs". A snapshot holding
// the management account's rows knows the policies of every collected
// account of its organisation.

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// orgHatch reads the organisation rows.
var orgHatch = Hatch{
	Name: "organization-policies",
	Why:  "an account's path walks the OU tree over rows of three calls, and its policies join two more by attachment target: a recursive join a record cannot state",
	Calls: []Call{op("organizations:DescribePolicy"), op("organizations:ListAccounts"),
		op("organizations:ListOrganizationalUnitsForParent"), op("organizations:ListParents"),
		op("organizations:ListPolicies"), op("organizations:ListRoots"), op("organizations:ListTargetsForPolicy")},
	Failed: true,
	Rows:   orgRows,
	Finish: orgFinish,
	Sets:   map[string][]string{accountType: append([]string{"_source", "external"}, orgProps...)}, // the first two: placeholders
	// The management account HAS each member account (relationships.tsv:
	// aws_account HAS aws_account, from ListAccounts); an account the
	// snapshot did not collect is a placeholder marked as J1's mapper
	// marks its targets (_source system-mapper, external).
	Produces: []RelInfo{{From: accountType, Verb: "HAS", To: accountType,
		Type: graph.RelationshipType(accountType, "HAS", accountType)}},
}

var orgProps = []string{"organizationPath", "resourceControlPolicies", "serviceControlPolicies"}

// The policy types applied, and their property names.
var orgPolicyProps = [][2]string{
	{"SERVICE_CONTROL_POLICY", "serviceControlPolicies"},
	{"RESOURCE_CONTROL_POLICY", "resourceControlPolicies"},
}

// orgFacts accumulates the organisation rows of a snapshot.
type orgFacts struct {
	roots    map[string]map[string]bool // root id -> enabled policy types
	orgOf    map[string]string          // root id -> organisation id (from its ARN)
	parent   map[string]string          // OU or account id -> parent id
	policies map[string][]string        // policy type -> policy ids
	listed   map[string]bool            // policy types whose ListPolicies answered
	docs     map[string]orgPolicy       // policy id -> document
	targets  map[string][]string        // policy id -> target ids
	answered map[string]bool            // policy id -> ListTargetsForPolicy answered
	failed   map[string]bool            // "Operation parentKey" of a failed row
	read     bool                       // ListRoots answered
	mgmt     string                     // the management account (from a root's ARN)
	members  [][2]string                // ListAccounts: id, name
}

type orgPolicy struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Document string `json:"document"`
}

type orgLevel struct {
	Target   string      `json:"target"`
	Policies []orgPolicy `json:"policies"`
}

// orgFacts returns the facts read by one account's credentials: only the
// management account (or a delegated administrator) reads them all, and a
// member's failed calls in the same snapshot must not void them.
func (b *builder) orgFacts(reader string) *orgFacts {
	if b.org == nil {
		b.org = map[string]*orgFacts{}
	}
	if b.org[reader] == nil {
		b.org[reader] = &orgFacts{roots: map[string]map[string]bool{}, orgOf: map[string]string{}, parent: map[string]string{},
			policies: map[string][]string{}, listed: map[string]bool{}, docs: map[string]orgPolicy{},
			targets: map[string][]string{}, answered: map[string]bool{}, failed: map[string]bool{}}
	}
	return b.org[reader]
}

func orgRows(b *builder, c Call, rd rowData) error {
	f, key := b.orgFacts(rd.Row.AccountID), rd.Row.ParentKey
	if rd.Body == nil { // a failed row (Hatch.Failed)
		f.failed[c.Operation+" "+key] = true
		return nil
	}
	items := func(path string) []map[string]any {
		l, _ := lookup(rd.Body, path).([]any)
		var out []map[string]any
		for _, it := range l {
			if m, ok := it.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	str := func(m map[string]any, k string) string { return scalarString(m[k]) }
	switch c.Operation {
	case "ListRoots":
		f.read = true
		for _, r := range items("Roots") {
			id := str(r, "Id")
			types := map[string]bool{}
			if l, ok := r["PolicyTypes"].([]any); ok {
				for _, pt := range l {
					if m, ok := pt.(map[string]any); ok && str(m, "Status") == "ENABLED" {
						types[str(m, "Type")] = true
					}
				}
			}
			f.roots[id] = types
			// arn:aws:organizations::MGMT:root/o-id/r-id
			if parts := strings.Split(str(r, "Arn"), "/"); len(parts) == 3 {
				f.orgOf[id] = parts[1]
				if fields := strings.Split(parts[0], ":"); len(fields) == 6 {
					f.mgmt = fields[4]
				}
			}
		}
	case "ListOrganizationalUnitsForParent":
		for _, ou := range items("OrganizationalUnits") {
			f.parent[str(ou, "Id")] = key
		}
	case "ListAccounts":
		for _, a := range items("Accounts") {
			f.members = append(f.members, [2]string{str(a, "Id"), str(a, "Name")})
		}
	case "ListParents":
		for _, p := range items("Parents") {
			f.parent[key] = str(p, "Id")
		}
	case "ListPolicies":
		f.listed[key] = true
		for _, p := range items("Policies") {
			f.policies[key] = append(f.policies[key], str(p, "Id"))
		}
	case "DescribePolicy":
		f.docs[key] = orgPolicy{ID: key, Name: scalarString(lookup(rd.Body, "Policy.PolicySummary.Name")),
			Document: scalarString(lookup(rd.Body, "Policy.Content"))}
	case "ListTargetsForPolicy":
		f.answered[key] = true
		for _, t := range items("Targets") {
			f.targets[key] = append(f.targets[key], str(t, "TargetId"))
		}
	}
	return nil
}

// orgFinish sets the properties on every collected account, from the
// first reader (by account id) that read the roots and the account's path.
func orgFinish(b *builder) error {
	readers := slices.Sorted(maps.Keys(b.org))
	for _, e := range b.g.EntitiesOfType(accountType) {
		for _, p := range orgProps {
			e.Set(p, nil) // unknown until read
		}
		for _, r := range readers {
			f := b.org[r]
			if !f.read || f.failed["ListRoots "] {
				continue
			}
			levels := f.path(e.String("accountId"))
			if levels == nil {
				continue
			}
			root := levels[0]
			if org := f.orgOf[root]; org != "" {
				e.Set("organizationPath", org+"/"+strings.Join(levels[:len(levels)-1], "/")+"/")
			}
			for _, tp := range orgPolicyProps {
				if v, ok := f.levels(tp[0], root, levels); ok {
					doc, err := json.Marshal(v)
					if err != nil {
						return err
					}
					e.Set(tp[1], string(doc))
				}
			}
			break
		}
	}
	for _, r := range readers {
		if f := b.org[r]; f.mgmt != "" && len(f.members) > 0 {
			return f.memberEdges(b)
		}
	}
	return nil
}

// memberEdges adds management HAS member for every account ListAccounts
// listed, from the first reader that read them.
func (f *orgFacts) memberEdges(b *builder) error {
	account := func(id, name string) *graph.Entity {
		if e := b.g.Entity(AccountKey(id)); e != nil {
			return e
		}
		e := Account(b.g, id)
		e.Set("_source", "system-mapper")
		e.Set("external", true) // not collected
		if name != "" {
			e.Set("name", name)
			e.Set("displayName", name)
		}
		return e
	}
	var mgmt *graph.Entity
	for _, m := range f.members {
		if m[0] == f.mgmt {
			mgmt = account(m[0], m[1])
		}
	}
	if mgmt == nil {
		mgmt = account(f.mgmt, "")
	}
	for _, m := range f.members {
		if m[0] == "" || m[0] == f.mgmt {
			continue
		}
		if err := b.g.AddRelationship(graph.NewRelationship(mgmt, "HAS", account(m[0], m[1]), nil)); err != nil {
			return err
		}
	}
	return nil
}

// path returns the account's levels, root first and the account last; nil
// when a link is unknown.
func (f *orgFacts) path(acct string) []string {
	levels := []string{acct}
	for cur := acct; ; {
		p, ok := f.parent[cur]
		if !ok || f.failed["ListParents "+acct] || len(levels) > 8 || slices.Contains(levels, p) {
			return nil
		}
		levels = append(levels, p)
		if _, isRoot := f.roots[p]; isRoot {
			break
		}
		if f.failed["ListOrganizationalUnitsForParent "+p] {
			return nil
		}
		cur = p
	}
	slices.Reverse(levels)
	return levels
}

// levels returns the policies of type typ at each level; ok is false when
// one of the calls they come from failed.
func (f *orgFacts) levels(typ, root string, levels []string) ([]orgLevel, bool) {
	if !f.roots[root][typ] {
		return []orgLevel{}, true
	}
	if !f.listed[typ] || f.failed["ListPolicies "+typ] {
		return nil, false
	}
	out := make([]orgLevel, len(levels))
	for i, l := range levels {
		out[i] = orgLevel{Target: l, Policies: []orgPolicy{}}
	}
	for _, id := range f.policies[typ] {
		doc, ok := f.docs[id]
		if !ok || !f.answered[id] || f.failed["DescribePolicy "+id] || f.failed["ListTargetsForPolicy "+id] {
			return nil, false
		}
		for i, l := range levels {
			if slices.Contains(f.targets[id], l) {
				out[i].Policies = append(out[i].Policies, doc)
			}
		}
	}
	return out, true
}
