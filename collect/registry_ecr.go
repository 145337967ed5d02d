package collect

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func ecrCalls() []Call {
	repos := keysAt[ecr.DescribeRepositoriesOutput]("Repositories[].RepositoryName")
	return []Call{
		perParent(keys(scannedImages), paged(ecr.NewDescribeImageScanFindingsPaginator, imageRef)),
		perParent(repos, paged(ecr.NewDescribeImagesPaginator, field[ecr.DescribeImagesInput]("RepositoryName"))),
		regional(paged(ecr.NewDescribeRepositoriesPaginator, none)),
		perParent(repos, single((*ecr.Client).GetRepositoryPolicy, field[ecr.GetRepositoryPolicyInput]("RepositoryName"))),
		perParent(keysAt[ecr.DescribeRepositoriesOutput]("Repositories[].RepositoryArn"),
			single((*ecr.Client).ListTagsForResource, field[ecr.ListTagsForResourceInput]("ResourceArn"))),
	}
}

// scannedImages are the images whose findings can be read: one key
// "<repository>@<digest>" (the image's docker reference; a repository name
// has neither '@' nor ':') per image whose scan is COMPLETE (basic
// scanning) or ACTIVE (enhanced scanning, Inspector). Images never
// scanned, still scanning or whose scan failed have no findings, so they
// cost no call: a registry of thousands of pushed images asks only about
// the scanned ones.
func scannedImages(o *ecr.DescribeImagesOutput) []string {
	var out []string
	for _, im := range o.ImageDetails {
		if im.ImageScanStatus == nil || im.RepositoryName == nil || im.ImageDigest == nil {
			continue
		}
		if s := im.ImageScanStatus.Status; s == ecrtypes.ScanStatusComplete || s == ecrtypes.ScanStatusActive {
			out = append(out, *im.RepositoryName+"@"+*im.ImageDigest)
		}
	}
	return out
}

// imageRef is the input of DescribeImageScanFindings for a scannedImages
// key.
func imageRef(ref string) *ecr.DescribeImageScanFindingsInput {
	repo, digest, _ := strings.Cut(ref, "@")
	return &ecr.DescribeImageScanFindingsInput{RepositoryName: &repo, ImageId: &ecrtypes.ImageIdentifier{ImageDigest: &digest}}
}
