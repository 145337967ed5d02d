package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
)

// TestEndToEnd runs the tool as an auditor does: collect from the demo world
// (through AWS_ENDPOINT_URL and static credentials, as with any
// AWS-compatible endpoint) with security groups denied in one region, verify
// the snapshot, and analyze it. The denied region must surface as an ERROR
// of the security-group check for exactly that scope, never as a clean pass;
// the other region's open security groups must still FAIL.
func TestEndToEnd(t *testing.T) {
	collectEnv(t)
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/demo"))
	srv.Fail(fakeaws.Fault{Service: "ec2", Operation: "DescribeSecurityGroups", Region: "eu-west-1",
		Code: "UnauthorizedOperation", Status: 403, Message: "You are not authorized to perform this operation.", Times: -1})
	t.Setenv("AWS_ENDPOINT_URL", srv.URL())
	dir := filepath.Join(t.TempDir(), "snap")

	run := func(wantCode int, args ...string) string {
		t.Helper()
		var out, errw bytes.Buffer
		code := Run(t.Context(), append([]string{"snapaudit"}, args...), strings.NewReader(""), &out, &errw)
		if code != wantCode {
			t.Fatalf("snapaudit %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), code, wantCode, errw.String())
		}
		return out.String()
	}
	run(ExitPartial, "collect", "--out", dir) // the denied call makes the collection partial
	if out := run(ExitOK, "verify", dir); !strings.HasPrefix(out, "OK ") {
		t.Fatalf("verify: %q", out)
	}
	out := run(ExitFindings, "analyze", "--format", "json", dir)

	var rep struct {
		Summary  struct{ Fail, Error, Gaps int }
		Findings []struct {
			RuleID   string `json:"rule_id"`
			Status   string `json:"status"`
			Region   string `json:"region"`
			Message  string `json:"message"`
			Resource string `json:"resource_key"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("analyze --format json: %v\n%s", err, out)
	}
	var errs, fails []string
	for _, f := range rep.Findings {
		if f.RuleID != "AWS-EC2-001" {
			continue
		}
		switch f.Status {
		case "ERROR":
			errs = append(errs, f.Region+": "+f.Message)
		case "FAIL":
			fails = append(fails, f.Region)
		case "PASS":
			if f.Region == "eu-west-1" {
				t.Errorf("PASS for %s in eu-west-1, where security groups were not collected", f.Resource)
			}
		}
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "eu-west-1: ") || !strings.Contains(errs[0], "DescribeSecurityGroups") {
		t.Errorf("AWS-EC2-001 ERROR findings %q, want one for eu-west-1 naming DescribeSecurityGroups", errs)
	}
	for _, r := range fails {
		if r != "us-east-1" {
			t.Errorf("AWS-EC2-001 FAIL in %s, want only us-east-1", r)
		}
	}
	if len(fails) == 0 {
		t.Error("no AWS-EC2-001 FAIL in us-east-1, whose ssh-from-anywhere group is open")
	}
	if rep.Summary.Gaps == 0 {
		t.Error("summary reports no coverage gaps")
	}
}
