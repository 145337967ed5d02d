package model

// The AWS entity registry (seed 001 types plus the children the seed lists
// without relationships): one record per _type, in the file of its service
// (types_<service>.go; the account in types_account.go). The invariant test
// in registry_test.go checks it against the spec tables
// (testdata/spec/*.tsv) and the collector's output types.

import (
	"slices"
	"strings"
)

// registry is the list of entity types, sorted by _type (TypeOf searches it).
var registry = sortedTypes(slices.Concat(
	accountTypes(), acmTypes(), apigatewayTypes(), autoscalingTypes(), batchTypes(), cloudfrontTypes(),
	configTypes(), dynamodbTypes(), ec2ImageTypes(), ec2Types(), ecrTypes(), ecsTypes(), eksTypes(),
	elasticloadbalancingTypes(), iamTypes(), kmsTypes(), lambdaTypes(), rdsTypes(), route53Types(), s3Types(),
	transferTypes(), workspacesTypes()))

func sortedTypes(ts []EntityType) []EntityType {
	slices.SortFunc(ts, func(a, b EntityType) int { return strings.Compare(a.Type, b.Type) })
	return ts
}
