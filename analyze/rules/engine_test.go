package rules

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const acct = "111122223333"

var collected = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testGraph is a small account: two security groups (one open to SSH), an
// instance they protect, two roles (one public), a tagged and an untagged
// bucket and an untagged volume.
func testGraph(t testing.TB) *graph.Graph {
	t.Helper()
	g := graph.New()
	add := func(e *graph.Entity) *graph.Entity {
		got, _ := g.AddEntity(e)
		return got
	}
	sg := func(id string, perms []any) *graph.Entity {
		return add(graph.NewEntity("arn:aws:ec2:eu-west-1:"+acct+":security-group/"+id, "aws_security_group", []string{"Firewall"}, map[string]any{"id": id, "name": id, "accountId": acct, "region": "eu-west-1", "ipPermissions": perms}))
	}
	open := sg("sg-open", []any{map[string]any{
		"IpProtocol": "tcp", "FromPort": float64(22), "ToPort": float64(22),
		"IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}, "Ipv6Ranges": nil, "UserIdGroupPairs": []any{},
	}})
	closed := sg("sg-closed", []any{map[string]any{
		"IpProtocol": "tcp", "FromPort": float64(443), "ToPort": float64(443),
		"IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}},
	}})
	inst := add(graph.NewEntity("arn:aws:ec2:eu-west-1:"+acct+":instance/i-1", "aws_instance", []string{"Host"}, map[string]any{"id": "i-1", "name": "web", "accountId": acct, "region": "eu-west-1"}))
	role := func(name string, principal any) {
		doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole",
		}}}
		add(graph.NewEntity("arn:aws:iam::"+acct+":role/"+name, "aws_iam_role", []string{"AccessRole"}, map[string]any{"name": name, "accountId": acct, "assumeRolePolicyDocument": mustJSON(t, doc)}))
	}
	role("public", map[string]any{"AWS": "*"})
	role("ec2", map[string]any{"Service": "ec2.amazonaws.com"})
	add(graph.NewEntity("arn:aws:s3:::tagged", "aws_s3_bucket", []string{"DataStore"}, map[string]any{"name": "tagged", "accountId": acct, "region": "eu-west-1",
		"tag.Classification": "internal", "tag.Owner": "team-a", "versioningEnabled": true}))
	add(graph.NewEntity("arn:aws:s3:::untagged", "aws_s3_bucket", []string{"DataStore"}, map[string]any{"name": "untagged", "accountId": acct, "region": "us-east-1", "policy": "not json"}))
	vol := add(graph.NewEntity("arn:aws:ec2:eu-west-1:"+acct+":volume/vol-1", "aws_ebs_volume", []string{"DataStore", "Disk"}, map[string]any{"name": "vol-1", "accountId": acct, "region": "eu-west-1", "tag.Owner": "team-a"}))
	for _, r := range []*graph.Relationship{
		graph.NewRelationship(open, "PROTECTS", inst, nil),
		graph.NewRelationship(closed, "PROTECTS", inst, nil),
		graph.NewRelationship(inst, "USES", vol, map[string]any{"deleteOnTermination": true}),
	} {
		if err := g.AddRelationship(r); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func builtinEngine(t testing.TB, opts ...Option) *Engine {
	t.Helper()
	eng, err := New(context.Background(), append([]Option{WithPolicies(policies.FS)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return eng
}

// statuses maps "RULE resourceKey" to "STATUS[ partial]" for compact assertions.
func statuses(res *Result) map[string]string {
	out := map[string]string{}
	for _, f := range res.Findings {
		k := f.RuleID + " " + f.ResourceKey
		if f.ResourceKey == "" {
			k = f.RuleID + " " + f.ResourceType + "@" + f.AccountID + "/" + f.Region
		}
		v := f.Status
		if f.Partial {
			v += " partial"
		}
		out[k] = v
	}
	return out
}

// wantStatuses checks that every entry of want is among res's statuses.
func wantStatuses(t *testing.T, res *Result, want map[string]string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatal("wantStatuses: empty expectation")
	}
	got := statuses(res)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}

func TestEvaluateBuiltins(t *testing.T) {
	ctx := context.Background()
	eng := builtinEngine(t)
	res, err := eng.Evaluate(ctx, Input{Graph: testGraph(t), Snapshot: SnapshotInfo{Accounts: []string{acct}, Regions: []string{"eu-west-1", "us-east-1"}, CollectedAt: collected}})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := map[string]string{
		"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "PASS",
		"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open":   "FAIL",
		"AWS-IAM-001 arn:aws:iam::111122223333:role/ec2":                          "PASS",
		"AWS-IAM-001 arn:aws:iam::111122223333:role/public":                       "FAIL",
		"AWS-IAM-002 arn:aws:iam::111122223333:role/ec2":                          "PASS",
		"AWS-IAM-002 arn:aws:iam::111122223333:role/public":                       "PASS",
		"AWS-S3-001 arn:aws:s3:::tagged":                                          "PASS",
		"AWS-S3-001 arn:aws:s3:::untagged":                                        "ERROR", // its policy is not JSON
		"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1":             "FAIL",
		"AWS-TAG-001 arn:aws:s3:::tagged":                                         "PASS",
		"AWS-TAG-001 arn:aws:s3:::untagged":                                       "FAIL",
	}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	golden(t, filepath.Join("testdata", "evaluate.golden.json"), res)
}

// golden compares v, as indented JSON, with the file; -update rewrites it.
func golden(t *testing.T, file string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale (-want +got); run go test -update if the change is intended:\n%s", file, diff)
	}
}

func TestEvaluateFindingFields(t *testing.T) {
	eng := builtinEngine(t)
	res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rule string
		key  string
		want Finding
	}{
		{
			name: "regional resource",
			rule: "AWS-EC2-001", key: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open",
			want: Finding{
				RuleID: "AWS-EC2-001", Title: "Security group allows ingress from the internet to SSH or RDP", Severity: "high",
				Status: "FAIL", ResourceKey: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open",
				ResourceType: "aws_security_group", AccountID: acct, Region: "eu-west-1",
				Message:    "security group sg-open allows ingress from the internet to admin ports: 0.0.0.0/0 -> 22 (rule tcp 22-22)",
				Frameworks: []string{"CIS AWS Foundations v3.0.0 5.2", "CIS AWS Foundations v3.0.0 5.3"},
			},
		},
		{
			name: "global resource gets region global",
			rule: "AWS-IAM-001", key: "arn:aws:iam::111122223333:role/public",
			want: Finding{
				RuleID: "AWS-IAM-001", Title: "IAM role can be assumed by any AWS principal", Severity: "critical",
				Status: "FAIL", ResourceKey: "arn:aws:iam::111122223333:role/public",
				ResourceType: "aws_iam_role", AccountID: acct, Region: "global",
				Message:    `role public: the trust policy lets any AWS principal ("*") assume it (statement #0)`,
				Frameworks: []string{"CIS AWS Foundations v7.0.0 2.21"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range res.Findings {
				if f.RuleID == tc.rule && f.ResourceKey == tc.key {
					if f.Remediation == "" {
						t.Error("remediation is empty")
					}
					f.Remediation = ""
					if diff := cmp.Diff(tc.want, f); diff != "" {
						t.Errorf("finding (-want +got):\n%s", diff)
					}
					return
				}
			}
			t.Fatalf("no finding for %s %s", tc.rule, tc.key)
		})
	}
}

func TestEvaluateGaps(t *testing.T) {
	eng := builtinEngine(t)
	sgGap := Gap{ResourceType: "aws_security_group", AccountID: acct, Region: "eu-west-1", Service: "ec2", Operation: "DescribeSecurityGroups", Reason: "denied"}
	tests := []struct {
		name    string
		gaps    []Gap
		want    map[string]string // subset of statuses
		wantErr []string          // "RULE: message" of each gap ERROR finding
	}{
		{
			name: "gap in the groups' scope: ERROR and partial PASS",
			gaps: []Gap{sgGap, sgGap}, // duplicates collapse
			want: map[string]string{
				"AWS-EC2-001 aws_security_group@111122223333/eu-west-1":                   "ERROR",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "PASS partial",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open":   "FAIL",
			},
			wantErr: []string{"AWS-EC2-001: cannot evaluate: ec2:DescribeSecurityGroups in 111122223333/eu-west-1 failed (denied)"},
		},
		{
			name: "gap in another region: PASS stays clean",
			gaps: []Gap{{ResourceType: "aws_security_group", AccountID: acct, Region: "ap-south-1", Service: "ec2", Operation: "DescribeSecurityGroups", Reason: "unsupported"}},
			want: map[string]string{
				"AWS-EC2-001 aws_security_group@111122223333/ap-south-1":                  "ERROR",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "PASS",
			},
			wantErr: []string{"AWS-EC2-001: cannot evaluate: ec2:DescribeSecurityGroups in 111122223333/ap-south-1 failed (unsupported)"},
		},
		{
			name: "global gap reaches global resources; wildcard account",
			gaps: []Gap{{ResourceType: "aws_iam_role", Region: "global", Service: "iam", Operation: "GetAccountAuthorizationDetails", Reason: "throttled"}},
			want: map[string]string{
				"AWS-IAM-001 aws_iam_role@/global":                  "ERROR",
				"AWS-IAM-001 arn:aws:iam::111122223333:role/ec2":    "PASS partial",
				"AWS-IAM-001 arn:aws:iam::111122223333:role/public": "FAIL",
			},
			wantErr: []string{ // the role checks read aws_iam_role
				"AWS-IAM-001: cannot evaluate: iam:GetAccountAuthorizationDetails in */global failed (throttled)",
				"AWS-IAM-002: cannot evaluate: iam:GetAccountAuthorizationDetails in */global failed (throttled)",
				"AWS-IAM-003: cannot evaluate: iam:GetAccountAuthorizationDetails in */global failed (throttled)",
			},
		},
		{
			name: "call never made: ERROR says not collected, not failed",
			gaps: []Gap{{ResourceType: "aws_security_group", AccountID: acct, Region: "eu-west-1", Service: "ec2", Operation: "DescribeSecurityGroupRules", Reason: ReasonNotCollected}},
			want: map[string]string{
				"AWS-EC2-001 aws_security_group@111122223333/eu-west-1":                   "ERROR",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "PASS partial",
			},
			wantErr: []string{"AWS-EC2-001: cannot evaluate: ec2:DescribeSecurityGroupRules in 111122223333/eu-west-1 was not collected"},
		},
		{
			name: "gap for a type no check reads changes nothing",
			gaps: []Gap{{ResourceType: "aws_lambda_function", AccountID: acct, Region: "eu-west-1", Service: "lambda", Operation: "ListFunctions", Reason: "denied"}},
			want: map[string]string{
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "PASS",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t), Gaps: tc.gaps})
			if err != nil {
				t.Fatal(err)
			}
			wantStatuses(t, res, tc.want)
			var msgs []string // of the gap findings: type-wide, no resource
			for _, f := range res.Findings {
				if f.Status == StatusError && f.ResourceKey == "" {
					msgs = append(msgs, f.RuleID+": "+f.Message)
				}
			}
			if diff := cmp.Diff(tc.wantErr, msgs); diff != "" {
				t.Errorf("gap ERROR findings (-want +got):\n%s", diff)
			}
			for _, r := range res.Rules {
				if r.ID == "AWS-EC2-001" && r.Status != StatusFail {
					t.Errorf("AWS-EC2-001 summary %s, want FAIL (sg-open fails; FAIL outranks ERROR)", r.Status)
				}
			}
		})
	}
}

