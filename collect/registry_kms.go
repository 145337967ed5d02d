package collect

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMS keys: the list (ids and ARNs only), then each key's metadata, its
// key policy (the only policy name KMS has, "default") and its aliases
// (ListAliases with KeyId: the aliases of that key). Rotation status and
// tags are asked of customer-managed keys only (customerKeys): AWS-managed
// keys rotate on AWS's schedule and carry no customer tags, and asking
// them costs a call per key for nothing. A refusal (AccessDenied, a key
// pending deletion: KMSInvalidStateException, a key type without
// rotation: UnsupportedOperationException) is recorded as the call's
// failure, so the analyzer reads the rotation status as unknown, never
// as false.
func kmsCalls() []Call {
	keyIDs := keysAt[kms.ListKeysOutput]("Keys[].KeyId")
	customer := keys(customerKeys)
	return []Call{
		{Scope: PerParent, Keys: keyIDs,
			NotSecret: map[string]string{"KeyMetadata.CurrentKeyMaterialId": "an identifier of the key material, not the material"},
			Run:       single((*kms.Client).DescribeKey, field[kms.DescribeKeyInput]("KeyId"))},
		perParent(keyIDs, single((*kms.Client).GetKeyPolicy, defaultKeyPolicy)),
		perParent(customer, single((*kms.Client).GetKeyRotationStatus, field[kms.GetKeyRotationStatusInput]("KeyId"))),
		perParent(keyIDs, paged(kms.NewListAliasesPaginator, keyAliases)),
		regional(paged(kms.NewListKeysPaginator, none)),
		perParent(customer, paged(kms.NewListResourceTagsPaginator, field[kms.ListResourceTagsInput]("KeyId"))),
	}
}

// customerKeys is the key id of a DescribeKey answer when the key is
// customer managed (KeyManager CUSTOMER).
func customerKeys(o *kms.DescribeKeyOutput) []string {
	if m := o.KeyMetadata; m != nil && m.KeyId != nil && m.KeyManager == kmstypes.KeyManagerTypeCustomer {
		return []string{*m.KeyId}
	}
	return nil
}

// keyAliases asks for a key's aliases, 100 a page (the most KMS gives;
// its default is 50), so a key's aliases are one page in practice; a key
// with more gets several rows, which the analyzer joins (the model's
// Enrichment.Paged).
func keyAliases(keyID string) *kms.ListAliasesInput {
	return &kms.ListAliasesInput{KeyId: aws.String(keyID), Limit: aws.Int32(100)}
}

// defaultKeyPolicy asks for a key's policy, whose only name is "default".
func defaultKeyPolicy(keyID string) *kms.GetKeyPolicyInput {
	return &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")}
}
