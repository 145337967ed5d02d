package model

// The AWS entity registry (seed 001 types plus the children the seed lists
// without relationships). One record per _type, sorted by _type; the
// invariant test in registry_test.go checks it against
// ../shared/spec/*.tsv and the aws-sdk-go-v2 output types.

// Constants of the config rule evaluations.
var (
	evaluationResultQualifier  = "EvaluationResultIdentifier.EvaluationResultQualifier"
	evaluationResultType       = evaluationResultQualifier + ".ResourceType"
	evaluationResultResourceID = "{" + evaluationResultQualifier + ".ResourceId}"
)

// evaluates declares config rule EVALUATES <target> for one AWS Config
// resource type; the target is matched on `by` (IAM evaluations name the
// unique id, AIDA..., not the name).
func evaluates(resourceType, target, by string) RelSpec {
	return RelSpec{
		Verb: "EVALUATES", Target: target, Call: op("configservice:GetComplianceDetailsByConfigRule"), Items: "EvaluationResults[]",
		FromMatch: "{parent}", FromBy: "name",
		When:  &Cond{Path: evaluationResultType, Equals: resourceType},
		Value: evaluationResultResourceID, By: by,
		Props: []Prop{
			{Name: "complianceType", Path: "ComplianceType"},
			{Name: "resultRecordedOn", Path: "ResultRecordedTime", Conv: epochMS},
		},
	}
}

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
			{Name: "principalArn", Tmpl: "{^.Arn}"},
		},
		Rels: []RelSpec{{Verb: "HAS", Target: principal, Reverse: true, Value: "{^.Arn}", By: "_key"}},
	}
}

