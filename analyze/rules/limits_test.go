package rules

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// hogCheck is a user check whose body is body (a Rego expression list that
// binds n), one PASS per bucket when it completes.
func hogCheck(id, body string) string {
	return strings.Replace(acmeCheck("snapaudit.rules.acme."+strings.ToLower(strings.ReplaceAll(id, "-", "_")), id),
		"some b in lib.resources_of_type(\"aws_s3_bucket\")",
		body+"\n\tsome b in lib.resources_of_type(\"aws_s3_bucket\")", 1)
}

// TestRuleLimits: a check that runs away (memory or time) fails alone, as an
// ERROR finding that names the limit, its value and how to raise it, while
// the other checks, evaluated in parallel with it, keep their findings.
// The limits are small and the runaways far larger (a 3-million-element
// array against a 16 MiB budget; 8e9 iterations against a 2 s limit), and a
// runaway that escaped its limit would still end by itself (the array is
// about 300 MB), so the test is bounded either way; it never asserts on
// elapsed time.
func TestRuleLimits(t *testing.T) {
	tests := []struct {
		name string
		body string
		opts []Option
		want []string // substrings of the runaway's ERROR message
	}{
		{
			name: "memory",
			body: "n := count(numbers.range(1, 3000000))\n\tn > 0",
			opts: []Option{WithRuleMemory(16 << 20)},
			want: []string{"memory budget", "16 MiB", "--rule-memory"},
		},
		{
			name: "time",
			body: "some i in numbers.range(1, 2000)\n\tsome j in numbers.range(1, 2000)\n\tsome k in numbers.range(1, 2000)\n\ti * j * k == 1",
			opts: []Option{WithRuleTimeout(2e9)},
			want: []string{"time limit", "2s", "--rule-timeout"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{
				"hog.rego":  hogCheck("ACME-HOG-1", tc.body),
				"fine.rego": acmeCheck("snapaudit.rules.acme.fine", "ACME-FINE-1"),
			})
			eng := builtinEngine(t, append([]Option{WithPolicyDir(dir), WithParallelism(4)}, tc.opts...)...)
			res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t)})
			if err != nil {
				t.Fatal(err)
			}
			var hog []Finding
			for _, f := range res.Findings {
				switch {
				case f.RuleID == "ACME-HOG-1":
					hog = append(hog, f)
				case strings.HasPrefix(f.Message, "evaluation "):
					t.Errorf("innocent check stopped: %+v", f)
				}
			}
			if len(hog) != 1 || hog[0].Status != StatusError {
				t.Fatalf("runaway findings %+v, want one ERROR", hog)
			}
			for _, w := range tc.want {
				if !strings.Contains(hog[0].Message, w) {
					t.Errorf("message %q does not contain %q", hog[0].Message, w)
				}
			}
			wantStatuses(t, res, map[string]string{
				"ACME-FINE-1 arn:aws:s3:::tagged":                                         "PASS",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open":   "FAIL",
				"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-closed": "PASS",
				"AWS-TAG-001 arn:aws:ec2:eu-west-1:111122223333:volume/vol-1":             "FAIL",
			})
		})
	}
}

func TestRuleLimitOptions(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithRuleTimeout(0), "rule timeout 0s: want more than 0"},
		{WithRuleMemory(0), "rule memory 0 B: want at least 1 MiB"},
	} {
		if _, err := New(context.Background(), tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]uint64{"512MiB": 512 << 20, "2GiB": 2 << 30, "1.5GiB": 3 << 29, "100M": 100 << 20, "4096": 4096, "64 KiB": 64 << 10} {
		got, err := ParseByteSize(in)
		if err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1GiB", "2XB", "1e30"} {
		if _, err := ParseByteSize(in); err == nil {
			t.Errorf("ParseByteSize(%q) succeeded, want an error", in)
		}
	}
}

// TestHeapGuardAttribution: over budget with several checks running, none
// is blamed (each is stopped to run again alone); alone, the check is. The
// budget of one byte over a zero baseline is always exceeded, so the guard
// trips on its first sample.
func TestHeapGuardAttribution(t *testing.T) {
	for _, tc := range []struct {
		name   string
		solo   bool
		checks int
	}{
		{name: "shared", checks: 2},
		{name: "alone", solo: true, checks: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := watchHeap(1, 0, tc.solo)
			defer g.close()
			ctxs := make([]context.Context, tc.checks)
			for i := range ctxs {
				ctx, cancel := context.WithCancelCause(context.Background())
				defer cancel(nil)
				ctxs[i] = ctx
				g.enter(&cancel)
			}
			for _, ctx := range ctxs {
				<-ctx.Done()
				cause := context.Cause(ctx)
				var limit *LimitError
				switch {
				case tc.solo && !(errors.As(cause, &limit) && limit.Limit == "memory" && limit.Value == "1 B"):
					t.Errorf("alone: cause %v, want the memory LimitError", cause)
				case !tc.solo && !errors.Is(cause, errSharedMemory):
					t.Errorf("shared: cause %v, want errSharedMemory (run again alone)", cause)
				}
			}
		})
	}
}

