package model

import (
	"net/netip"
	"strings"
)

// elasticloadbalancingService is the aws_elasticloadbalancing placeholder
// entity: classic (elasticloadbalancing) and v2 (elasticloadbalancingv2)
// load balancers and target groups hang under it.
var elasticloadbalancingService = ServiceInfo{Name: "elasticloadbalancing", DisplayName: "AWS Elastic Load Balancing",
	Category: []string{"infrastructure"}, Function: []string{"load-balancing"}}

// Decisions (the spec leaves them open):
//   - Gateway load balancers (Type gateway) are not in the seeds: they
//     become no entity, and their target groups CONNECT to nothing.
//   - Listeners are no entity of the spec: their protocols, ports, SSL
//     policies and certificate ARNs are list properties of the load
//     balancer, and each certificate (the listeners' default ones and
//     DescribeListenerCertificates' SNI ones) an edge `USES
//     aws_acm_certificate` (an IAM server certificate ARN matches no
//     entity and makes none).
//   - The relationships beyond the spec rows: aws_security_group PROTECTS
//     the load balancer (its SecurityGroups), aws_vpc HAS and aws_subnet HAS
//     it (as aws_vpc HAS aws_redshift_cluster, aws_subnet HAS aws_instance).
func elasticloadbalancingTypes() []EntityType {
	return []EntityType{
		loadBalancerV2("aws_alb", "application", "application"),
		{
			Type: "aws_elb", Class: []string{"Gateway"}, Service: "elasticloadbalancing",
			Source: op("elasticloadbalancing:DescribeLoadBalancers"), Items: "LoadBalancerDescriptions[]",
			// The classic API returns no ARN; this is the ARN AWS gives it.
			Key: []string{"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{LoadBalancerName}"},
			ID:  "{LoadBalancerName}", Name: "{LoadBalancerName}", Created: "CreatedTime",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#LoadBalancers:search={LoadBalancerName}",
			Props: []Prop{
				// Lower case, as Route 53 records that resolve to it are matched.
				{Name: "dnsName", Path: "DNSName", Conv: dnsName},
				{Name: "public", Path: "Scheme", Conv: equals("internet-facing"), KeepNull: true},
				{Name: "securityGroupIds", Path: "SecurityGroups[]"},
				{Name: "subnetIds", Path: "Subnets[]"},
				{Name: "instanceIds", Path: "Instances[].InstanceId"},
				{Name: "listenerProtocols", Path: "ListenerDescriptions[].Listener.Protocol"},
				{Name: "listenerPorts", Path: "ListenerDescriptions[].Listener.LoadBalancerPort"},
				{Name: "certificateArns", Path: "ListenerDescriptions[].Listener.SSLCertificateId"},
			},
			Constants: map[string]any{"category": []string{"application", "network"}, "function": []string{"load-balancing"}},
			Enrich: []Enrichment{
				{Call: op("elasticloadbalancing:DescribeTags"), Items: "TagDescriptions[]", Match: "{LoadBalancerName}", By: "name", Tags: "Tags"},
				{Call: op("elasticloadbalancing:DescribeLoadBalancerAttributes"), By: "name", Props: []Prop{
					{Name: "accessLogsEnabled", Path: "LoadBalancerAttributes.AccessLog.Enabled"},
					{Name: "accessLogsS3Bucket", Path: "LoadBalancerAttributes.AccessLog.S3BucketName"},
					{Name: "crossZoneLoadBalancing", Path: "LoadBalancerAttributes.CrossZoneLoadBalancing.Enabled"},
					{Name: "connectionDraining", Path: "LoadBalancerAttributes.ConnectionDraining.Enabled"},
					{Name: "idleTimeout", Path: "LoadBalancerAttributes.ConnectionSettings.IdleTimeout"},
				}},
			},
			// Spec row `aws_elb CONNECTS aws_lb_target_group` (unclear)
			// cannot be derived: a classic ELB fronts instances, not
			// target groups. J1's later docs say aws_elb CONNECTS
			// aws_instance (notes.md §2.6), which this emits instead.
			Rels: []RelSpec{
				{Verb: "CONNECTS", Target: "aws_instance", Path: "Instances[]", Value: "{InstanceId}", By: "id"},
				{Verb: "USES", Target: "aws_acm_certificate", Path: "ListenerDescriptions[]", Value: "{Listener.SSLCertificateId}", By: "_key",
					Props: []Prop{{Name: "port", Path: "Listener.LoadBalancerPort"}, {Name: "protocol", Path: "Listener.Protocol"}}},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "SecurityGroups[]", Value: "{@}", By: "id"},
				{Verb: "HAS", Target: "aws_vpc", Reverse: true, Value: "{VPCId}", By: "id"},
				{Verb: "HAS", Target: "aws_subnet", Reverse: true, Path: "Subnets[]", Value: "{@}", By: "id"},
			},
		},
		{
			Type: "aws_lb_target_group", Class: []string{"Group"}, Service: "elasticloadbalancing",
			Source: op("elasticloadbalancingv2:DescribeTargetGroups"), Items: "TargetGroups[]",
			Key: []string{"{TargetGroupArn}"}, ID: "{TargetGroupArn}", Name: "{TargetGroupName}",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#TargetGroups:search={TargetGroupName}",
			Props:   []Prop{{Name: "loadBalancerArns", Path: "LoadBalancerArns[]", Default: []any{}}},
			// Targets: instances and Lambda functions by id; IP targets
			// (TargetType ip, also the list property ipTargets) are the
			// network interfaces and elastic IPs with that private address
			// in the region (an IP outside the VPCs matches nothing).
			Enrich: []Enrichment{{Call: op("elasticloadbalancingv2:DescribeTargetHealth"), By: "_key", Props: []Prop{
				{Name: "targetIds", Path: "TargetHealthDescriptions[].Target.Id", Default: []any{}},
				{Name: "ipTargets", Path: "TargetHealthDescriptions[].Target.Id", Conv: ipAddresses, Default: []any{}},
			}}},
			Rels: []RelSpec{
				{Verb: "CONNECTS", Target: "aws_alb", Reverse: true, Path: "LoadBalancerArns[]", Value: "{@}", By: "_key"},
				{Verb: "CONNECTS", Target: "aws_nlb", Reverse: true, Path: "LoadBalancerArns[]", Value: "{@}", By: "_key"},
				targetHealthRel("aws_instance", instanceID, "id"),
				targetHealthRel("aws_lambda_function", lambdaTarget, "_key"),
				targetHealthRel("aws_eni", ipTarget, "privateIpAddresses"),
				targetHealthRel("aws_eip", ipTarget, "privateIpAddress"),
			},
		},
		loadBalancerV2("aws_nlb", "network", "network"),
	}
}

