package access

import (
	"fmt"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// abacResources are the resource types of abacWorld, each with the ARN of
// resource i of an account.
var abacResources = []struct {
	typ, class string
	arn        func(acct string, i int) string
}{
	{"aws_s3_bucket", "DataStore", func(a string, i int) string { return fmt.Sprintf("arn:aws:s3:::b-%s-%05d", a, i) }},
	{"aws_instance", "Host", func(a string, i int) string {
		return fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%017x", region(i), a, i)
	}},
	{"aws_ebs_volume", "DataStore", func(a string, i int) string {
		return fmt.Sprintf("arn:aws:ec2:%s:%s:volume/vol-%017x", region(i), a, i)
	}},
	{"aws_lambda_function", "Function", func(a string, i int) string {
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:fn-%05d", region(i), a, i)
	}},
	{"aws_dynamodb_table", "DataStore", func(a string, i int) string {
		return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/t-%05d", region(i), a, i)
	}},
}

// abacPolicy is the ABAC policy every user of abacWorld holds: S3, EC2,
// Lambda and DynamoDB actions on "*" where the resource's team tag is the
// caller's, and two actions that take no resource (s3:ListAllMyBuckets,
// ec2:DescribeInstances).
var abacPolicy = doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:ListAllMyBuckets","ec2:StartInstances","ec2:StopInstances",` +
	`"ec2:AttachVolume","ec2:DescribeInstances","lambda:InvokeFunction","dynamodb:GetItem","dynamodb:Query"],"Resource":"*",` +
	`"Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`)

// abacWorld is an organisation of accounts accounts, each with users users
// tagged team=t0..t<teams-1> in one group holding abacPolicy, and
// resources resources of abacResources' types, two thirds tagged with a
// team, a third untagged; one bucket in 50 grants s3:GetObject on its
// objects to the organisation.
func abacWorld(b testing.TB, accounts, users, resources, teams int) *graph.Graph {
	ob := &orgBuilder{t: b, g: graph.New()}
	for i := range accounts {
		a := fmt.Sprintf("%012d", 100000000000+i)
		e := model.Account(ob.g, a)
		e.Set("organizationId", "o-bench")
		var members []*graph.Entity
		for u := range users {
			members = append(members, ob.user(a, fmt.Sprintf("u%05d", u), map[string]string{"team": fmt.Sprintf("t%d", u%teams)}))
		}
		grp := ob.group(a, "all", members...)
		ob.policy(a, "ABAC", abacPolicy, grp)
		for k := range resources {
			m := abacResources[k%len(abacResources)]
			arn := m.arn(a, k)
			var tags map[string]string
			if k%3 != 0 {
				tags = map[string]string{"team": fmt.Sprintf("t%d", (k/3)%teams)}
			}
			if m.typ == "aws_s3_bucket" {
				policy := ""
				if k%50 == 0 {
					policy = doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-bench"}}}`)
				}
				ob.bucket(a, arn[len("arn:aws:s3:::"):], policy, tags)
				continue
			}
			setTags(ob.add(a, arn, m.typ, m.class, map[string]any{"name": arn}), tags)
		}
	}
	model.Everyone(ob.g)
	return ob.g
}

// BenchmarkDeriveABAC measures an ABAC policy at scale (abacTargets): 2
// accounts, 2,000 users of 10 teams, 20,000 resources. It reports, besides
// wall time, cpu-ns/op, the relationships Derive adds and the access
// edges (the ABAC grants fan out to the resources: each user gets an edge
// to each resource of its team in its account).
func BenchmarkDeriveABAC(b *testing.B) {
	cat, err := actions.Load()
	if err != nil {
		b.Fatal(err)
	}
	deriveReport(b, cat, func() *graph.Graph { return abacWorld(b, 2, 1000, 10000, 10) })
}
