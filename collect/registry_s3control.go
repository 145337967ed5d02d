package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// S3 Control: the account-level S3 Block Public Access configuration. Its
// input is the account ID, so it is a child of sts GetCallerIdentity (the
// identity's Account), sent once per run through us-east-1. No
// configuration is NoSuchPublicAccessBlockConfiguration (not_found: no
// account-level block); a refusal is unknown, never an absent block.
func s3controlCalls() []Call {
	return []Call{
		perParent(keysAt[sts.GetCallerIdentityOutput]("Account"),
			single((*s3control.Client).GetPublicAccessBlock, field[s3control.GetPublicAccessBlockInput]("AccountId"))).
			authorizedBy("s3:GetAccountPublicAccessBlock"),
	}
}
