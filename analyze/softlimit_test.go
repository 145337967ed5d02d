package analyze

import (
	"context"
	"runtime/debug"
	"testing"
)

// TestSoftLimit: the memory limit the watcher keeps is above the live heap
// by half of it, never below the floor, and never above the budget; the
// floor is softFloor or follows the snapshot's rows.
func TestSoftLimit(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name                      string
		live, floor, budget, want uint64
	}{
		{"no collection yet: the floor", 0, softFloor, 16 * gib, softFloor},
		{"small heap: the floor", 1 * gib, softFloor, 16 * gib, softFloor},
		{"large heap: half of it above", 4 * gib, softFloor, 16 * gib, 6 * gib},
		{"large snapshot: its floor", 3 * gib, floorFor(1_500_000), 16 * gib, floorFor(1_500_000)},
		{"capped by the budget", 12 * gib, softFloor, 16 * gib, 16 * gib},
		{"budget below the floor", 0, softFloor, 1 << 20, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := softLimit(tc.live, tc.floor, tc.budget); got != tc.want {
				t.Errorf("softLimit(%d, %d, %d) = %d, want %d", tc.live, tc.floor, tc.budget, got, tc.want)
			}
		})
	}
}

// TestFloorFor: 3 GiB up to about 786,000 rows, then 4 KiB per row.
func TestFloorFor(t *testing.T) {
	for _, tc := range []struct {
		rows int64
		want uint64
	}{
		{-1, softFloor},
		{0, softFloor},
		{77_143, softFloor},
		{786_432, softFloor},
		{1_541_254, 1_541_254 * 4096},
	} {
		if got := floorFor(tc.rows); got != tc.want {
			t.Errorf("floorFor(%d) = %d, want %d", tc.rows, got, tc.want)
		}
	}
}

// TestWatchGCPercent: a watched analysis runs the collector at gcPercent
// unless GOGC is set in the environment, and close restores the setting.
func TestWatchGCPercent(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want int
	}{
		{env: "", want: gcPercent},
		{env: "50", want: 100}, // the process's own setting, left alone
	} {
		t.Run("GOGC="+tt.env, func(t *testing.T) {
			t.Setenv("GOGC", tt.env)
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			_, w := watchMemory(context.Background(), 1<<40, "verify")
			during := debug.SetGCPercent(-1)
			debug.SetGCPercent(during)
			w.close()
			if after := debug.SetGCPercent(100); during != tt.want || after != 100 {
				t.Errorf("GOGC during the analysis %d, after %d; want %d, 100", during, after, tt.want)
			}
		})
	}
}
