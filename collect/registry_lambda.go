package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

func lambdaCalls() []Call {
	return []Call{
		perParent(keysAt[lambda.ListFunctionsOutput]("Functions[].FunctionName"),
			single((*lambda.Client).GetPolicy, field[lambda.GetPolicyInput]("FunctionName"))),
		{Scope: Regional,
			// Environment errors can quote the variables ("String measured:
			// {...}" when they exceed 4 KB).
			Redact: []string{"Functions[].Environment.Variables{}", "Functions[].Environment.Error.Message"},
			Run:    paged(lambda.NewListFunctionsPaginator, none)},
		perParent(keysAt[lambda.ListFunctionsOutput]("Functions[].FunctionArn"),
			single((*lambda.Client).ListTags, field[lambda.ListTagsInput]("Resource"))),
	}
}
