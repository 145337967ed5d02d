package access

import (
	"fmt"
	"slices"
	"sort"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// Access is one answer of Who: a principal with access to the resource,
// read from one aws_principal_access relationship (or, for Everyone, from
// the resource policy's ALLOWS).
type Access struct {
	Principal string // the user or role key; model.EveryoneKey for a public resource policy
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
		if (r.Class == "ALLOWS" || r.Class == "TRUSTS") && r.Properties["principal"] != nil {
			ix.grants[r.From] = append(ix.grants[r.From], r)
		}
	}
	return ix
}

// Who returns the principals with access to the resource at the given
// level ("" for any level), sorted by principal and target. It reads the
// aws_principal_access relationships to the resource, to its service
// entity and to its account, and the resource policy's effective ALLOWS to
// Everyone. Service and account scoped access was evaluated on resource
// "*" (or the type-wide pattern in their resources, which must cover the
// resource): a Deny in this resource's own policy is not applied to them.
// Principals outside the snapshot (cross-account grants in a resource
// policy) are not evaluated and not listed; find them as the resource's
// ALLOWS relationships.
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
		cond, _ := r.Properties["conditional"].(bool)
		admin, _ := r.Properties["admin"].(bool)
		out = append(out, Access{
			Principal: r.From, Target: r.To, Scope: scope, AccessLevels: levels,
			Via: stringList(r.Properties["via"]), Conditional: cond, Admin: admin,
		})
	})
	for _, r := range ix.from[resourceKey] {
		levels := stringList(r.Properties["accessLevels"])
		if eff, _ := r.Properties["effective"].(bool); !eff || (level != "" && !slices.Contains(levels, string(level))) {
			continue
		}
		cond, _ := r.Properties["conditional"].(bool)
		admin, _ := r.Properties["admin"].(bool)
		out = append(out, Access{
			Principal: model.EveryoneKey, Target: resourceKey, Scope: scopeResource, AccessLevels: levels,
			Via: []string{resourceKey + "#policy"}, Conditional: cond, Admin: admin,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Principal != out[j].Principal {
			return out[i].Principal < out[j].Principal
		}
		return out[i].Target < out[j].Target
	})
	return out, nil
}

// accessTo calls fn with each aws_principal_access relationship that
// reaches resource e: to e itself, or to its service entity or account
// with Resource patterns that cover e.
func (ix *Index) accessTo(e *graph.Entity, fn func(r *graph.Relationship, levels []string, scope string)) {
	targets := []string{e.Key}
	if svc := arnService(e.String("arn")); svc != "" {
		accts := []string{accountOf(e)}
		if accts[0] == "" { // a global resource (an AWS managed policy): in every account
			accts = accts[:0]
			for _, a := range ix.g.EntitiesOfType("aws_account") {
				if a.String("_source") != placeholderSource {
					accts = append(accts, a.String("accountId"))
				}
			}
		}
		for _, acct := range accts {
			targets = append(targets, model.ServiceKey(acct, serviceName(svc)), model.ServiceKey(acct, serviceName(svc)+"_service"))
			for _, c := range crossService { // sts:AssumeRole on "*" reaches roles
				if c.Resource == svc {
					targets = append(targets, model.ServiceKey(acct, serviceName(c.Action)))
				}
			}
			targets = append(targets, model.AccountKey(acct))
		}
	}
	for _, t := range targets {
		for _, r := range ix.to[t] {
			scope, _ := r.Properties["scope"].(string)
			if scope != scopeResource && !coversARN(stringList(r.Properties["resources"]), e.String("arn")) {
				continue
			}
			fn(r, stringList(r.Properties["accessLevels"]), scope)
		}
	}
}

// coversARN reports whether a service- or account-scoped grant's Resource
// patterns reach arn or something inside it (an object of a bucket). No
// patterns (a statement without Resource) covers everything.
func coversARN(patterns []string, arn string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		p = varsAsWildcards(p)
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
