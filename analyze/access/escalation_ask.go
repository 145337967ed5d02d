package access

import (
	"context"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// asker decides the requests of one principal (or one class of principals,
// classKey) for the escalation analysis, once per group of resources the
// evaluator cannot tell apart: a technique asks the same action on every
// role or user of an account, and when no statement that can match the
// action looks at the resource's ARN or tags (iam.ResourceIndependent),
// one evaluation answers for each resource of the account with the same
// resource-based policy. Not safe for concurrent use: one per analysis of
// a principal.
type asker struct {
	q    *Query
	pr   iam.Principal
	memo map[askKey]askMemo
}

// askKey groups the requests one evaluation may answer: one action on a
// pattern (res nil: the request is the same), or on resources of one type
// and account whose resource-based policies decide alike (policy: the
// policy's digest, "silent" when none of its statements may match the
// action, "" when there is none).
type askKey struct {
	action, typ, account, policy, pattern string
}

type askMemo struct {
	a           Answer
	independent bool // the answer holds for every resource of the key
}

// decide is Query.decide, reusing an answer where it must be the same.
func (k *asker) decide(ctx context.Context, action, arn string, res *graph.Entity) (Answer, error) {
	key, ok := k.key(ctx, action, arn, res)
	if m, hit := k.memo[key]; ok && hit && m.independent {
		m.a.Resource = arn
		return m.a, nil
	}
	a, pol, err := k.q.decidePolicies(ctx, k.pr, action, arn, res)
	if err != nil || !ok {
		return a, err
	}
	if _, hit := k.memo[key]; !hit {
		k.memo[key] = askMemo{a: a, independent: res == nil || iam.ResourceIndependent(pol, action)}
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