func TestGapTurnsPassingRuleIntoError(t *testing.T) {
	g := graph.New()
	g.AddEntity(graph.NewEntity("arn:aws:s3:::tagged", "aws_s3_bucket", []string{"DataStore"}, map[string]any{"accountId": acct, "region": "eu-west-1", "tag.Classification": "x", "tag.Owner": "y"}))
	eng := builtinEngine(t)
	tests := []struct {
		name string
		gaps []Gap
		want string
	}{
		{name: "no gap", want: StatusPass},
		{name: "gap", gaps: []Gap{{ResourceType: "aws_ebs_volume", AccountID: acct, Region: "eu-west-1", Service: "ec2", Operation: "DescribeVolumes", Reason: "denied"}}, want: StatusError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := eng.Evaluate(context.Background(), Input{Graph: g, Gaps: tc.gaps})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Rules {
				if r.ID == "AWS-TAG-001" && r.Status != tc.want {
					t.Errorf("AWS-TAG-001 summary %s, want %s", r.Status, tc.want)
				}
				if r.ID == "AWS-EC2-001" && r.Status != StatusNotApplicable {
					t.Errorf("AWS-EC2-001 summary %s, want %s (no groups, no gap)", r.Status, StatusNotApplicable)
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		dirs []string
		want []string // substrings of the error
	}{
		{name: "missing id", dirs: []string{"missing_id"}, want: []string{"testdata/missing_id/check.rego:1", "custom.id is missing"}},
		{name: "bad severity", dirs: []string{"bad_severity"}, want: []string{"testdata/bad_severity/check.rego:1", `custom.severity "urgent" must be one of critical, high, medium, low, info`}},
		{name: "missing fields all reported", dirs: []string{"missing_fields"}, want: []string{
			"testdata/missing_fields/check.rego:1", "description is missing", "custom.severity is missing",
			"custom.resource_types must not be empty", "custom.frameworks must be a list of strings", "custom.remediation is missing",
		}},
		{name: "duplicate id names both files", dirs: []string{"duplicate_id"}, want: []string{
			"duplicate rule id AWS-EC2-001", "builtin:aws/ec2/open_admin_ports.rego", "testdata/duplicate_id/check.rego",
		}},
		{name: "parse error names file and line", dirs: []string{"parse_error"}, want: []string{"testdata/parse_error/check.rego:6", "rego_parse_error"}},
		{name: "check without metadata", dirs: []string{"no_metadata"}, want: []string{"testdata/no_metadata/check.rego", "no package-scoped # METADATA block"}},
		{name: "http.send rejected at compile time", dirs: []string{"http_send"}, want: []string{
			"testdata/http_send/check.rego:16", "builtin http.send is not allowed in snapaudit policies",
		}},
		{name: "auditor cannot override a built-in check", dirs: []string{"override_builtin"}, want: []string{
			"check data.snapaudit.rules.ec2_open_admin_ports is declared in files of different sources",
			"builtin:aws/ec2/open_admin_ports.rego", "testdata/override_builtin/check.rego",
		}},
		{name: "policy dir does not exist", dirs: []string{"no_such_dir"}, want: []string{"policy directory", "no_such_dir"}},
		{name: "check outside snapaudit.rules", dirs: []string{"outside_rules"}, want: []string{
			"testdata/outside_rules/check.rego:1", "package data.acme.checks.misplaced has METADATA custom.id but is not under data.snapaudit.rules.",
		}},
		{name: "same dir twice", dirs: []string{"auditor", "auditor"}, want: []string{"testdata/auditor/acme_versioning.rego: loaded twice"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []Option{WithPolicies(policies.FS)}
			for _, d := range tc.dirs {
				opts = append(opts, WithPolicyDir(filepath.Join("testdata", d)))
			}
			_, err := New(context.Background(), opts...)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestAuditorDir(t *testing.T) {
	eng := builtinEngine(t, WithPolicyDir(filepath.Join("testdata", "auditor")))
	var ids []string
	for _, r := range eng.Rules() {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"ACME-S3-001", "AWS-ACM-001", "AWS-CLOUDFRONT-001", "AWS-EC2-001", "AWS-EC2-002",
		"AWS-EC2-003", "AWS-ECR-001", "AWS-EKS-001", "AWS-ELB-001", "AWS-IAM-001", "AWS-IAM-002", "AWS-IAM-003", "AWS-KMS-001", "AWS-RDS-001", "AWS-S3-001", "AWS-TAG-001",
		"AWS-TRANSFER-001", "AWS-WORKSPACES-001"}, ids); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	info := eng.Rules()[0]
	wantInfo := RuleInfo{
		ID: "ACME-S3-001", Title: "S3 bucket versioning is off",
		Description: "ACME requires versioning on every bucket so deleted objects can be restored.",
		Severity:    "medium", ResourceTypes: []string{"aws_s3_bucket"}, Frameworks: []string{"ACME storage standard 4.1"},
		Remediation: "Enable versioning on the bucket.", Package: "data.snapaudit.rules.acme.s3_versioning",
		File: filepath.Join("testdata", "auditor", "acme_versioning.rego"),
	}
	if diff := cmp.Diff(wantInfo, info); diff != "" {
		t.Errorf("RuleInfo (-want +got):\n%s", diff)
	}
	res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t)})
	if err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, res, map[string]string{
		"ACME-S3-001 arn:aws:s3:::tagged":   "PASS",
		"ACME-S3-001 arn:aws:s3:::untagged": "FAIL",
	})
}

// auditorResult evaluates the built-ins plus one testdata dir and returns
// the findings of rule id.
func auditorResult(t *testing.T, dir, id string, in Input) []Finding {
	t.Helper()
	eng := builtinEngine(t, WithPolicyDir(filepath.Join("testdata", dir)))
	res, err := eng.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	var out []Finding
	for _, f := range res.Findings {
		if f.RuleID == id {
			out = append(out, f)
		}
	}
	return out
}

func TestEvaluateCheckErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		id   string
		want []string // substrings of the single ERROR finding's message
	}{
		{name: "strict builtin error surfaces", dir: "strict_error", id: "ACME-STRICT-001", want: []string{"evaluation error:", "json.unmarshal"}},
		{name: "malformed findings", dir: "malformed", id: "ACME-BAD-001", want: []string{
			"malformed findings:", "has status <nil>, want FAIL, PASS or ERROR", "has severity urgent",
		}},
		{name: "finding for an unknown resource", dir: "unknown_resource", id: "ACME-UNKNOWN-001", want: []string{
			"arn:aws:s3:::not-in-graph: no entity with that _key in the graph",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := auditorResult(t, tc.dir, tc.id, Input{Graph: testGraph(t)})
			if len(fs) != 1 || fs[0].Status != StatusError {
				t.Fatalf("findings %+v, want one ERROR", fs)
			}
			for _, w := range tc.want {
				if !strings.Contains(fs[0].Message, w) {
					t.Errorf("message %q does not contain %q", fs[0].Message, w)
				}
			}
		})
	}
}

