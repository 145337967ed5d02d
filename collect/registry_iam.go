package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func iamCalls() []Call {
	users := keysAt[iam.GetAccountAuthorizationDetailsOutput]("UserDetailList[].UserName")
	return []Call{
		{Scope: Global,
			Why: "the report must be generated, and polled until COMPLETE, before GetCredentialReport can read it",
			Run: credentialReport()},
		perParent(keysAt[iam.ListAccessKeysOutput]("AccessKeyMetadata[].AccessKeyId"),
			single((*iam.Client).GetAccessKeyLastUsed, field[iam.GetAccessKeyLastUsedInput]("AccessKeyId"))),
		global(paged(iam.NewGetAccountAuthorizationDetailsPaginator, none)),
		global(single((*iam.Client).GetAccountPasswordPolicy, none)),
		global(single((*iam.Client).GetAccountSummary, none)),
		// One child with the empty key once the report is COMPLETE: the
		// report is account-wide, so its row has no parent key.
		perParent(items(func(_ string, o *iam.GenerateCredentialReportOutput) []Item {
			if o.State != iamtypes.ReportStateTypeComplete {
				return nil
			}
			return []Item{{}}
		}), single((*iam.Client).GetCredentialReport, none)),
		perParent(users, paged(iam.NewListAccessKeysPaginator, field[iam.ListAccessKeysInput]("UserName"))),
		global(paged(iam.NewListAccountAliasesPaginator, none)),
		perParent(users, paged(iam.NewListMFADevicesPaginator, field[iam.ListMFADevicesInput]("UserName"))),
		{Scope: Global,
			// The seed and QR code are only returned at creation, but they
			// are the device's secret: never let them reach disk.
			Redact: []string{"VirtualMFADevices[].Base32StringSeed", "VirtualMFADevices[].QRCodePNG"},
			Run:    paged(iam.NewListVirtualMFADevicesPaginator, none)},
	}
}
