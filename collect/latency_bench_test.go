package collect_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// BenchmarkCollectLatency collects a synthetic account of n resources
// (fakeaws.SyntheticWorld) into a snapshot, with every answer delayed by
// 20 ms as from a distant endpoint, and reports what issue 7's target
// compares: requests/op, ideal-s/op (requests × latency ÷ concurrency, the
// time a collector that never waits for anything but the endpoint would
// take), ratio (wall time ÷ ideal; the target is ≤ 1.25), cpu-ns/op and the
// peak live heap. The fake runs in the benchmark's process, so the heap
// includes its (small, per-request) share; docs/performance.md measures the
// collect process alone. Nothing here is asserted: it is a measurement.
func BenchmarkCollectLatency(b *testing.B) {
	const latency = 20 * time.Millisecond
	for _, n := range []int{1_000, 10_000} {
		for _, conc := range []int{8, 32} {
			for _, sink := range []string{"snapshot", "discard"} {
				b.Run(fmt.Sprintf("n=%d/concurrency=%d/%s", n, conc, sink), func(b *testing.B) {
					world, err := fakeaws.SyntheticWorld(fakeaws.SynthOptions{Resources: n})
					if err != nil {
						b.Fatal(err)
					}
					srv, err := fakeaws.NewServerWith(world, fakeaws.Options{Latency: latency, Unrecorded: true})
					if err != nil {
						b.Fatal(err)
					}
					defer srv.Close()
					collect.IsolateBenchEnv(b)
					cfg, err := collect.LoadConfig(b.Context(), collect.ConfigOptions{Region: "us-east-1", EndpointURL: srv.URL(), MaxAttempts: 3})
					if err != nil {
						b.Fatal(err)
					}
					opts := []collect.Option{collect.WithPollInterval(0), collect.WithConcurrency(conc), collect.WithRedactionKey([]byte("k"))}
					stop := make(chan struct{})
					peak := collect.PeakHeap(stop)
					before, cpu0 := srv.Stats().Requests, synthtest.CPUTime()
					var rows int64
					b.ReportAllocs()
					b.ResetTimer()
					for i := range b.N {
						var sum collect.Summary
						if sink == "snapshot" {
							var m *snapshot.Manifest
							m, sum, err = collect.Snapshot(b.Context(), filepath.Join(b.TempDir(), fmt.Sprint(i)), cfg, nil, opts...)
							if err == nil {
								rows += m.TotalRows()
							}
						} else {
							w := &collect.CountWriter{}
							sum, err = collect.New(cfg, opts...).Run(b.Context(), w)
							rows += w.Rows()
						}
						if err != nil {
							b.Fatal(err)
						}
						if len(sum.Failures) > 0 {
							b.Fatalf("failed calls: %+v", sum.Failures)
						}
					}
					b.StopTimer()
					cpu := synthtest.CPUTime() - cpu0
					close(stop)
					requests := float64(srv.Stats().Requests-before) / float64(b.N)
					ideal := requests * latency.Seconds() / float64(conc)
					wall := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(requests, "requests/op")
					b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
					b.ReportMetric(ideal, "ideal-s/op")
					b.ReportMetric(wall/ideal, "ratio")
					b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MB")
					synthtest.ReportCPU(b, cpu)
				})
			}
		}
	}
}
