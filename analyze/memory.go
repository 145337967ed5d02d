package analyze

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/snapaudit/snapaudit/analyze/rules"
)

// The memory budget of a whole analysis (WithMaxMemory; the CLI's
// --max-memory). Two mechanisms, as the Rego phase's per-check budget
// (analyze/rules/limits.go) does it:
//
//   - runtime/debug.SetMemoryLimit(budget) makes the garbage collector work
//     harder as the process approaches the budget, so garbage never pushes
//     it over;
//   - a watcher samples the memory the Go runtime holds from the OS
//     (runtime/metrics /memory/classes/total:bytes minus what it released,
//     the figure SetMemoryLimit bounds and about the process's RSS) every
//     few milliseconds and at the start of every phase. Past the budget,
//     or once the live heap alone is past 90% of it (the collector could
//     then only thrash), it cancels the analysis with a *MemoryError naming
//     the phase, and Run returns that error instead of a partial report.
//
// Below the budget the watcher also keeps the process near its live heap:
// at each sample it sets the memory limit to the live heap the last
// collection found plus half of it, at least a floor and at most the budget
// (softLimit). The floor is 3 GiB (softFloor) or 4 KiB per row of the
// snapshot (softFloorPerRow), whichever is more: the live heap grows with
// the snapshot, and so must the collector's headroom, or each collection
// marks a heap twice as large for the same allocation and the collector's
// share grows with the input (at 2,000,000 resources, before the floor
// followed the rows, collection took 84 of 272 CPU seconds against 28 of
// 125 at 1,000,000: 3 × the collector for 2 × the resources). GOGC=100 alone lets the heap grow to twice the live
// heap between collections, and the pages it frees are returned to the OS
// only slowly: at 1,000,000 resources, with 3.5 GB live during the checks,
// that made a 10 GB peak RSS. The limit always sits above the live heap,
// so past the floor the collector runs more often (each 50% of growth
// instead of 100%) but never back to back; docs/performance.md "Peak memory" has the cost.
//
// Below the floor the collector runs at GOGC=200 (gcPercent) rather than
// Go's default 100, unless the GOGC environment variable sets it: the heap
// may grow to three times the live heap between collections instead of
// twice, still never past the memory limit: less marking while the heap is
// small (a whole analysis of 100,000 resources, 12 collections marking
// 1.2 GB in all instead of 19 and 2.1 GB; the graph build of 1,000,000) for
// a higher peak only where the floor leaves room (at 100,000 resources
// about 0.17 GiB more); past the floor the limit, not GOGC, sets when the
// collector runs, as before.
//
// The budget is process-wide (the Go runtime has one heap): it is meant
// for one analysis per process, as the CLI runs it.

// memorySampleEvery is how often the watcher samples the process's memory.
const memorySampleEvery = 10 * time.Millisecond

// softFloor is the least memory limit softLimit sets: below it the
// collector runs as GOGC (gcPercent) has it (or when the heap reaches the floor,
// whichever comes first), so an analysis whose heap is small pays nothing
// for the limit, and a large one pays only once 1.5 × its live heap is
// past the floor.
const softFloor = 3 << 30

// gcPercent is the collector's GOGC during an analysis with a budget when
// the environment sets none.
const gcPercent = 200

// softFloorPerRow is the floor's share per snapshot row: about what a
// row costs at its peak (1,000,000 synthetic resources are 770,916 rows and
// peak near 3 GiB of heap).
const softFloorPerRow = 4 << 10

// floorFor is the memory limit's floor for a snapshot of rows rows.
func floorFor(rows int64) uint64 {
	return max(softFloor, uint64(max(rows, 0))*softFloorPerRow)
}

// softLimit is the memory limit the watcher sets when the last collection
// found live bytes live: live plus half of it, at least floor, at most
// budget.
func softLimit(live, floor, budget uint64) uint64 {
	return min(budget, max(live+live/2, floor))
}

