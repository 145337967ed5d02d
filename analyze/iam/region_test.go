package iam

import (
	"slices"
	"testing"
)

// aws:RequestedRegion from the request itself: the Region element of a
// regional resource's ARN (IAM User Guide,
// reference_policies_condition-keys.html#condition-keys-requestedregion;
// reference-arns.html), us-east-1 for the global services with a single
// endpoint there (reference_policies_examples_aws_deny-requested-region.html),
// unknown otherwise: no Region in the ARN (S3), STS (regional endpoints,
// id_credentials_temp_region-endpoints.html), patterns with a wildcard
// Region, cross-Region copies (EC2 User Guide ebs-copy-snapshot.html).
func TestRequestedRegion(t *testing.T) {
	alice := mustParsePrincipal(t, "arn:aws:iam::111122223333:user/alice")
	cn := mustParsePrincipal(t, "arn:aws-cn:iam::111122223333:user/li")
	anyone := mustParsePrincipal(t, "*")
	for _, tc := range []struct {
		pr               Principal
		action, resource string
		want             string // "" unknown
	}{
		{alice, "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:111122223333:table/t", "eu-west-1"},
		{alice, "ec2:TerminateInstances", "arn:aws:ec2:us-west-2:111122223333:instance/*", "us-west-2"},
		{alice, "ec2:TerminateInstances", "arn:aws:ec2:*:111122223333:instance/*", ""},
		{alice, "ec2:TerminateInstances", "arn:aws:ec2:eu-*:111122223333:instance/*", ""},
		{alice, "ec2:DescribeInstances", "*", ""},
		{alice, "s3:GetObject", "arn:aws:s3:::bkt/key", ""},
		{alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/r", ""},
		{alice, "IAM:GetRole", "arn:aws:iam::111122223333:role/r", "us-east-1"},
		{alice, "iam:ListRoles", "*", "us-east-1"},
		{anyone, "cloudfront:GetDistribution", "*", "us-east-1"},
		{alice, "route53:ChangeResourceRecordSets", "arn:aws:route53:::hostedzone/Z1", "us-east-1"},
		{cn, "iam:ListRoles", "*", ""},
		{alice, "iam:GetRole", "arn:aws-cn:iam::111122223333:role/r", ""},
		{alice, "ec2:CopySnapshot", "arn:aws:ec2:us-west-2::snapshot/snap-1", ""},
		{alice, "kms:Decrypt", "arn:aws:kms:eu-west-1:111122223333:key/k1", "eu-west-1"},
	} {
		got, ok := RequestedRegion(tc.pr, tc.action, tc.resource)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s on %s: %q %v, want %q", tc.action, tc.resource, got, ok, tc.want)
		}
	}
}

// A region guard SCP asked offline: a request the Region of which follows
// from its resource is decided; one whose Region is the caller's choice
// stays conditional on aws:requestedregion (EvaluateUnknown).
func TestRequestedRegionUnknown(t *testing.T) {
	alice := mustParsePrincipal(t, "arn:aws:iam::111122223333:user/alice")
	admin := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	guard := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},`+
		`{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`)
	pol := &Policies{Identity: []*Policy{admin}, SCPs: [][]*Policy{{guard}}}
	unknown := func(k string) bool { return k == "aws:requestedregion" }
	ev := newTestEvaluator()
	for _, tc := range []struct {
		action, resource string
		want             Decision
		keys             []string
	}{
		{"lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:f", Allowed, nil},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-west-2:111122223333:function:f", ExplicitlyDenied, nil},
		{"lambda:ListFunctions", "*", Allowed, []string{"aws:requestedregion"}},
		{"s3:GetObject", "arn:aws:s3:::bkt/key", Allowed, []string{"aws:requestedregion"}},
	} {
		r := ev.EvaluateUnknown(&Request{Principal: alice, Action: tc.action, Resource: tc.resource}, pol, unknown)
		if r.Decision != tc.want || r.Conditional != (tc.keys != nil) || !slices.Equal(r.ConditionKeys, tc.keys) {
			t.Errorf("%s on %s: %s conditional %v %v, want %s %v", tc.action, tc.resource, r.Decision, r.Conditional, r.ConditionKeys, tc.want, tc.keys)
		}
	}
}
