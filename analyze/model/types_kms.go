package model

// kmsService is the aws_kms placeholder entity.
var kmsService = ServiceInfo{Name: "kms", DisplayName: "AWS Key Management Service", Category: []string{"security"},
	Function: []string{"encryption", "key-management"}}

// kmsKeyUsers are the types whose items name the KMS key that encrypts
// them, in their kmsKeyId property (relationships.tsv: EBS volume, RDS
// cluster and instance, DynamoDB table KMSMasterKeyArn, S3 default
// encryption KMSMasterKeyID).
var kmsKeyUsers = []string{"aws_db_instance", "aws_dynamodb_table", "aws_ebs_volume", "aws_rds_cluster", "aws_s3_bucket"}

func kmsTypes() []EntityType {
	return []EntityType{
		{
			// ListKeys gives ids only: DescribeKey is the item. Rotation and
			// tags are read for customer-managed keys only (the collector
			// asks no more): rotationEnabled stays null where it was not
			// read (an AWS-managed key, a refused or failed call), never a
			// guessed false.
			Type: "aws_kms_key", Class: []string{"CryptoKey"}, Service: "kms",
			Source: op("kms:DescribeKey"), Items: "KeyMetadata",
			Key: []string{"{Arn}"}, ID: "{KeyId}", Name: "{KeyId}", Created: "CreationDate",
			WebLink: "https://console.aws.amazon.com/kms/home?region={region}#/kms/keys/{KeyId}",
			Skip:    []string{"AWSAccountId", "CreationDate", "DeletionDate", "ValidTo"},
			Props: []Prop{
				{Name: "creationDate", Path: "CreationDate", Conv: epochMS},
				{Name: "deletionDate", Path: "DeletionDate", Conv: epochMS},
				{Name: "validTo", Path: "ValidTo", Conv: epochMS},
				{Name: "encryptionAlgorithms", Path: "EncryptionAlgorithms[]"},
				{Name: "signingAlgorithms", Path: "SigningAlgorithms[]"},
				{Name: "macAlgorithms", Path: "MacAlgorithms[]"},
				{Name: "multiRegionKeyType", Path: "MultiRegionConfiguration.MultiRegionKeyType"},
			},
			Constants: map[string]any{"rotationEnabled": nil},
			Enrich: []Enrichment{
				{Call: op("kms:GetKeyRotationStatus"), By: "id", Props: []Prop{
					{Name: "rotationEnabled", Path: "KeyRotationEnabled"},
					{Name: "rotationPeriodInDays", Path: "RotationPeriodInDays"},
					{Name: "nextRotationDate", Path: "NextRotationDate", Conv: epochMS},
				}},
				{Call: op("kms:ListResourceTags"), By: "id", Tags: "Tags"},
				// The key's own aliases (ListAliases with KeyId, 100 a
				// page; a key with more has every page's, Paged); the
				// first names the key, as the console does.
				{Call: op("kms:ListAliases"), By: "id", Paged: true, Props: []Prop{
					{Name: "aliases", Path: "Aliases[].AliasName", Default: []any{}},
					{Name: "name", Path: "Aliases[].AliasName", Conv: first},
					{Name: "displayName", Path: "Aliases[].AliasName", Conv: first},
				}},
				// The policy feeds the resource-policy ALLOWS (analyze/access).
				{Call: op("kms:GetKeyPolicy"), By: "id", Props: []Prop{
					{Name: "policy", Path: "Policy", Conv: decodePolicy},
					{Name: "public", Path: "Policy", Conv: publicPolicy},
				}},
			},
			Rels: kmsUses(kmsKeyUsers...),
		},
	}
}

// kmsUses declares "<type> USES aws_kms_key" for each type: a resource
// names its key by key ARN or key id (the key's DescribeKey item), or by
// alias name or alias ARN (the key's ListAliases rows); each form is
// matched against the resource's kmsKeyId in the key's account and
// region (SameRegion: a key serves its own region only, and an alias name
// such as alias/data may name a different key in each region).
func kmsUses(types ...string) []RelSpec {
	var out []RelSpec
	aliases := op("kms:ListAliases")
	for _, t := range types {
		out = append(out,
			RelSpec{Verb: "USES", Target: t, Reverse: true, Value: "{Arn}", By: "kmsKeyId", SameRegion: true},
			RelSpec{Verb: "USES", Target: t, Reverse: true, Value: "{KeyId}", By: "kmsKeyId", SameRegion: true},
			RelSpec{Verb: "USES", Target: t, Reverse: true, Call: aliases, Items: "Aliases[]", OwnerBy: "id",
				Value: "{AliasName}", By: "kmsKeyId", SameRegion: true},
			RelSpec{Verb: "USES", Target: t, Reverse: true, Call: aliases, Items: "Aliases[]", OwnerBy: "id",
				Value: "{AliasArn}", By: "kmsKeyId", SameRegion: true},
		)
	}
	return out
}
