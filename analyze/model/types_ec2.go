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
			Hatch:     []Hatch{securityGroupRulesHatch},
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
			// public needs route tables, gateways and NACLs, which are not
			// collected: it stays null (unknown), never a guessed false.
			Constants: map[string]any{"internal": true},
			Rels:      []RelSpec{{Verb: "CONTAINS", Target: "aws_vpc", Reverse: true, Value: "{VpcId}", By: "id"}},
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
		},
	}
}
