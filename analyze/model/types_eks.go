package model

// eksService is the aws_eks placeholder entity.
var eksService = ServiceInfo{Name: "eks", DisplayName: "AWS EKS", Category: []string{"infrastructure"}, Function: []string{"compute"}}

func eksTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_eks_cluster", Class: []string{"Cluster"}, Service: "eks",
			Source: op("eks:DescribeCluster"), Items: "Cluster",
			Key: []string{"{Arn}"}, ID: "{Arn}", Name: "{Name}", Created: "CreatedAt", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/eks/home?region={region}#/clusters/{Name}",
			Props: []Prop{
				{Name: "active", Path: "Status", Conv: equals("ACTIVE")},
				{Name: "vpcId", Path: "ResourcesVpcConfig.VpcId"},
				{Name: "subnetIds", Path: "ResourcesVpcConfig.SubnetIds[]"},
				{Name: "securityGroupIds", Path: "ResourcesVpcConfig.SecurityGroupIds[]"},
				{Name: "clusterSecurityGroupId", Path: "ResourcesVpcConfig.ClusterSecurityGroupId"},
				{Name: "endpointPublicAccess", Path: "ResourcesVpcConfig.EndpointPublicAccess"},
				{Name: "endpointPrivateAccess", Path: "ResourcesVpcConfig.EndpointPrivateAccess"},
				{Name: "publicAccessCidrs", Path: "ResourcesVpcConfig.PublicAccessCidrs[]"},
				// The control plane log types sent to CloudWatch Logs; an
				// empty list: logging configured and all off.
				{Name: "enabledLogTypes", Path: "Logging.ClusterLogging[]", Conv: listedWhere("Enabled", "Types")},
				// Envelope encryption of Kubernetes secrets with a customer
				// KMS key (EncryptionConfig); absent when not configured.
				{Name: "encryptionKeyArn", Path: "EncryptionConfig[].Provider.KeyArn", Conv: first},
				{Name: "encryptedResources", Path: "EncryptionConfig[].Resources[]"},
				{Name: "authenticationMode", Path: "AccessConfig.AuthenticationMode"},
				{Name: "oidcIssuer", Path: "Identity.Oidc.Issuer"},
			},
			// The spec names no relationship of the cluster but its service
			// (relationships.tsv). Decided, after the seed's Lambda rows
			// (aws_lambda_function HAS aws_iam_role / aws_vpc, HAS aws_subnet
			// since 2020) and aws_instance USES aws_iam_role: the cluster
			// USES its service role and HAS the VPC and subnets its
			// control plane's network interfaces are placed in; its
			// additional and cluster security groups PROTECT it.
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_iam_role", Value: "{RoleArn}", By: "_key"},
				{Verb: "HAS", Target: "aws_vpc", Value: "{ResourcesVpcConfig.VpcId}", By: "id"},
				{Verb: "HAS", Target: "aws_subnet", Path: "ResourcesVpcConfig.SubnetIds[]", Value: "{@}", By: "id"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "ResourcesVpcConfig.SecurityGroupIds[]", Value: "{@}", By: "id"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Value: "{ResourcesVpcConfig.ClusterSecurityGroupId}", By: "id"},
			},
		},
	}
}
