package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Application, network and gateway load balancers and their target groups.
// Listeners, attributes and tags are asked per load balancer ARN, target
// health per target group ARN, the certificates (SNI ones included) per
// HTTPS or TLS listener. DescribeTags takes up to 20 ARNs; it is
// asked one load balancer at a time like every per-parent call. Target
// group tags are not collected: a call has one parent in the registry and
// DescribeTags' is DescribeLoadBalancers.
func elasticloadbalancingv2Calls() []Call {
	lbs := keysAt[elasticloadbalancingv2.DescribeLoadBalancersOutput]("LoadBalancers[].LoadBalancerArn")
	return []Call{
		perParent(secureListeners, paged(elasticloadbalancingv2.NewDescribeListenerCertificatesPaginator,
			field[elasticloadbalancingv2.DescribeListenerCertificatesInput]("ListenerArn"))),
		{Scope: PerParent, Keys: lbs,
			Redact: []string{"Listeners[].DefaultActions[].AuthenticateOidcConfig.ClientSecret"},
			NotSecret: map[string]string{
				"Listeners[].DefaultActions[].AuthenticateCognitoConfig.SessionCookieName": "the name of the session cookie, not its value",
				"Listeners[].DefaultActions[].AuthenticateOidcConfig.SessionCookieName":    "the name of the session cookie, not its value",
				"Listeners[].DefaultActions[].AuthenticateOidcConfig.TokenEndpoint":        "the identity provider's public token endpoint URL",
			},
			Run: paged(elasticloadbalancingv2.NewDescribeListenersPaginator,
				field[elasticloadbalancingv2.DescribeListenersInput]("LoadBalancerArn"))},
		perParent(lbs, single((*elasticloadbalancingv2.Client).DescribeLoadBalancerAttributes,
			field[elasticloadbalancingv2.DescribeLoadBalancerAttributesInput]("LoadBalancerArn"))),
		regional(paged(elasticloadbalancingv2.NewDescribeLoadBalancersPaginator, none)),
		perParent(lbs, single((*elasticloadbalancingv2.Client).DescribeTags,
			fieldList[elasticloadbalancingv2.DescribeTagsInput]("ResourceArns"))),
		regional(paged(elasticloadbalancingv2.NewDescribeTargetGroupsPaginator, none)),
		perParent(keysAt[elasticloadbalancingv2.DescribeTargetGroupsOutput]("TargetGroups[].TargetGroupArn"),
			single((*elasticloadbalancingv2.Client).DescribeTargetHealth,
				field[elasticloadbalancingv2.DescribeTargetHealthInput]("TargetGroupArn"))),
	}
}

// secureListeners are the HTTPS and TLS listeners of a DescribeListeners
// page: the only ones with certificates.
var secureListeners = keys(func(o *elasticloadbalancingv2.DescribeListenersOutput) []string {
	var out []string
	for _, l := range o.Listeners {
		if l.ListenerArn != nil && (l.Protocol == elbv2types.ProtocolEnumHttps || l.Protocol == elbv2types.ProtocolEnumTls) {
			out = append(out, *l.ListenerArn)
		}
	}
	return out
})
