package model

import (
	"context"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// benchResources is the size of the synthetic organisation the phase
// benchmarks read (README "Benchmarks"); rows and entities scale linearly.
const benchResources = 10000

// synthSnapshot opens a synthetic organisation snapshot (seed 1).
func synthSnapshot(b *testing.B) *snapshot.Snapshot {
	b.Helper()
	snap, err := snapshot.Open(synthtest.Snapshot(b, benchResources, 1))
	if err != nil {
		b.Fatal(err)
	}
	return snap
}

// BenchmarkPhases measures the graph build of a synthetic organisation by
// phase: read (Parquet rows of every partition, no decoding), decode (every
// ok response checked against its shape and decoded whole, rows already in
// memory), decode-needed (the same along the need trees, as Build decodes), entities
// (phase 1 of Build: read, decode and entity construction) and
// relationships (the remaining phases: enrichments, relationship calls and
// resolution, with the entities already built).
func BenchmarkPhases(b *testing.B) {
	ctx := context.Background()
	snap := synthSnapshot(b)
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		rows := 0
		start := synthtest.CPUTime()
		for b.Loop() {
			rows = 0
			for _, p := range snap.Partitions() {
				if err := snap.Rows(ctx, p.Service, p.Operation, func(snapshot.Row) error { rows++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		b.ReportMetric(float64(rows), "rows")
	})
	// decode checks and decodes every ok response whole; decode-needed
	// along its call's need tree (what Build does, need.go).
	for _, whole := range []bool{true, false} {
		name := "decode"
		if !whole {
			name = "decode-needed"
		}
		b.Run(name, func(b *testing.B) {
			type resp struct {
				body string
				cs   callShape
				n    *need
			}
			var all []resp
			bytes := 0
			for _, p := range snap.Partitions() {
				c := Call{Service: p.Service, Operation: p.Operation}
				cs, err := shapeOf(c)
				if err != nil {
					continue // a call no type reads is never decoded
				}
				n := needAll
				if !whole {
					n = needOf(c)
				}
				if err := snap.Rows(ctx, p.Service, p.Operation, func(r snapshot.Row) error {
					if r.Status == snapshot.StatusOK {
						all = append(all, resp{r.Response, cs, n})
						bytes += len(r.Response)
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(bytes))
			b.ReportAllocs()
			start := synthtest.CPUTime()
			var d decoder
			for b.Loop() {
				for _, r := range all {
					if _, err := d.decode(r.body, r.cs.shape, r.n); err != nil {
						b.Fatal(err)
					}
				}
			}
			synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		})
	}
	b.Run("entities", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		start := synthtest.CPUTime()
		for b.Loop() {
			bl := newBuilder()
			if err := bl.entities(ctx, snap); err != nil {
				b.Fatal(err)
			}
			n, _ = bl.g.Len()
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		b.ReportMetric(float64(n), "entities")
	})
	b.Run("relationships", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			bl := newBuilder()
			if err := bl.entities(ctx, snap); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := synthtest.CPUTime()
			if err := bl.connect(ctx, snap); err != nil {
				b.Fatal(err)
			}
			cpu += synthtest.CPUTime() - start
			_, n = bl.g.Len()
		}
		synthtest.ReportCPU(b, cpu)
		b.ReportMetric(float64(n), "relationships")
	})
}
