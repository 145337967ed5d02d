package collect

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// TestScannedImages: only images with a finished scan become
// DescribeImageScanFindings calls, and each key builds the request for
// exactly that image.
func TestScannedImages(t *testing.T) {
	img := func(repo, digest string, st ecrtypes.ScanStatus) ecrtypes.ImageDetail {
		d := ecrtypes.ImageDetail{RepositoryName: aws.String(repo), ImageDigest: aws.String(digest)}
		if st != "" {
			d.ImageScanStatus = &ecrtypes.ImageScanStatus{Status: st}
		}
		return d
	}
	out := &ecr.DescribeImagesOutput{ImageDetails: []ecrtypes.ImageDetail{
		img("team/api", "sha256:aa", ecrtypes.ScanStatusComplete),
		img("team/api", "sha256:bb", ecrtypes.ScanStatusInProgress),
		img("team/api", "sha256:cc", ""),
		img("tools", "sha256:dd", ecrtypes.ScanStatusActive),
		img("tools", "sha256:ee", ecrtypes.ScanStatusFailed),
		{RepositoryName: aws.String("tools"), ImageScanStatus: &ecrtypes.ImageScanStatus{Status: ecrtypes.ScanStatusComplete}},
	}}
	got := scannedImages(out)
	if want := []string{"team/api@sha256:aa", "tools@sha256:dd"}; !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	in := imageRef(got[0])
	if aws.ToString(in.RepositoryName) != "team/api" || in.ImageId == nil || aws.ToString(in.ImageId.ImageDigest) != "sha256:aa" {
		t.Errorf("input %+v for %s", in, got[0])
	}
}

// TestBatchInputs: jobs are listed per queue with a filter (every status),
// job definitions only in their ACTIVE revisions.
func TestBatchServiceInputs(t *testing.T) {
	q := "arn:aws:batch:us-east-1:111122223333:job-queue/nightly"
	in := jobsOfAnyStatus(q)
	if aws.ToString(in.JobQueue) != q || in.JobStatus != "" || len(in.Filters) != 1 ||
		aws.ToString(in.Filters[0].Name) != "AFTER_CREATED_AT" || !slices.Equal(in.Filters[0].Values, []string{"0"}) {
		t.Errorf("ListJobs input %+v", in)
	}
	if d := activeJobDefinitions(""); aws.ToString(d.Status) != "ACTIVE" {
		t.Errorf("DescribeJobDefinitions status %q", aws.ToString(d.Status))
	}
}