// TestRunAgainAlone: checks stopped in the parallel phase (here: every
// check, through a one-byte shared budget) run again alone and keep their
// findings; only the runaway is blamed.
func TestRunAgainAlone(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"hog.rego":  hogCheck("ACME-HOG-1", "n := count(numbers.range(1, 3000000))\n\tn > 0"),
		"fine.rego": acmeCheck("snapaudit.rules.acme.fine", "ACME-FINE-1"),
	})
	in := Input{Graph: testGraph(t)}
	want, err := builtinEngine(t, WithPolicyDir(dir), WithRuleMemory(16<<20), WithParallelism(1)).Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	eng := builtinEngine(t, WithPolicyDir(dir), WithRuleMemory(16<<20), WithParallelism(4))
	eng.sharedMemory = 1
	got, err := eng.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// The runaway's message carries the heap growth it reached, which varies.
	for _, res := range []*Result{want, got} {
		for i, f := range res.Findings {
			if f.RuleID == "ACME-HOG-1" && strings.Contains(f.Message, "exceeded its memory budget of 16 MiB") {
				res.Findings[i].Message = "memory"
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings after running again alone (-sequential +forced):\n%s", diff)
	}
	wantStatuses(t, got, map[string]string{"ACME-HOG-1 @/": "ERROR", "ACME-FINE-1 arn:aws:s3:::tagged": "PASS"})
}

// TestRuleTimeoutFor: the default time limit is a minute per 250,000
// entities plus relationships, never under a minute, in whole seconds;
// an explicit WithRuleTimeout wins whatever the graph.
func TestRuleTimeoutFor(t *testing.T) {
	for _, tc := range []struct {
		entities, relationships int
		want                    time.Duration
	}{
		{0, 0, time.Minute},
		{-5, 0, time.Minute},
		{100_000, 100_000, time.Minute},
		{250_000, 0, time.Minute},
		{200_000, 175_000, 90 * time.Second},
		{1_000_000, 3_000_000, 16 * time.Minute},
		{1, 312_499, 75 * time.Second},
		{12_345, 290_000, 73 * time.Second}, // 72.5628 s, rounded
	} {
		if got := RuleTimeoutFor(tc.entities, tc.relationships); got != tc.want {
			t.Errorf("RuleTimeoutFor(%d, %d) = %s, want %s", tc.entities, tc.relationships, got, tc.want)
		}
	}
	g := testGraph(t)
	ne, nr := g.Len()
	for _, tc := range []struct {
		name  string
		opts  []Option
		graph *graph.Graph
		want  time.Duration
	}{
		{"default, no graph", nil, nil, time.Minute},
		{"default", nil, g, RuleTimeoutFor(ne, nr)},
		{"explicit", []Option{WithRuleTimeout(5 * time.Second)}, g, 5 * time.Second},
		{"explicit above the default", []Option{WithRuleTimeout(2 * time.Hour)}, g, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := limitsEngine(t, tc.opts).ruleTimeout(tc.graph); got != tc.want {
				t.Errorf("ruleTimeout = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRuleMemoryFor: the default memory budget of a check grows with the
// graph (1 GiB per 5,000,000 entities and relationships, at least 1 GiB);
// an explicit WithRuleMemory wins, below or above it.
func TestRuleMemoryFor(t *testing.T) {
	const gib = uint64(1) << 30
	per := gib / RuleMemoryScale // bytes per entity or relationship
	for _, tc := range []struct {
		entities, relationships int
		want                    uint64
	}{
		{0, 0, gib},
		{-5, -1, gib},
		{100_000, 600_000, gib},
		{1_000_000, 4_000_000, gib}, // 1,070,000,000 bytes, under the least
		{2_000_000, 4_000_000, 6_000_000 * per},
		{1_006_923, 6_067_461, 7_074_384 * per},   // the 1,000,000-resource synthetic organisation: 1.41 GiB
		{2_013_759, 12_183_026, 14_196_785 * per}, // 2,000,000: 2.84 GiB
	} {
		if got := RuleMemoryFor(tc.entities, tc.relationships); got != tc.want {
			t.Errorf("RuleMemoryFor(%d, %d) = %s, want %s", tc.entities, tc.relationships, FormatByteSize(got), FormatByteSize(tc.want))
		}
	}
	if got := RuleMemoryFor(2_013_759, 12_183_026); got < 2*gib || got > 3*gib {
		t.Errorf("RuleMemoryFor at 2,000,000 resources = %s, want 2-3 GiB", FormatByteSize(got))
	}
	g := testGraph(t)
	ne, nr := g.Len()
	for _, tc := range []struct {
		name  string
		opts  []Option
		graph *graph.Graph
		want  uint64
	}{
		{"default, no graph", nil, nil, gib},
		{"default", nil, g, RuleMemoryFor(ne, nr)},
		{"explicit", []Option{WithRuleMemory(16 << 20)}, g, 16 << 20},
		{"explicit above the default", []Option{WithRuleMemory(8 * gib)}, g, 8 * gib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := limitsEngine(t, tc.opts).ruleMemory(tc.graph); got != tc.want {
				t.Errorf("ruleMemory = %s, want %s", FormatByteSize(got), FormatByteSize(tc.want))
			}
		})
	}
}

// limitsEngine is an Engine with the time limit and memory budget opts set.
func limitsEngine(t *testing.T, opts []Option) *Engine {
	t.Helper()
	var o options
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			t.Fatal(err)
		}
	}
	return &Engine{timeout: o.timeout, memory: o.memory}
}
