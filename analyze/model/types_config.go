package model

// configService is the aws_config placeholder entity.
var configService = ServiceInfo{
	Name: "config", DisplayName: "AWS Config", Category: []string{"security"}, Function: []string{"compliance"},
	Settings: []Setting{
		{Call: op("configservice:DescribeConfigurationRecorders"), Prop: "configurationRecorders", Path: "ConfigurationRecorders[].Name"},
		{Call: op("configservice:DescribeConfigurationRecorderStatus"), Prop: "configurationRecording", Path: "ConfigurationRecordersStatus[].Recording", Conv: anyTrue},
	},
}

// Constants of the config rule evaluations.
var (
	evaluationResultQualifier  = "EvaluationResultIdentifier.EvaluationResultQualifier"
	evaluationResultType       = evaluationResultQualifier + ".ResourceType"
	evaluationResultResourceID = "{" + evaluationResultQualifier + ".ResourceId}"
)

// evaluates declares config rule EVALUATES <target> for one AWS Config
// resource type; the target is matched on `by` (IAM evaluations name the
// unique id, AIDA..., not the name).
func evaluates(resourceType, target, by string) RelSpec {
	return RelSpec{
		Verb: "EVALUATES", Target: target, Call: op("configservice:GetComplianceDetailsByConfigRule"), Items: "EvaluationResults[]",
		OwnerMatch: "{parent}", OwnerBy: "name",
		When:  &Cond{Path: evaluationResultType, Equals: resourceType},
		Value: evaluationResultResourceID, By: by,
		Props: []Prop{
			{Name: "complianceType", Path: "ComplianceType"},
			{Name: "resultRecordedOn", Path: "ResultRecordedTime", Conv: epochMS},
		},
	}
}

func configTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_config_rule", Class: []string{"ControlPolicy"}, Service: "config",
			Source: op("configservice:DescribeConfigRules"), Items: "ConfigRules[]",
			Key: []string{"{ConfigRuleArn}"}, ID: "{ConfigRuleId}", Name: "{ConfigRuleName}",
			WebLink: "https://console.aws.amazon.com/config/home?region={region}#/rules/details?configRuleName={ConfigRuleName}",
			Props: []Prop{
				{Name: "sourceOwner", Path: "Source.Owner"},
				{Name: "sourceIdentifier", Path: "Source.SourceIdentifier"},
			},
			Constants: map[string]any{"category": "config"},
			Rels: []RelSpec{
				evaluates("AWS::::Account", "aws_account", "accountId"),
				evaluates("AWS::EC2::Instance", "aws_instance", "id"),
				evaluates("AWS::EC2::SecurityGroup", "aws_security_group", "id"),
				evaluates("AWS::EC2::Volume", "aws_ebs_volume", "id"),
				evaluates("AWS::IAM::Group", "aws_iam_group", "groupId"),
				evaluates("AWS::IAM::Role", "aws_iam_role", "roleId"),
				evaluates("AWS::IAM::User", "aws_iam_user", "userId"),
				evaluates("AWS::S3::Bucket", "aws_s3_bucket", "name"),
			},
		},
	}
}
