package synth

import (
	"context"

	"github.com/snapaudit/snapaudit/snapshot"
)

// s3control writes the account-level S3 Block Public Access call: no
// account has a configuration (NoSuchPublicAccessBlockConfiguration), so
// each bucket's own settings decide, as in snapshots from before the call
// was collected.
func (a *account) s3control(ctx context.Context) error {
	return a.g.fail(ctx, a.id, global, "s3control:GetPublicAccessBlock", a.id, snapshot.ClassNotFound,
		"NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
}
