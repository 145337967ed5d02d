package collect

import (
	"encoding/json"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestSyntheticWorld collects a small synthetic world through the real
// SDK clients and checks that every resource the world holds comes out
// of the collector: list pages add up to the world's counts (several pages
// each, so the tokens round-trip), and every per-parent call ran once per
// resource. Expected absences (no bucket policy, no Lambda policy) are
// not_found rows, never failures.
func TestSyntheticWorld(t *testing.T) {
	world, err := fakeaws.SyntheticWorld(fakeaws.SynthOptions{Resources: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	n := world.SynthCounts()
	srv := fakeaws.New(t, world)
	w := &memWriter{}
	sum, err := New(fakeConfig(t, srv, nil), testOpts(WithConcurrency(8))...).Run(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Failures) > 0 {
		t.Fatalf("failed calls: %+v", sum.Failures)
	}
	for class := range sum.Errors {
		if class != snapshot.ClassNotFound {
			t.Errorf("errors of class %s: %d", class, sum.Errors[class])
		}
	}

	tests := []struct {
		name, service, op string
		path              []string // list in each page; nil counts invocations (pages 0 and error rows)
		want              int
		minPages          int
	}{
		{"instances", "ec2", "DescribeInstances", []string{"Reservations", "Instances"}, n["instances"], 3},
		{"volumes", "ec2", "DescribeVolumes", []string{"Volumes"}, n["volumes"], 6},
		{"network interfaces", "ec2", "DescribeNetworkInterfaces", []string{"NetworkInterfaces"}, n["network_interfaces"], 3},
		{"snapshots", "ec2", "DescribeSnapshots", []string{"Snapshots"}, n["snapshots"], 3},
		{"security groups", "ec2", "DescribeSecurityGroups", []string{"SecurityGroups"}, n["security_groups"], 3},
		{"subnets", "ec2", "DescribeSubnets", []string{"Subnets"}, n["subnets"], 3},
		{"vpcs", "ec2", "DescribeVpcs", []string{"Vpcs"}, n["vpcs"], 3},
		{"buckets", "s3", "ListBuckets", []string{"Buckets"}, n["buckets"], 2},
		{"users", "iam", "GetAccountAuthorizationDetails", []string{"UserDetailList"}, n["users"], 20},
		{"roles", "iam", "GetAccountAuthorizationDetails", []string{"RoleDetailList"}, n["roles"], 20},
		{"groups", "iam", "GetAccountAuthorizationDetails", []string{"GroupDetailList"}, n["groups"], 20},
		{"functions", "lambda", "ListFunctions", []string{"Functions"}, n["functions"], 30},
		{"tables", "dynamodb", "ListTables", []string{"TableNames"}, n["tables"], 9},
		{"db instances", "rds", "DescribeDBInstances", []string{"DBInstances"}, n["db_instances"], 6},
		{"db snapshots", "rds", "DescribeDBSnapshots", []string{"DBSnapshots"}, n["db_snapshots"], 6},
		{"kms keys", "kms", "ListKeys", []string{"Keys"}, n["kms_keys"], 3},
		// key 0 of each of the 3 regions has 150 aliases: 2 pages of 100
		{"kms aliases", "kms", "ListAliases", []string{"Aliases"}, n["kms_keys"] + 3*149, n["kms_keys"] + 3},
		{"access keys", "iam", "ListAccessKeys", []string{"AccessKeyMetadata"}, n["access_keys"], n["users"]},
		{"mfa devices", "iam", "ListMFADevices", []string{"MFADevices"}, n["mfa_devices"], n["users"]},
		{"per key", "iam", "GetAccessKeyLastUsed", nil, n["access_keys"], 0},
		{"per snapshot", "ec2", "DescribeSnapshotAttribute", nil, n["snapshots"], 0},
		{"per manual db snapshot", "rds", "DescribeDBSnapshotAttributes", nil, n["db_snapshots"] / 2, 0},
		{"per function policy", "lambda", "GetPolicy", nil, n["functions"], 0},
		{"per function tags", "lambda", "ListTags", nil, n["functions"], 0},
		{"per kms key", "kms", "DescribeKey", nil, n["kms_keys"], 0},
		{"per kms key policy", "kms", "GetKeyPolicy", nil, n["kms_keys"], 0},
		{"per table", "dynamodb", "DescribeTable", nil, n["tables"], 0},
		{"per table backups", "dynamodb", "DescribeContinuousBackups", nil, n["tables"], 0},
		{"per table tags", "dynamodb", "ListTagsOfResource", nil, n["tables"], 0},
		{"per bucket location", "s3", "GetBucketLocation", nil, n["buckets"], 0},
		{"per bucket policy", "s3", "GetBucketPolicy", nil, n["buckets"], 0},
		{"per bucket tags", "s3", "GetBucketTagging", nil, n["buckets"], 0},
		{"per bucket public access block", "s3", "GetPublicAccessBlock", nil, n["buckets"], 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := findRows(w.rows, tc.service, tc.op, "")
			got := 0
			for _, r := range rows {
				if tc.path == nil {
					if r.Page == 0 {
						got++
					}
					continue
				}
				if r.Status != snapshot.StatusOK {
					t.Fatalf("%s: %s %s", rowID(r), r.ErrorCode, r.ErrorMessage)
				}
				got += countAt(t, r.Response, tc.path)
			}
			if got != tc.want || tc.want == 0 {
				t.Errorf("%s:%s: %d, want %d (world %v)", tc.service, tc.op, got, tc.want, n)
			}
			if len(rows) < tc.minPages {
				t.Errorf("%s:%s: %d pages, want at least %d", tc.service, tc.op, len(rows), tc.minPages)
			}
		})
	}
}

// countAt counts the items at path in a response: a list, or lists of
// lists ("Reservations", "Instances").
func countAt(t *testing.T, resp string, path []string) int {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(resp), &v); err != nil {
		t.Fatal(err)
	}
	var count func(v any, path []string) int
	count = func(v any, path []string) int {
		if len(path) == 0 {
			return 1
		}
		m, _ := v.(map[string]any)
		list, _ := m[path[0]].([]any)
		n := 0
		for _, it := range list {
			n += count(it, path[1:])
		}
		return n
	}
	return count(v, path)
}
