package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/collect/fakeaws/worldsnap"
)

// TestAnalyzeSnapshotOlderThanTheModel: the demo world collected by a
// collector that did not know s3control GetPublicAccessBlock and s3
// GetBucketAbac yet (neither collected nor planned). The report says
// which calls the snapshot never made, where, and what they leave unknown
// (table and JSON), the checks on the types they feed are ERROR there
// ("was not collected", not "failed"), and the unknown settings are null
// in the graph, never a guessed "off".
func TestAnalyzeSnapshotOlderThanTheModel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "old")
	calls := slices.DeleteFunc(collect.Registry(), func(c collect.Call) bool {
		return c.Name() == "s3control:GetPublicAccessBlock" || c.Name() == "s3:GetBucketAbac"
	})
	worldsnap.CollectCalls(t, dir, calls, fakeaws.New(t, fakeaws.LoadWorld(t, demoWorldDir)))

	code, out, errw := runCLI(t, "analyze", dir)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitFindings, errw)
	}
	for _, want := range []string{
		"17 checks: 39 FAIL, 51 PASS, 9 ERROR findings; 6 coverage gaps",
		"not collected: calls this snapshot never made",
		"\n  s3:GetBucketAbac in 111122223333/eu-west-1, 111122223333/us-east-1: aws_s3_bucket abacEnabled\n",
		"\n  s3control:GetPublicAccessBlock in 111122223333/global: aws_account s3BlockPublicAcls, s3BlockPublicPolicy, " +
			"s3IgnorePublicAcls, s3RestrictPublicBuckets; aws_s3_bucket effectiveIgnorePublicAcls, effectiveRestrictPublicBuckets, public\n",
		"cannot evaluate: s3control:GetPublicAccessBlock in 111122223333/global was not collected",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table report does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "failed (not collected)") {
		t.Errorf("a call never made reads as failed:\n%s", out)
	}

	graphOut := filepath.Join(t.TempDir(), "graph.json")
	code, out, errw = runCLI(t, "analyze", "--format", "json", "--graph-out", graphOut, dir)
	if code != ExitFindings {
		t.Fatalf("json: exit %d, want %d; stderr %q", code, ExitFindings, errw)
	}
	var rep struct {
		Gaps []struct {
			ResourceType, AccountID, Region, Service, Operation, Class, Reason string
			Unknown                                                            []string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range rep.Gaps {
		if g.Class != "" {
			if len(g.Unknown) > 0 {
				t.Errorf("failed call %s:%s names unknown properties %v", g.Service, g.Operation, g.Unknown)
			}
			continue // the demo's own: the organisation is not readable
		}
		got = append(got, g.ResourceType+" "+g.Region+" "+g.Service+":"+g.Operation+" "+strings.Join(g.Unknown, ","))
		if !strings.Contains(g.Reason, "not in the snapshot's collection plan: the snapshot predates the call") {
			t.Errorf("gap reason %q does not say the snapshot predates the call", g.Reason)
		}
	}
	want := []string{
		"aws_account global s3control:GetPublicAccessBlock s3BlockPublicAcls,s3BlockPublicPolicy,s3IgnorePublicAcls,s3RestrictPublicBuckets",
		"aws_s3_bucket eu-west-1 s3:GetBucketAbac abacEnabled",
		"aws_s3_bucket global s3control:GetPublicAccessBlock effectiveIgnorePublicAcls,effectiveRestrictPublicBuckets,public",
		"aws_s3_bucket us-east-1 s3:GetBucketAbac abacEnabled",
	}
	if !slices.Equal(got, want) {
		t.Errorf("not-collected gaps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The graph: unknown is null (absent), never false.
	g := readGraphFile(t, graphOut)
	for _, e := range g {
		var props []string
		switch e["_type"] {
		case "aws_account":
			if e["accountId"] != "111122223333" {
				continue
			}
			props = []string{"s3BlockPublicAcls", "s3BlockPublicPolicy", "s3IgnorePublicAcls", "s3RestrictPublicBuckets"}
		case "aws_s3_bucket":
			props = []string{"abacEnabled"}
		}
		for _, p := range props {
			if v := e[p]; v != nil {
				t.Errorf("%s %s = %v, want null: the snapshot never read it", e["_key"], p, v)
			}
		}
	}
}

// readGraphFile returns the entities of a --graph-out file.
func readGraphFile(t *testing.T, path string) []map[string]any {
	t.Helper()
	var g struct {
		Entities []map[string]any `json:"entities"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Entities) == 0 {
		t.Fatalf("%s has no entities", path)
	}
	return g.Entities
}

// TestNotCollectedLines: one line per call and what it leaves unknown;
// failed calls are not listed; many scopes are counted, the first few
// named.
func TestNotCollectedLines(t *testing.T) {
	var many []model.Gap
	for i := range 6 {
		many = append(many, model.Gap{ResourceType: "aws_kms_key", AccountID: fmt.Sprintf("11112222333%d", i), Region: "eu-west-1",
			Service: "kms", Operation: "ListKeys"})
	}
	for _, tc := range []struct {
		name string
		gaps []model.Gap
		want []string
	}{
		{"failed calls are not listed", []model.Gap{{ResourceType: "aws_s3_bucket", AccountID: "111122223333", Region: "global",
			Service: "s3", Operation: "ListBuckets", Class: "denied"}}, []string{}},
		{"types of one call and scope on one line; a global top-level call's scope is the account", []model.Gap{
			{ResourceType: "aws_account", AccountID: "111122223333", Service: "iam", Operation: "ListAccountAliases", Unknown: []string{"alias", "name"}},
			{ResourceType: "aws_iam", AccountID: "111122223333", Service: "iam", Operation: "ListAccountAliases", Unknown: []string{"x"}},
		}, []string{"iam:ListAccountAliases in 111122223333: aws_account alias, name; aws_iam x"}},
		{"many scopes are counted", many, []string{"kms:ListKeys in 6 accounts/Regions: 111122223330/eu-west-1, 111122223331/eu-west-1, " +
			"111122223332/eu-west-1 and 3 more: aws_kms_key (entities)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := notCollectedLines(tc.gaps); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
