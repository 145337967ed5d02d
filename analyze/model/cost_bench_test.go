package model

import (
	"context"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// liveHeap is the live heap, measured by a garbage collection now.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // objects with finalizers (open files) go in the second one
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// onlyCalls is a Source that passes the rows of some calls only.
type onlyCalls struct {
	src   Source
	calls map[Call]bool
}

func (o onlyCalls) Rows(ctx context.Context, service, operation string, fn func(snapshot.Row) error) error {
	if !o.calls[Call{service, operation}] {
		return nil
	}
	return o.src.Rows(ctx, service, operation, fn)
}

// buildCost builds the graph from src b.N times and reports, besides
// ns/op, B/op and allocs/op: cpu-ns/op, the entities of typ built (all
// types when typ is ""), and per such entity the CPU time, the bytes and
// allocations, and heap-B/entity, the live heap the graph holds (measured
// once, outside the timer).
func buildCost(b *testing.B, src Source, typ string) {
	ctx := context.Background()
	entities := 0
	g, err := Build(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	if typ == "" {
		entities, _ = g.Len()
	} else {
		entities = len(g.EntitiesOfType(typ))
	}
	with := liveHeap()
	runtime.KeepAlive(g)
	g = nil
	held := int64(with) - int64(liveHeap()) // what dropping the graph frees
	if entities == 0 {
		b.Skipf("no %s in the synthetic snapshot", typ)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	start := synthtest.CPUTime()
	for b.Loop() {
		if _, err := Build(ctx, src); err != nil {
			b.Fatal(err)
		}
	}
	cpu := synthtest.CPUTime() - start
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	synthtest.ReportCPU(b, cpu)
	per := float64(b.N) * float64(entities)
	b.ReportMetric(float64(entities), "entities")
	b.ReportMetric(float64(cpu.Nanoseconds())/per, "cpu-ns/entity")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/per, "B/entity")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/per, "allocs/entity")
	b.ReportMetric(float64(held)/float64(entities), "heap-B/entity")
}

// BenchmarkGraphHeap builds the graph of the synthetic organisation
// (benchResources resources) and reports its cost per entity, heap-B/entity
// above all: the memory budget of the graph (docs/performance.md).
func BenchmarkGraphHeap(b *testing.B) {
	buildCost(b, synthSnapshot(b), "")
}

// BenchmarkTypeCost measures the graph build per entity type on the
// synthetic organisation (docs/performance.md, "Per-type cost"): each
// sub-benchmark builds from the rows of the calls the type reads
// (Sources: its source, enrichments, relationship and hatch calls and the
// calls upstream of them) and reports the cost per entity of the type.
// What those calls give other types (the IAM types share one call) and
// the relationships they resolve are counted with it; "none" is the fixed
// cost of an empty build (accounts and service placeholders).
func BenchmarkTypeCost(b *testing.B) {
	snap := synthSnapshot(b)
	b.Run("none", func(b *testing.B) {
		b.ReportAllocs()
		start := synthtest.CPUTime()
		for b.Loop() {
			if _, err := Build(context.Background(), onlyCalls{src: snap}); err != nil {
				b.Fatal(err)
			}
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
	})
	for _, t := range Types() {
		b.Run(t.Type, func(b *testing.B) {
			calls := map[Call]bool{}
			for _, c := range Sources(t.Type) {
				calls[c] = true
			}
			b.ReportAllocs()
			buildCost(b, onlyCalls{src: snap, calls: calls}, t.Type)
		})
	}
}
