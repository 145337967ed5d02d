package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func dynamodbCalls() []Call {
	tables := keysAt[dynamodb.ListTablesOutput]("TableNames[]")
	return []Call{
		perParent(tables, single((*dynamodb.Client).DescribeContinuousBackups, field[dynamodb.DescribeContinuousBackupsInput]("TableName"))),
		perParent(tables, single((*dynamodb.Client).DescribeTable, field[dynamodb.DescribeTableInput]("TableName"))),
		regional(paged(dynamodb.NewListTablesPaginator, none)),
		perParent(keysAt[dynamodb.DescribeTableOutput]("Table.TableArn"),
			tokens((*dynamodb.Client).ListTagsOfResource, field[dynamodb.ListTagsOfResourceInput]("ResourceArn"),
				func(o *dynamodb.ListTagsOfResourceOutput) *string { return o.NextToken },
				func(in *dynamodb.ListTagsOfResourceInput, t *string) { in.NextToken = t })),
	}
}
