package access

// Principal resolution, shared by TRUSTS and resource-policy ALLOWS: one
// entry of a Principal element becomes the graph entity it names.
//
//	"*", {"AWS": "*"}                  -> Everyone (global:everyone)
//	account id, arn:...:iam::ID:root   -> aws_account
//	user / role ARN (any path)         -> aws_iam_user / aws_iam_role (matched by account and name)
//	assumed-role session ARN           -> its aws_iam_role
//	federated-user ARN                 -> its aws_account
//	unique id AIDA... / AROA...        -> the user / role with that userId / roleId
//	service (ec2.amazonaws.com)        -> service entity aws_<ec2> of the policy's account
//	SAML / OIDC provider ARN           -> aws_iam_saml_provider / aws_iam_oidc_provider by ARN
//	web identity host (accounts.google.com, cognito-identity.amazonaws.com)
//	                                   -> aws_iam_oidc_provider keyed by the host
//	canonical user id                  -> not mapped (counted in Stats.Unresolved)
//
// Targets not in the graph get placeholder entities the way J1's mapper
// creates them: `_source` = "system-mapper" (placeholderSource), `external`
// true when the principal's account is not one the snapshot covers, and the
// identity's own properties (arn, accountId, name). Rules find them with
// `_source == "system-mapper"`; they are never indexed as collected
// resources.

