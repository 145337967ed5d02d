package model

// dynamodbService is the aws_dynamodb placeholder entity.
var dynamodbService = ServiceInfo{Name: "dynamodb", DisplayName: "AWS DynamoDB", Category: []string{"infrastructure"}, Function: []string{"database"}}

func dynamodbTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_dynamodb_table", Class: []string{"DataStore", "Database"}, Service: "dynamodb",
			Source: op("dynamodb:DescribeTable"), Items: "Table",
			Key: []string{"{TableArn}"}, ID: "{TableId}", Name: "{TableName}", Created: "CreationDateTime",
			WebLink: "https://console.aws.amazon.com/dynamodbv2/home?region={region}#table?name={TableName}",
			Props: []Prop{
				{Name: "kmsKeyId", Path: "SSEDescription.KMSMasterKeyArn"},
				{Name: "sseType", Path: "SSEDescription.SSEType"},
			},
			// DynamoDB always encrypts at rest; without SSEDescription the key is AWS owned.
			Constants: map[string]any{"encrypted": true},
			Enrich: []Enrichment{
				{Call: op("dynamodb:ListTagsOfResource"), By: "name", Tags: "Tags"},
				{Call: op("dynamodb:DescribeContinuousBackups"), By: "name", Props: []Prop{{
					Name: "pointInTimeRecoveryEnabled", Conv: equals("ENABLED"),
					Path: "ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus",
				}}},
			},
		},
	}
}
