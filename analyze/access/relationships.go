package access

// The relationship kinds the derivations add, for the reference docs and
// `snapaudit types` (analyze/catalog). Ends that depend on the policies
// are placeholders: ServiceEnd is any service entity (aws_s3, aws_ecs_tasks
// ...), ResourceEnd any entity an ARN pattern reaches. TestDerive checks
// that every relationship Derive adds is one of these kinds.

import (
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// Placeholder ends of derived relationship kinds.
const (
	ServiceEnd  = "aws_<service>" // a service entity: aws_<name> of an action prefix or service principal
	ResourceEnd = "<resource>"    // any entity with an ARN key that a Resource pattern reaches
)

// principalTypes are the _types a Principal entry resolves to
// (resolver.resolve): Everyone for "*", the account for root and
// federated users, users, roles (and assumed roles), service entities,
// SAML and OIDC providers.
var principalTypes = []string{"aws_account", "aws_iam_oidc_provider", "aws_iam_role", "aws_iam_saml_provider",
	"aws_iam_user", ServiceEnd, "everyone"}

// Relationships lists the relationship kinds Derive can add on a graph the
// model builds, sorted by from, verb, to and _type: each derivation
// step's (derive.go).
func Relationships() []model.RelInfo {
	var out []model.RelInfo
	add := func(from, verb, to, typ string) {
		if typ == "" {
			typ = graph.RelationshipType(from, verb, to)
		}
		out = append(out, model.RelInfo{From: from, Verb: verb, To: to, Type: typ})
	}
	targets := []string{ResourceEnd, ServiceEnd, "aws_account"}
	for _, p := range principalTypes {
		add("aws_iam_role", "TRUSTS", p, "") // trusts
	}
	for _, pt := range policyTypes {
		for _, to := range targets {
			add(pt, "ALLOWS", to, "") // identity-allows
		}
	}
	for _, rt := range resourcePolicyTypes {
		if _, ok := model.TypeOf(rt.Type); !ok {
			continue // not built (yet): no entity carries the policy
		}
		for _, p := range principalTypes {
			add(rt.Type, "ALLOWS", p, "") // resource-allows
		}
	}
	for _, p := range []string{"aws_iam_role", "aws_iam_user"} {
		for _, to := range targets {
			add(p, "ALLOWS", to, AccessType) // principal-access
		}
	}
	slices.SortFunc(out, func(a, b model.RelInfo) int {
		return strings.Compare(a.From+" "+a.Verb+" "+a.To+" "+a.Type, b.From+" "+b.Verb+" "+b.To+" "+b.Type)
	})
	return slices.Compact(out)
}

// derivedKind reports whether a relationship between entities of the
// given _types is one of Relationships' kinds.
func derivedKind(kinds []model.RelInfo, from, verb, to, typ string) bool {
	end := func(pattern, t string) bool {
		switch pattern {
		case ResourceEnd:
			return true
		case ServiceEnd:
			return strings.HasPrefix(t, "aws_")
		}
		return pattern == t
	}
	for _, k := range kinds {
		if k.Verb == verb && end(k.From, from) && end(k.To, to) &&
			(k.Type == typ || typ == graph.RelationshipType(from, verb, to) && k.Type != AccessType) {
			return true
		}
	}
	return false
}
