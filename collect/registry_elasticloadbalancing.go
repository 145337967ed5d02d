package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
)

// Classic load balancers: the list, then attributes per name and tags per
// batch of up to 20 names (DescribeTags takes at most 20; its answer names
// each load balancer, so the analyzer matches tags by LoadBalancerName).
func elasticloadbalancingCalls() []Call {
	const path = "LoadBalancerDescriptions[].LoadBalancerName"
	names := keysAt[elasticloadbalancing.DescribeLoadBalancersOutput](path)
	return []Call{
		perParent(names, single((*elasticloadbalancing.Client).DescribeLoadBalancerAttributes,
			field[elasticloadbalancing.DescribeLoadBalancerAttributesInput]("LoadBalancerName"))),
		{Scope: Regional,
			NotSecret: map[string]string{
				"LoadBalancerDescriptions[].Policies.AppCookieStickinessPolicies": "stickiness policy names and the application cookie's name, no cookie value",
				"LoadBalancerDescriptions[].Policies.LBCookieStickinessPolicies":  "stickiness policy names and cookie expiry periods, no cookie value",
			},
			Run: paged(elasticloadbalancing.NewDescribeLoadBalancersPaginator, none)},
		perParent(batchesAt[elasticloadbalancing.DescribeLoadBalancersOutput](path, 20),
			single((*elasticloadbalancing.Client).DescribeTags, batchInput(func(in *elasticloadbalancing.DescribeTagsInput, names []string) {
				in.LoadBalancerNames = names
			}))),
	}
}
