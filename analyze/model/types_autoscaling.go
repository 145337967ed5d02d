package model

// autoscalingService is the aws_autoscaling placeholder entity.
var autoscalingService = ServiceInfo{Name: "autoscaling", DisplayName: "AWS Auto Scaling",
	Category: []string{"infrastructure"}, Function: []string{"compute"}}

func autoscalingTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_autoscaling_group", Class: []string{"Deployment", "Group"}, Service: "autoscaling",
			Source: op("autoscaling:DescribeAutoScalingGroups"), Items: "AutoScalingGroups[]",
			Key: []string{"{AutoScalingGroupARN}"}, ID: "{AutoScalingGroupName}", Name: "{AutoScalingGroupName}",
			Created: "CreatedTime", Tags: "Tags", Skip: []string{"AutoScalingGroupARN", "DesiredCapacity", "VPCZoneIdentifier"},
			WebLink: "https://console.aws.amazon.com/ec2/home?region={region}#AutoScalingGroupDetails:id={AutoScalingGroupName}",
			Props: []Prop{
				{Name: "desiredSize", Path: "DesiredCapacity"},
				{Name: "currentSize", Path: "Instances", Conv: count},
				{Name: "maxSize", Path: "MaxSize"},
				{Name: "minSize", Path: "MinSize"},
				{Name: "instanceIds", Path: "Instances[].InstanceId"},
				{Name: "subnetIds", Path: "VPCZoneIdentifier", Conv: split(",")},
				{Name: "availabilityZones", Path: "AvailabilityZones"},
				{Name: "loadBalancerNames", Path: "LoadBalancerNames"},
				{Name: "targetGroupArns", Path: "TargetGroupARNs"},
				{Name: "suspendedProcesses", Path: "SuspendedProcesses[].ProcessName"},
				// The launch template, named directly or by the mixed
				// instances policy (a group has one or the other; the
				// second Prop sets only what it finds). A launch
				// configuration is the flattened launchConfigurationName.
				{Name: "launchTemplateId", Path: "LaunchTemplate.LaunchTemplateId"},
				{Name: "launchTemplateId", Path: "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId"},
				{Name: "launchTemplateName", Path: "LaunchTemplate.LaunchTemplateName"},
				{Name: "launchTemplateName", Path: "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName"},
				{Name: "launchTemplateVersion", Path: "LaunchTemplate.Version"},
				{Name: "launchTemplateVersion", Path: "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version"},
			},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_instance", Path: "Instances[]", Value: "{InstanceId}", By: "id",
					Props: []Prop{
						{Name: "lifecycleState", Path: "LifecycleState"},
						{Name: "healthStatus", Path: "HealthStatus"},
						{Name: "protectedFromScaleIn", Path: "ProtectedFromScaleIn"},
					}},
			},
		},
	}
}