func TestEvalTime(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{name: "snapshot time", in: Input{Snapshot: SnapshotInfo{CollectedAt: collected}}, want: "evaluated on 2025-03-14"},
		{name: "explicit time wins", in: Input{EvalTime: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Snapshot: SnapshotInfo{CollectedAt: collected}}, want: "evaluated on 2024-02-29"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Graph = testGraph(t)
			fs := auditorResult(t, "clock", "ACME-CLOCK-001", tc.in)
			if len(fs) != 2 {
				t.Fatalf("got %d findings, want 2 (one per bucket)", len(fs))
			}
			for _, f := range fs {
				if f.Message != tc.want {
					t.Errorf("message %q, want %q", f.Message, tc.want)
				}
			}
		})
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		want    map[string]string
		wantErr string
	}{
		{
			name: "default tags",
			want: map[string]string{"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1": "FAIL"},
		},
		{
			name: "required_tags from WithConfig",
			opts: []Option{WithConfig(map[string]any{"required_tags": []string{"Owner"}})},
			want: map[string]string{"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1": "PASS"},
		},
		{
			name: "later WithConfig wins; admin_ports widened",
			opts: []Option{
				WithConfig(map[string]any{"required_tags": []string{"Nope"}, "admin_ports": []int{22}}),
				WithConfig(map[string]any{"required_tags": []any{"Owner"}, "admin_ports": []int{443}}),
			},
			want: map[string]string{
				"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1":             "PASS",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "FAIL",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open":   "PASS",
			},
		},
		{
			name: "WithData reaches data.snapaudit.config too",
			opts: []Option{WithData(map[string]any{"snapaudit": map[string]any{"config": map[string]any{"required_tags": []any{"Owner"}}}})},
			want: map[string]string{"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1": "PASS"},
		},
		{name: "config from WithData is validated too", opts: []Option{WithData(map[string]any{"snapaudit": map[string]any{"config": map[string]any{"required_tags": "Owner"}}})}, wantErr: "required_tags: want a non-empty list"},
		{name: "empty required_tags", opts: []Option{WithConfig(map[string]any{"required_tags": []any{}})}, wantErr: "required_tags: want a non-empty list"},
		{name: "bad port", opts: []Option{WithConfig(map[string]any{"admin_ports": []any{22, "ssh"}})}, wantErr: "admin_ports: [1]: want a port number 0-65535, got ssh"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := New(context.Background(), append([]Option{WithPolicies(policies.FS)}, tc.opts...)...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t)})
			if err != nil {
				t.Fatal(err)
			}
			wantStatuses(t, res, tc.want)
		})
	}
}

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		path    string
		want    map[string]any
		wantErr string
	}{
		{name: "json", path: write("c.json", `{"required_tags": ["Owner"], "acme": {"x": 1}}`),
			want: map[string]any{"required_tags": []any{"Owner"}, "acme": map[string]any{"x": json.Number("1")}}},
		{name: "yaml", path: write("c.yaml", "required_tags:\n  - Owner\n  - CostCenter\n"),
			want: map[string]any{"required_tags": []any{"Owner", "CostCenter"}}},
		{name: "not an object", path: write("list.json", `["Owner"]`), wantErr: "list.json: want an object at the top level"},
		{name: "bad value", path: write("bad.yaml", "required_tags: Owner\n"), wantErr: "bad.yaml: required_tags: want a non-empty list of tag names"},
		{name: "missing file", path: filepath.Join(dir, "nope.json"), wantErr: "nope.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadConfig(tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateCancelled(t *testing.T) {
	eng := builtinEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := eng.Evaluate(ctx, Input{Graph: testGraph(t)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// TestEvaluateBadProperty: a property without a Rego form fails Evaluate
// when a check reads it (AWS-S3-001 reads every bucket's policy), with the
// entity and property named.
func TestEvaluateBadProperty(t *testing.T) {
	g := graph.New()
	g.AddEntity(graph.NewEntity("arn:aws:s3:::b", "aws_s3_bucket", nil, map[string]any{"policy": []any{1.0, inf()}}))
	_, err := builtinEngine(t).Evaluate(context.Background(), Input{Graph: g})
	if err == nil || !strings.Contains(err.Error(), `entity arn:aws:s3:::b property "policy": [1]: number +Inf has no JSON form`) {
		t.Fatalf("error %v, want one naming the entity and property", err)
	}
}

func inf() float64 { var zero float64; return 1 / zero }

func TestParallelism(t *testing.T) {
	in := Input{Graph: testGraph(t), Gaps: []Gap{{ResourceType: "aws_s3_bucket", AccountID: acct, Region: "us-east-1", Service: "s3", Operation: "GetBucketTagging", Reason: "denied"}}}
	var results []*Result
	for _, n := range []int{1, 4} {
		res, err := builtinEngine(t, WithParallelism(n), WithPolicyDir(filepath.Join("testdata", "auditor"))).Evaluate(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, res)
	}
	if diff := cmp.Diff(results[0], results[1]); diff != "" {
		t.Errorf("parallel result differs from sequential (-1 +4):\n%s", diff)
	}
	if len(results[0].Findings) == 0 {
		t.Error("no findings")
	}
	if _, err := New(context.Background(), WithParallelism(0)); err == nil || !strings.Contains(err.Error(), "parallelism 0") {
		t.Errorf("WithParallelism(0) error %v, want one naming the value", err)
	}
}

func TestConfigFileAndPrint(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.yaml")
	if err := os.WriteFile(p, []byte("admin_ports: [443]\nrequired_tags: [Owner]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ReadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	eng := builtinEngine(t, WithConfig(cfg), WithLogger(logger), WithPolicyDir(filepath.Join("testdata", "clock")))
	res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t)})
	if err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, res, map[string]string{
		"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "FAIL",
		"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1":             "PASS",
	})
	for _, want := range []string{`msg="clock check sees bucket tagged"`, "rule=ACME-CLOCK-001", "testdata/clock/check.rego:16"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("debug log does not contain %q:\n%s", want, logs.String())
		}
	}
}

func TestLargestFirst(t *testing.T) {
	g := testGraph(t) // 2 security groups, 2 buckets, 2 roles, 1 instance, 1 volume
	checks := []check{
		{info: RuleInfo{ID: "A", ResourceTypes: []string{"aws_instance"}}},
		{info: RuleInfo{ID: "B", ResourceTypes: []string{"aws_s3_bucket", "aws_ebs_volume"}}},
		{info: RuleInfo{ID: "C", ResourceTypes: []string{"aws_lambda_function"}}},
		{info: RuleInfo{ID: "D", ResourceTypes: []string{"aws_security_group"}}},
	}
	tests := []struct {
		name string
		g    *graph.Graph
		want []int
	}{
		{name: "most entities first, ties in ID order", g: g, want: []int{1, 3, 0, 2}},
		{name: "no graph: ID order", g: nil, want: []int{0, 1, 2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := largestFirst(checks, tc.g); !slices.Equal(got, tc.want) {
				t.Errorf("order %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDecodeFindingValue: reading a finding in place gives what the Go
// form gave, findings and errors alike.
func TestDecodeFindingValue(t *testing.T) {
	g := testGraph(t)
	info := RuleInfo{ID: "ACME-1", Severity: "low"}
	key := `"arn:aws:s3:::tagged"`
	tests := []struct {
		name, term string
	}{
		{name: "pass", term: `{"resource_key": ` + key + `, "status": "PASS", "message": "ok"}`},
		{name: "severity", term: `{"resource_key": ` + key + `, "status": "FAIL", "message": "m", "severity": "high"}`},
		{name: "extra keys", term: `{"resource_key": ` + key + `, "status": "ERROR", "message": "m", "x": [1]}`},
		{name: "null severity", term: `{"resource_key": ` + key + `, "status": "FAIL", "message": "m", "severity": null}`},
		{name: "bad severity", term: `{"resource_key": ` + key + `, "status": "FAIL", "message": "m", "severity": "urgent"}`},
		{name: "no status", term: `{"resource_key": ` + key + `, "message": "m"}`},
		{name: "numeric message", term: `{"resource_key": ` + key + `, "status": "PASS", "message": 1}`},
		{name: "no key", term: `{"status": "PASS", "message": "m"}`},
		{name: "unknown entity", term: `{"resource_key": "arn:aws:s3:::ghost", "status": "PASS", "message": "m"}`},
		{name: "not an object", term: `"PASS"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := ast.MustParseTerm(tc.term).Value
			item, err := ast.JSON(v)
			if err != nil {
				t.Fatal(err)
			}
			want, wantErr := decodeFinding(item, g)
			got, gotErr := decodeFindingValue(v, g)
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("error %v, want %v", gotErr, wantErr)
			}
			if diff := cmp.Diff(want.finding(&info), got.finding(&info)); diff != "" {
				t.Errorf("finding (-Go form +in place):\n%s", diff)
			}
		})
	}
}
