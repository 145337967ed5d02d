package rules

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// Every check runs under a time limit and a memory budget (WithRuleTimeout,
// WithRuleMemory; the CLI's --rule-timeout and --rule-memory). A check that
// exceeds one is stopped through its context, which OPA's evaluator checks
// between expressions and inside long builtins such as numbers.range, and
// gets one ERROR finding that names the limit; the other checks keep their
// findings.
//
// Time is wall-clock time from the check's start. Checks run up to
// WithParallelism at a time, by default one per core (GOMAXPROCS), so a
// check's time is its own unless the machine is busy with other work.
//
// Memory is the live Go heap (as measured by the last garbage collection,
// runtime/metrics /gc/heap/live:bytes) above what the process held when the
// checks started, sampled every few milliseconds. The Go runtime collects
// whenever the heap doubles, so a runaway is seen at the latest when the
// heap is about twice the baseline plus the budget; no collection is forced
// while checks run. The heap is shared, so attribution works in two phases:
//
//  1. The checks run in parallel. When the heap grows past the budget, every
//     check running at that moment is stopped and queued: none is blamed.
//  2. Each queued check runs again alone in the process (no other Engine's
//     check runs meanwhile), after a garbage collection. One that exceeds the
//     budget alone gets the ERROR; one that completes keeps its findings.
//     Other work of the process that allocates meanwhile (say, a graph being
//     built for another Evaluate) still counts: the CLI runs one analysis.
//
// So a check is stopped after it crosses the budget, not at it, and one
// builtin call that allocates a huge value in a single step is seen only
// when it returns: the process may briefly hold about twice the budget.

// The default time limit grows with the input: a check that visits every
// resource (AWS-TAG-001) takes time proportional to the graph, and a fixed
// minute stopped it at 1,000,000 resources on a loaded machine. An
// explicit limit (WithRuleTimeout) is used as is.

const (
	// DefaultRuleTimeout is the least default time limit of one check:
	// the limit of a graph of up to RuleTimeoutScale entities and
	// relationships (RuleTimeoutFor).
	DefaultRuleTimeout = 60 * time.Second
	// RuleTimeoutScale is how many entities plus relationships earn one
	// DefaultRuleTimeout of default time limit.
	RuleTimeoutScale = 250_000
	// DefaultRuleMemory is the least default memory budget of one check,
	// in bytes: the budget of a graph of up to RuleMemoryScale entities and
	// relationships (RuleMemoryFor).
	DefaultRuleMemory uint64 = 1 << 30
	// RuleMemoryScale is how many entities plus relationships earn one
	// DefaultRuleMemory of default budget. A check over every entity needs
	// memory in proportion to them: at 2,000,000 resources (14.2 million
	// entities and relationships) a fixed 1 GiB made the checks running
	// together cross it and run again one by one, the checks phase 2.9 x
	// that of 1,000,000 resources.
	RuleMemoryScale = 5_000_000
	// minRuleMemory keeps budgets above the heap noise of the runtime itself.
	minRuleMemory uint64 = 1 << 20
	// memorySampleEvery is how often the heap is sampled during evaluation.
	memorySampleEvery = 5 * time.Millisecond
)

// RuleTimeoutFor is the default time limit of one check over a graph of
// the given size: DefaultRuleTimeout per RuleTimeoutScale entities plus
// relationships, at least DefaultRuleTimeout, in whole seconds.
func RuleTimeoutFor(entities, relationships int) time.Duration {
	n := int64(max(entities, 0)) + int64(max(relationships, 0))
	d := time.Duration(n) * (DefaultRuleTimeout / RuleTimeoutScale)
	return max(DefaultRuleTimeout, d.Round(time.Second))
}

// RuleMemoryFor is the default memory budget of one check over a graph of
// the given size: DefaultRuleMemory per RuleMemoryScale entities plus
// relationships, at least DefaultRuleMemory.
func RuleMemoryFor(entities, relationships int) uint64 {
	n := uint64(max(entities, 0)) + uint64(max(relationships, 0))
	return max(DefaultRuleMemory, n*(DefaultRuleMemory/RuleMemoryScale))
}

// ruleMemory is the memory budget of each check over g: the explicit one
// (WithRuleMemory), or the one proportional to g (RuleMemoryFor).
func (e *Engine) ruleMemory(g *graph.Graph) uint64 {
	if e.memory > 0 {
		return e.memory
	}
	if g == nil {
		return DefaultRuleMemory
	}
	return RuleMemoryFor(g.Len())
}

// ruleTimeout is the time limit of each check over g: the explicit one
// (WithRuleTimeout), or the one proportional to g (RuleTimeoutFor).
func (e *Engine) ruleTimeout(g *graph.Graph) time.Duration {
	if e.timeout > 0 {
		return e.timeout
	}
	if g == nil {
		return DefaultRuleTimeout
	}
	return RuleTimeoutFor(g.Len())
}

// WithRuleTimeout sets the time limit of each check (default
// RuleTimeoutFor the graph evaluated).
func WithRuleTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("rule timeout %s: want more than 0", d)
		}
		o.timeout = d
		return nil
	}
}

