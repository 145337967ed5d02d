package access

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// cellsServices are the 15 services of cellsWorld's resources: the type
// and ARN of resource i in account a and Region r ("" for the services
// whose ARNs have none).
var cellsServices = []struct {
	typ    string
	global bool
	arn    func(a, r string, i int) string
}{
	{"aws_s3_bucket", true, func(a, _ string, i int) string { return fmt.Sprintf("arn:aws:s3:::b-%s-%06d", a, i) }},
	{"aws_instance", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%017x", r, a, i) }},
	{"aws_lambda_function", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:lambda:%s:%s:function:fn-%06d", r, a, i) }},
	{"aws_dynamodb_table", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/t-%06d", r, a, i) }},
	{"aws_db_instance", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:rds:%s:%s:db:db-%06d", r, a, i) }},
	{"aws_sqs_queue", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:sqs:%s:%s:q-%06d", r, a, i) }},
	{"aws_sns_topic", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:sns:%s:%s:t-%06d", r, a, i) }},
	{"aws_cloudwatch_log_group", false, func(a, r string, i int) string {
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:lg-%06d", r, a, i)
	}},
	{"aws_ecr_repository", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/r-%06d", r, a, i) }},
	{"aws_secretsmanager_secret", false, func(a, r string, i int) string {
		return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:s-%06d", r, a, i)
	}},
	{"aws_cloudwatch_alarm", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:al-%06d", r, a, i) }},
	{"aws_lb", false, func(a, r string, i int) string {
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/lb-%06d/%016x", r, a, i, i)
	}},
	{"aws_ecs_cluster", false, func(a, r string, i int) string { return fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/c-%06d", r, a, i) }},
	{"aws_cloudfront_distribution", true, func(a, _ string, i int) string { return fmt.Sprintf("arn:aws:cloudfront::%s:distribution/D%06d", a, i) }},
	{"aws_route53_zone", true, func(a, _ string, i int) string { return fmt.Sprintf("arn:aws:route53:::hostedzone/Z%s%06d", a, i) }},
}

var cellsRegions = []string{"us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"}

// cellsWorld is an organisation of accounts members with roles roles and
// resources resources over the 15 cellsServices in 4 Regions, what
// exceptIn (cells.go) looks at: a region guard SCP (AWS's
// deny-requested-region example: NotAction of the global services) on
// every member; each role with 1-3 of AdministratorAccess and a few AWS
// managed policies, a third of them within a permissions boundary of
// S3, DynamoDB and CloudWatch Logs.
func cellsWorld(b testing.TB, managed []managedPolicy, accounts, roles, resources int) *graph.Graph {
	rng := rand.New(rand.NewPCG(3, 4))
	ob := &orgBuilder{t: b, g: graph.New()}
	pols := []*graph.Entity{ob.add("", "arn:aws:iam::aws:policy/AdministratorAccess", "aws_iam_policy", "AccessPolicy", map[string]any{
		"name": "AdministratorAccess", "document": adminDocument, "awsManaged": true})}
	for _, p := range managed {
		switch p.ARN {
		case "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
			"arn:aws:iam::aws:policy/AWSLambda_FullAccess", "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess":
			text, err := json.Marshal(p.Document)
			if err != nil {
				b.Fatal(err)
			}
			pols = append(pols, ob.add("", p.ARN, "aws_iam_policy", "AccessPolicy", map[string]any{"document": string(text), "awsManaged": true}))
		}
	}
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	guard := orgPol{"p-regions", "RegionGuard", doc(`{"Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*","cloudfront:*","route53:*","support:*","s3:*"],` +
		`"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}`)}
	for ai := range accounts {
		a := fmt.Sprintf("%012d", 400000000000+ai)
		benchMember(ob.g, a, "o-cells", orgLevelsJSON(orgLevel{"r-1", []orgPol{full, guard}}, orgLevel{a, []orgPol{full}}),
			orgLevelsJSON(orgLevel{"r-1", nil}, orgLevel{a, nil}))
		boundary := ob.policy(a, "Boundary", doc(`{"Effect":"Allow","Action":["s3:*","dynamodb:*","logs:*"],"Resource":"*"}`))
		for i := range resources / accounts {
			s := cellsServices[i%len(cellsServices)]
			arn := s.arn(a, cellsRegions[i/len(cellsServices)%len(cellsRegions)], i)
			if s.global {
				arn = s.arn(a, "", i)
			}
			ob.add(a, arn, s.typ, "Resource", map[string]any{})
		}
		trust := doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + a + `:root"},"Action":"sts:AssumeRole"}`)
		for i := range roles / accounts {
			bound := ""
			if i%3 == 0 {
				bound = boundary.Key
			}
			r := ob.role(a, fmt.Sprintf("role-%05d", i), trust, bound, nil)
			for range 1 + rng.IntN(3) {
				ob.rel(r, "HAS", pols[rng.IntN(len(pols))])
			}
		}
	}
	model.Everyone(ob.g)
	return ob.g
}

// BenchmarkDeriveCells is Derive on cellsWorld: 3 accounts, 3,000 roles,
// 30,000 resources. Besides wall time (noisy on a shared machine), the
// process CPU time (cpu-ns/op), allocations, the edges with exceptIn and
// the evaluations asked about cells.
func BenchmarkDeriveCells(b *testing.B) {
	managed := loadManaged(b)
	cat, err := actions.Load()
	if err != nil {
		b.Fatal(err)
	}
	var st Stats
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		g := cellsWorld(b, managed, 3, 3000, 30000)
		var took time.Duration
		st, took = timedDerive(b, g, cat)
		cpu += took
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(st.PrincipalAccess), "access")
	b.ReportMetric(float64(st.Evaluations), "evals")
	b.ReportMetric(float64(st.OrgEvaluations), "orgEvals")
	b.ReportMetric(float64(st.CellEvaluations), "cellEvals")
	b.ReportMetric(float64(st.ExceptInEdges), "exceptIn")
}
