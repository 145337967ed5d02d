package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The caller identity names the account; it runs first.
func stsCalls() []Call {
	return []Call{
		global(single((*sts.Client).GetCallerIdentity, none)),
	}
}