// WithRuleMemory sets the memory budget of each check in bytes (default
// RuleMemoryFor the graph evaluated; at least 1 MiB).
func WithRuleMemory(bytes uint64) Option {
	return func(o *options) error {
		if bytes < minRuleMemory {
			return fmt.Errorf("rule memory %s: want at least %s", FormatByteSize(bytes), FormatByteSize(minRuleMemory))
		}
		o.memory = bytes
		return nil
	}
}

// LimitError is why a check was stopped: it exceeded its time limit or its
// memory budget. It is the message of the check's ERROR finding.
type LimitError struct {
	Limit string // "time" or "memory"
	Value string // the limit: "60s", "2 GiB"
	Used  string // how much the check had used when it was stopped
}

func (e *LimitError) Error() string {
	if e.Limit == "time" {
		return fmt.Sprintf("evaluation stopped: the check ran longer than its time limit of %s; "+
			"make it cheaper (join through input.in/input.out, not by scanning) or raise the limit "+
			"(snapaudit analyze --rule-timeout, rules.WithRuleTimeout)", e.Value)
	}
	return fmt.Sprintf("evaluation stopped: the check exceeded its memory budget of %s "+
		"(the live Go heap grew by %s while it ran alone); make it build smaller values or raise the budget "+
		"(snapaudit analyze --rule-memory, rules.WithRuleMemory)", e.Value, e.Used)
}

// errSharedMemory stops the checks running when the shared heap crossed the
// budget; they run again alone.
var errSharedMemory = errors.New("heap over budget while several checks ran")

// soloLock: checks of the parallel phase hold it for reading, a check that
// runs alone to be judged for memory holds it for writing, so no other
// check of any Engine in the process runs meanwhile.
var soloLock sync.RWMutex

// heapGuard watches the live heap while checks run and stops them when it
// exceeds baseline+budget.
type heapGuard struct {
	budget   uint64
	baseline uint64
	solo     bool

	mu      sync.Mutex
	running map[*context.CancelCauseFunc]struct{}
	stop    chan struct{}
	done    chan struct{}
}

// startHeapGuard takes the baseline and starts watching. With solo, the
// check running is the only one and is blamed itself: the baseline is the
// live heap after a collection. Without, nobody is blamed (the checks over
// budget run again alone), so the baseline need not be exact and costs no
// collection: it is the heap now, live or not yet collected, which is at
// least the live heap.
func startHeapGuard(budget uint64, solo bool) *heapGuard {
	var baseline uint64
	if solo {
		runtime.GC()
		baseline = liveHeap()
	} else {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		baseline = max(s[0].Value.Uint64(), liveHeap())
	}
	return watchHeap(budget, baseline, solo)
}

// watchHeap starts a guard with the given baseline.
func watchHeap(budget, baseline uint64, solo bool) *heapGuard {
	g := &heapGuard{budget: budget, baseline: baseline, solo: solo,
		running: map[*context.CancelCauseFunc]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	go g.watch()
	return g
}

// enter registers a running check; leave must follow.
func (g *heapGuard) enter(cancel *context.CancelCauseFunc) {
	g.mu.Lock()
	g.running[cancel] = struct{}{}
	g.mu.Unlock()
}

func (g *heapGuard) leave(cancel *context.CancelCauseFunc) {
	g.mu.Lock()
	delete(g.running, cancel)
	g.mu.Unlock()
}

func (g *heapGuard) close() {
	close(g.stop)
	<-g.done
}

func (g *heapGuard) watch() {
	defer close(g.done)
	tick := time.NewTicker(memorySampleEvery)
	defer tick.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-tick.C:
		}
		live := liveHeap()
		if live <= g.baseline+g.budget {
			continue
		}
		var cause error = errSharedMemory
		if g.solo {
			cause = &LimitError{Limit: "memory", Value: FormatByteSize(g.budget), Used: FormatByteSize(live - g.baseline)}
		}
		g.mu.Lock()
		for c := range g.running {
			(*c)(cause)
		}
		n := len(g.running)
		clear(g.running)
		g.mu.Unlock()
		if n > 0 && !g.solo {
			// Collect what the stopped checks held, so the stale live
			// figure does not stop the checks that start next.
			runtime.GC()
		}
	}
}

// liveHeap is the heap the last garbage collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

var byteUnits = []struct {
	suffix string
	size   uint64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
	{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1},
}

// ParseByteSize reads a size such as "512MiB", "2GiB", "1.5G" or "4096"
// (bytes). K, M and G (with or without i or B) are powers of 1024.
func ParseByteSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	mult := uint64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.size
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || n*float64(mult) >= math.MaxUint64/2 {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit such as 512MiB or 2GiB", s)
	}
	return uint64(n * float64(mult)), nil
}

// FormatByteSize writes n in the largest binary unit that keeps it readable:
// "16 MiB", "1.5 GiB", "512 B".
func FormatByteSize(n uint64) string {
	for _, u := range byteUnits[:3] {
		if n >= u.size {
			return strings.TrimSuffix(strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64), ".0") + " " + u.suffix
		}
	}
	return strconv.FormatUint(n, 10) + " B"
}
