package iam

import (
	"context"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

const (
	acct     = "111122223333"
	aliceARN = "arn:aws:iam::" + acct + ":user/dev/alice"
	roleARN  = "arn:aws:iam::" + acct + ":role/svc/app"
	groupARN = "arn:aws:iam::" + acct + ":group/devs"
	bucket   = "arn:aws:s3:::team-data"
	pbARN    = "arn:aws:iam::" + acct + ":policy/DevBoundary"
)

// testGraph builds the shape analyze/model writes: decoded documents on
// policy entities, HAS from principals to policies, group CONTAINS user.
func testGraph(t *testing.T, withBoundary bool) *graph.Graph {
	t.Helper()
	g := graph.New()
	add := func(key, typ string, props map[string]any) *graph.Entity {
		e, _ := g.AddEntity(graph.NewEntity(key, typ, []string{"X"}, props))
		return e
	}
	doc := func(stmts ...map[string]any) map[string]any {
		l := make([]any, len(stmts))
		for i, s := range stmts {
			l[i] = s
		}
		return map[string]any{"Version": "2012-10-17", "Statement": l}
	}
	allowS := func(action, resource string) map[string]any {
		return map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}
	}
	aliceProps := map[string]any{"name": "alice"}
	if withBoundary {
		aliceProps["permissionsBoundaryArn"] = pbARN
	}
	alice := add(aliceARN, "aws_iam_user", aliceProps)
	group := add(groupARN, "aws_iam_group", nil)
	role := add(roleARN, "aws_iam_role", map[string]any{
		"assumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
	})
	inline := add(aliceARN+"/inline-policy/read", "aws_iam_user_policy", map[string]any{"document": doc(allowS("s3:GetObject", bucket+"/*"))})
	managed := add("arn:aws:iam::"+acct+":policy/DevList", "aws_iam_policy", map[string]any{"document": doc(allowS("s3:ListBucket", bucket))})
	roleInline := add(roleARN+"/inline-policy/sqs", "aws_iam_role_policy", map[string]any{"document": doc(allowS("sqs:*", "*"))})
	add(pbARN, "aws_iam_policy", map[string]any{"document": doc(allowS("s3:List*", "*"))})
	add(bucket, "aws_s3_bucket", map[string]any{"policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"` + bucket + `/*"}]}`})
	for _, r := range []*graph.Relationship{
		graph.NewRelationship(alice, "HAS", inline, nil),
		graph.NewRelationship(group, "HAS", managed, nil),
		graph.NewRelationship(group, "CONTAINS", alice, nil),
		graph.NewRelationship(role, "HAS", roleInline, nil),
	} {
		if err := g.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func TestGraphSourcePrincipalPolicies(t *testing.T) {
	src := NewGraphSource(testGraph(t, true))
	tests := []struct {
		name      string
		principal string
		identity  []string
		boundary  bool
		wantErr   string
	}{
		{name: "user with group and inline policies and boundary", principal: aliceARN,
			identity: []string{aliceARN + "/inline-policy/read", "arn:aws:iam::" + acct + ":policy/DevList"}, boundary: true},
		{name: "user found without its path", principal: "arn:aws:iam::" + acct + ":user/alice",
			identity: []string{aliceARN + "/inline-policy/read", "arn:aws:iam::" + acct + ":policy/DevList"}, boundary: true},
		{name: "role session resolves to its role", principal: "arn:aws:sts::" + acct + ":assumed-role/app/s1",
			identity: []string{roleARN + "/inline-policy/sqs"}},
		{name: "unknown user", principal: "arn:aws:iam::" + acct + ":user/nobody", wantErr: "not in the snapshot"},
		{name: "service principal", principal: "lambda.amazonaws.com", wantErr: "only users, roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pp, err := src.PrincipalPolicies(context.Background(), tt.principal)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pp.Identity {
				got = append(got, p.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.identity, ",") {
				t.Fatalf("identity = %v, want %v", got, tt.identity)
			}
			if (pp.Boundary != nil) != tt.boundary {
				t.Fatalf("boundary = %v, want %v", pp.Boundary != nil, tt.boundary)
			}
		})
	}
}

func TestGraphSourceMissingBoundary(t *testing.T) {
	g := testGraph(t, false)
	g.Entity(aliceARN).Set("permissionsBoundaryArn", "arn:aws:iam::aws:policy/NotCollected")
	_, err := NewGraphSource(g).PrincipalPolicies(context.Background(), aliceARN)
	if err == nil || !strings.Contains(err.Error(), "NotCollected") {
		t.Fatalf("err = %v", err)
	}
}

// TestGatherAndEvaluate runs requests end to end over the graph.
func TestGatherAndEvaluate(t *testing.T) {
	ev := newTestEvaluator()
	tests := []struct {
		name      string
		boundary  bool
		principal string
		action    string
		resource  string
		want      Decision
	}{
		{name: "inline policy allows object read", principal: aliceARN, action: "s3:GetObject", resource: bucket + "/f", want: Allowed},
		{name: "group policy allows listing", principal: aliceARN, action: "s3:ListBucket", resource: bucket, want: Allowed},
		{name: "boundary blocks object read", boundary: true, principal: aliceARN, action: "s3:GetObject", resource: bucket + "/f", want: ImplicitlyDenied},
		{name: "boundary allows listing", boundary: true, principal: aliceARN, action: "s3:ListBucket", resource: bucket, want: Allowed},
		{name: "bucket policy denies deletes", principal: aliceARN, action: "s3:DeleteObject", resource: bucket + "/f", want: ExplicitlyDenied},
		{name: "trust policy lets lambda assume the role", principal: "lambda.amazonaws.com", action: "sts:AssumeRole", resource: roleARN, want: Allowed},
		{name: "trust policy does not name the user", principal: aliceARN, action: "sts:AssumeRole", resource: roleARN, want: ImplicitlyDenied},
		{name: "role session uses the role's policies", principal: "arn:aws:sts::" + acct + ":assumed-role/app/s1", action: "sqs:SendMessage", resource: "arn:aws:sqs:eu-west-1:" + acct + ":q", want: Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := NewGraphSource(testGraph(t, tt.boundary))
			pr, err := ParsePrincipal(tt.principal)
			if err != nil {
				t.Fatal(err)
			}
			pol, err := Gather(context.Background(), src, pr, tt.resource)
			if err != nil {
				t.Fatal(err)
			}
			got := ev.Evaluate(&Request{Principal: pr, Action: tt.action, Resource: tt.resource, ResourceAccount: acct}, pol)
			if got.Decision != tt.want {
				t.Fatalf("got %s %q, want %s", got.Decision, got.Reasons, tt.want)
			}
		})
	}
}