// loadBalancerV2 is the record of the application (aws_alb) or network
// (aws_nlb) load balancers of DescribeLoadBalancers, with their listeners,
// attributes and tags.
func loadBalancerV2(typ, lbType, category string) EntityType {
	attr := func(name, key string) Prop { return Prop{Name: name, Path: "Attributes", Conv: attribute(key)} }
	return EntityType{
		Type: typ, Class: []string{"Gateway"}, Service: "elasticloadbalancing",
		Source: op("elasticloadbalancingv2:DescribeLoadBalancers"), Items: "LoadBalancers[]",
		When: &Cond{Path: "Type", Equals: lbType},
		Key:  []string{"{LoadBalancerArn}"}, ID: "{LoadBalancerArn}", Name: "{LoadBalancerName}", Created: "CreatedTime",
		WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#LoadBalancers:search={LoadBalancerName}",
		Props: []Prop{
			{Name: "dnsName", Path: "DNSName", Conv: dnsName}, // lower case, as Route 53 records are matched
			{Name: "public", Path: "Scheme", Conv: equals("internet-facing"), KeepNull: true},
			{Name: "state", Path: "State.Code"},
			{Name: "securityGroupIds", Path: "SecurityGroups[]"},
			{Name: "subnetIds", Path: "AvailabilityZones[].SubnetId"},
		},
		Constants: map[string]any{"category": []string{category}, "function": []string{"load-balancing"}},
		Enrich: []Enrichment{
			{Call: op("elasticloadbalancingv2:DescribeTags"), Items: "TagDescriptions[]", Match: "{ResourceArn}", By: "_key", Tags: "Tags"},
			{Call: op("elasticloadbalancingv2:DescribeLoadBalancerAttributes"), By: "_key", Props: []Prop{
				attr("accessLogsEnabled", "access_logs.s3.enabled"),
				attr("accessLogsS3Bucket", "access_logs.s3.bucket"),
				attr("deletionProtectionEnabled", "deletion_protection.enabled"),
				attr("dropInvalidHeaderFields", "routing.http.drop_invalid_header_fields.enabled"),
				attr("desyncMitigationMode", "routing.http.desync_mitigation_mode"),
				attr("crossZoneLoadBalancing", "load_balancing.cross_zone.enabled"),
			}},
			{Call: op("elasticloadbalancingv2:DescribeListeners"), By: "_key", Props: []Prop{
				{Name: "listenerArns", Path: "Listeners[].ListenerArn", Default: []any{}},
				{Name: "listenerProtocols", Path: "Listeners[].Protocol", Default: []any{}},
				{Name: "listenerPorts", Path: "Listeners[].Port", Default: []any{}},
				{Name: "sslPolicies", Path: "Listeners[].SslPolicy", Default: []any{}},
				{Name: "certificateArns", Path: "Listeners[].Certificates[].CertificateArn", Default: []any{}},
				// The listeners as AWS describes them (Port, Protocol,
				// DefaultActions with their RedirectConfig), for checks
				// that judge a listener as a whole (AWS-ELB-001: an
				// HTTP listener that redirects to HTTPS).
				{Name: "listeners", Path: "Listeners", Default: []any{}},
			}},
		},
		Rels: []RelSpec{
			{Verb: "USES", Target: "aws_acm_certificate", Call: op("elasticloadbalancingv2:DescribeListeners"), Items: "Listeners[]",
				OwnerBy: "_key", Path: "Certificates[]", Value: "{CertificateArn}", By: "_key",
				Props: []Prop{{Name: "port", Path: "^.Port"}, {Name: "protocol", Path: "^.Protocol"}}},
			// A listener's extra (SNI) certificates, asked per HTTPS/TLS listener.
			{Verb: "USES", Target: "aws_acm_certificate", Call: op("elasticloadbalancingv2:DescribeListenerCertificates"),
				Items: "Certificates[]", OwnerBy: "listenerArns", Value: "{CertificateArn}", By: "_key"},
			{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "SecurityGroups[]", Value: "{@}", By: "id"},
			{Verb: "HAS", Target: "aws_vpc", Reverse: true, Value: "{VpcId}", By: "id"},
			{Verb: "HAS", Target: "aws_subnet", Reverse: true, Path: "AvailabilityZones[]", Value: "{SubnetId}", By: "id"},
		},
	}
}

