package collect

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2ImageCalls are the EC2 image calls: AMIs and EBS snapshots the account
// owns (Owners/OwnerIds "self": the public and AWS catalogue would be
// millions of items), and who may restore each snapshot.
func ec2ImageCalls() []Call {
	return []Call{
		// Owned deprecated AMIs are listed anyway; disabled ones only on request.
		regional(paged(ec2.NewDescribeImagesPaginator, func(string) *ec2.DescribeImagesInput {
			return &ec2.DescribeImagesInput{Owners: []string{"self"}, IncludeDisabled: aws.Bool(true)}
		})),
		// One call per snapshot: createVolumePermission is the only place
		// that says a snapshot is public or shared with other accounts.
		perParent(keysAt[ec2.DescribeSnapshotsOutput]("Snapshots[].SnapshotId"),
			single((*ec2.Client).DescribeSnapshotAttribute, func(id string) *ec2.DescribeSnapshotAttributeInput {
				return &ec2.DescribeSnapshotAttributeInput{SnapshotId: &id, Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission}
			})),
		regional(paged(ec2.NewDescribeSnapshotsPaginator, func(string) *ec2.DescribeSnapshotsInput {
			return &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}}
		})),
	}
}
