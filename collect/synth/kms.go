package synth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// kmsManaged are the AWS-managed keys' aliases, in the order a region's
// managed keys take them.
var kmsManaged = []string{"aws/ebs", "aws/s3", "aws/rds", "aws/dynamodb", "aws/lambda"}

// kms writes a region's KMS keys: ListKeys (100 a page, the API's
// default) and, per key, DescribeKey, its key policy and aliases; the
// customer-managed keys (two in three, the first of each region) also their rotation status (most
// rotate) and tags, as the collector asks them.
func (a *account) kms(ctx context.Context, reg string) error {
	g, acct := a.g, a.id
	n := a.perReg["aws_kms_key"][reg]
	var list []kmstypes.KeyListEntry
	var metas []*kmstypes.KeyMetadata
	for i := range n {
		id := uuid(a.id16(reg, "kms", i) + a.id16(reg, "kms2", i))
		arn := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", reg, acct, id)
		list = append(list, kmstypes.KeyListEntry{KeyId: aws.String(id), KeyArn: aws.String(arn)})
		m := &kmstypes.KeyMetadata{KeyId: aws.String(id), Arn: aws.String(arn), AWSAccountId: aws.String(acct),
			CreationDate: aws.Time(a.ago(1500)), Enabled: true, KeyState: kmstypes.KeyStateEnabled,
			KeyManager: kmstypes.KeyManagerTypeCustomer, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
			KeySpec: kmstypes.KeySpecSymmetricDefault, CustomerMasterKeySpec: kmstypes.CustomerMasterKeySpecSymmetricDefault,
			Origin: kmstypes.OriginTypeAwsKms, MultiRegion: aws.Bool(false),
			EncryptionAlgorithms: []kmstypes.EncryptionAlgorithmSpec{kmstypes.EncryptionAlgorithmSpecSymmetricDefault},
			Description:          aws.String(fmt.Sprintf("application key %d", i))}
		if i%3 == 1 {
			m.KeyManager = kmstypes.KeyManagerTypeAws
			m.Description = aws.String("Default key that protects my data when no other key is defined")
		} else if i%10 == 5 {
			m.Enabled, m.KeyState = false, kmstypes.KeyStateDisabled
		}
		metas = append(metas, m)
	}
	err := pages(ctx, g, acct, reg, "kms:ListKeys", "", list, 100, func(p []kmstypes.KeyListEntry, more bool, next string) any {
		out := &kms.ListKeysOutput{Keys: p, Truncated: more}
		if more {
			out.NextMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for i, m := range metas {
		id := *m.KeyId
		if err := g.ok(ctx, acct, reg, "kms:DescribeKey", id, 0, &kms.DescribeKeyOutput{KeyMetadata: m}); err != nil {
			return err
		}
		alias := fmt.Sprintf("alias/app-%d", i)
		if m.KeyManager == kmstypes.KeyManagerTypeAws {
			alias = "alias/" + kmsManaged[(i/3)%len(kmsManaged)]
		}
		if err := g.ok(ctx, acct, reg, "kms:GetKeyPolicy", id, 0, &kms.GetKeyPolicyOutput{
			Policy: aws.String(a.keyPolicy(reg, m.KeyManager == kmstypes.KeyManagerTypeAws)), PolicyName: aws.String("default")}); err != nil {
			return err
		}
		if err := g.ok(ctx, acct, reg, "kms:ListAliases", id, 0, &kms.ListAliasesOutput{Aliases: []kmstypes.AliasListEntry{{
			AliasName: aws.String(alias), AliasArn: aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:%s", reg, acct, alias)),
			TargetKeyId: aws.String(id), CreationDate: m.CreationDate}}}); err != nil {
			return err
		}
		if m.KeyManager == kmstypes.KeyManagerTypeAws {
			continue
		}
		if err := g.ok(ctx, acct, reg, "kms:GetKeyRotationStatus", id, 0, &kms.GetKeyRotationStatusOutput{
			KeyId: m.Arn, KeyRotationEnabled: a.pct(70), RotationPeriodInDays: aws.Int32(365)}); err != nil {
			return err
		}
		if err := g.ok(ctx, acct, reg, "kms:ListResourceTags", id, 0, &kms.ListResourceTagsOutput{Tags: []kmstypes.Tag{
			{TagKey: aws.String("Owner"), TagValue: aws.String(fmt.Sprintf("team-%03d", i%11))}}}); err != nil {
			return err
		}
	}
	return nil
}

// keyPolicy is a key's policy: a customer key's default policy (the
// account root may use it, through IAM policies), or an AWS-managed key's,
// which lets the account's principals use it through its service only.
func (a *account) keyPolicy(reg string, managed bool) string {
	if managed {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Allow access through EBS for all principals in the account","Effect":"Allow",` +
			`"Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],` +
			`"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"` + a.id + `","kms:ViaService":"ec2.` + reg + `.amazonaws.com"}}}]}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + a.id + `:root"},"Action":"kms:*","Resource":"*"}]}`
}
