package iam

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// managedPoliciesPath is the AWS managed policy corpus (iam-dataset, MIT:
// see testdata/aws-managed-policies/NOTICE) seen from this package.
var managedPoliciesPath = filepath.Join("..", "..", "testdata", "aws-managed-policies", "policies.jsonl.gz")

type managedPolicy struct {
	Name             string          `json:"name"`
	ARN              string          `json:"arn"`
	Document         json.RawMessage `json:"document"`
	EffectiveActions []struct {
		EffectiveAction string `json:"effective_action"`
	} `json:"effective_actions"`
}

func loadManaged(tb testing.TB) []managedPolicy {
	tb.Helper()
	f, err := os.Open(managedPoliciesPath)
	if err != nil {
		tb.Fatalf("managed policy corpus: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var out []managedPolicy
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m managedPolicy
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatalf("%s line %d: %v", managedPoliciesPath, len(out)+1, err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// allowedActions expands a policy's Allow statements (Action or NotAction)
// into concrete actions, lower-cased.
func allowedActions(cat *actions.Catalog, p *Policy) map[string]bool {
	out := map[string]bool{}
	for _, s := range p.Statements {
		if s.Effect != Allow {
			continue
		}
		var l []actions.Action
		if s.hasAction {
			l = cat.ExpandAll(s.ActionPatterns)
		} else {
			l = cat.Complement(s.NotActionPatterns)
		}
		for _, a := range l {
			out[strings.ToLower(a.String())] = true
		}
	}
	return out
}

// TestManagedPolicyExpansion parses every AWS managed policy and checks that
// expanding its Allow statements gives the corpus's effective_actions. The
// two data sets were built at different times, so the only differences
// allowed are the two explained classes:
//   - missing: an action in effective_actions that our catalog does not
//     know (removed from AWS's reference, or only in the older data set);
//   - extra: an action we expand that no policy of the corpus lists at all
//     (newer than the corpus's action list);
//   - stale corpus entry: an action we expand from "service:*" that the
//     corpus lists for another policy's "service:*" but not for this one
//     (the corpus did not recompute that policy's expansion).
func TestManagedPolicyExpansion(t *testing.T) {
	pols := loadManaged(t)
	if len(pols) < 1600 {
		t.Fatalf("only %d managed policies", len(pols))
	}
	cat, err := actions.Load()
	if err != nil {
		t.Fatal(err)
	}
	corpusKnows := map[string]bool{}
	for _, m := range pols {
		for _, e := range m.EffectiveActions {
			corpusKnows[strings.ToLower(e.EffectiveAction)] = true
		}
	}
	// serviceStar: for "svc:*" in an Allow, the union of what the corpus
	// expanded it to across all policies.
	serviceStar := map[string]map[string]bool{}
	for _, m := range pols {
		p, err := Parse(m.ARN, m.Document)
		if err != nil {
			continue
		}
		for _, svc := range starServices(p) {
			if serviceStar[svc] == nil {
				serviceStar[svc] = map[string]bool{}
			}
			for _, e := range m.EffectiveActions {
				a := strings.ToLower(e.EffectiveAction)
				if strings.HasPrefix(a, svc+":") {
					serviceStar[svc][a] = true
				}
			}
		}
	}
	exact, mismatched := 0, 0
	const (
		classMissing = "missing (unknown to our catalog)"
		classExtra   = "extra (newer than the corpus)"
		classStale   = "stale corpus entry (svc:* expanded more fully elsewhere in the corpus)"
	)
	classes := map[string]map[string]bool{classMissing: {}, classExtra: {}, classStale: {}}
	stalePolicies := map[string]bool{}
	for _, m := range pols {
		p, err := Parse(m.ARN, m.Document)
		if err != nil {
			t.Errorf("%s: %v", m.Name, err)
			continue
		}
		got := allowedActions(cat, p)
		want := map[string]bool{}
		for _, e := range m.EffectiveActions {
			want[strings.ToLower(e.EffectiveAction)] = true
		}
		diff := false
		for a := range want {
			if !got[a] {
				diff = true
				if _, known := cat.Lookup(a); known {
					t.Errorf("%s: effective action %s is in our catalog but was not expanded", m.Name, a)
				}
				classes[classMissing][a] = true
			}
		}
		for a := range got {
			if !want[a] {
				diff = true
				svc, _, _ := strings.Cut(a, ":")
				switch {
				case !corpusKnows[a]:
					classes[classExtra][a] = true
				case serviceStar[svc][a] && containsStar(p, svc):
					classes[classStale][a] = true
					stalePolicies[m.Name] = true
				default:
					t.Errorf("%s: expanded %s, which the corpus knows but does not list for this policy", m.Name, a)
				}
			}
		}
		if diff {
			mismatched++
		} else {
			exact++
		}
	}
	t.Logf("managed policies: %d exact, %d mismatched (of %d); stale corpus entries in %v", exact, mismatched, len(pols), keys(stalePolicies))
	for c, acts := range classes {
		l := make([]string, 0, len(acts))
		for a := range acts {
			l = append(l, a)
		}
		sort.Strings(l)
		t.Logf("  %s: %d actions %v", c, len(l), l)
	}
}

func starServices(p *Policy) []string {
	var out []string
	for _, s := range p.Statements {
		if s.Effect != Allow {
			continue
		}
		for _, a := range s.ActionPatterns {
			if svc, ok := strings.CutSuffix(strings.ToLower(a), ":*"); ok {
				out = append(out, svc)
			}
		}
	}
	return out
}

func containsStar(p *Policy, svc string) bool {
	for _, s := range starServices(p) {
		if s == svc {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BenchmarkParseManagedPolicies parses and compiles all managed policies.
func BenchmarkParseManagedPolicies(b *testing.B) {
	pols := loadManaged(b)
	b.ResetTimer()
	for b.Loop() {
		for _, m := range pols {
			if _, err := Parse(m.ARN, m.Document); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(pols)), "policies/op")
}

// BenchmarkEvaluate evaluates requests for a role session with 10 attached
// real managed policies (and an SCP level), cycling over a mix of actions.
func BenchmarkEvaluate(b *testing.B) {
	benchmarkEvaluate(b, NewEvaluator(WithClock(func() time.Time { return fixedNow })))
}

// BenchmarkEvaluateWithoutReasons is BenchmarkEvaluate for a caller that
// reads only decisions, as the derivation does (WithoutReasons).
func BenchmarkEvaluateWithoutReasons(b *testing.B) {
	benchmarkEvaluate(b, NewEvaluator(WithClock(func() time.Time { return fixedNow }), WithoutReasons()))
}

func benchmarkEvaluate(b *testing.B, ev *Evaluator) {
	pols := loadManaged(b)
	want := []string{"AmazonS3ReadOnlyAccess", "AmazonEC2ReadOnlyAccess", "AWSLambda_ReadOnlyAccess",
		"AmazonDynamoDBReadOnlyAccess", "CloudWatchReadOnlyAccess", "AmazonSQSFullAccess",
		"AmazonSNSReadOnlyAccess", "IAMReadOnlyAccess", "AmazonRDSReadOnlyAccess", "AWSCloudTrail_ReadOnlyAccess"}
	byName := map[string]managedPolicy{}
	for _, m := range pols {
		byName[m.Name] = m
	}
	var identity []*Policy
	for _, n := range want {
		m, ok := byName[n]
		if !ok {
			b.Fatalf("managed policy %s not in corpus", n)
		}
		p, err := Parse(m.ARN, m.Document)
		if err != nil {
			b.Fatal(err)
		}
		identity = append(identity, p)
	}
	scp, err := Parse("scp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`)
	if err != nil {
		b.Fatal(err)
	}
	pol := &Policies{Identity: identity, SCPs: [][]*Policy{{scp}}}
	pr, _ := ParsePrincipal("arn:aws:sts::111122223333:assumed-role/app/s")
	reqs := []*Request{
		{Principal: pr, Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/key", Context: map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}},
		{Principal: pr, Action: "ec2:TerminateInstances", Resource: "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", Context: map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}},
		{Principal: pr, Action: "iam:CreateUser", Resource: "arn:aws:iam::111122223333:user/x"},
		{Principal: pr, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:111122223333:q", Context: map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}},
	}
	allowedN := 0
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if ev.Evaluate(reqs[i%len(reqs)], pol).Decision == Allowed {
			allowedN++
		}
		i++
	}
	if allowedN == 0 {
		b.Fatal("nothing allowed: the benchmark setup is wrong")
	}
}
