package iam

import (
	"slices"
	"strings"
	"testing"
)

// Conditions on keys an offline analysis cannot know: the request is
// allowed, conditionally allowed (with the deciding keys) or denied, never
// silently one of them. The condition semantics are the IAM User Guide's
// (reference_policies_elements_condition.html); the tri-state reading is
// ours, documented on EvaluateUnknown.
func TestEvaluateUnknown(t *testing.T) {
	unknownNetwork := func(k string) bool {
		return k == "aws:sourceip" || k == "aws:multifactorauthpresent" || k == "aws:sourcevpc"
	}
	alice := mustParsePrincipal(t, "arn:aws:iam::111122223333:user/alice")
	tagged := &Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Context: map[string][]string{"aws:PrincipalTag/team": {"blue"}}}
	plain := &Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	allow := `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`
	cases := []struct {
		name     string
		req      *Request
		stmts    []string
		want     Decision
		cond     bool
		wantKeys []string
	}{
		{"no condition", plain, []string{allow}, Allowed, false, nil},
		{"allow on unknown source IP", plain,
			[]string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`},
			Allowed, true, []string{"aws:sourceip"}},
		{"allow on unknown MFA and known tag that fails", tagged,
			[]string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:PrincipalTag/team":"red"}}}`},
			ImplicitlyDenied, false, nil},
		{"allow on unknown MFA and known tag that holds", tagged,
			[]string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`},
			Allowed, true, []string{"aws:multifactorauthpresent"}},
		{"deny on unknown VPC narrows an allow", plain,
			[]string{allow, `{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}`},
			Allowed, true, []string{"aws:sourcevpc"}},
		{"unconditional deny wins whatever is unknown", plain,
			[]string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`,
				`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`},
			ExplicitlyDenied, false, nil},
		{"unconditional allow stays sure beside a conditional one", plain,
			[]string{allow, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`},
			Allowed, false, nil},
		{"a known but absent key is absent, not unknown", plain,
			[]string{`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`},
			ImplicitlyDenied, false, nil},
	}
	ev := newTestEvaluator()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pol := mustParse(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(c.stmts, ",")+`]}`)
			got := ev.EvaluateUnknown(c.req, &Policies{Identity: []*Policy{pol}}, unknownNetwork)
			if got.Decision != c.want || got.Conditional != c.cond || !slices.Equal(got.ConditionKeys, c.wantKeys) {
				t.Errorf("got %s conditional=%v keys=%v (%v), want %s conditional=%v keys=%v",
					got.Decision, got.Conditional, got.ConditionKeys, got.Reasons, c.want, c.cond, c.wantKeys)
			}
			// Without an unknown predicate the same request is AWS's
			// plain evaluation: an absent key makes the condition false.
			if plain := ev.EvaluateUnknown(c.req, &Policies{Identity: []*Policy{pol}}, nil); plain.Conditional {
				t.Errorf("nil predicate: conditional result %+v", plain)
			}
		})
	}
}

func mustParsePrincipal(t *testing.T, arn string) Principal {
	t.Helper()
	p, err := ParsePrincipal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse("test", doc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Explain lists each layer in evaluation order with what it did; the
// decision is Evaluate's.
func TestExplainLayers(t *testing.T) {
	ev := newTestEvaluator()
	alice := mustParsePrincipal(t, "arn:aws:iam::111122223333:user/alice")
	req := &Request{Principal: alice, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}
	pol := &Policies{
		SCPs: [][]*Policy{{mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}},
		Identity: []*Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[
			{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
			{"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)},
		Boundaries: []*Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[
			{"Sid":"OnlyRead","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`)},
	}
	x := ev.Explain(req, pol, nil)
	if want := ev.Evaluate(req, pol); x.Result.Decision != want.Decision || x.Result.Decision != ImplicitlyDenied {
		t.Fatalf("decision %s, Evaluate says %s (want ImplicitlyDenied)", x.Result.Decision, want.Decision)
	}
	var got []string
	for _, l := range x.Layers {
		line := l.Layer + ": " + l.Contribution
		for _, s := range l.Statements {
			line += " | " + s.Statement + " " + s.Outcome
		}
		got = append(got, line)
	}
	want := []string{
		"service control policies, organisation level 1: allows | #0 matches",
		"identity-based policies: allows | Read action not matched | Write matches",
		"permissions boundary: allows nothing | OnlyRead action not matched",
	}
	if !slices.Equal(got, want) {
		t.Errorf("layers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPolicyPersonal(t *testing.T) {
	for _, tc := range []struct {
		stmt string
		want bool
	}{
		{`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}`, false},
		{`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}`, true},
		{`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::1:role/x"}}}`, true},
		{`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}`, false},
	} {
		if got := mustParse(t, `{"Version":"2012-10-17","Statement":[`+tc.stmt+`]}`).Personal(); got != tc.want {
			t.Errorf("%s: Personal() = %v, want %v", tc.stmt, got, tc.want)
		}
	}
}
