package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/snapshot"
)

// base is a complete, all-ok set of the top-level calls the model reads
// (sources, enrichments, hatches, service settings) for one account and
// one region, so the "not collected" logic stays quiet.
func base() []CallStatus {
	var out []CallStatus
	seen := map[Call]bool{}
	var read []Call
	for _, et := range registry {
		read = append(read, et.calls()...)
	}
	for _, s := range services {
		read = append(read, s.Calls()...)
	}
	for _, c := range read {
		if seen[c] || isPerParent(c) {
			continue
		}
		seen[c] = true
		reg := "global"
		if cs, _ := planOf(c); cs.scope == "regional" {
			reg = region
		}
		out = append(out, CallStatus{AccountID: acct, Region: reg, Service: c.Service, Operation: c.Operation, Status: snapshot.StatusOK})
	}
	return out
}

func TestGaps(t *testing.T) {
	with := func(extra ...CallStatus) []CallStatus { return append(base(), extra...) }
	type want struct{ typ, reg, op, class, reason string }
	tests := []struct {
		name  string
		calls []CallStatus
		want  []want
	}{
		{"everything ok: no gaps", base(), nil},
		{"denied regional source: every type it feeds", with(CallStatus{AccountID: acct, Region: "us-east-1", Service: "ec2", Operation: "DescribeSecurityGroups",
			Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 1}, FirstErr: "UnauthorizedOperation: no"}),
			[]want{
				{"aws_security_group", "us-east-1", "DescribeSecurityGroups", "denied", "ec2:DescribeSecurityGroups in 111122223333/us-east-1 failed (denied: 1 failed invocations): UnauthorizedOperation: no"},
				// us-east-1 now has regional calls, so the other regional sources are missing there.
			}},
		{"not_found only is data", with(CallStatus{AccountID: acct, Region: "global", Service: "s3", Operation: "GetBucketPolicy",
			Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassNotFound: 4}}), nil},
		{"partial per-parent: worst class wins over not_found", with(CallStatus{AccountID: acct, Region: "global", Service: "s3", Operation: "GetBucketEncryption",
			Status: "partial", Errors: map[snapshot.ErrorClass]int{snapshot.ClassNotFound: 3, snapshot.ClassThrottled: 1}}),
			[]want{{"aws_s3_bucket", "global", "GetBucketEncryption", "throttled", "1 failed invocations"}}},
		{"error without a class counts as other", with(CallStatus{AccountID: acct, Region: region, Service: "configservice", Operation: "DescribeConfigurationRecorders",
			Status: snapshot.StatusError}),
			[]want{{"aws_config", region, "DescribeConfigurationRecorders", "other", "failed (other)"}}},
		{"unsupported region is a gap", with(CallStatus{AccountID: acct, Region: region, Service: "lambda", Operation: "GetPolicy",
			Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassUnsupported: 2}}),
			[]want{{"aws_lambda_function", region, "GetPolicy", "unsupported", ""}}},
		{"upstream list call feeds the per-item type", with(CallStatus{AccountID: acct, Region: region, Service: "dynamodb", Operation: "ListTables",
			Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 1}}),
			[]want{{"aws_dynamodb_table", region, "ListTables", "denied", ""}}},
		// ListAccessKeys and ListMFADevices run once per user of
		// GetAccountAuthorizationDetails: without the user list they never
		// run, so keys and devices are unknown, not absent.
		{"failed parent of a per-parent source feeds its types", with(CallStatus{AccountID: acct, Region: "global", Service: "iam", Operation: "GetAccountAuthorizationDetails",
			Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 1}}),
			[]want{
				{"aws_iam_access_key", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_group", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_group_policy", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_policy", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_role", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_role_policy", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_user", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"aws_iam_user_policy", "global", "GetAccountAuthorizationDetails", "denied", ""},
				{"mfa_device", "global", "GetAccountAuthorizationDetails", "denied", ""},
			}},
		// A member cannot read its organisation; in a snapshot that also
		// holds the management account, whose calls answered, that is no
		// gap (org.go reads the member's policies from those rows); alone,
		// it is.
		{"organisation call denied to a member, read by the management account", with(
			CallStatus{AccountID: acct, Region: "global", Service: "organizations", Operation: "ListRoots",
				Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 1}},
			CallStatus{AccountID: "999988887777", Region: "global", Service: "organizations", Operation: "ListRoots", Status: snapshot.StatusOK}), nil},
		{"organisation call denied to a member alone", func() []CallStatus {
			out := slices.DeleteFunc(base(), func(c CallStatus) bool { return c.Operation == "ListRoots" })
			return append(out, CallStatus{AccountID: acct, Region: "global", Service: "organizations", Operation: "ListRoots",
				Status: snapshot.StatusError, Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 1}})
		}(), []want{{"aws_account", "global", "ListRoots", "denied", ""}}},
		{"source call never made", func() []CallStatus {
			var out []CallStatus
			for _, c := range base() {
				if c.Operation != "DescribeKeyPairs" && c.Operation != "GetAccountPasswordPolicy" {
					out = append(out, c)
				}
			}
			return out
		}(), []want{
			{"aws_iam_account_password_policy", "", "GetAccountPasswordPolicy", "", "iam:GetAccountPasswordPolicy was not collected in 111122223333"},
			{"aws_key_pair", region, "DescribeKeyPairs", "", "ec2:DescribeKeyPairs was not collected in 111122223333/eu-west-1"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Gaps(tc.calls)
			// Filter the us-east-1 "not collected" noise of the first case.
			var filtered []Gap
			for _, g := range got {
				if (g.Class == "" && g.Region == "us-east-1") || g.AccountID != acct {
					continue // and the other account's, which has only one call
				}
				filtered = append(filtered, g)
			}
			if len(filtered) != len(tc.want) {
				t.Fatalf("got %d gaps, want %d: %+v", len(filtered), len(tc.want), filtered)
			}
			for i, w := range tc.want {
				g := filtered[i]
				if g.ResourceType != w.typ || g.Region != w.reg || g.Operation != w.op || string(g.Class) != w.class || g.AccountID != acct {
					t.Errorf("gap %d = %+v, want %+v", i, g, w)
				}
				if !strings.Contains(g.Reason, w.reason) {
					t.Errorf("gap %d reason %q does not contain %q", i, g.Reason, w.reason)
				}
			}
		})
	}
}

