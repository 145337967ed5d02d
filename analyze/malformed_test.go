package analyze_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/analyze/rules"
	"github.com/snapaudit/snapaudit/snapshot"
)

// rewriteDemo writes a copy of the demo snapshot, through the real writer,
// with edit applied to the response of every ok row of one call in one
// region.
func rewriteDemo(t *testing.T, service, operation, region string, edit func(string) string) string {
	t.Helper()
	ctx := context.Background()
	src, err := snapshot.Open(demo)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	w, err := snapshot.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	edited := 0
	for _, p := range src.Partitions() {
		err := src.Rows(ctx, p.Service, p.Operation, func(r snapshot.Row) error {
			if r.Service == service && r.Operation == operation && r.Region == region && r.Status == snapshot.StatusOK {
				r.Response = edit(r.Response)
				edited++
			}
			return w.Write(ctx, r)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if edited == 0 {
		t.Fatalf("no %s:%s row in %s to edit", service, operation, region)
	}
	m := src.Manifest()
	if _, err := w.Commit(ctx, snapshot.Metadata{Tool: m.Tool, SDKModules: m.SDKModules, Caller: m.Caller,
		Accounts: m.Accounts, Regions: m.Regions, StartedAt: m.StartedAt, FinishedAt: m.FinishedAt}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMalformedResponseIsError: a security group response of the wrong
// shape must not turn the open-SSH check into a PASS. The security group
// check reports ERROR for the scope, the report has a coverage gap saying
// which row was malformed, and every other check is unaffected. (Trailing
// bytes cannot be written through the snapshot writer, which checks that a
// response is one JSON value; the model's tests cover them.)
func TestMalformedResponseIsError(t *testing.T) {
	const sshCheck = "AWS-EC2-001"
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"CidrIp is a list", func(s string) string {
			return strings.ReplaceAll(s, `"CidrIp":"0.0.0.0/0"`, `"CidrIp":["0.0.0.0/0"]`)
		}, ".CidrIp: got list, want string"},
		{"SecurityGroups is an object", func(s string) string {
			s = strings.Replace(s, `"SecurityGroups":[`, `"SecurityGroups":`, 1)
			i := strings.Index(s, `},{"Description"`) // end of the first group
			return s[:i+1] + "}"
		}, "SecurityGroups: got object, want list"},
		{"SecurityGroups is repeated", func(s string) string {
			return strings.TrimSuffix(s, "}") + `,"SecurityGroups":[]}`
		}, `top level: duplicate key "SecurityGroups"`},
	}
	ctx := context.Background()
	a, err := analyze.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base, err := a.Run(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := rewriteDemo(t, "ec2", "DescribeSecurityGroups", "eu-west-1", tc.edit)
			rep, err := a.Run(ctx, dir)
			if err != nil {
				t.Fatalf("analyze failed instead of reporting a gap: %v", err)
			}
			// The demo's own gaps (base: its organisation is not readable
			// from a member account) plus the malformed page's.
			if len(rep.Gaps) != len(base.Gaps)+1 {
				t.Fatalf("gaps = %+v, want the demo's %d and one more", rep.Gaps, len(base.Gaps))
			}
			i := slices.IndexFunc(rep.Gaps, func(g model.Gap) bool { return g.Class == "malformed" })
			if i < 0 {
				t.Fatalf("no malformed gap in %+v", rep.Gaps)
			}
			g := rep.Gaps[i]
			if g.ResourceType != "aws_security_group" || g.AccountID != "111122223333" || g.Region != "eu-west-1" ||
				g.Service != "ec2" || g.Operation != "DescribeSecurityGroups" || g.Class != "malformed" {
				t.Errorf("gap = %+v", g)
			}
			for _, w := range []string{"page 0: malformed response (ec2.DescribeSecurityGroupsOutput)", tc.want} {
				if !strings.Contains(g.Reason, w) {
					t.Errorf("gap reason %q does not say %q", g.Reason, w)
				}
			}
			var errored bool
			for _, f := range rep.Findings {
				if f.RuleID != sshCheck || f.Region != "eu-west-1" {
					continue
				}
				if f.Status == rules.StatusPass && !f.Partial {
					t.Errorf("PASS in the malformed scope: %+v", f)
				}
				if f.Status == rules.StatusError {
					errored = true
					t.Logf("ERROR finding: %s", f.Message)
				}
			}
			if !errored {
				t.Errorf("%s has no ERROR finding for 111122223333/eu-west-1", sshCheck)
			}
			// Every check that does not read security groups is unaffected.
			other := func(fs []rules.Finding) []rules.Finding {
				return slices.DeleteFunc(slices.Clone(fs), func(f rules.Finding) bool { return f.RuleID == sshCheck })
			}
			if got, want := other(rep.Findings), other(base.Findings); !slices.EqualFunc(got, want, findingEqual) {
				t.Errorf("findings of other checks changed: %d findings, demo has %d", len(got), len(want))
			}
		})
	}
}

func findingEqual(a, b rules.Finding) bool {
	return a.RuleID == b.RuleID && a.ResourceKey == b.ResourceKey && a.Status == b.Status && a.Message == b.Message &&
		a.Partial == b.Partial
}
