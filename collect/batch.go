package collect

// Batched per-parent calls: APIs that describe several resources per
// request (ecs DescribeClusters takes up to 100 ARNs, DescribeServices 10;
// classic elasticloadbalancing DescribeTags 20 names) are one invocation
// per batch of keys instead of one per key. A batch is
// an ordinary Item whose key is its keys joined by batchSep, so everything
// keyed by the parent key (the rows' parent_key, the resume journal's
// units, progress events) works unchanged:
//
//	perParent(batchesAt[ecs.ListClustersOutput]("ClusterArns[]", 100),
//		single((*ecs.Client).DescribeClusters, batchInput(func(in *ecs.DescribeClustersInput, arns []string) {
//			in.Clusters = arns
//		}))),
//
// scopedBatchesAt and scopedBatchInput add the parent page's own key in front
// of every batch, for calls that also need it (DescribeServices needs the
// cluster whose ListServices page listed the services). A batch never spans
// two parent pages: its key follows from one page alone, as every child key
// does, and the SDK's default page sizes of the ECS list calls equal the
// describe calls' batch limits.

import (
	"slices"
	"strings"
)

// batchSep separates the keys of a batch: a newline, which no AWS
// identifier (ARN, name, id) contains.
const batchSep = "\n"

// batchesAt is keysAt for batched calls: the strings at path in one parent
// page become items of at most n keys each.
func batchesAt[Out any](path string, n int) Keys { return batched(keysAt[Out](path), n, false) }

// scopedBatchesAt is batchesAt with the parent page's own key (the row's
// parent_key, e.g. the cluster ARN) leading every batch.
func scopedBatchesAt[Out any](path string, n int) Keys { return batched(keysAt[Out](path), n, true) }

func batched(k Keys, n int, scoped bool) Keys {
	each := k.fn
	k.batch, k.scoped = n, scoped
	k.fn = func(parentKey string, out any) []Item {
		var keys []string
		for _, it := range each(parentKey, out) {
			keys = append(keys, it.Key)
		}
		var items []Item
		for b := range slices.Chunk(keys, max(n, 1)) {
			if scoped {
				b = append([]string{parentKey}, b...)
			}
			items = append(items, Item{Key: strings.Join(b, batchSep)})
		}
		return items
	}
	return k
}

// batchInput is the input builder of a call over batchesAt: set puts the
// batch's keys (and any fixed settings) into the input.
func batchInput[In any](set func(in *In, keys []string)) func(key string) *In {
	return func(key string) *In {
		in := new(In)
		set(in, splitBatch(key))
		return in
	}
}

// scopedBatchInput is the input builder of a call over scopedBatchesAt: scope is
// the parent key that leads the batch.
func scopedBatchInput[In any](set func(in *In, scope string, keys []string)) func(key string) *In {
	return func(key string) *In {
		in := new(In)
		scope, rest, _ := strings.Cut(key, batchSep)
		set(in, scope, splitBatch(rest))
		return in
	}
}

func splitBatch(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, batchSep)
}