// registry is the sorted list of entity types.
var registry = []EntityType{
	{
		Type: "aws_account", Class: []string{"Account"},
		Source: op("sts:GetCallerIdentity"), Feeds: []Call{op("iam:GenerateCredentialReport"), op("iam:GetCredentialReport")},
		Key: []string{"arn:aws:iam::{Account}:root"}, ID: "{Account}", Name: "{Account}",
		WebLink:   "https://console.aws.amazon.com/billing/home#/account",
		NoFlatten: true, // GetCallerIdentity's Arn/UserId describe the caller, not the account
		Props:     []Prop{{Name: "accountId", Tmpl: "{Account}"}},
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
				Props: []Prop{{Name: "rootMfaSerialNumber", Path: "SerialNumber"}}, Set: map[string]any{"rootMfaVirtual": true}},
			{Call: op("organizations:DescribeOrganization"), Match: "{account}", By: "accountId", Props: []Prop{
				{Name: "organizationId", Path: "Organization.Id"},
				{Name: "organizationArn", Path: "Organization.Arn"},
				{Name: "organizationMasterAccountId", Path: "Organization.MasterAccountId"},
			}},
		},
	},
	{
		Type: "aws_api_gateway_rest_api", Class: []string{"Gateway"}, Service: "apigateway",
		Source: op("apigateway:GetRestApis"), Items: "Items[]",
		Key: []string{"arn:aws:apigateway:{region}::/restapis/{Id}"}, ID: "{Id}", Name: "{Name}",
		Created: "CreatedDate", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/apigateway/home?region={region}#/apis/{Id}/resources",
		Props: []Prop{
			{Name: "public", Path: "EndpointConfiguration.Types", Conv: notPrivateEndpoint, Always: true},
			{Name: "endpointTypes", Path: "EndpointConfiguration.Types"},
		},
		Static: map[string]any{"category": []string{"application"}, "function": []string{"api-gateway"}},
		Rels: []RelSpec{{
			Verb: "TRIGGERS", Target: "aws_lambda_function", Call: op("apigateway:GetResources"), Items: "Items[]",
			FromMatch: "{parent}", FromBy: "id",
			Path: "ResourceMethods{}", Value: "{MethodIntegration.Uri}", Conv: lambdaFromIntegrationURI, By: "_key",
			Props: []Prop{{Name: "httpMethod", Path: "HttpMethod"}, {Name: "resourcePath", Tmpl: "{^.Path}"}},
		}},
	},
	{
		Type: "aws_config_rule", Class: []string{"ControlPolicy"}, Service: "config",
		Source: op("configservice:DescribeConfigRules"), Items: "ConfigRules[]",
		Key: []string{"{ConfigRuleArn}"}, ID: "{ConfigRuleId}", Name: "{ConfigRuleName}",
		WebLink: "https://console.aws.amazon.com/config/home?region={region}#/rules/details?configRuleName={ConfigRuleName}",
		Props: []Prop{
			{Name: "sourceOwner", Path: "Source.Owner"},
			{Name: "sourceIdentifier", Path: "Source.SourceIdentifier"},
		},
		Static: map[string]any{"category": "config"},
		Rels: []RelSpec{
			evaluates("AWS::::Account", "aws_account", "accountId"),
			evaluates("AWS::EC2::Instance", "aws_instance", "id"),
			evaluates("AWS::EC2::SecurityGroup", "aws_security_group", "id"),
			evaluates("AWS::EC2::Volume", "aws_ebs_volume", "id"),
			evaluates("AWS::IAM::Group", "aws_iam_group", "groupId"),
			evaluates("AWS::IAM::Role", "aws_iam_role", "roleId"),
			evaluates("AWS::IAM::User", "aws_iam_user", "userId"),
			evaluates("AWS::S3::Bucket", "aws_s3_bucket", "name"),
		},
	},
	{
		Type: "aws_db_instance", Class: []string{"DataStore", "Database", "Host"}, Service: "rds",
		Source: op("rds:DescribeDBInstances"), Items: "DBInstances[]",
		Key: []string{"{DBInstanceArn}"}, ID: "{DBInstanceIdentifier}", Name: "{DBInstanceIdentifier}",
		Created: "InstanceCreateTime", Tags: "TagList",
		WebLink: "https://console.aws.amazon.com/rds/home?region={region}#database:id={DBInstanceIdentifier};is-cluster=false",
		Props: []Prop{
			{Name: "encrypted", Path: "StorageEncrypted", Always: true},
			{Name: "hostname", Path: "Endpoint.Address", Always: true},
			{Name: "port", Path: "Endpoint.Port"},
			{Name: "vpcId", Path: "DBSubnetGroup.VpcId"},
			{Name: "securityGroupIds", Path: "VpcSecurityGroups[].VpcSecurityGroupId"},
		},
	},
	{
		Type: "aws_dynamodb_table", Class: []string{"DataStore", "Database"}, Service: "dynamodb",
		Source: op("dynamodb:DescribeTable"), Items: "Table",
		Key: []string{"{TableArn}"}, ID: "{TableId}", Name: "{TableName}", Created: "CreationDateTime",
		WebLink: "https://console.aws.amazon.com/dynamodbv2/home?region={region}#table?name={TableName}",
		Props: []Prop{
			{Name: "kmsKeyId", Path: "SSEDescription.KMSMasterKeyArn"},
			{Name: "sseType", Path: "SSEDescription.SSEType"},
		},
		// DynamoDB always encrypts at rest; without SSEDescription the key is AWS owned.
		Static: map[string]any{"encrypted": true},
		Enrich: []Enrichment{
			{Call: op("dynamodb:ListTagsOfResource"), By: "name", Tags: "Tags"},
			{Call: op("dynamodb:DescribeContinuousBackups"), By: "name", Props: []Prop{{
				Name: "pointInTimeRecoveryEnabled", Conv: equals("ENABLED"),
				Path: "ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus",
			}}},
		},
	},
	{
		Type: "aws_ebs_volume", Class: []string{"DataStore", "Disk"}, Service: "ec2",
		Source: op("ec2:DescribeVolumes"), Items: "Volumes[]",
		Key: []string{"arn:aws:ec2:{region}:{account}:volume/{VolumeId}"}, ID: "{VolumeId}", Name: "{VolumeId}",
		Created: "CreateTime", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#Volumes:search={VolumeId}",
		Props: []Prop{
			{Name: "encrypted", Path: "Encrypted", Always: true},
			{Name: "attachedInstanceIds", Path: "Attachments[].InstanceId"},
		},
	},
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
		Type: "aws_instance", Class: []string{"Host"}, Service: "ec2",
		Source: op("ec2:DescribeInstances"), Items: "Reservations[].Instances[]",
		Key: []string{"arn:aws:ec2:{region}:{account}:instance/{InstanceId}"}, ID: "{InstanceId}", Name: "{InstanceId}",
		Created: "LaunchTime", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#Instances:instanceId={InstanceId}",
		Props: []Prop{
			{Name: "hostname", Path: "PrivateDnsName", Always: true},
			{Name: "state", Path: "State.Name"},
			{Name: "active", Path: "State.Name", Conv: equals("running")},
			{Name: "publicIpAddress", Path: "PublicIpAddress", Always: true},
			{Name: "instanceProfileArn", Path: "IamInstanceProfile.Arn"},
			{Name: "securityGroupIds", Path: "SecurityGroups[].GroupId"},
			{Name: "reservationId", Tmpl: "{^.ReservationId}"},
			{Name: "metadataHttpTokens", Path: "MetadataOptions.HttpTokens"},
		},
		Rels: []RelSpec{
			{Verb: "USES", Target: "aws_ebs_volume", Path: "BlockDeviceMappings[]", Value: "{Ebs.VolumeId}", By: "id",
				Props: []Prop{{Name: "deviceName", Path: "DeviceName"}, {Name: "deleteOnTermination", Path: "Ebs.DeleteOnTermination"}}},
			{Verb: "HAS", Target: "aws_security_group", Path: "SecurityGroups[]", Value: "{GroupId}", By: "id"},
			{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "SecurityGroups[]", Value: "{GroupId}", By: "id"},
			{Verb: "USES", Target: "aws_key_pair", Value: "{KeyName}", By: "keyName"},
			{Verb: "USES", Target: "aws_iam_role", Value: "{IamInstanceProfile.Arn}", By: "instanceProfileArns"},
		},
	},
	{
		Type: "aws_key_pair", Class: []string{"AccessKey"}, Service: "ec2",
		Source: op("ec2:DescribeKeyPairs"), Items: "KeyPairs[]",
		Key: []string{"arn:aws:ec2:{region}:{account}:key-pair/{KeyName}"}, ID: "{KeyPairId}", Name: "{KeyName}",
		Created: "CreateTime", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#KeyPairs:keyName={KeyName}",
		Props:   []Prop{{Name: "fingerprint", Path: "KeyFingerprint"}},
	},
	{
		Type: "aws_lambda_function", Class: []string{"Function"}, Service: "lambda",
		Source: op("lambda:ListFunctions"), Items: "Functions[]",
		Key: []string{"{FunctionArn}"}, ID: "{FunctionName}", Name: "{FunctionName}",
		WebLink: "https://console.aws.amazon.com/lambda/home?region={region}#/functions/{FunctionName}",
		Props: []Prop{
			{Name: "vpcId", Path: "VpcConfig.VpcId"},
			{Name: "subnetIds", Path: "VpcConfig.SubnetIds[]"},
			{Name: "securityGroupIds", Path: "VpcConfig.SecurityGroupIds[]"},
			{Name: "updatedOn", Path: "LastModified", Conv: epochMS},
		},
		Enrich: []Enrichment{
			{Call: op("lambda:ListTags"), By: "name", Tags: "Tags"},
			{Call: op("lambda:GetPolicy"), By: "name", Props: []Prop{{Name: "policy", Path: "Policy", Conv: decodePolicy}}},
		},
		Rels: []RelSpec{{Verb: "HAS", Target: "aws_iam_role", Value: "{Role}", By: "_key"}},
	},
	{
		Type: "aws_rds_cluster", Class: []string{"DataStore", "Database", "Cluster"}, Service: "rds",
		Source: op("rds:DescribeDBClusters"), Items: "DBClusters[]",
		Key: []string{"{DBClusterArn}"}, ID: "{DBClusterIdentifier}", Name: "{DBClusterIdentifier}",
		Created: "ClusterCreateTime", Tags: "TagList",
		WebLink: "https://console.aws.amazon.com/rds/home?region={region}#database:id={DBClusterIdentifier};is-cluster=true",
		Props:   []Prop{{Name: "encrypted", Path: "StorageEncrypted", Always: true}},
		Rels: []RelSpec{{Verb: "CONTAINS", Target: "aws_db_instance", Path: "DBClusterMembers[]", Value: "{DBInstanceIdentifier}", By: "id",
			Props: []Prop{{Name: "isClusterWriter", Path: "IsClusterWriter"}}}},
	},
	{
		Type: "aws_s3_bucket", Class: []string{"DataStore"}, Service: "s3",
		Source: op("s3:ListBuckets"), Items: "Buckets[]",
		Key: []string{"arn:aws:s3:::{Name}"}, ID: "{Name}", Name: "{Name}", Created: "CreationDate",
		WebLink: "https://s3.console.aws.amazon.com/s3/buckets/{Name}",
		Enrich: []Enrichment{
			{Call: op("s3:GetBucketLocation"), By: "name", Props: []Prop{{Name: "region", Path: "LocationConstraint", Conv: bucketRegion}}},
			{Call: op("s3:GetBucketTagging"), By: "name", Tags: "TagSet"},
			{Call: op("s3:GetBucketEncryption"), By: "name", Props: []Prop{
				{Name: "encrypted", Path: "ServerSideEncryptionConfiguration.Rules", Conv: present},
				{Name: "encryptionAlgorithm", Path: "ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.SSEAlgorithm", Conv: first},
				{Name: "kmsKeyId", Path: "ServerSideEncryptionConfiguration.Rules[].ApplyServerSideEncryptionByDefault.KMSMasterKeyID", Conv: first},
			}, NotFound: map[string]any{"encrypted": false}},
			{Call: op("s3:GetBucketPolicy"), By: "name", Props: []Prop{{Name: "policy", Path: "Policy", Conv: decodePolicy}}},
			{Call: op("s3:GetBucketPolicyStatus"), By: "name", Props: []Prop{{Name: "policyPublic", Path: "PolicyStatus.IsPublic"}},
				NotFound: map[string]any{"policyPublic": false}},
			{Call: op("s3:GetPublicAccessBlock"), By: "name", Props: []Prop{
				{Name: "blockPublicAcls", Path: "PublicAccessBlockConfiguration.BlockPublicAcls", Default: false},
				{Name: "blockPublicPolicy", Path: "PublicAccessBlockConfiguration.BlockPublicPolicy", Default: false},
				{Name: "ignorePublicAcls", Path: "PublicAccessBlockConfiguration.IgnorePublicAcls", Default: false},
				{Name: "restrictPublicBuckets", Path: "PublicAccessBlockConfiguration.RestrictPublicBuckets", Default: false},
			}, NotFound: map[string]any{"blockPublicAcls": false, "blockPublicPolicy": false, "ignorePublicAcls": false, "restrictPublicBuckets": false}},
			{Call: op("s3:GetBucketAcl"), By: "name", Props: []Prop{{Name: "aclPublic", Path: "Grants", Conv: aclPublic}}},
			{Call: op("s3:GetBucketVersioning"), By: "name", Props: []Prop{
				{Name: "versioningEnabled", Path: "Status", Conv: equals("Enabled"), Default: false},
				{Name: "mfaDeleteEnabled", Path: "MFADelete", Conv: equals("Enabled"), Default: false},
			}},
			{Call: op("s3:GetBucketLogging"), By: "name", Props: []Prop{
				{Name: "loggingEnabled", Path: "LoggingEnabled", Conv: present},
				{Name: "loggingTargetBucket", Path: "LoggingEnabled.TargetBucket"},
			}},
		},
		Hatch: []Hatch{s3PublicHatch},
	},
	{
		Type: "aws_security_group", Class: []string{"Firewall"}, Service: "ec2",
		Source: op("ec2:DescribeSecurityGroups"), Items: "SecurityGroups[]",
		Key: []string{"{SecurityGroupArn}", "arn:aws:ec2:{region}:{account}:security-group/{GroupId}"},
		ID:  "{GroupId}", Name: "{GroupName}", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#SecurityGroups:groupId={GroupId}",
		Props: []Prop{
			{Name: "ipPermissions", Path: "IpPermissions", Default: []any{}},
			{Name: "ipPermissionsEgress", Path: "IpPermissionsEgress", Default: []any{}},
		},
		Static: map[string]any{"category": []string{"network"}, "isStateful": true},
		Hatch:  []Hatch{securityGroupRulesHatch},
	},
	{
		Type: "aws_subnet", Class: []string{"Network"}, Service: "ec2",
		Source: op("ec2:DescribeSubnets"), Items: "Subnets[]",
		Key: []string{"{SubnetArn}", "arn:aws:ec2:{region}:{account}:subnet/{SubnetId}"},
		ID:  "{SubnetId}", Name: "{SubnetId}", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#subnets:SubnetId={SubnetId}",
		Props: []Prop{
			{Name: "CIDR", Path: "CidrBlock", Always: true},
			{Name: "CIDRv6", Path: "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock", Conv: first},
		},
		// public needs route tables, gateways and NACLs, which are not
		// collected: it stays null (unknown), never a guessed false.
		Static: map[string]any{"internal": true},
		Rels:   []RelSpec{{Verb: "CONTAINS", Target: "aws_vpc", Reverse: true, Value: "{VpcId}", By: "id"}},
	},
	{
		Type: "aws_vpc", Class: []string{"Network"}, Service: "ec2",
		Source: op("ec2:DescribeVpcs"), Items: "Vpcs[]",
		Key: []string{"arn:aws:ec2:{region}:{account}:vpc/{VpcId}"}, ID: "{VpcId}", Name: "{VpcId}", Tags: "Tags",
		WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#vpcs:VpcId={VpcId}",
		Props: []Prop{
			{Name: "CIDR", Path: "CidrBlock", Always: true},
			{Name: "CIDRv6", Path: "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock", Conv: first},
			{Name: "defaultVpc", Path: "IsDefault"},
		},
		Static: map[string]any{"internal": true},
		Enrich: []Enrichment{{
			Call: op("ec2:DescribeFlowLogs"), Items: "FlowLogs[]", Match: "{ResourceId}", By: "id",
			Set:       map[string]any{"flowLogsEnabled": true},
			Otherwise: map[string]any{"flowLogsEnabled": false},
		}},
	},
	{
		Type: "mfa_device", Class: []string{"AccessKey"},
		Source: op("iam:ListMFADevices"), Items: "MFADevices[]",
		Key: []string{"{SerialNumber}"}, ID: "{SerialNumber}", Name: "{SerialNumber}", Created: "EnableDate",
		Props: []Prop{{Name: "virtual", Path: "SerialNumber", Conv: isARN}},
		Rels:  []RelSpec{{Verb: "HAS", Target: "aws_iam_user", Reverse: true, Value: "{UserName}", By: "username"}},
	},
}