// MemoryError is why an analysis stopped: the process crossed its memory
// budget during Phase.
type MemoryError struct {
	Phase  string // "verify", "graph build", "IAM derivation", "checks"
	Budget uint64 // bytes
	Used   uint64 // bytes held when it was stopped
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("analysis stopped during %s: the process held %s of memory, past its budget of %s "+
		"(--max-memory); raise --max-memory if the machine has the memory free, or split the snapshot "+
		"(collect fewer accounts or regions per snapshot) so each analysis fits",
		e.Phase, mib(e.Used), mib(e.Budget))
}

// mib writes n in MiB with a decimal, so a figure just past the budget
// does not read as equal to it.
func mib(n uint64) string {
	if n < 1<<20 {
		return rules.FormatByteSize(n)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// memoryWatch enforces a budget on the process while one analysis runs.
type memoryWatch struct {
	budget   uint64
	cancel   context.CancelCauseFunc
	phase    atomic.Pointer[string]
	exceeded atomic.Pointer[MemoryError]
	prev     int64         // the memory limit before, restored by close
	prevGC   int           // GOGC before, restored by close when gcSet
	gcSet    bool          // watchMemory set GOGC to gcPercent
	floor    atomic.Uint64 // softLimit's floor (floorFor the snapshot's rows)
	limit    uint64        // the memory limit set last (softLimit)
	mu       sync.Mutex    // guards limit
	stop     chan struct{}
	done     sync.WaitGroup
}

// watchMemory starts watching, in phase first; with budget 0 it watches
// nothing and ctx is returned as is.
func watchMemory(ctx context.Context, budget uint64, first string) (context.Context, *memoryWatch) {
	w := &memoryWatch{budget: budget, stop: make(chan struct{})}
	w.phase.Store(&first)
	w.floor.Store(softFloor)
	if budget == 0 {
		return ctx, w
	}
	ctx, w.cancel = context.WithCancelCause(ctx)
	w.prev = debug.SetMemoryLimit(-1)
	if os.Getenv("GOGC") == "" {
		w.prevGC, w.gcSet = debug.SetGCPercent(gcPercent), true
	}
	w.setLimit(softLimit(0, softFloor, budget))
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		tick := time.NewTicker(memorySampleEvery)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				if w.check() {
					return
				}
			}
		}
	}()
	return ctx, w
}

// enter records the phase now running and checks the budget at its start.
func (w *memoryWatch) enter(phase string) {
	w.phase.Store(&phase)
	if w.budget > 0 {
		w.check()
	}
}

// expect sets the memory limit's floor for a snapshot of rows rows.
func (w *memoryWatch) expect(rows int64) {
	w.floor.Store(floorFor(rows))
}

// check cancels the analysis when the process is over its budget and
// reports whether it did.
func (w *memoryWatch) check() bool {
	if w.exceeded.Load() != nil {
		return true
	}
	used, live := processMemory()
	if used <= w.budget && live <= w.budget/10*9 {
		w.setLimit(softLimit(live, w.floor.Load(), w.budget))
		return false
	}
	e := &MemoryError{Phase: *w.phase.Load(), Budget: w.budget, Used: used}
	if w.exceeded.CompareAndSwap(nil, e) {
		w.cancel(e)
	}
	return true
}

// setLimit sets the process's memory limit to n bytes when it changed.
// check, which calls it, runs on the watcher's goroutine and, at the start
// of each phase, on the analysis's: mu orders them.
func (w *memoryWatch) setLimit(n uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n != w.limit {
		w.limit = n
		debug.SetMemoryLimit(int64(min(n, 1<<62)))
	}
}

// err is the *MemoryError if the budget was crossed (the analysis's
// result is then incomplete), nil otherwise.
func (w *memoryWatch) err() error {
	if e := w.exceeded.Load(); e != nil {
		return e
	}
	return nil
}

// close stops the watcher and restores the memory limit.
func (w *memoryWatch) close() {
	if w.budget == 0 {
		return
	}
	close(w.stop)
	w.done.Wait()
	debug.SetMemoryLimit(w.prev)
	if w.gcSet {
		debug.SetGCPercent(w.prevGC)
	}
	w.cancel(nil)
}

// processMemory is the memory the Go runtime holds from the OS and the live
// heap the last collection found.
func processMemory() (used, live uint64) {
	s := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	metrics.Read(s)
	return s[0].Value.Uint64() - s[1].Value.Uint64(), s[2].Value.Uint64()
}
