package cli

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/snapaudit/snapaudit/analyze/rules"
)

// TestFindingsTableSameBytes: the findings table written row by row is byte
// for byte what text/tabwriter makes of the same rows (the renderer it
// replaced), in the order the sort of a copy of the findings gave, for
// wide Unicode cells, empty fields, Partial passes, messages spanning
// lines, and cells tabwriter reads as controls (which go through tabwriter).
func TestFindingsTableSameBytes(t *testing.T) {
	base := []rules.Finding{
		{RuleID: "AWS-S3-001", Severity: "high", Status: rules.StatusFail, ResourceKey: "arn:aws:s3:::bücket-ü",
			AccountID: "111122223333", Region: "global", Message: "bucket is \"public\"\n  and   open"},
		{RuleID: "AWS-EC2-001", Severity: "critical", Status: rules.StatusPass, ResourceKey: "sg-1", AccountID: "1",
			Region: "eu-west-1", Message: "", Partial: true},
		{RuleID: "AWS-EC2-001", Severity: "critical", Status: rules.StatusError, Message: "cannot evaluate: ec2:X in */* failed (denied)"},
		{RuleID: "AWS-EC2-001", Severity: "critical", Status: rules.StatusPass, ResourceKey: "sg-0", AccountID: "1", Region: "eu-west-1", Message: "ok"},
		{RuleID: "AWS-IAM-001", Severity: "weird", Status: "OTHER", ResourceKey: "日本語のキー", Message: "m"},
		{RuleID: "AWS-IAM-001", Severity: "low", Status: rules.StatusFail, ResourceKey: strings.Repeat("k", 150), Message: "long"},
	}
	for _, tc := range []struct {
		name string
		fs   []rules.Finding
		all  bool
	}{
		{"all", base, true},
		{"no PASS", base, false},
		{"none", nil, true},
		{"tab in a key", append(base[:2:2], rules.Finding{RuleID: "R", Status: rules.StatusFail, ResourceKey: "a\tb", Message: "x"}), true},
		{"escape byte in a message", append(base[:2:2], rules.Finding{RuleID: "R", Status: rules.StatusFail, Message: "a\xffb\xff"}), true},
		{"form feed in a region", append(base[:2:2], rules.Finding{RuleID: "R", Status: rules.StatusFail, Region: "x\fy"}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			wantPartial := tabwriterTable(&want, tc.fs, tc.all)
			var got bytes.Buffer
			gotPartial := findingsTable(&got, tc.fs, tableOrder(tc.fs, tc.all))
			if got.String() != want.String() || gotPartial != wantPartial {
				t.Errorf("row by row (partial %v):\n%s\ntabwriter (partial %v):\n%s", gotPartial, got.String(), wantPartial, want.String())
			}
		})
	}
}

// tabwriterTable is the findings table as renderTable wrote it before it
// streamed: a sorted copy of the findings through tabwriter.
func tabwriterTable(w io.Writer, all []rules.Finding, withPass bool) bool {
	var fs []rules.Finding
	for _, f := range all {
		if withPass || f.Status != rules.StatusPass {
			fs = append(fs, f)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if statusRank[a.Status] != statusRank[b.Status] {
			return statusRank[a.Status] < statusRank[b.Status]
		}
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] < severityRank[b.Severity]
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.ResourceKey < b.ResourceKey
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tSEVERITY\tRULE\tRESOURCE\tACCOUNT\tREGION\tMESSAGE")
	partial := false
	for _, f := range fs {
		status := f.Status
		if f.Partial {
			status += "*"
			partial = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", status, f.Severity, f.RuleID,
			orDash(f.ResourceKey), orDash(f.AccountID), orDash(f.Region), oneLine(f.Message))
	}
	tw.Flush()
	return partial
}

// BenchmarkFindingsTable writes the findings table of 100,000 findings
// (--all) as renderTable did (a sorted copy through tabwriter) and as it
// does (an index, row by row), to io.Discard: compare B/op and allocs/op.
func BenchmarkFindingsTable(b *testing.B) {
	fs := make([]rules.Finding, 100_000)
	for i := range fs {
		fs[i] = rules.Finding{RuleID: fmt.Sprintf("AWS-R-%03d", i%40), Title: "title", Severity: benchSeverities[i%5],
			Status:      []string{rules.StatusFail, rules.StatusPass, rules.StatusError}[i%3],
			ResourceKey: fmt.Sprintf("arn:aws:s3:::bucket-%07d", i), ResourceType: "aws_s3_bucket", AccountID: "111122223333",
			Region: "eu-west-1", Message: fmt.Sprintf("bucket bucket-%07d has no tag Owner", i), Remediation: "tag it"}
	}
	b.Run("tabwriter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tabwriterTable(io.Discard, fs, true)
		}
	})
	b.Run("streamed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			findingsTable(io.Discard, fs, tableOrder(fs, true))
		}
	})
}

var benchSeverities = []string{"critical", "high", "medium", "low", "info"}
