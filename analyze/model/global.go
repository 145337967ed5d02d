package model

// Entities that are not items of an API response: the account, the J1
// service placeholders (aws_ec2, aws_iam ...), and J1's global entities
// (Internet, Everyone). The IAM derivations (TRUSTS/ALLOWS) use the same
// get-or-create helpers so every part of the analyzer agrees on their keys.

import (
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

const accountType = "aws_account"

// Setting is a per-region, account-level setting read from a call and kept
// on the service entity as a map property region -> value
// (ebsEncryptionByDefault: {"eu-west-1": true}).
type Setting struct {
	Call Call
	Prop string
	Path string
	Conv Conv
}

// ServiceInfo describes one J1 service placeholder entity aws_<Name>.
// Category and Function are our proposal (J1 never published its values);
// the Service class requires both.
type ServiceInfo struct {
	Name        string // aws_<Name> is the _type
	DisplayName string
	Category    []string
	Function    []string
	Settings    []Setting
	// AlsoNamed are the other names the service goes by in IAM action
	// prefixes and service principals (route53domains for aws_route53).
	AlsoNamed []string
}

// Calls are the calls feeding the entity (its settings' calls), for gaps.
func (s ServiceInfo) Calls() []Call {
	var out []Call
	for _, st := range s.Settings {
		if !slices.Contains(out, st.Call) {
			out = append(out, st.Call)
		}
	}
	return out
}

// Type returns the service entity's _type.
func (s ServiceInfo) Type() string { return "aws_" + s.Name }

// services is the sorted list of service placeholders, one in each
// types_<service>.go: every Service named by a registry type.
var services = sortedServices([]ServiceInfo{
	acmService, apigatewayService, autoscalingService, batchService, cloudfrontService, configService,
	dynamodbService, ec2Service, ecrService, ecsService, eksService, elasticloadbalancingService, iamService,
	kmsService, lambdaService, rdsService, route53Service, s3Service, transferService, workspacesService})

func sortedServices(ss []ServiceInfo) []ServiceInfo {
	slices.SortFunc(ss, func(a, b ServiceInfo) int { return strings.Compare(a.Name, b.Name) })
	return ss
}

// Services returns a copy of the service placeholder list, sorted by name.
func Services() []ServiceInfo { return slices.Clone(services) }

func serviceByType(typ string) (ServiceInfo, bool) {
	for _, s := range services {
		if s.Type() == typ {
			return s, true
		}
	}
	return ServiceInfo{}, false
}

// ServiceName is the name of the service placeholder that an IAM action
// prefix or service principal name stands for: the placeholder that lists
// it in AlsoNamed, else the name itself.
func ServiceName(name string) string {
	for _, s := range services {
		if slices.Contains(s.AlsoNamed, name) {
			return s.Name
		}
	}
	return name
}

// AccountKey is the aws_account _key of an account id.
func AccountKey(accountID string) string { return "arn:aws:iam::" + accountID + ":root" }

// ServiceKey is the _key of a service placeholder entity: "<account>:aws_<svc>".
func ServiceKey(accountID, name string) string { return accountID + ":aws_" + name }

// Account returns the aws_account entity of an account, creating a minimal
// one (accountId, name = the id) when the snapshot had none.
func Account(g *graph.Graph, accountID string) *graph.Entity {
	e, _ := g.AddEntity(graph.NewEntity(AccountKey(accountID), accountType, []string{"Account"}, map[string]any{
		"accountId":   accountID,
		"id":          accountID,
		"name":        accountID,
		"displayName": accountID,
		"arn":         AccountKey(accountID),
		"webLink":     "https://console.aws.amazon.com/billing/home#/account",
	}))
	return e
}

// ServiceEntity returns the aws_<name> service placeholder of an account,
// creating it (and the account HAS service edge) when absent. Names not in
// the service list (a trust policy naming ssm.amazonaws.com) get an entity
// with category and function "other".
func ServiceEntity(g *graph.Graph, accountID, name string) *graph.Entity {
	if e := g.Entity(ServiceKey(accountID, name)); e != nil {
		return e
	}
	info, ok := serviceByType("aws_" + name)
	if !ok {
		info = ServiceInfo{Name: name, DisplayName: "AWS " + strings.ToUpper(name), Category: []string{"other"}, Function: []string{"other"}}
	}
	e, _ := g.AddEntity(graph.NewEntity(ServiceKey(accountID, name), info.Type(), []string{"Service"}, map[string]any{
		"name":        info.DisplayName,
		"displayName": info.DisplayName,
		"accountId":   accountID,
		"category":    slices.Clone(info.Category),
		"function":    slices.Clone(info.Function),
	}))
	acct := Account(g, accountID)
	// Both ends exist: AddRelationship cannot fail.
	_ = g.AddRelationship(graph.NewRelationship(acct, "HAS", e, nil))
	return e
}

// InternetKey and EveryoneKey are the _keys of J1's global entities.
const (
	InternetKey = "global:internet"
	EveryoneKey = "global:everyone"
)

// Internet returns the global Internet entity, creating it when absent.
func Internet(g *graph.Graph) *graph.Entity {
	e, _ := g.AddEntity(graph.NewEntity(InternetKey, "internet", []string{"Internet", "Network"}, map[string]any{
		"name":        "Internet",
		"displayName": "Internet",
		"CIDR":        "0.0.0.0/0",
		"CIDRv6":      "::/0",
		"public":      true,
	}))
	return e
}

// Everyone returns the global Everyone entity, creating it when absent.
func Everyone(g *graph.Graph) *graph.Entity {
	e, _ := g.AddEntity(graph.NewEntity(EveryoneKey, "everyone", []string{"UserGroup", "Everyone"}, map[string]any{
		"name":        "Everyone",
		"displayName": "Everyone (Public Global)",
		"principal":   "*",
		"public":      true,
	}))
	return e
}

// personRelType is the _type of the mapped aws_iam_user IS Person.
const personRelType = "aws_iam_user_is_person"

// MapPersons resolves the mapped relationship aws_iam_user IS Person
// (notes.md §5): a user whose username looks like an email, or whose Email
// tag is set, IS the Person entity already in the graph with that email
// (compared lowercased). No Person is ever created (skipTargetCreation).
// It returns the number of relationships added.
func MapPersons(g *graph.Graph) int {
	persons := map[string][]*graph.Entity{}
	for e := range g.All() { // the order is not used
		if !slices.Contains(e.Class, "Person") {
			continue
		}
		for _, m := range emails(e.Get("email")) {
			persons[m] = append(persons[m], e)
		}
	}
	if len(persons) == 0 {
		return 0
	}
	n := 0
	for _, u := range g.EntitiesOfType("aws_iam_user") {
		var want []string
		if un := u.String("username"); strings.Contains(un, "@") {
			want = append(want, strings.ToLower(un))
		}
		want = append(want, emails(u.Get("email"))...)
		want = append(want, emails(u.Get("tag.Email"))...)
		seen := map[string]bool{}
		for _, m := range want {
			for _, p := range persons[m] {
				if seen[p.Key] {
					continue
				}
				seen[p.Key] = true
				r := graph.NewRelationship(u, "IS", p, nil)
				r.Type = personRelType // J1's mapped type, whatever the Person's _type
				if err := g.AddRelationship(r); err == nil {
					n++
				}
			}
		}
	}
	return n
}

// emails returns the lowercased email(s) of a property value.
func emails(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if x != "" {
			out = append(out, strings.ToLower(x))
		}
	case []string:
		for _, s := range x {
			out = append(out, emails(s)...)
		}
	case []any:
		for _, s := range x {
			out = append(out, emails(s)...)
		}
	}
	return out
}
