package access

import (
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

const (
	acct  = "111122223333"
	other = "444455556666"
)

func roleARN(name string) string   { return "arn:aws:iam::" + acct + ":role/" + name }
func userARN(name string) string   { return "arn:aws:iam::" + acct + ":user/" + name }
func policyARN(name string) string { return "arn:aws:iam::" + acct + ":policy/" + name }

// world builds small graphs in the shape analyze/model writes: ARN keys,
// decoded JSON documents, principal HAS policy, group CONTAINS user.
type world struct {
	t testing.TB
	g *graph.Graph
}

func newWorld(t testing.TB) *world {
	g := graph.New()
	model.Account(g, acct)
	return &world{t: t, g: g}
}

func (w *world) add(key, typ string, class string, props map[string]any) *graph.Entity {
	if props == nil {
		props = map[string]any{}
	}
	props["accountId"] = acct
	e, _ := w.g.AddEntity(graph.NewEntity(key, typ, []string{class}, props))
	return e
}

func (w *world) rel(from *graph.Entity, verb string, to *graph.Entity) {
	w.t.Helper()
	if err := w.g.AddRelationship(graph.NewRelationship(from, verb, to, nil)); err != nil {
		w.t.Fatal(err)
	}
}

// role adds a role with a trust policy document ("" for none) and,
// optionally, a permissions boundary ARN.
func (w *world) role(name, trust, boundary string) *graph.Entity {
	return w.add(roleARN(name), "aws_iam_role", "AccessRole", map[string]any{
		"arn": roleARN(name), "name": name, "roleId": "AROA" + name + "XXXXXXXXXXXXXXXX",
		"assumeRolePolicyDocument": nilIfEmpty(trust), "permissionsBoundaryArn": boundary,
	})
}

func (w *world) user(name string) *graph.Entity {
	return w.add(userARN(name), "aws_iam_user", "User", map[string]any{
		"arn": userARN(name), "name": name, "username": name, "permissionsBoundaryArn": "",
	})
}

func (w *world) group(name string, members ...*graph.Entity) *graph.Entity {
	key := "arn:aws:iam::" + acct + ":group/" + name
	g := w.add(key, "aws_iam_group", "UserGroup", map[string]any{"arn": key, "name": name})
	for _, m := range members {
		w.rel(g, "CONTAINS", m)
	}
	return g
}

// policy adds a customer managed policy that owners have.
func (w *world) policy(name, doc string, owners ...*graph.Entity) *graph.Entity {
	p := w.add(policyARN(name), "aws_iam_policy", "AccessPolicy", map[string]any{
		"arn": policyARN(name), "name": name, "document": doc, "awsManaged": false,
	})
	for _, o := range owners {
		w.rel(o, "HAS", p)
	}
	return p
}

// inline adds an inline policy of owner.
func (w *world) inline(owner *graph.Entity, name, doc string) *graph.Entity {
	typ := map[string]string{"aws_iam_user": "aws_iam_user_policy", "aws_iam_role": "aws_iam_role_policy", "aws_iam_group": "aws_iam_group_policy"}[owner.Type]
	p := w.add(owner.Key+"/inline-policy/"+name, typ, "AccessPolicy", map[string]any{
		"name": name, "document": doc, "principalArn": owner.Key,
	})
	w.rel(owner, "HAS", p)
	return p
}

// A bucket as collected without a public access block
// (GetPublicAccessBlock's NoSuchPublicAccessBlockConfiguration:
// effectiveRestrictPublicBuckets false): its policy is not restricted; with
// ABAC enabled, so its tags are aws:ResourceTag/* (abac.go).
func (w *world) bucket(name, policy string) *graph.Entity {
	key := "arn:aws:s3:::" + name
	return w.add(key, "aws_s3_bucket", "DataStore", map[string]any{"arn": key, "name": name, "policy": nilIfEmpty(policy), "effectiveRestrictPublicBuckets": false, "abacEnabled": true})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// doc wraps statements (JSON objects) in a policy document.
func doc(stmts ...string) string {
	s := `{"Version":"2012-10-17","Statement":[`
	for i, st := range stmts {
		if i > 0 {
			s += ","
		}
		s += st
	}
	return s + "]}"
}
