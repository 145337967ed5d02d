package model

// s3Service is the aws_s3 placeholder entity.
var s3Service = ServiceInfo{Name: "s3", DisplayName: "AWS S3", Category: []string{"infrastructure"}, Function: []string{"storage"}}

func s3Types() []EntityType {
	return []EntityType{
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
				}, SetOnNotFound: map[string]any{"encrypted": false}},
				{Call: op("s3:GetBucketPolicy"), By: "name", Props: []Prop{{Name: "policy", Path: "Policy", Conv: decodePolicy}}},
				{Call: op("s3:GetBucketPolicyStatus"), By: "name", Props: []Prop{{Name: "policyPublic", Path: "PolicyStatus.IsPublic"}},
					SetOnNotFound: map[string]any{"policyPublic": false}},
				{Call: op("s3:GetPublicAccessBlock"), By: "name", Props: []Prop{
					{Name: "blockPublicAcls", Path: "PublicAccessBlockConfiguration.BlockPublicAcls", Default: false},
					{Name: "blockPublicPolicy", Path: "PublicAccessBlockConfiguration.BlockPublicPolicy", Default: false},
					{Name: "ignorePublicAcls", Path: "PublicAccessBlockConfiguration.IgnorePublicAcls", Default: false},
					{Name: "restrictPublicBuckets", Path: "PublicAccessBlockConfiguration.RestrictPublicBuckets", Default: false},
				}, SetOnNotFound: map[string]any{"blockPublicAcls": false, "blockPublicPolicy": false, "ignorePublicAcls": false, "restrictPublicBuckets": false}},
				{Call: op("s3:GetBucketAcl"), By: "name", Props: []Prop{{Name: "aclPublic", Path: "Grants", Conv: aclPublic}}},
				// abacEnabled: the bucket's tags are aws:ResourceTag/* in
				// authorization (Enabled); Disabled (the default of general
				// purpose buckets) keeps them for cost allocation only. No
				// status (an answer that is no AbacStatus: moto 5.2 answers
				// ListObjects) is unknown, never a guessed Disabled.
				{Call: op("s3:GetBucketAbac"), By: "name", Props: []Prop{
					{Name: "abacEnabled", Path: "AbacStatus.Status", Conv: onOff("Enabled", "Disabled"), KeepNull: true},
				}},
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
	}
}
