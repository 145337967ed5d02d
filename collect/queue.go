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

// queue is an unbounded FIFO of jobs shared by the workers. Workers also
// push (a parent page fans out into child jobs), so a bounded channel could
// deadlock; a job is a few words (the parent key, never the parent's page),
// so the queue stays small next to the pages themselves.
//
// pending counts queued plus running jobs; pop returns false when it drops
// to zero (the run is complete) or when ctx is done.
type queue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	items   []job
	head    int
	pending int
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
	q.items = append(q.items, j)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

// pop waits for a job. The caller must call done after running it.
func (q *queue) pop(ctx context.Context) (job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && q.pending > 0 && ctx.Err() == nil {
		q.cond.Wait()
	}
	if ctx.Err() != nil || q.head == len(q.items) {
		return job{}, false
	}
	j := q.items[q.head]
	q.items[q.head] = job{}
	q.head++
	if q.head > 1024 && q.head*2 > len(q.items) {
		q.items = append([]job(nil), q.items[q.head:]...)
		q.head = 0
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