// targetHealthRel is `aws_lb_target_group HAS <target>` from the group's
// DescribeTargetHealth: conv keeps the target ids of that kind.
func targetHealthRel(target string, conv Conv, by string) RelSpec {
	return RelSpec{Verb: "HAS", Target: target, Call: op("elasticloadbalancingv2:DescribeTargetHealth"),
		Items: "TargetHealthDescriptions[]", OwnerBy: "_key", Value: "{Target.Id}", Conv: conv, By: by,
		Props: []Prop{{Name: "port", Path: "Target.Port"}, {Name: "healthState", Path: "TargetHealth.State"}}}
}

// attribute returns a converter reading the value of key in a list of
// {Key, Value} attributes (ELB load balancer attributes), with J1's tag
// value conversion ("true" -> true, "60" -> 60); nil when key is absent.
func attribute(key string) Conv {
	return func(v any) (any, error) {
		l, _ := v.([]any)
		for _, e := range l {
			m, ok := e.(map[string]any)
			if ok && scalarString(m["Key"]) == key {
				if s := scalarString(m["Value"]); s != "" {
					return tagValue(s), nil
				}
				return nil, nil
			}
		}
		return nil, nil
	}
}

// ipAddresses keeps the IP addresses of a list of target ids (the targets
// of a target group of TargetType ip).
func ipAddresses(v any) (any, error) {
	l, _ := v.([]any)
	out := []any{}
	for _, e := range l {
		if s := scalarString(e); s != "" {
			if _, err := netip.ParseAddr(s); err == nil {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// ipTarget keeps a target id that is an IP address.
func ipTarget(v any) (any, error) {
	s, _ := v.(string)
	if _, err := netip.ParseAddr(s); err != nil {
		return "", nil
	}
	return s, nil
}

// instanceID keeps a target id that is an EC2 instance id.
func instanceID(v any) (any, error) {
	s, _ := v.(string)
	if !strings.HasPrefix(s, "i-") {
		return "", nil
	}
	return s, nil
}

// lambdaTarget keeps a target id that is a Lambda function ARN, without
// its version or alias qualifier.
func lambdaTarget(v any) (any, error) {
	s, _ := v.(string)
	if !strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":lambda:") {
		return "", nil
	}
	return unqualifiedLambdaARN(s), nil
}
