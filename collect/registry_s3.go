package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3: ListBuckets is global; every per-bucket call goes to the bucket's own
// region, found by GetBucketLocation (bucketRegion, an escape hatch).
func s3Calls() []Call {
	return []Call{
		// ABAC: whether the bucket's tags are aws:ResourceTag/* in
		// authorization (Enabled) or for cost allocation only (Disabled,
		// the default of general purpose buckets).
		perParent(bucketRegion(), single((*s3.Client).GetBucketAbac, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketAcl, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketEncryption, bucket)).authorizedBy("s3:GetEncryptionConfiguration"),
		perParent(keysAt[s3.ListBucketsOutput]("Buckets[].Name"), single((*s3.Client).GetBucketLocation, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketLogging, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketPolicy, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketPolicyStatus, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketTagging, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetBucketVersioning, bucket)),
		perParent(bucketRegion(), single((*s3.Client).GetPublicAccessBlock, bucket)).authorizedBy("s3:GetBucketPublicAccessBlock"),
		global(paged(s3.NewListBucketsPaginator, none)).authorizedBy("s3:ListAllMyBuckets"),
	}
}

// bucketRegion is the child-key extractor of every S3 per-bucket call.
//
// why: escape hatch. A bucket lives in one region and its configuration
// calls must be sent there (other regions answer a 301 redirect). The
// parent is GetBucketLocation, whose output names the region but not the
// bucket, so the child item is the parent's own key routed to that region.
func bucketRegion() Keys {
	k := items(func(bucket string, o *s3.GetBucketLocationOutput) []Item {
		return []Item{{Key: bucket, Region: s3Region(string(o.LocationConstraint))}}
	})
	k.why = "S3 per-bucket calls must be sent to the bucket's region (GetBucketLocation)"
	return k
}

// s3Region maps a GetBucketLocation LocationConstraint to a region name:
// "" (null) means us-east-1 and the legacy "EU" means eu-west-1.
func s3Region(constraint string) string {
	switch constraint {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return constraint
}
