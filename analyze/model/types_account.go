package model

func accountTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_account", Class: []string{"Account"},
			Source: op("sts:GetCallerIdentity"), AlsoReads: []Call{op("iam:GenerateCredentialReport"), op("iam:GetCredentialReport")},
			Key: []string{"arn:aws:iam::{Account}:root"}, ID: "{Account}", Name: "{Account}",
			WebLink:   "https://console.aws.amazon.com/billing/home#/account",
			NoFlatten: true, // GetCallerIdentity's Arn/UserId describe the caller, not the account
			Hatch:     []Hatch{orgHatch},
			Props:     []Prop{{Name: "accountId", Path: "Account"}},
			Enrich: []Enrichment{
				{Call: op("iam:ListAccountAliases"), Match: "{account}", By: "accountId", Props: []Prop{
					{Name: "alias", Path: "AccountAliases", Conv: first},
					{Name: "name", Path: "AccountAliases", Conv: first},
					{Name: "displayName", Path: "AccountAliases", Conv: first},
				}},
				{Call: op("iam:GetAccountSummary"), Match: "{account}", By: "accountId", Props: []Prop{
					{Name: "mfaEnabled", Path: "SummaryMap.AccountMFAEnabled", Conv: equalsNumber(1)},
					{Name: "rootUserAccessKeyEnabled", Path: "SummaryMap.AccountAccessKeysPresent", Conv: equalsNumber(1)},
					{Name: "rootSigningCertificatesPresent", Path: "SummaryMap.AccountSigningCertificatesPresent", Conv: equalsNumber(1)},
				}},
				{Call: op("iam:ListVirtualMFADevices"), Items: "VirtualMFADevices[]", Match: "{User.Arn}", By: "_key",
					Props: []Prop{{Name: "rootMfaSerialNumber", Path: "SerialNumber"}}, SetOnMatch: map[string]any{"rootMfaVirtual": true}},
				// Account-level S3 Block Public Access (s3control): none
				// configured (NoSuchPublicAccessBlockConfiguration) is every
				// setting off; unreadable is null. Each bucket combines it
				// with its own (s3PublicHatch: effective*).
				{Call: op("s3control:GetPublicAccessBlock"), Match: "{account}", By: "accountId", Props: []Prop{
					{Name: "s3BlockPublicAcls", Path: "PublicAccessBlockConfiguration.BlockPublicAcls", Default: false},
					{Name: "s3BlockPublicPolicy", Path: "PublicAccessBlockConfiguration.BlockPublicPolicy", Default: false},
					{Name: "s3IgnorePublicAcls", Path: "PublicAccessBlockConfiguration.IgnorePublicAcls", Default: false},
					{Name: "s3RestrictPublicBuckets", Path: "PublicAccessBlockConfiguration.RestrictPublicBuckets", Default: false},
				}, SetOnNotFound: map[string]any{"s3BlockPublicAcls": false, "s3BlockPublicPolicy": false, "s3IgnorePublicAcls": false, "s3RestrictPublicBuckets": false}},
				{Call: op("organizations:DescribeOrganization"), Match: "{account}", By: "accountId", Props: []Prop{
					{Name: "organizationId", Path: "Organization.Id"},
					{Name: "organizationArn", Path: "Organization.Arn"},
					{Name: "organizationMasterAccountId", Path: "Organization.MasterAccountId"},
				}},
			},
		},
	}
}
