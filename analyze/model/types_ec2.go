package model

// ec2Service is the aws_ec2 placeholder entity.
var ec2Service = ServiceInfo{
	Name: "ec2", DisplayName: "AWS EC2", Category: []string{"infrastructure"}, Function: []string{"compute"},
	Settings: []Setting{
		{Call: op("ec2:GetEbsEncryptionByDefault"), Prop: "ebsEncryptionByDefault", Path: "EbsEncryptionByDefault"},
	},
}

func ec2Types() []EntityType {
	return []EntityType{
		{
			Type: "aws_ebs_volume", Class: []string{"DataStore", "Disk"}, Service: "ec2",
			Source: op("ec2:DescribeVolumes"), Items: "Volumes[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:volume/{VolumeId}"}, ID: "{VolumeId}", Name: "{VolumeId}",
			Created: "CreateTime", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#Volumes:search={VolumeId}",
			Props: []Prop{
				{Name: "encrypted", Path: "Encrypted", KeepNull: true},
				{Name: "attachedInstanceIds", Path: "Attachments[].InstanceId"},
			},
		},
		{
			Type: "aws_eip", Class: []string{"IpAddress"}, Service: "ec2",
			Source: op("ec2:DescribeAddresses"), Items: "Addresses[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:elastic-ip/{AllocationId}"}, ID: "{AllocationId}", Name: "{PublicIp}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#ElasticIpDetails:AllocationId={AllocationId}",
			Props: []Prop{
				{Name: "ipAddress", Path: "PublicIp", KeepNull: true},
				{Name: "publicIpAddress", Path: "PublicIp"},
			},
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_instance", Reverse: true, Value: "{InstanceId}", By: "id"},
				{Verb: "USES", Target: "aws_eni", Reverse: true, Value: "{NetworkInterfaceId}", By: "id"},
			},
		},
		{
			Type: "aws_eni", Class: []string{"NetworkInterface"}, Service: "ec2",
			Source: op("ec2:DescribeNetworkInterfaces"), Items: "NetworkInterfaces[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:network-interface/{NetworkInterfaceId}"},
			ID:  "{NetworkInterfaceId}", Name: "{NetworkInterfaceId}", Tags: "TagSet",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#NetworkInterface:networkInterfaceId={NetworkInterfaceId}",
			Props: []Prop{
				{Name: "publicIpAddress", Path: "Association.PublicIp"},
				{Name: "privateIpAddresses", Path: "PrivateIpAddresses[].PrivateIpAddress"},
				{Name: "securityGroupIds", Path: "Groups[].GroupId"},
				{Name: "instanceId", Path: "Attachment.InstanceId"},
			},
			// The instance USES its ENIs: stated here, on the interface's
			// attachment, so every kind of ENI is read from one call.
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_instance", Reverse: true, Value: "{Attachment.InstanceId}", By: "id"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "Groups[]", Value: "{GroupId}", By: "id"},
			},
		},
		{
			Type: "aws_instance", Class: []string{"Host"}, Service: "ec2",
			Source: op("ec2:DescribeInstances"), Items: "Reservations[].Instances[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:instance/{InstanceId}"}, ID: "{InstanceId}", Name: "{InstanceId}",
			Created: "LaunchTime", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#Instances:instanceId={InstanceId}",
			Props: []Prop{
				{Name: "hostname", Path: "PrivateDnsName", KeepNull: true},
				{Name: "state", Path: "State.Name"},
				{Name: "active", Path: "State.Name", Conv: equals("running")},
				{Name: "publicIpAddress", Path: "PublicIpAddress", KeepNull: true},
				{Name: "instanceProfileArn", Path: "IamInstanceProfile.Arn"},
				{Name: "securityGroupIds", Path: "SecurityGroups[].GroupId"},
				{Name: "reservationId", Path: "^.ReservationId"},
				{Name: "metadataHttpTokens", Path: "MetadataOptions.HttpTokens"},
			},
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_ebs_volume", Path: "BlockDeviceMappings[]", Value: "{Ebs.VolumeId}", By: "id",
					Props: []Prop{{Name: "deviceName", Path: "DeviceName"}, {Name: "deleteOnTermination", Path: "Ebs.DeleteOnTermination"}}},
				{Verb: "HAS", Target: "aws_security_group", Path: "SecurityGroups[]", Value: "{GroupId}", By: "id"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "SecurityGroups[]", Value: "{GroupId}", By: "id"},
				{Verb: "USES", Target: "aws_key_pair", Value: "{KeyName}", By: "keyName"},
				{Verb: "USES", Target: "aws_iam_role", Value: "{IamInstanceProfile.Arn}", By: "instanceProfileArns"},
				{Verb: "HAS", Target: "aws_subnet", Reverse: true, Value: "{SubnetId}", By: "id"},
			},
		},
		{
			Type: "aws_internet_gateway", Class: []string{"Gateway"}, Service: "ec2",
			Source: op("ec2:DescribeInternetGateways"), Items: "InternetGateways[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:internet-gateway/{InternetGatewayId}"},
			ID:  "{InternetGatewayId}", Name: "{InternetGatewayId}", Tags: "Tags",
			WebLink:   "https://console.aws.amazon.com/vpc/home?region={region}#InternetGateway:internetGatewayId={InternetGatewayId}",
			Constants: map[string]any{"category": []string{"network"}, "function": []string{"routing"}, "public": true},
			// EC2 reports an attached internet gateway's attachment as
			// "available" (the API's AttachmentStatus says "attached").
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_vpc", Reverse: true, Path: "Attachments[]", Value: "{VpcId}", By: "id", When: &Cond{Path: "State", Equals: "available"}},
				{Verb: "HAS", Target: "aws_vpc", Reverse: true, Path: "Attachments[]", Value: "{VpcId}", By: "id", When: &Cond{Path: "State", Equals: "attached"}},
			},
		},
		{
			Type: "aws_key_pair", Class: []string{"AccessKey"}, Service: "ec2",
			Source: op("ec2:DescribeKeyPairs"), Items: "KeyPairs[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:key-pair/{KeyName}"}, ID: "{KeyPairId}", Name: "{KeyName}",
			Created: "CreateTime", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#KeyPairs:keyName={KeyName}",
			Props:   []Prop{{Name: "fingerprint", Path: "KeyFingerprint"}},
		},
		{
			Type: "aws_nat_gateway", Class: []string{"Gateway"}, Service: "ec2",
			Source: op("ec2:DescribeNatGateways"), Items: "NatGateways[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:natgateway/{NatGatewayId}"},
			ID:  "{NatGatewayId}", Name: "{NatGatewayId}", Created: "CreateTime", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#NatGatewayDetails:natGatewayId={NatGatewayId}",
			// Deleted gateways linger for about an hour: kept, with
			// active false, rather than dropped.
			Props: []Prop{
				{Name: "active", Path: "State", Conv: equals("available")},
				{Name: "public", Path: "ConnectivityType", Conv: equals("public")},
				{Name: "publicIpAddress", Path: "NatGatewayAddresses[].PublicIp", Conv: first},
				{Name: "privateIpAddress", Path: "NatGatewayAddresses[].PrivateIp", Conv: first},
			},
			Constants: map[string]any{"category": []string{"network"}, "function": []string{"nat"}},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_vpc", Reverse: true, Value: "{VpcId}", By: "id"},
				{Verb: "USES", Target: "aws_eni", Path: "NatGatewayAddresses[]", Value: "{NetworkInterfaceId}", By: "id"},
				{Verb: "USES", Target: "aws_eip", Path: "NatGatewayAddresses[]", Value: "{AllocationId}", By: "id"},
			},
		},
		{
			Type: "aws_network_acl", Class: []string{"Firewall"}, Service: "ec2",
			Source: op("ec2:DescribeNetworkAcls"), Items: "NetworkAcls[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:network-acl/{NetworkAclId}"},
			ID:  "{NetworkAclId}", Name: "{NetworkAclId}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#NetworkAclDetails:networkAclId={NetworkAclId}",
			Props: []Prop{
				{Name: "entries", Path: "Entries", Default: []any{}},
				{Name: "subnetIds", Path: "Associations[].SubnetId"},
			},
			Constants: map[string]any{"category": []string{"network"}, "isStateful": false},
			Rels:      []RelSpec{{Verb: "PROTECTS", Target: "aws_subnet", Path: "Associations[]", Value: "{SubnetId}", By: "id"}},
			Rules: []RuleSpec{{Path: "Entries[]", Egress: "Egress", Protocol: "Protocol", FromPort: "PortRange.From", ToPort: "PortRange.To",
				Action: "RuleAction", Number: "RuleNumber", IDProp: "networkAclId",
				Peers: []RulePeer{{CIDR: "CidrBlock"}, {CIDR: "Ipv6CidrBlock"}}}},
		},
		{
			Type: "aws_route_table", Class: []string{"Configuration"}, Service: "ec2",
			Source: op("ec2:DescribeRouteTables"), Items: "RouteTables[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:route-table/{RouteTableId}"},
			ID:  "{RouteTableId}", Name: "{RouteTableId}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#RouteTableDetails:RouteTableId={RouteTableId}",
			Props: []Prop{
				{Name: "main", Path: "Associations[].Main", Conv: anyTrue},
				{Name: "subnetIds", Path: "Associations[].SubnetId"},
				{Name: "routes", Path: "Routes", Default: []any{}},
				{Name: "internetGatewayRoute", Path: "Routes", Conv: internetGatewayRoute},
			},
			// Explicit associations here; a subnet without one USES its
			// VPC's main table (subnetRoutesHatch).
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_vpc", Reverse: true, Value: "{VpcId}", By: "id"},
				{Verb: "USES", Target: "aws_subnet", Reverse: true, Path: "Associations[]", Value: "{SubnetId}", By: "id"},
			},
		},
		{
			Type: "aws_security_group", Class: []string{"Firewall"}, Service: "ec2",
			Source: op("ec2:DescribeSecurityGroups"), Items: "SecurityGroups[]",
			Key: []string{"{SecurityGroupArn}", "arn:aws:ec2:{region}:{account}:security-group/{GroupId}"},
			ID:  "{GroupId}", Name: "{GroupName}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#SecurityGroups:groupId={GroupId}",
			Props: []Prop{
				{Name: "ipPermissions", Path: "IpPermissions", Default: []any{}},
				{Name: "ipPermissionsEgress", Path: "IpPermissionsEgress", Default: []any{}},
			},
			Constants: map[string]any{"category": []string{"network"}, "isStateful": true},
			Rules: []RuleSpec{
				{Path: "IpPermissions[]", Ingress: true, Protocol: "IpProtocol", FromPort: "FromPort", ToPort: "ToPort", IDProp: "groupId", Peers: sgPeers},
				{Path: "IpPermissionsEgress[]", Protocol: "IpProtocol", FromPort: "FromPort", ToPort: "ToPort", IDProp: "groupId", Peers: sgPeers},
			},
		},
		{
			Type: "aws_subnet", Class: []string{"Network"}, Service: "ec2",
			Source: op("ec2:DescribeSubnets"), Items: "Subnets[]",
			Key: []string{"{SubnetArn}", "arn:aws:ec2:{region}:{account}:subnet/{SubnetId}"},
			ID:  "{SubnetId}", Name: "{SubnetId}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#subnets:SubnetId={SubnetId}",
			Props: []Prop{
				{Name: "CIDR", Path: "CidrBlock", KeepNull: true},
				{Name: "CIDRv6", Path: "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock", Conv: first},
			},
			// public: the subnet's route table routes to an internet
			// gateway (subnetRoutesHatch); null when no table is known.
			Constants: map[string]any{"internal": true},
			Rels:      []RelSpec{{Verb: "CONTAINS", Target: "aws_vpc", Reverse: true, Value: "{VpcId}", By: "id"}},
			Hatch:     []Hatch{subnetRoutesHatch},
		},
		{
			Type: "aws_vpc", Class: []string{"Network"}, Service: "ec2",
			Source: op("ec2:DescribeVpcs"), Items: "Vpcs[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:vpc/{VpcId}"}, ID: "{VpcId}", Name: "{VpcId}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#vpcs:VpcId={VpcId}",
			Props: []Prop{
				{Name: "CIDR", Path: "CidrBlock", KeepNull: true},
				{Name: "CIDRv6", Path: "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock", Conv: first},
				{Name: "defaultVpc", Path: "IsDefault"},
			},
			Constants: map[string]any{"internal": true},
			Enrich: []Enrichment{{
				Call: op("ec2:DescribeFlowLogs"), Items: "FlowLogs[]", Match: "{ResourceId}", By: "id",
				SetOnMatch:   map[string]any{"flowLogsEnabled": true},
				SetOnNoMatch: map[string]any{"flowLogsEnabled": false},
			}},
			// Requester CONNECTS accepter, for active peerings whose both
			// VPCs are in the snapshot (by ARN, so across regions and
			// accounts of the snapshot); a peer outside it is not created
			// (the model makes no mapped placeholders) and counts as
			// unresolved. Both sides list the same peering: one edge.
			Rels: []RelSpec{{Verb: "LOGS", Target: "aws_s3_bucket", Call: op("ec2:DescribeFlowLogs"), Items: "FlowLogs[]",
				OwnerMatch: "{ResourceId}", OwnerBy: "id", Value: "{LogDestination}", Conv: s3BucketARN, By: "_key",
				When: &Cond{Path: "LogDestinationType", Equals: "s3"},
				Props: []Prop{{Name: "flowLogId", Path: "FlowLogId"}, {Name: "trafficType", Path: "TrafficType"},
					{Name: "deliverLogsStatus", Path: "DeliverLogsStatus"}},
			}, {Verb: "CONNECTS", Target: "aws_vpc", Call: op("ec2:DescribeVpcPeeringConnections"),
				Items: "VpcPeeringConnections[]", OwnerBy: "_key", By: "_key",
				OwnerMatch: "arn:aws:ec2:{RequesterVpcInfo.Region}:{RequesterVpcInfo.OwnerId}:vpc/{RequesterVpcInfo.VpcId}",
				Value:      "arn:aws:ec2:{AccepterVpcInfo.Region}:{AccepterVpcInfo.OwnerId}:vpc/{AccepterVpcInfo.VpcId}",
				When:       &Cond{Path: "Status.Code", Equals: "active"},
				Props: []Prop{{Name: "vpcPeeringConnectionId", Path: "VpcPeeringConnectionId"}, {Name: "status", Path: "Status.Code"},
					{Name: "requesterCidr", Path: "RequesterVpcInfo.CidrBlock"}, {Name: "accepterCidr", Path: "AccepterVpcInfo.CidrBlock"}},
			}},
		},
		{
			Type: "aws_vpn_gateway", Class: []string{"Gateway"}, Service: "ec2",
			Source: op("ec2:DescribeVpnGateways"), Items: "VpnGateways[]",
			Key: []string{"arn:aws:ec2:{region}:{account}:vpn-gateway/{VpnGatewayId}"},
			ID:  "{VpnGatewayId}", Name: "{VpnGatewayId}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/vpc/home?region={region}#VpnGateways:VpnGatewayId={VpnGatewayId}",
			Props:   []Prop{{Name: "active", Path: "State", Conv: equals("available")}},
			// public (required by Gateway) stays null: whether the
			// gateway's VPN tunnels face the Internet is in the VPN
			// connections, which are not collected.
			Constants: map[string]any{"category": []string{"network"}, "function": []string{"remote-access-gateway"}},
			Rels: []RelSpec{{Verb: "HAS", Target: "aws_vpc", Reverse: true, Path: "VpcAttachments[]", Value: "{VpcId}", By: "id",
				When: &Cond{Path: "State", Equals: "attached"}}},
		},
	}
}

// sgPeers are the peers of a security group permission.
var sgPeers = []RulePeer{
	{Path: "IpRanges[]", CIDR: "CidrIp", Description: "Description"},
	{Path: "Ipv6Ranges[]", CIDR: "CidrIpv6", Description: "Description"},
	{Path: "UserIdGroupPairs[]", Group: "GroupId", Owner: "UserId", Description: "Description"},
}