// TestGapsMissingRegionalOnlyWhereRegionRan: a region is in scope for an
// account only when regional calls ran there.
func TestGapsMissingRegionalOnlyWhereRegionRan(t *testing.T) {
	calls := []CallStatus{
		{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeInstances", Status: snapshot.StatusOK},
		{AccountID: acct, Region: "global", Service: "iam", Operation: "ListAccountAliases", Status: snapshot.StatusOK},
	}
	for _, g := range Gaps(calls) {
		if g.Region != "" && g.Region != region {
			t.Errorf("gap in a region that never ran: %+v", g)
		}
		if g.ResourceType == "aws_instance" {
			t.Errorf("aws_instance has its source: %+v", g)
		}
	}
	if len(Gaps(calls)) == 0 {
		t.Error("the other sources of eu-west-1 and the global ones are missing: want gaps")
	}
}

func TestFromManifest(t *testing.T) {
	got := FromManifest([]snapshot.CallStatus{{
		AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeVolumes", Status: "error",
		Errors:     map[snapshot.ErrorClass]int64{snapshot.ClassDenied: 2},
		FirstError: &snapshot.FirstError{Class: snapshot.ClassDenied, Code: "UnauthorizedOperation", Message: "not allowed"},
	}})
	want := []CallStatus{{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeVolumes", Status: "error",
		Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 2}, FirstErr: "UnauthorizedOperation: not allowed"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	found := false
	for _, g := range Gaps(got) {
		if g.ResourceType == "aws_ebs_volume" && g.Operation == "DescribeVolumes" {
			found = g.Class == snapshot.ClassDenied && strings.Contains(g.Reason, "UnauthorizedOperation: not allowed")
		}
	}
	if !found {
		t.Error("no denied aws_ebs_volume gap naming the first error")
	}
}

// TestGapsReadTheSnapshotsPlan: which calls were attempted is the plan the
// snapshot's manifest records. A per-parent call the current collector
// runs but the snapshot's collector never planned has no rows for another
// reason than "no parent items": its types are unknown, not empty. A
// planned per-parent call without rows is still empty.
func TestGapsReadTheSnapshotsPlan(t *testing.T) {
	full := collect.Plan(collect.Registry())
	without := slices.DeleteFunc(slices.Clone(full), func(p snapshot.PlannedCall) bool { return p.Name() == "iam:ListMFADevices" })
	noBlock := slices.DeleteFunc(slices.Clone(full), func(p snapshot.PlannedCall) bool { return p.Name() == "s3control:GetPublicAccessBlock" })
	calls := base()
	for _, tc := range []struct {
		name string
		opts []GapOption
		want []string // resource type / operation of each gap
	}{
		{"no recorded plan: the registry's (ListMFADevices is per-parent, absent = empty)", nil, nil},
		{"full recorded plan: the same", []GapOption{WithPlan(full)}, nil},
		{"ListMFADevices not planned: MFA devices unknown", []GapOption{WithPlan(without)}, []string{"mfa_device/ListMFADevices"}},
		// An enrichment and a hatch's call: the account's and the
		// buckets' Block Public Access settings are unknown.
		{"s3control GetPublicAccessBlock not planned", []GapOption{WithPlan(noBlock)},
			[]string{"aws_account/GetPublicAccessBlock", "aws_s3_bucket/GetPublicAccessBlock"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, g := range Gaps(calls, tc.opts...) {
				got = append(got, g.ResourceType+"/"+g.Operation)
				if !strings.Contains(g.Reason, "not in the snapshot's collection plan") {
					t.Errorf("reason %q does not say the call was not planned", g.Reason)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("gaps %v, want %v", got, tc.want)
			}
		})
	}
}
