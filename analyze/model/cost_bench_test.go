package model

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/graph"
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

// cost is what one build took: CPU time, bytes and allocations, and the
// live heap its graph holds.
type cost struct {
	cpu            time.Duration
	bytes, mallocs uint64
	heap           int64
}

// measure runs build n times and returns the cost of one (heap aside).
func measure(n int, build func()) cost {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := synthtest.CPUTime()
	for range n {
		build()
	}
	cpu := synthtest.CPUTime() - start
	runtime.ReadMemStats(&m1)
	return cost{cpu: cpu / time.Duration(n), bytes: (m1.TotalAlloc - m0.TotalAlloc) / uint64(n), mallocs: (m1.Mallocs - m0.Mallocs) / uint64(n)}
}

// held is the live heap the graph of one build holds: what dropping it
// frees. The first measure after other builds is off by about 14 KB (the
// graph of a build without records measured -0.5 KB instead of 13.8 KB,
// which every type's figure then carried, divided by its entities), so
// held measures twice and keeps the second.
func held(build func() *graph.Graph) int64 {
	var d int64
	for range 2 {
		g := build()
		with := liveHeap()
		runtime.KeepAlive(g) // g is dead from here
		d = int64(with) - int64(liveHeap())
	}
	return d
}

// buildCost runs build b.N times and reports cpu-ns/op, the entities of
// typ built (all types when typ is ""), and per such entity, net of fixed
// (the cost of a build without them): the CPU time, the bytes and
// allocations, and heap-B/entity, the live heap the graph holds.
func buildCost(b *testing.B, build func() *graph.Graph, typ string, fixed cost) {
	g := build()
	entities, _ := g.Len()
	if typ != "" {
		entities = len(g.EntitiesOfType(typ))
	}
	g = nil
	if entities == 0 {
		b.Skipf("no %s in the synthetic snapshot", typ)
	}
	heap := held(build)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	start := synthtest.CPUTime()
	for b.Loop() {
		build()
	}
	used := synthtest.CPUTime() - start
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	synthtest.ReportCPU(b, used)
	n := uint64(b.N)
	c := cost{cpu: used / time.Duration(n), bytes: (m1.TotalAlloc - m0.TotalAlloc) / n, mallocs: (m1.Mallocs - m0.Mallocs) / n}
	per := float64(entities)
	b.ReportMetric(per, "entities")
	b.ReportMetric(float64(c.cpu-fixed.cpu)/per, "cpu-ns/entity")
	b.ReportMetric((float64(c.bytes)-float64(fixed.bytes))/per, "B/entity")
	b.ReportMetric((float64(c.mallocs)-float64(fixed.mallocs))/per, "allocs/entity")
	b.ReportMetric(float64(heap-fixed.heap)/per, "heap-B/entity")
}

// BenchmarkGraphHeap builds the graph of the synthetic organisation
// (benchResources resources), or of the snapshot in the directory
// $SNAPAUDIT_GRAPH_SNAPSHOT (a larger one from `snapaudit synth`), and
// reports its cost per entity, heap-B/entity above all: the memory budget
// of the graph (docs/performance.md).
func BenchmarkGraphHeap(b *testing.B) {
	var snap *snapshot.Snapshot
	if dir := os.Getenv("SNAPAUDIT_GRAPH_SNAPSHOT"); dir != "" {
		var err error
		if snap, err = snapshot.Open(dir); err != nil {
			b.Fatal(err)
		}
	} else {
		snap = synthSnapshot(b)
	}
	buildCost(b, func() *graph.Graph {
		g, err := Build(context.Background(), snap, WithAccounts(snap.Manifest().Accounts...))
		if err != nil {
			b.Fatal(err)
		}
		return g
	}, "", cost{})
}

// BenchmarkTypeCost measures the graph build per entity type on the
// synthetic organisation (docs/performance.md, "Per-type cost"): each
// sub-benchmark builds the graph with the type's record alone (decoding
// what it reads of its calls) and reports
// its cost per entity of the type, net of a build with no record (the
// accounts and service placeholders of the snapshot's accounts, and
// reading the manifest). The record's relationships to entities of other
// types find no target there: their lookups are counted, the edges are
// not (BenchmarkGraphHeap has the whole graph).
func BenchmarkTypeCost(b *testing.B) {
	snap := synthSnapshot(b)
	ctx := context.Background()
	builder := func(types []EntityType) func() *graph.Graph {
		trees := phaseNeedsOf(types, services)
		return func() *graph.Graph {
			bl := newBuilder(WithAccounts(snap.Manifest().Accounts...))
			bl.types, bl.needs = types, trees
			if err := bl.entities(ctx, snap); err != nil {
				b.Fatal(err)
			}
			if err := bl.connect(ctx, snap); err != nil {
				b.Fatal(err)
			}
			return bl.g
		}
	}
	none := builder(nil)
	measure(3, func() { none() }) // warm up: shapes, need trees, caches
	fixed := measure(10, func() { none() })
	fixed.heap = held(none)
	for _, t := range Types() {
		b.Run(t.Type, func(b *testing.B) {
			buildCost(b, builder([]EntityType{t}), t.Type, fixed)
		})
	}
}
