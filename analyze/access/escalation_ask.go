package access

import (
	"context"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// asker decides the requests of one principal (or one class of principals,
// classKey) for the escalation analysis, once per group of resources the
// evaluator cannot tell apart: a technique asks the same action on every
// role or user of an account, and the statements that can match the
// action rarely look at the resource's ARN (iam.SplitByResource): one
// evaluation answers for every resource of the account with the same
// resource-based policy and the same iam.ResourceSplit signature. Not safe
// for concurrent use: one per analysis of a principal.
type asker struct {
	q    *Query
	pr   iam.Principal
	memo map[askKey]*askMemo
}

// askKey groups the requests one evaluation may answer: one action on a
// pattern (the same request each time), or on resources of one type and
// account whose resource-based policies decide alike (policy: the
// policy's digest, "silent" when none of its statements may match the
// action, "" when there is none).
type askKey struct {
	action, typ, account, policy, pattern string
}

// askMemo holds the answers of one key by signature; split is nil when
// each resource must be decided alone.
type askMemo struct {
	split   *iam.ResourceSplit
	answers map[string]Answer
}

// decide is Query.decide, reusing an answer where it must be the same.
func (k *asker) decide(ctx context.Context, action, arn string, res *graph.Entity) (Answer, error) {
	key, ok := k.key(ctx, action, arn, res)
	m := k.memo[key]
	sig := ""
	if ok && m != nil {
		if m.split == nil {
			return k.q.decide(ctx, k.pr, action, arn, res)
		}
		sig = m.split.Signature(arn, k.tags(res))
		if a, hit := m.answers[sig]; hit {
			a.Resource = arn
			return a, nil
		}
	}
	a, pol, err := k.q.decidePolicies(ctx, k.pr, action, arn, res)
	if err != nil || !ok {
		return a, err
	}
	if m == nil {
		m = &askMemo{answers: map[string]Answer{}}
		if res == nil {
			m.split = &iam.ResourceSplit{} // the same request
		} else if sp, ok := iam.SplitByResource(pol, action); ok {
			m.split = sp
			sig = sp.Signature(arn, k.tags(res))
		}
		k.memo[key] = m
	}
	if m.split != nil {
		m.answers[sig] = a
	}
	return a, nil
}

// key groups arn; ok is false when it must be decided alone.
func (k *asker) key(ctx context.Context, action, arn string, res *graph.Entity) (askKey, bool) {
	if res == nil {
		return askKey{action: action, pattern: arn}, true
	}
	if iam.ResourceSpecial(arn) {
		return askKey{}, false
	}
	rp, err := k.q.resourcePolicy(ctx, arn)
	if err != nil {
		return askKey{}, false
	}
	key := askKey{action: action, typ: res.Type, account: accountOf(res)}
	switch {
	case rp == nil:
	case !rp.MayMatch(action):
		key.policy = "silent"
	default:
		key.policy = rp.Digest
	}
	return key, true
}

// tags are the resource's aws:ResourceTag/* keys (nil for a pattern).
func (k *asker) tags(res *graph.Entity) map[string][]string {
	if res == nil {
		return nil
	}
	return k.q.resourceInfo(res).context
}
