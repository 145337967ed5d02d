package collect

import (
	"context"
	"sync"
)

// job is one invocation: a call, the region its client talks to, the region
// recorded in its rows, and the parent key.
type job struct {
	call      *Call
	region    string // client region (us-east-1 for global calls)
	rowRegion string // Row.Region: "global" for global calls and their children
	key       string
	depth     int // levels below the parent's keys, for a recursive call (Call.Recurse)
}

// queue holds the jobs waiting for a worker. Workers also push (a parent
// page fans out into child jobs), so a bounded channel could deadlock;
// instead the order keeps it small:
//
//   - top-level jobs (global and regional calls) first, in the order
//     queued: they are the long paginated chains, so they start early and
//     never make the run wait at its end;
//   - then per-parent jobs, newest first (a stack): the children a job has
//     just queued run before older siblings, so a fan-out is worked off
//     depth-first (a bucket's location, then its eight calls) instead of
//     queuing every level of every parent at once. The pending jobs are
//     then about the keys of the parent pages being read, not the whole
//     tree below them.
//
// A job is a few words (the parent key, never the parent's page).
//
// pending counts queued plus running jobs; pop returns false when it drops
// to zero (the run is complete) or when ctx is done.
type queue struct {
	mu       sync.Mutex
	cond     *sync.Cond
	roots    []job // FIFO from head
	head     int
	children []job // LIFO
	pending  int
	peak     int // most jobs queued at once (tests and benchmarks)
}

func newQueue(ctx context.Context) (*queue, func() bool) {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.cond.Broadcast()
		q.mu.Unlock()
	})
	return q, stop
}

func (q *queue) push(j job) {
	q.mu.Lock()
	if j.call.Scope == PerParent {
		q.children = append(q.children, j)
	} else {
		q.roots = append(q.roots, j)
	}
	q.pending++
	q.peak = max(q.peak, q.lenLocked())
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) lenLocked() int { return len(q.roots) - q.head + len(q.children) }

// pop waits for a job. The caller must call done after running it.
func (q *queue) pop(ctx context.Context) (job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.lenLocked() == 0 && q.pending > 0 && ctx.Err() == nil {
		q.cond.Wait()
	}
	if ctx.Err() != nil || q.lenLocked() == 0 {
		return job{}, false
	}
	if q.head < len(q.roots) {
		j := q.roots[q.head]
		q.roots[q.head] = job{}
		q.head++
		if q.head == len(q.roots) {
			q.roots, q.head = q.roots[:0], 0
		}
		return j, true
	}
	n := len(q.children) - 1
	j := q.children[n]
	q.children[n] = job{}
	q.children = q.children[:n]
	if cap(q.children) > 4096 && n < cap(q.children)/4 {
		q.children = append(make([]job, 0, 2*n), q.children...) // give back a spent burst
	}
	return j, true
}

func (q *queue) done() {
	q.mu.Lock()
	q.pending--
	finished := q.pending == 0
	q.mu.Unlock()
	if finished {
		q.cond.Broadcast()
	}
}
