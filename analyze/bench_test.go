package analyze

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// BenchmarkSynth measures, on a synthetic organisation of 10,000
// resources (seed 1): derive (the IAM derivations on a freshly built graph)
// and analyze (Run end to end without verification: build, derivations,
// every built-in check). The graph phases are BenchmarkPhases in
// analyze/model, the Rego phases BenchmarkSynthPhases in analyze/rules.
func BenchmarkSynth(b *testing.B) {
	ctx := context.Background()
	dir := synthtest.Snapshot(b, 10000, 1)
	snap, err := snapshot.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	m := snap.Manifest()
	b.Run("derive", func(b *testing.B) {
		b.ReportAllocs()
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			g, err := model.Build(ctx, snap, model.WithAccounts(m.Accounts...))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := synthtest.CPUTime()
			if err := derive(ctx, g, slog.New(slog.DiscardHandler)); err != nil {
				b.Fatal(err)
			}
			cpu += synthtest.CPUTime() - start
		}
		synthtest.ReportCPU(b, cpu)
	})
	a, err := New(ctx, WithVerify(false))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("analyze", func(b *testing.B) {
		b.ReportAllocs()
		start := synthtest.CPUTime()
		for b.Loop() {
			if _, err := a.Run(ctx, dir); err != nil {
				b.Fatal(err)
			}
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
	})
}
