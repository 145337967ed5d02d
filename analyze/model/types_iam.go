package model

// iamService is the aws_iam placeholder entity.
var iamService = ServiceInfo{Name: "iam", DisplayName: "AWS IAM", Category: []string{"security"}, Function: []string{"access-control"}}

// iamInline declares an inline policy type of an IAM principal list.
func iamInline(typ, list, principal string) EntityType {
	return EntityType{
		Type: typ, Class: []string{"AccessPolicy"}, Service: "iam",
		Source: op("iam:GetAccountAuthorizationDetails"), Items: list,
		Key: []string{"{^.Arn}/inline-policy/{PolicyName}"}, SyntheticKey: true,
		Name: "{PolicyName}", Skip: []string{"PolicyDocument"},
		Props: []Prop{
			{Name: "policyName", Path: "PolicyName"},
			{Name: "document", Path: "PolicyDocument", Conv: decodePolicy},
			{Name: "principalArn", Path: "^.Arn"},
		},
		Rels: []RelSpec{{Verb: "HAS", Target: principal, Reverse: true, Value: "{^.Arn}", By: "_key"}},
	}
}

func iamTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_iam_access_key", Class: []string{"AccessKey"},
			Source: op("iam:ListAccessKeys"), Items: "AccessKeyMetadata[]",
			Key: []string{"{AccessKeyId}"}, ID: "{AccessKeyId}", Name: "{AccessKeyId}", Created: "CreateDate",
			Props: []Prop{{Name: "active", Path: "Status", Conv: equals("Active")}},
			Enrich: []Enrichment{{Call: op("iam:GetAccessKeyLastUsed"), By: "id", Props: []Prop{
				{Name: "lastUsedOn", Path: "AccessKeyLastUsed.LastUsedDate", Conv: epochMS},
				{Name: "lastUsedRegion", Path: "AccessKeyLastUsed.Region"},
				{Name: "lastUsedService", Path: "AccessKeyLastUsed.ServiceName"},
			}}},
			Rels: []RelSpec{{Verb: "HAS", Target: "aws_iam_user", Reverse: true, Value: "{UserName}", By: "username"}},
		},
		{
			Type: "aws_iam_account_password_policy", Class: []string{"PasswordPolicy"}, Service: "iam",
			Source: op("iam:GetAccountPasswordPolicy"), Items: "PasswordPolicy",
			Key: []string{"{account}:password-policy"}, Name: "Account Password Policy",
			WebLink: "https://console.aws.amazon.com/iam/home#/account_settings",
			Props: []Prop{
				{Name: "minLength", Path: "MinimumPasswordLength"},
				{Name: "requireSymbols", Path: "RequireSymbols"},
				{Name: "requireNumbers", Path: "RequireNumbers"},
				{Name: "requireUppercase", Path: "RequireUppercaseCharacters"},
				{Name: "requireLowercase", Path: "RequireLowercaseCharacters"},
				{Name: "maxAgeDays", Path: "MaxPasswordAge"},
				{Name: "historyCount", Path: "PasswordReusePrevention"},
				{Name: "hardExpiry", Path: "HardExpiry"},
			},
		},
		{
			Type: "aws_iam_group", Class: []string{"UserGroup"}, Service: "iam",
			Source: op("iam:GetAccountAuthorizationDetails"), Items: "GroupDetailList[]",
			Key: []string{"{Arn}"}, ID: "{GroupId}", Name: "{GroupName}", Created: "CreateDate",
			WebLink: "https://console.aws.amazon.com/iam/home#/groups/{GroupName}",
			Rels:    []RelSpec{{Verb: "HAS", Target: "aws_iam_policy", Path: "AttachedManagedPolicies[]", Value: "{PolicyArn}", By: "_key"}},
		},
		iamInline("aws_iam_group_policy", "GroupDetailList[].GroupPolicyList[]", "aws_iam_group"),
		{
			Type: "aws_iam_policy", Class: []string{"AccessPolicy"}, Service: "iam",
			Source: op("iam:GetAccountAuthorizationDetails"), Items: "Policies[]",
			Key: []string{"{Arn}"}, ID: "{PolicyId}", Name: "{PolicyName}", Created: "CreateDate",
			WebLink: "https://console.aws.amazon.com/iam/home#/policies/{Arn}",
			Props: []Prop{
				{Name: "awsManaged", Path: "Arn", Conv: awsManaged},
				{Name: "document", Path: "PolicyVersionList", Conv: defaultPolicyVersion},
				{Name: "updatedOn", Path: "UpdateDate", Conv: epochMS},
			},
		},
		{
			Type: "aws_iam_role", Class: []string{"AccessRole"}, Service: "iam",
			Source: op("iam:GetAccountAuthorizationDetails"), Items: "RoleDetailList[]",
			Key: []string{"{Arn}"}, ID: "{RoleId}", Name: "{RoleName}", Created: "CreateDate", Tags: "Tags",
			Skip:    []string{"AssumeRolePolicyDocument"},
			WebLink: "https://console.aws.amazon.com/iam/home#/roles/{RoleName}",
			Props: []Prop{
				{Name: "assumeRolePolicyDocument", Path: "AssumeRolePolicyDocument", Conv: decodePolicy},
				{Name: "permissionsBoundaryArn", Path: "PermissionsBoundary.PermissionsBoundaryArn", Default: ""},
				{Name: "instanceProfileArns", Path: "InstanceProfileList[].Arn"},
				{Name: "lastUsedOn", Path: "RoleLastUsed.LastUsedDate", Conv: epochMS},
			},
			Rels: []RelSpec{{Verb: "HAS", Target: "aws_iam_policy", Path: "AttachedManagedPolicies[]", Value: "{PolicyArn}", By: "_key"}},
		},
		iamInline("aws_iam_role_policy", "RoleDetailList[].RolePolicyList[]", "aws_iam_role"),
		{
			Type: "aws_iam_user", Class: []string{"User"}, Service: "iam",
			Source: op("iam:GetAccountAuthorizationDetails"), Items: "UserDetailList[]",
			Key: []string{"{Arn}"}, ID: "{UserId}", Name: "{UserName}", Created: "CreateDate", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/iam/home#/users/{UserName}",
			Props: []Prop{
				{Name: "username", Path: "UserName"},
				{Name: "permissionsBoundaryArn", Path: "PermissionsBoundary.PermissionsBoundaryArn", Default: ""},
				{Name: "groupNames", Path: "GroupList[]"},
			},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_iam_policy", Path: "AttachedManagedPolicies[]", Value: "{PolicyArn}", By: "_key"},
				{Verb: "CONTAINS", Target: "aws_iam_group", Reverse: true, Path: "GroupList[]", Value: "{@}", By: "name"},
			},
			Hatch: []Hatch{credentialReportHatch},
		},
		iamInline("aws_iam_user_policy", "UserDetailList[].UserPolicyList[]", "aws_iam_user"),
		{
			Type: "mfa_device", Class: []string{"AccessKey"},
			Source: op("iam:ListMFADevices"), Items: "MFADevices[]",
			Key: []string{"{SerialNumber}"}, ID: "{SerialNumber}", Name: "{SerialNumber}", Created: "EnableDate",
			Props: []Prop{{Name: "virtual", Path: "SerialNumber", Conv: isARN}},
			Rels:  []RelSpec{{Verb: "HAS", Target: "aws_iam_user", Reverse: true, Value: "{UserName}", By: "username"}},
		},
	}
}
