package collect

import (
	"slices"
	"testing"
)

// TestQueueOrder: top-level jobs in the order queued, then per-parent jobs
// newest first; pop reports the end once nothing is pending.
func TestQueueOrder(t *testing.T) {
	root := &Call{Service: "ec2", Operation: "DescribeVpcs", Scope: Regional}
	child := &Call{Service: "s3", Operation: "GetBucketAcl", Scope: PerParent}
	q, stop := newQueue(t.Context())
	defer stop()
	for _, j := range []job{
		{call: child, key: "c1"}, {call: root, key: "r1"}, {call: child, key: "c2"}, {call: root, key: "r2"},
	} {
		q.push(j)
	}
	var got []string
	for range 4 {
		j, ok := q.pop(t.Context())
		if !ok {
			t.Fatal("pop ended with jobs queued")
		}
		got = append(got, j.key)
		if j.key == "r2" {
			q.push(job{call: child, key: "c3"}) // a child queued by a running job runs next
		}
		q.done()
	}
	j, ok := q.pop(t.Context())
	if !ok {
		t.Fatal("pop ended with a job queued")
	}
	got = append(got, j.key)
	q.done()
	if want := []string{"r1", "r2", "c3", "c2", "c1"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if _, ok := q.pop(t.Context()); ok {
		t.Error("pop returned a job after every job was done")
	}
	if q.peak != 4 {
		t.Errorf("peak %d, want 4", q.peak)
	}
}
