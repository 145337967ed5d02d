// Package synthtest generates synthetic organisation snapshots (package
// synth) for benchmarks and tests in other packages: the same snapshot
// `snapaudit synth --resources N --seed S` writes, from the repository's
// managed policy corpus, in a temporary directory of the test.
package synthtest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/collect/synth"
)

var (
	policiesOnce sync.Once
	policies     []synth.ManagedPolicy
	policiesErr  error
)

// corpus is testdata/aws-managed-policies/policies.jsonl.gz of the
// checkout this file is in.
func corpus() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "aws-managed-policies", "policies.jsonl.gz")
}

// Policies loads the managed policy corpus once per process.
func Policies(tb testing.TB) []synth.ManagedPolicy {
	tb.Helper()
	policiesOnce.Do(func() {
		path := corpus()
		f, err := os.Open(path)
		if err != nil {
			policiesErr = err
			return
		}
		defer f.Close()
		policies, policiesErr = synth.LoadPolicies(f, path)
	})
	if policiesErr != nil {
		tb.Fatalf("managed policy corpus: %v", policiesErr)
	}
	return policies
}

// Snapshot writes the snapshot of about n resources from seed into a
// temporary directory of tb and returns its path.
func Snapshot(tb testing.TB, n int, seed uint64) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "snap")
	if _, _, err := synth.Generate(context.Background(), dir, synth.Options{Resources: n, Seed: seed, Policies: Policies(tb)}); err != nil {
		tb.Fatalf("synth.Generate(%d resources, seed %d): %v", n, seed, err)
	}
	return dir
}

// ReportCPU adds the metric cpu-ns/op: used (CPU time of the process,
// all goroutines and the garbage collector included, measured with
// CPUTime around the timed work) per iteration. On a machine shared with
// other work it is a steadier figure than the wall-clock ns/op; it is also
// the cost on one core.
func ReportCPU(b *testing.B, used time.Duration) {
	if used <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
}
