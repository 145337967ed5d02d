package fakeaws

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestSyntheticWorldOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    SynthOptions
		ok   bool
	}{
		{"one resource", SynthOptions{Resources: 1}, true},
		{"regions", SynthOptions{Resources: 10, Regions: []string{"eu-central-1"}}, true},
		{"no resources", SynthOptions{}, false},
		{"too many", SynthOptions{Resources: MaxSynthResources + 1}, false},
		{"bad region", SynthOptions{Resources: 10, Regions: []string{"eu-central"}}, false},
		{"region twice", SynthOptions{Resources: 10, Regions: []string{"eu-west-1", "eu-west-1"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := SyntheticWorld(tc.o)
			if (err == nil) != tc.ok {
				t.Fatalf("SyntheticWorld(%+v) error = %v, want ok=%t", tc.o, err, tc.ok)
			}
			if err == nil && w.Resources() < tc.o.Resources {
				t.Errorf("%d resources, want at least %d", w.Resources(), tc.o.Resources)
			}
		})
	}
}

// TestSyntheticWorldBadRequests: requests naming what the synthetic world
// does not hold get AWS's errors, never an answer made up for them.
func TestSyntheticWorldBadRequests(t *testing.T) {
	w, err := SyntheticWorld(SynthOptions{Resources: 5000})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(t, w)
	ctx := t.Context()
	cfg := sdkConfig(srv, "us-east-1")
	s3c := s3Client(cfg)
	iamc := iam.NewFromConfig(cfg)
	ec2c := ec2.NewFromConfig(cfg)
	bucket := "synth-bucket-0000001" // bucket i is in region i mod 3 of eu-west-1, us-east-1, us-west-2
	for _, tc := range []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"unknown bucket", func() error {
			_, err := s3c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("synth-bucket-9999999")})
			return err
		}, "NoSuchBucket", 404},
		{"bucket asked in another region", func() error {
			_, err := s3Client(sdkConfig(srv, "eu-west-1")).GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket)})
			return err
		}, "AuthorizationHeaderMalformed", 400},
		{"unknown user", func() error {
			_, err := iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
			return err
		}, "NoSuchEntity", 404},
		{"unknown access key", func() error {
			_, err := iamc.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIA00000000000000K9")})
			return err
		}, "NoSuchEntity", 404},
		{"made-up page token", func() error {
			_, err := ec2c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{NextToken: aws.String("synth-999999999")})
			return err
		}, "InvalidNextToken", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, status := apiErr(t, tc.call())
			if code != tc.code || status != tc.status {
				t.Errorf("got %s (%d), want %s (%d)", code, status, tc.code, tc.status)
			}
		})
	}
	if _, err := s3c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket)}); err != nil {
		t.Errorf("GetBucketAcl of %s in its region: %v", bucket, err)
	}
}
