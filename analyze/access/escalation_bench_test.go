package access

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

var escalationResources = flag.Int("escalation-resources", 20000, "BenchmarkEscalation: resources of the synthetic organisation")

// BenchmarkEscalation runs the privilege-escalation analysis on a
// synthetic organisation (collect/synth: several accounts, roles with real
// AWS managed policies, trust policies of every kind, Lambda functions and
// instances running as roles). The graph is built once; each iteration
// indexes it (NewQuery) and runs Escalation. cpu-ns/op is the CPU time of
// the process per iteration (steadier than ns/op on a shared machine).
//
//	go test ./analyze/access -run '^$' -bench Escalation -benchmem [-escalation-resources 100000]
func BenchmarkEscalation(b *testing.B) {
	newQuery := synthQuery(b, *escalationResources)
	b.ReportAllocs()
	b.ResetTimer()
	start := synthtest.CPUTime()
	var paths, principals int
	for range b.N {
		q := newQuery()
		res, err := q.Escalation(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		paths, principals = len(res.Paths), len(q.principals)
	}
	synthtest.ReportCPU(b, synthtest.CPUTime()-start)
	b.ReportMetric(float64(paths), "paths")
	b.ReportMetric(float64(principals), "principals")
}

// synthQuery builds the graph of a synthetic organisation of n resources
// (seed 1) once and returns a function indexing it anew (NewQuery).
func synthQuery(tb testing.TB, n int) func() *Query {
	tb.Helper()
	snap, err := snapshot.Open(synthtest.Snapshot(tb, n, 1))
	if err != nil {
		tb.Fatal(err)
	}
	g, err := model.Build(context.Background(), snap, model.WithAccounts(snap.Manifest().Accounts...))
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := testCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	ev := iam.NewEvaluator(iam.WithClock(func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }))
	return func() *Query { return NewQuery(g, ev, cat) }
}
