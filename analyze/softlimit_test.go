package analyze

import "testing"

// TestSoftLimit: the memory limit the watcher keeps is above the live heap
// by half of it, never below softFloor, and never above the budget.
func TestSoftLimit(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name               string
		live, budget, want uint64
	}{
		{"no collection yet: the floor", 0, 16 * gib, softFloor},
		{"small heap: the floor", 1 * gib, 16 * gib, softFloor},
		{"large heap: half of it above", 4 * gib, 16 * gib, 6 * gib},
		{"capped by the budget", 12 * gib, 16 * gib, 16 * gib},
		{"budget below the floor", 0, 1 << 20, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := softLimit(tc.live, tc.budget); got != tc.want {
				t.Errorf("softLimit(%d, %d) = %d, want %d", tc.live, tc.budget, got, tc.want)
			}
		})
	}
}
