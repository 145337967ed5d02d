package model

// lambdaService is the aws_lambda placeholder entity.
var lambdaService = ServiceInfo{Name: "lambda", DisplayName: "AWS Lambda", Category: []string{"infrastructure"}, Function: []string{"compute"}}

func lambdaTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_lambda_function", Class: []string{"Function"}, Service: "lambda",
			Source: op("lambda:ListFunctions"), Items: "Functions[]",
			Key: []string{"{FunctionArn}"}, ID: "{FunctionName}", Name: "{FunctionName}",
			WebLink: "https://console.aws.amazon.com/lambda/home?region={region}#/functions/{FunctionName}",
			Props: []Prop{
				{Name: "vpcId", Path: "VpcConfig.VpcId"},
				{Name: "subnetIds", Path: "VpcConfig.SubnetIds[]"},
				{Name: "securityGroupIds", Path: "VpcConfig.SecurityGroupIds[]"},
				{Name: "updatedOn", Path: "LastModified", Conv: epochMS},
			},
			Enrich: []Enrichment{
				{Call: op("lambda:ListTags"), By: "name", Tags: "Tags"},
				{Call: op("lambda:GetPolicy"), By: "name", Props: []Prop{{Name: "policy", Path: "Policy", Conv: decodePolicy}}},
			},
			// The seed's aws_lambda_function HAS aws_vpc; J1 later added HAS
			// aws_subnet (VpcConfig.SubnetIds); the function's security
			// groups PROTECT it, as for every type that carries groups.
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_iam_role", Value: "{Role}", By: "_key"},
				{Verb: "HAS", Target: "aws_vpc", Value: "{VpcConfig.VpcId}", By: "id"},
				{Verb: "HAS", Target: "aws_subnet", Path: "VpcConfig.SubnetIds[]", Value: "{@}", By: "id"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "VpcConfig.SecurityGroupIds[]", Value: "{@}", By: "id"},
			},
		},
	}
}
