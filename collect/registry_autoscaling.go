package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
)

func autoscalingCalls() []Call {
	// A launch template reference is its id, name and version; the
	// template's user data is not in this answer.
	const ref = "reference (id, name, version) to a launch template, not its content"
	return []Call{
		{Scope: Regional,
			NotSecret: map[string]string{
				"AutoScalingGroups[].LaunchTemplate":                                                              ref,
				"AutoScalingGroups[].Instances[].LaunchTemplate":                                                  ref,
				"AutoScalingGroups[].MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification":             ref,
				"AutoScalingGroups[].MixedInstancesPolicy.LaunchTemplate.Overrides[].LaunchTemplateSpecification": ref,
			},
			Run: paged(autoscaling.NewDescribeAutoScalingGroupsPaginator, none)},
	}
}
