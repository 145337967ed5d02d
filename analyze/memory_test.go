package analyze_test

import (
	"context"
	"errors"
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze"
)

// TestMaxMemory: past its budget Run stops with a *MemoryError naming the
// phase (the process always holds more than 1 MiB, so the check at the
// start of the first phase stops it), returns no partial report, and
// restores the process's memory limit; a budget the analysis fits in
// changes nothing.
func TestMaxMemory(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		verify bool
		phase  string
	}{
		{"verify", true, "verify"},
		{"no verify", false, "graph build"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := analyze.New(ctx, analyze.WithVerify(tc.verify), analyze.WithMaxMemory(1<<20))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := a.Run(ctx, demo)
			var me *analyze.MemoryError
			if !errors.As(err, &me) {
				t.Fatalf("Run with a 1 MiB budget: report %v, error %v; want a *MemoryError", rep != nil, err)
			}
			if rep != nil {
				t.Error("Run returned a partial report with its MemoryError")
			}
			if me.Phase != tc.phase || me.Budget != 1<<20 || me.Used <= me.Budget {
				t.Errorf("MemoryError %+v: want phase %q, budget 1 MiB and more used", me, tc.phase)
			}
			for _, want := range []string{"analysis stopped during " + tc.phase, "budget of 1.0 MiB", "--max-memory"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message %q does not say %q", err, want)
				}
			}
			if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
				t.Errorf("memory limit after Run = %d, want it restored to none (%d)", limit, int64(math.MaxInt64))
			}
		})
	}

	t.Run("fits", func(t *testing.T) {
		a, err := analyze.New(ctx, analyze.WithMaxMemory(1<<40))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := a.Run(ctx, demo)
		if err != nil {
			t.Fatalf("Run with a 1 TiB budget: %v", err)
		}
		if rep.Summary.Entities == 0 || rep.Summary.Fail == 0 {
			t.Errorf("summary %+v: want the demo's entities and failing findings", rep.Summary)
		}
	})
}
