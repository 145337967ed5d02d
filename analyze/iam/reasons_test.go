package iam

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// An evaluator WithoutReasons gives every documented case the same
// answer as one with reasons (decision, SomeResources, warnings,
// Conditional and its keys), with no reasons, through Evaluate and
// EvaluateUnknown alike.
func TestWithoutReasonsSameAnswers(t *testing.T) {
	full := newTestEvaluator()
	bare := NewEvaluator(WithClock(func() time.Time { return fixedNow }), WithRCPServices(rcpServicesForTest), WithoutReasons())
	// Keys a snapshot cannot know, to exercise both passes of
	// EvaluateUnknown.
	unknown := func(k string) bool {
		return strings.HasPrefix(k, "aws:source") || strings.HasPrefix(k, "aws:multifactor") ||
			k == "aws:requestedregion" || strings.HasPrefix(k, "aws:principaltag/")
	}
	conditional := 0
	for _, tc := range loadCases(t) {
		req, pol, err := tc.Request.Compile()
		if err != nil {
			t.Fatalf("%s: compile: %v", tc.Name, err)
		}
		for _, u := range []func(string) bool{nil, unknown} {
			want := full.EvaluateUnknown(req, pol, u)
			got := bare.EvaluateUnknown(req, pol, u)
			if len(want.Reasons) == 0 {
				t.Errorf("%s: the full evaluator gave no reasons", tc.Name)
			}
			if got.Reasons != nil {
				t.Errorf("%s: reasons %q without reasons", tc.Name, got.Reasons)
			}
			want.Reasons = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (unknown keys %v): got %+v, want %+v", tc.Name, u != nil, got, want)
			}
			if got.Conditional {
				conditional++
			}
		}
	}
	if conditional == 0 {
		t.Error("no case was conditional: the unknown keys exercise nothing")
	}
}

// Without reasons an evaluation allocates less than with them: the
// reason strings are not built.
func TestWithoutReasonsAllocatesLess(t *testing.T) {
	pr := mustParsePrincipal(t, "arn:aws:sts::111122223333:assumed-role/app/s")
	id := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:Get*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}]}`)
	pol := &Policies{Identity: []*Policy{id}}
	req := &Request{Principal: pr, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	full := newTestEvaluator()
	bare := NewEvaluator(WithClock(func() time.Time { return fixedNow }), WithoutReasons())
	if d := bare.Evaluate(req, pol).Decision; d != Allowed {
		t.Fatalf("decision %s, want Allowed", d)
	}
	withReasons := testing.AllocsPerRun(50, func() { full.Evaluate(req, pol) })
	without := testing.AllocsPerRun(50, func() { bare.Evaluate(req, pol) })
	if without >= withReasons {
		t.Errorf("%v allocations without reasons, %v with: want fewer", without, withReasons)
	}
}

// The request's own context overrides the derived keys whatever the case
// of its keys; kms:CallerAccount is derived for KMS requests of IAM
// principals unless the context gives it; RequestedRegion ignores the
// case of the action.
func TestPreparedContextLayers(t *testing.T) {
	alice := mustParsePrincipal(t, "arn:aws:iam::111122223333:user/alice")
	for _, tc := range []struct {
		name    string
		action  string
		context map[string][]string
		key     string
		want    []string // nil: absent
	}{
		{"derived", "s3:GetObject", nil, "aws:principalaccount", []string{"111122223333"}},
		{"own overrides derived", "s3:GetObject", map[string][]string{"aws:PrincipalAccount": {"444455556666"}},
			"aws:principalaccount", []string{"444455556666"}},
		{"own lower case kept", "s3:GetObject", map[string][]string{"aws:sourceip": {"10.0.0.1"}}, "aws:sourceip", []string{"10.0.0.1"}},
		{"own mixed case lowered", "s3:GetObject", map[string][]string{"aws:SourceIp": {"10.0.0.1"}}, "aws:sourceip", []string{"10.0.0.1"}},
		{"kms caller derived", "kms:Decrypt", nil, "kms:calleraccount", []string{"111122223333"}},
		{"kms caller from context", "kms:Decrypt", map[string][]string{"KMS:CallerAccount": {"444455556666"}},
			"kms:calleraccount", []string{"444455556666"}},
		{"no kms caller outside KMS", "s3:GetObject", nil, "kms:calleraccount", nil},
		{"region from the resource", "kms:Decrypt", nil, "aws:requestedregion", []string{"eu-west-1"}},
		{"region from the context", "kms:Decrypt", map[string][]string{"aws:RequestedRegion": {"us-west-2"}},
			"aws:requestedregion", []string{"us-west-2"}},
	} {
		for _, cache := range []*contextCache{nil, {}} {
			p, err := prepare(&Request{Principal: alice, Action: tc.action, Resource: "arn:aws:kms:eu-west-1:111122223333:key/k1",
				Context: tc.context}, fixedNow, cache)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got, ok := p.value(tc.key)
			if ok != (tc.want != nil) || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s (cache %v): %s = %q %v, want %q", tc.name, cache != nil, tc.key, got, ok, tc.want)
			}
		}
	}
	for _, action := range []string{"ec2:copysnapshot", "EC2:CopySnapshot", "ec2:COPYSNAPSHOT", "rds:CopyDBClusterSnapshot"} {
		if r, ok := RequestedRegion(alice, action, "arn:aws:ec2:us-west-2::snapshot/snap-1"); ok {
			t.Errorf("%s: region %q, want unknown (a cross-Region copy)", action, r)
		}
	}
	for _, action := range []string{"ec2:CopySnapshots", "ec2:CopySnapshoT2", "ec2:DeleteSnapshot"} {
		if r, ok := RequestedRegion(alice, action, "arn:aws:ec2:us-west-2::snapshot/snap-1"); !ok || r != "us-west-2" {
			t.Errorf("%s: region %q %v, want us-west-2", action, r, ok)
		}
	}
}

// splitARN is strings.SplitN(s, ":", 6) when that gives six parts.
func TestSplitARN(t *testing.T) {
	for _, s := range []string{"", "*", "arn", "arn:aws:s3:::b/k", "arn:aws:s3::", "arn:aws:iam::111122223333:role/a:b:c",
		"arn:aws:kms:eu-west-1:111122223333:alias/aws/s3", "a:b:c:d:e", "a:b:c:d:e:", ":::::", "arn:aws:ec2:us-east-1:1:instance/i-1"} {
		want := strings.SplitN(s, ":", 6)
		got, ok := splitARN(s)
		if ok != (len(want) == 6) || (ok && !reflect.DeepEqual(got[:], want)) {
			t.Errorf("%q: %q %v, want %q", s, got, ok, want)
		}
	}
}
