package collect

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

func ec2Calls() []Call {
	return []Call{
		regional(single((*ec2.Client).DescribeAddresses, none)),
		regional(paged(ec2.NewDescribeFlowLogsPaginator, none)),
		{Scope: Regional,
			NotSecret: map[string]string{
				"Reservations[].Instances[].ClientToken": "idempotency token the launcher chose for RunInstances; authorizes nothing",
			},
			Run: paged(ec2.NewDescribeInstancesPaginator, none)},
		regional(paged(ec2.NewDescribeInternetGatewaysPaginator, none)),
		regional(single((*ec2.Client).DescribeKeyPairs, none)),
		regional(paged(ec2.NewDescribeNatGatewaysPaginator, none)),
		regional(paged(ec2.NewDescribeNetworkAclsPaginator, none)),
		regional(paged(ec2.NewDescribeNetworkInterfacesPaginator, none)),
		// DescribeRegions plans the run (enabled regions); it runs first and
		// is recorded like any other call.
		global(single((*ec2.Client).DescribeRegions, func(string) *ec2.DescribeRegionsInput {
			return &ec2.DescribeRegionsInput{AllRegions: aws.Bool(false)}
		})),
		regional(paged(ec2.NewDescribeRouteTablesPaginator, none)),
		regional(paged(ec2.NewDescribeSecurityGroupsPaginator, none)),
		regional(paged(ec2.NewDescribeSubnetsPaginator, none)),
		regional(paged(ec2.NewDescribeVolumesPaginator, none)),
		regional(paged(ec2.NewDescribeVpcPeeringConnectionsPaginator, none)),
		{Scope: Regional, Probe: true, Run: paged(ec2.NewDescribeVpcsPaginator, none)},
		regional(single((*ec2.Client).DescribeVpnGateways, none)),
		regional(single((*ec2.Client).GetEbsEncryptionByDefault, none)),
	}
}
