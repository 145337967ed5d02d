package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
)

// Classic load balancers: the list, then attributes and tags per name.
func elasticloadbalancingCalls() []Call {
	names := keysAt[elasticloadbalancing.DescribeLoadBalancersOutput]("LoadBalancerDescriptions[].LoadBalancerName")
	return []Call{
		perParent(names, single((*elasticloadbalancing.Client).DescribeLoadBalancerAttributes,
			field[elasticloadbalancing.DescribeLoadBalancerAttributesInput]("LoadBalancerName"))),
		{Scope: Regional,
			NotSecret: map[string]string{
				"LoadBalancerDescriptions[].Policies.AppCookieStickinessPolicies": "stickiness policy names and the application cookie's name, no cookie value",
				"LoadBalancerDescriptions[].Policies.LBCookieStickinessPolicies":  "stickiness policy names and cookie expiry periods, no cookie value",
			},
			Run: paged(elasticloadbalancing.NewDescribeLoadBalancersPaginator, none)},
		perParent(names, single((*elasticloadbalancing.Client).DescribeTags,
			fieldList[elasticloadbalancing.DescribeTagsInput]("LoadBalancerNames"))),
	}
}
