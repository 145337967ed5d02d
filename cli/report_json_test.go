package cli

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/analyze/rules"
)

// TestWriteReportJSONSameBytes: the streamed report is byte for byte what
// json.Encoder with SetIndent("", "  ") writes for the whole Report, for
// empty, nil and populated members and strings the encoder escapes. A new
// Report field the streaming writer does not know fails here.
func TestWriteReportJSONSameBytes(t *testing.T) {
	full := &analyze.Report{
		Snapshot: analyze.SnapshotSummary{Dir: "/tmp/s<1>", FormatVersion: 3, Tool: "snapaudit dev",
			Accounts: []string{"111122223333"}, Regions: []string{"eu-west-1", "global"},
			StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), FinishedAt: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), Verified: true},
		Summary: analyze.Summary{Entities: 10, Relationships: 7, Rules: 2, Fail: 1, Pass: 1, Gaps: 1},
		Rules: []rules.RuleSummary{{RuleInfo: rules.RuleInfo{ID: "AWS-S3-001", Title: "a & b", Frameworks: []string{"CIS 1.2"}},
			Status: rules.StatusFail, Fail: 1}, {RuleInfo: rules.RuleInfo{ID: "AWS-S3-002"}, Status: rules.StatusPass, Pass: 1}},
		Findings: []rules.Finding{
			{RuleID: "AWS-S3-001", Severity: "high", Status: rules.StatusFail, ResourceKey: "arn:aws:s3:::b",
				Message: "bucket <b> is \"public\"\n\u2028", Frameworks: []string{"CIS 1.2"}},
			{RuleID: "AWS-S3-002", Status: rules.StatusPass, Message: "", Partial: true},
		},
		Gaps: []model.Gap{{ResourceType: "aws_s3_bucket", Service: "s3", Operation: "ListBuckets", Reason: "denied"}},
	}
	one := *full
	one.Findings = full.Findings[:1]
	empty := *full
	empty.Findings, empty.Gaps, empty.Rules = []rules.Finding{}, []model.Gap{}, []rules.RuleSummary{}
	null := analyze.Report{}
	for _, tc := range []struct {
		name string
		rep  *analyze.Report
	}{{"full", full}, {"one finding", &one}, {"empty", &empty}, {"nil members", &null}} {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(tc.rep); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := writeReportJSON(&got, tc.rep); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed report differs from json.Encoder's\ngot:\n%s\nwant:\n%s", got.Bytes(), want.Bytes())
			}
		})
	}
}
