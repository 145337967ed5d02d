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

// Two roles with one trust policy text: the second is the first renamed
// (same digest and decisions, its own name in reasons, statements of its
// own); a text with a warning is parsed for each policy.
func TestGraphSourceSharesText(t *testing.T) {
	g := testGraph(t, false)
	trust := g.Entity(roleARN).Get("assumeRolePolicyDocument")
	other := "arn:aws:iam::" + acct + ":role/svc/other"
	g.AddEntity(graph.NewEntity(other, "aws_iam_role", []string{"Role"}, map[string]any{"assumeRolePolicyDocument": trust}))
	warned := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::` + acct + `:root","Action":"sts:AssumeRole"}]}`
	for _, n := range []string{"w1", "w2"} {
		g.AddEntity(graph.NewEntity("arn:aws:iam::"+acct+":role/"+n, "aws_iam_role", []string{"Role"}, map[string]any{"assumeRolePolicyDocument": warned}))
	}
	src := NewGraphSource(g)
	ctx := context.Background()
	a, err := src.ResourcePolicy(ctx, roleARN)
	if err != nil {
		t.Fatal(err)
	}
	b, err := src.ResourcePolicy(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a.Digest != b.Digest || a.Name == b.Name || !strings.HasPrefix(b.Name, other+"#") {
		t.Fatalf("policies %q and %q (digests %s, %s): want two names, one digest", a.Name, b.Name, a.Digest, b.Digest)
	}
	if len(a.Statements) != len(b.Statements) || a.Statements[0] == b.Statements[0] {
		t.Fatalf("statements: %d and %d, the first shared: %v", len(a.Statements), len(b.Statements), a.Statements[0] == b.Statements[0])
	}
	ev := NewEvaluator()
	for _, pol := range []*Policy{a, b} {
		svc, _ := ParsePrincipal("lambda.amazonaws.com")
		r := ev.Evaluate(&Request{Principal: svc, Action: "sts:AssumeRole", Resource: pol.Name[:strings.IndexByte(pol.Name, '#')]}, &Policies{Resource: pol})
		if r.Decision != Allowed || !strings.Contains(strings.Join(r.Reasons, " "), pol.Name) {
			t.Errorf("%s: %s %v", pol.Name, r.Decision, r.Reasons)
		}
	}
	w1, err1 := src.ResourcePolicy(ctx, "arn:aws:iam::"+acct+":role/w1")
	w2, err2 := src.ResourcePolicy(ctx, "arn:aws:iam::"+acct+":role/w2")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if len(w1.Warnings) == 0 || len(w2.Warnings) == 0 || !strings.Contains(w2.Warnings[0], w2.Name) {
		t.Errorf("warnings %q and %q: each should name its own policy", w1.Warnings, w2.Warnings)
	}
}
