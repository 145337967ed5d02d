package access

import (
	"context"

	"github.com/snapaudit/snapaudit/analyze/iam"
)

// Hypothetical is Request for `iam simulate`: the request and policies
// every other answer is decided with (identity policies, permissions
// boundary, resource policy, the SCPs and RCPs of the principal's and the
// resource's accounts, S3 Block Public Access at the bucket and account
// level, the snapshot's facts), for a resource that need not be in the
// snapshot. One that is not is asked without facts nor a policy of its
// own, in resourceAccount when the caller names it (its RCPs then apply);
// a collected resource's own account wins over resourceAccount.
func (q *Query) Hypothetical(ctx context.Context, pr iam.Principal, action, resourceARN, resourceAccount string) (*iam.Request, *iam.Policies, func(string) bool, bool, error) {
	var res = q.owner(resourceARN)
	req, pol, unknown, external, err := q.request(ctx, pr, action, resourceARN, res)
	if err != nil || res != nil || resourceAccount == "" {
		return req, pol, unknown, external, err
	}
	req.ResourceAccount = resourceAccount
	q.org.policies(pr, resourceAccount, pol)
	return req, pol, unknown, external, nil
}