import (
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// placeholderSource marks entities created by the derivations for
// principals outside the snapshot, as J1's mapper marks its targets.
const placeholderSource = "system-mapper"

type resolver struct {
	g          *graph.Graph
	known      map[string]bool          // accounts the snapshot covers
	byName     map[string]*graph.Entity // "user/ACCT/name", "role/ACCT/name"
	byUniqueID map[string]*graph.Entity // AIDA..., AROA...
	created    int
}

func newResolver(g *graph.Graph) *resolver {
	r := &resolver{g: g, known: map[string]bool{}, byName: map[string]*graph.Entity{}, byUniqueID: map[string]*graph.Entity{}}
	for _, e := range g.EntitiesOfType("aws_account") {
		if e.String("_source") != placeholderSource {
			r.known[e.String("accountId")] = true
		}
	}
	for _, t := range []struct{ typ, kind, id string }{
		{typ: "aws_iam_user", kind: "user", id: "userId"},
		{typ: "aws_iam_role", kind: "role", id: "roleId"},
	} {
		for _, e := range r.g.EntitiesOfType(t.typ) {
			if e.String("_source") == placeholderSource {
				continue
			}
			if p, err := iam.ParsePrincipal(e.Key); err == nil && p.Account != "" {
				r.known[p.Account] = true
				r.byName[t.kind+"/"+p.Account+"/"+p.Name] = e
			}
			if id := e.String(t.id); id != "" {
				r.byUniqueID[id] = e
			}
		}
	}
	return r
}

// resolve returns the entity a principal entry names; owner is the account
// of the policy's resource (service principals act in it). nil means the
// entry cannot be mapped.
func (r *resolver) resolve(ref principalRef, owner string) *graph.Entity {
	raw := ref.raw
	switch ref.kind {
	case "*":
		return model.Everyone(r.g)
	case "AWS":
		if raw == "*" {
			return model.Everyone(r.g)
		}
		if e := r.uniqueID(raw); e != nil {
			return e
		}
		p, err := iam.ParsePrincipal(raw)
		if err != nil {
			return nil
		}
		switch p.Type {
		case iam.PrincipalRoot, iam.PrincipalFederatedUser:
			return r.account(p.Account)
		case iam.PrincipalUser:
			return r.identity("aws_iam_user", "user", p, p.ARN)
		case iam.PrincipalRole, iam.PrincipalAssumedRole:
			return r.identity("aws_iam_role", "role", p, p.RoleARN)
		}
		return nil
	case "Service":
		return serviceEntity(r.g, owner, raw)
	case "Federated":
		return r.provider(raw)
	}
	return nil
}

// account returns the aws_account of id, a placeholder when the snapshot
// has none.
func (r *resolver) account(id string) *graph.Entity {
	if e := r.g.Entity(model.AccountKey(id)); e != nil {
		return e
	}
	e := model.Account(r.g, id)
	e.Set("_source", placeholderSource)
	e.Set("external", !r.known[id])
	r.created++
	return e
}

// identity returns the user or role p names, matched by account and name
// (IAM names are unique per account; ARNs in policies may omit the path).
func (r *resolver) identity(typ, kind string, p iam.Principal, arn string) *graph.Entity {
	if e := r.g.Entity(arn); e != nil && e.Type == typ {
		return e
	}
	if e := r.byName[kind+"/"+p.Account+"/"+p.Name]; e != nil {
		return e
	}
	props := map[string]any{
		"_source": placeholderSource, "external": !r.known[p.Account],
		"arn": arn, "accountId": p.Account, "name": p.Name, "displayName": p.Name,
	}
	if kind == "user" {
		props["username"] = p.Name
	}
	class := "User"
	if kind == "role" {
		class = "AccessRole"
	}
	e, added := r.g.AddEntity(graph.NewEntity(arn, typ, []string{class}, props))
	if added {
		r.created++
		r.byName[kind+"/"+p.Account+"/"+p.Name] = e
	}
	return e
}

// uniqueID maps an IAM unique id (what a policy shows once its user or
// role was deleted) to the entity, or a placeholder keyed by the id.
func (r *resolver) uniqueID(s string) *graph.Entity {
	var typ, class string
	switch {
	case len(s) < 16 || strings.ToUpper(s) != s || strings.ContainsAny(s, ":/"):
		return nil
	case strings.HasPrefix(s, "AIDA"):
		typ, class = "aws_iam_user", "User"
	case strings.HasPrefix(s, "AROA"):
		typ, class = "aws_iam_role", "AccessRole"
	default:
		return nil
	}
	if e := r.byUniqueID[s]; e != nil {
		return e
	}
	e, added := r.g.AddEntity(graph.NewEntity(s, typ, []string{class}, map[string]any{
		"_source": placeholderSource, "external": nil, "name": s, "displayName": s,
		"deleted": true, // a policy shows the unique id only for a deleted principal
	}))
	if added {
		r.created++
		r.byUniqueID[s] = e
	}
	return e
}

// provider returns the SAML or OIDC provider entity of a Federated entry.
func (r *resolver) provider(s string) *graph.Entity {
	typ, name := "aws_iam_oidc_provider", s
	props := map[string]any{"_source": placeholderSource}
	if p, ok := arnParts(s); ok {
		res := p[5]
		switch {
		case strings.HasPrefix(res, "saml-provider/"):
			typ, name = "aws_iam_saml_provider", strings.TrimPrefix(res, "saml-provider/")
		case strings.HasPrefix(res, "oidc-provider/"):
			name = strings.TrimPrefix(res, "oidc-provider/")
		default:
			return nil
		}
		props["arn"], props["accountId"] = s, p[4]
		props["external"] = !r.known[p[4]]
	} else {
		props["url"] = s
		props["external"] = true // a public identity provider
	}
	if e := r.g.Entity(s); e != nil {
		return e
	}
	props["name"], props["displayName"] = name, name
	props["category"], props["function"] = []string{"security"}, []string{"identity-provider"}
	e, added := r.g.AddEntity(graph.NewEntity(s, typ, []string{"Service"}, props))
	if added {
		r.created++
	}
	return e
}

// serviceName turns a service principal or an action prefix into the name
// of its service entity: the part before .amazonaws.com, lower case, with
// `-` and `.` as `_` so that `_type` stays an identifier
// (ecs-tasks.amazonaws.com -> aws_ecs_tasks).
func serviceName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".amazonaws.com.cn")
	s = strings.TrimSuffix(s, ".amazonaws.com")
	return strings.NewReplacer("-", "_", ".", "_").Replace(s)
}

// accountOf returns the account of an entity: the account field of its
// key's ARN when that is an account id (authoritative for IAM identities
// and inline policies), else its accountId property.
func accountOf(e *graph.Entity) string {
	if p, ok := arnParts(e.Key); ok && isAccountID(p[4]) {
		return p[4]
	}
	return e.String("accountId")
}

// serviceEntity returns the service entity of an action prefix or service
// principal in an account (route53domains is aws_route53's, model.ServiceName).
// A name whose aws_<name> is already a resource type of the model (the
// "account" action prefix: aws_account) gets a "_service" suffix, so a
// service entity never poses as another type.
func serviceEntity(g *graph.Graph, acct, prefix string) *graph.Entity {
	name := model.ServiceName(serviceName(prefix))
	if _, ok := model.TypeOf("aws_" + name); ok {
		name += "_service"
	}
	return model.ServiceEntity(g, acct, name)
}
