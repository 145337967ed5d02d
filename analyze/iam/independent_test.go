package iam

import (
	"fmt"
	"testing"
)

// Resources with one ResourceSplit signature are decided alike: for each
// policy set, every pair of roles of the account with the same signature
// (and tags) gets the same decision, and the signatures do tell apart the
// roles the policies treat differently.
func TestSplitByResource(t *testing.T) {
	const acct = "111122223333"
	caller := mustParsePrincipal(t, "arn:aws:iam::"+acct+":user/dev")
	roles := []struct {
		arn  string
		tags map[string][]string
	}{
		{"arn:aws:iam::" + acct + ":role/app-a", nil},
		{"arn:aws:iam::" + acct + ":role/app-b", map[string][]string{"aws:ResourceTag/team": {"red"}}},
		{"arn:aws:iam::" + acct + ":role/ops/admin", map[string][]string{"aws:ResourceTag/team": {"blue"}}},
		{"arn:aws:iam::" + acct + ":role/ops/x", map[string][]string{"aws:ResourceTag/Team": {"red"}}},
		{"arn:aws:iam::" + acct + ":role/ci", nil},
	}
	for _, tc := range []struct {
		name   string
		policy string
		groups int // distinct signatures among the roles
		ok     bool
	}{
		{"star", `{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`, 1, true},
		{"other action only", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`, 1, true},
		{"prefix", `{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:role/app-*"}`, 2, true},
		{"deny a path", `{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/ops/*"}`, 2, true},
		{"not resource", `{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/ci"}`, 2, true},
		{"tag condition", `{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"red"}}}`, 3, true},
		{"tag variable", `{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"${aws:ResourceTag/team}"}}}`, 3, true},
		{"resource variable", `{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/${aws:username}"}`, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := &Policies{Identity: []*Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[`+tc.policy+`]}`)}}
			sp, ok := SplitByResource(pol, "iam:PassRole")
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			ev := NewEvaluator()
			decided := map[string]Decision{}
			for _, r := range roles {
				sig := sp.Signature(r.arn, r.tags)
				ctx := map[string][]string{"aws:PrincipalTag/team": {"red"}}
				for k, v := range r.tags {
					ctx[k] = v
				}
				d := ev.Evaluate(&Request{Principal: caller, Action: "iam:PassRole", Resource: r.arn, ResourceAccount: acct, Context: ctx}, pol).Decision
				if prev, seen := decided[sig]; seen && prev != d {
					t.Errorf("%s: %s, but another role of signature %q: %s", r.arn, d, sig, prev)
				}
				decided[sig] = d
			}
			if len(decided) != tc.groups {
				t.Errorf("%d signatures, want %d: %v", len(decided), tc.groups, fmt.Sprint(decided))
			}
		})
	}
}

func TestResourceSpecial(t *testing.T) {
	for arn, want := range map[string]bool{
		"arn:aws:iam::111122223333:role/app":                                false,
		"arn:aws:iam::111122223333:user/dev":                                false,
		"arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/r": true,
		"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/r":   true,
		"arn:aws:iam::aws:policy/AdministratorAccess":                       true,
		"arn:aws:kms:eu-west-1:111122223333:key/1":                          true,
	} {
		if got := ResourceSpecial(arn); got != want {
			t.Errorf("ResourceSpecial(%s) = %v, want %v", arn, got, want)
		}
	}
}

func TestMayMatch(t *testing.T) {
	trust := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	odd := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","NotAction":"s3:*"}]}`)
	for _, tc := range []struct {
		p      *Policy
		action string
		want   bool
	}{
		{trust, "sts:AssumeRole", true}, {trust, "STS:assumerole", true}, {trust, "iam:PassRole", false},
		{odd, "iam:PassRole", true}, {odd, "s3:GetObject", false}, {nil, "iam:PassRole", false},
	} {
		if got := tc.p.MayMatch(tc.action); got != tc.want {
			t.Errorf("MayMatch(%s) = %v, want %v", tc.action, got, tc.want)
		}
	}
}

// A statement on aws:RequestedRegion tells apart resources of different
// Regions: the evaluator takes the key from the ARN (RequestedRegion).
func TestSplitByResourceRegion(t *testing.T) {
	caller := mustParsePrincipal(t, "arn:aws:iam::111122223333:user/dev")
	pol := &Policies{Identity: []*Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`)}}
	sp, ok := SplitByResource(pol, "lambda:InvokeFunction")
	if !ok {
		t.Fatal("no split")
	}
	ev := NewEvaluator()
	sigs := map[string]Decision{}
	for _, arn := range []string{"arn:aws:lambda:eu-west-1:111122223333:function:a", "arn:aws:lambda:eu-west-1:111122223333:function:b",
		"arn:aws:lambda:us-east-1:111122223333:function:a"} {
		d := ev.Evaluate(&Request{Principal: caller, Action: "lambda:InvokeFunction", Resource: arn}, pol).Decision
		sig := sp.Signature(arn, nil)
		if prev, seen := sigs[sig]; seen && prev != d {
			t.Errorf("%s: %s, but another function of signature %q: %s", arn, d, sig, prev)
		}
		sigs[sig] = d
	}
	if len(sigs) != 2 {
		t.Errorf("%d signatures, want 2 (one per Region): %v", len(sigs), sigs)
	}
}
