package synth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/snapaudit/snapaudit/snapshot"
)

// s3 writes the bucket list and every per-bucket call, each in the
// bucket's region as the collector routes them (GetBucketLocation itself
// is global). Absent configurations are not_found error rows, as S3
// answers them.
func (a *account) s3(ctx context.Context) error {
	g, acct := a.g, a.id
	n := a.n["aws_s3_bucket"]
	type bucket struct{ name, region string }
	var bs []bucket
	var list []s3types.Bucket
	for i := range n {
		b := bucket{name: fmt.Sprintf("synth-%s-%05d-%s", acct, i, a.id16("", "bucket", i)[:8]), region: a.regions[a.r.IntN(len(a.regions))]}
		bs = append(bs, b)
		a.buckets = append(a.buckets, b.name)
		list = append(list, s3types.Bucket{Name: aws.String(b.name), CreationDate: aws.Time(a.ago(2500)),
			BucketRegion: aws.String(b.region), BucketArn: aws.String("arn:aws:s3:::" + b.name)})
	}
	if err := g.ok(ctx, acct, global, "s3:ListBuckets", "", 0, &s3.ListBucketsOutput{Buckets: list,
		Owner: &s3types.Owner{ID: aws.String(a.id16("", "canonical", 0) + a.id16("", "canonical", 1))}}); err != nil {
		return err
	}
	owner := &s3types.Grantee{Type: s3types.TypeCanonicalUser, ID: aws.String(a.id16("", "canonical", 0) + a.id16("", "canonical", 1))}
	for i, b := range bs {
		loc := &s3.GetBucketLocationOutput{}
		if b.region != "us-east-1" {
			loc.LocationConstraint = s3types.BucketLocationConstraint(b.region)
		}
		if err := g.ok(ctx, acct, global, "s3:GetBucketLocation", b.name, 0, loc); err != nil {
			return err
		}
		ok := func(op string, out any) error { return g.ok(ctx, acct, b.region, "s3:"+op, b.name, 0, out) }
		missing := func(op, code, msg string) error {
			return g.fail(ctx, acct, b.region, "s3:"+op, b.name, snapshot.ClassNotFound, code, msg)
		}
		// ABAC stays off, the default of general purpose buckets: tags
		// are for cost allocation only.
		if err := ok("GetBucketAbac", &s3.GetBucketAbacOutput{AbacStatus: &s3types.AbacStatus{Status: s3types.BucketAbacStatusDisabled}}); err != nil {
			return err
		}
		var err error
		grants := []s3types.Grant{{Grantee: owner, Permission: s3types.PermissionFullControl}}
		if i%40 == 7 {
			grants = append(grants, s3types.Grant{Permission: s3types.PermissionRead,
				Grantee: &s3types.Grantee{Type: s3types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}})
		}
		if err = ok("GetBucketAcl", &s3.GetBucketAclOutput{Owner: &s3types.Owner{ID: owner.ID}, Grants: grants}); err != nil {
			return err
		}
		if a.pct(85) {
			rule := s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}
			if a.pct(40) {
				rule = s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
					KMSMasterKeyID: aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", b.region, acct, uuid(a.id16(b.region, "kms", i))))}
			}
			err = ok("GetBucketEncryption", &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
				Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &rule, BucketKeyEnabled: aws.Bool(true)}}}})
		} else {
			err = missing("GetBucketEncryption", "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
		}
		if err != nil {
			return err
		}
		logging := &s3.GetBucketLoggingOutput{}
		if a.pct(30) && len(a.buckets) > 0 {
			logging.LoggingEnabled = &s3types.LoggingEnabled{TargetBucket: aws.String(a.buckets[0]), TargetPrefix: aws.String(b.name + "/")}
		}
		if err = ok("GetBucketLogging", logging); err != nil {
			return err
		}
		policy, public := a.bucketPolicy(b.name, i)
		if policy != "" {
			if err = ok("GetBucketPolicy", &s3.GetBucketPolicyOutput{Policy: aws.String(policy)}); err != nil {
				return err
			}
			err = ok("GetBucketPolicyStatus", &s3.GetBucketPolicyStatusOutput{PolicyStatus: &s3types.PolicyStatus{IsPublic: aws.Bool(public)}})
		} else {
			if err = missing("GetBucketPolicy", "NoSuchBucketPolicy", "The bucket policy does not exist"); err != nil {
				return err
			}
			err = missing("GetBucketPolicyStatus", "NoSuchBucketPolicy", "The bucket policy does not exist")
		}
		if err != nil {
			return err
		}
		if a.pct(60) {
			err = ok("GetBucketTagging", &s3.GetBucketTaggingOutput{TagSet: []s3types.Tag{
				{Key: aws.String("Classification"), Value: aws.String([]string{"Public", "Internal", "Confidential", "PII"}[i%4])},
				{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%7))},
			}})
		} else {
			err = missing("GetBucketTagging", "NoSuchTagSet", "The TagSet does not exist")
		}
		if err != nil {
			return err
		}
		ver := &s3.GetBucketVersioningOutput{}
		if a.pct(50) {
			ver.Status = s3types.BucketVersioningStatusEnabled
		}
		if err = ok("GetBucketVersioning", ver); err != nil {
			return err
		}
		if !public && a.pct(75) {
			err = ok("GetPublicAccessBlock", &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})
		} else {
			err = missing("GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bucketPolicy returns bucket i's policy ("" for none: about 60%) and
// whether it grants public access. Of the policies: TLS-only denies,
// cross-account readers, CloudFront-style service readers and a few
// public website buckets.
func (a *account) bucketPolicy(name string, i int) (string, bool) {
	res := `"Resource":["arn:aws:s3:::` + name + `","arn:aws:s3:::` + name + `/*"]`
	switch i % 10 {
	case 0, 1:
		return `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` + res +
			`,"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, false
	case 2:
		return `{"Version":"2012-10-17","Statement":[{"Sid":"CrossAccountRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + a.other() +
			`:root"},"Action":["s3:GetObject","s3:ListBucket"],` + res + `}]}`, false
	case 3:
		if i%30 == 3 {
			return `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
				name + `/*"}]}`, true
		}
		return `{"Version":"2012-10-17","Statement":[{"Sid":"LogDelivery","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` +
			name + `/*","Condition":{"StringEquals":{"aws:SourceAccount":"` + a.id + `"}}}]}`, false
	}
	return "", false
}

// uuid formats 32 hex digits (two id16) as a UUID.
func uuid(h string) string {
	h += h
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}
