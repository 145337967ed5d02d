package iam

import (
	"slices"
	"strings"
	"testing"
)

// S3 Block Public Access (Amazon S3 User Guide,
// access-control-block-public-access.html, RestrictPublicBuckets): with
// the setting on and a public bucket policy, only AWS service principals
// and users of the bucket owner's account keep what the policy grants. The
// documented decisions are cases of testdata/audit_cases.json; here the
// unknown setting (a conditional answer naming RestrictPublicKey) and what
// Explain says.

const publicBucketPolicy = `{"Version":"2012-10-17","Statement":[
	{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pub/*"}]}`

func TestRestrictPublicUnknown(t *testing.T) {
	ev := newTestEvaluator()
	pol := &Policies{Resource: mustParse(t, publicBucketPolicy),
		Identity: []*Policy{mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}}
	nothingUnknown := func(string) bool { return false }
	cases := []struct {
		name     string
		pr       string
		rp       PublicRestriction
		want     Decision
		wantKeys []string
	}{
		{"other account, unknown: conditional on the setting", "arn:aws:iam::444455556666:user/bob", PublicRestrictionUnknown, Allowed, []string{RestrictPublicKey}},
		{"anonymous, unknown: conditional on the setting", "*", PublicRestrictionUnknown, Allowed, []string{RestrictPublicKey}},
		{"other account, on: denied, nothing conditional", "arn:aws:iam::444455556666:user/bob", PublicRestricted, ImplicitlyDenied, nil},
		{"owner's account, unknown: the setting does not matter", "arn:aws:iam::111122223333:user/alice", PublicRestrictionUnknown, Allowed, nil},
		{"service principal, unknown: the setting does not matter", "cloudfront.amazonaws.com", PublicRestrictionUnknown, Allowed, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := &Request{Principal: mustParsePrincipal(t, tc.pr), Action: "s3:GetObject", Resource: "arn:aws:s3:::pub/k",
				ResourceAccount: "111122223333", RestrictPublic: tc.rp}
			got := ev.EvaluateUnknown(req, pol, nothingUnknown)
			if got.Decision != tc.want || got.Conditional != (tc.wantKeys != nil) || !slices.Equal(got.ConditionKeys, tc.wantKeys) {
				t.Errorf("got %s conditional=%v keys=%v (%v), want %s keys=%v", got.Decision, got.Conditional, got.ConditionKeys, got.Reasons, tc.want, tc.wantKeys)
			}
		})
	}
}

func TestExplainRestrictPublic(t *testing.T) {
	ev := newTestEvaluator()
	pol := &Policies{Resource: mustParse(t, publicBucketPolicy)}
	layers := func(pr string) ([]string, Explanation) {
		req := &Request{Principal: mustParsePrincipal(t, pr), Action: "s3:GetObject", Resource: "arn:aws:s3:::pub/k",
			ResourceAccount: "111122223333", RestrictPublic: PublicRestricted}
		x := ev.Explain(req, pol, nil)
		if want := ev.Evaluate(req, pol); x.Result.Decision != want.Decision {
			t.Fatalf("%s: Explain decides %s, Evaluate %s", pr, x.Result.Decision, want.Decision)
		}
		var got []string
		for _, l := range x.Layers {
			got = append(got, l.Layer+": "+l.Contribution)
		}
		return got, x
	}
	got, x := layers("*")
	if x.Result.Decision != ImplicitlyDenied || len(got) != 2 ||
		!strings.HasPrefix(got[1], "S3 Block Public Access (RestrictPublicBuckets): decided (implicit deny): RestrictPublicBuckets is on") ||
		!strings.Contains(x.Result.Reasons[0], "S3 Block Public Access") {
		t.Errorf("anonymous: %s %v\n%s", x.Result.Decision, x.Result.Reasons, strings.Join(got, "\n"))
	}
	got, x = layers("arn:aws:iam::111122223333:user/alice")
	if x.Result.Decision != Allowed || len(got) != 2 || !strings.Contains(got[1], "does not restrict the caller: it is in the bucket owner's account") {
		t.Errorf("owner's account: %s\n%s", x.Result.Decision, strings.Join(got, "\n"))
	}
	got, x = layers("cloudfront.amazonaws.com")
	if x.Result.Decision != Allowed || len(got) != 2 || !strings.Contains(got[1], "does not apply to this request") {
		t.Errorf("service principal: %s\n%s", x.Result.Decision, strings.Join(got, "\n"))
	}
}

func TestSimRequestRestrictPublic(t *testing.T) {
	for in, want := range map[string]PublicRestriction{"": PublicUnrestricted, "on": PublicRestricted, "unknown": PublicRestrictionUnknown} {
		s := SimRequest{Principal: "*", Action: "s3:GetObject", RestrictPublic: in}
		req, _, err := s.Compile()
		if err != nil {
			t.Errorf("restrict_public %q: %v", in, err)
		} else if req.RestrictPublic != want {
			t.Errorf("restrict_public %q: %v, want %v", in, req.RestrictPublic, want)
		}
	}
	s := SimRequest{Principal: "*", Action: "s3:GetObject", RestrictPublic: "true"}
	if _, _, err := s.Compile(); err == nil || !strings.Contains(err.Error(), `restrict_public "true"`) {
		t.Errorf("restrict_public \"true\": error %v, want one naming the field", err)
	}
}
