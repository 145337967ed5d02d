package access

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// managedPolicies holds AWS managed policies (MIT, see
// testdata/aws-managed-policies/NOTICE at the repository root).
const managedPolicies = "../../testdata/aws-managed-policies/policies.jsonl.gz"

type managedPolicy struct {
	ARN      string `json:"arn"`
	Document any    `json:"document"`
}

func loadManaged(b *testing.B) []managedPolicy {
	b.Helper()
	f, err := os.Open(managedPolicies)
	if err != nil {
		b.Fatalf("managed policies: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var out []managedPolicy
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var p managedPolicy
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

// resourceMix is the share of each resource type in the synthetic account
// (sums to 100), with the ARN of resource i.
var resourceMix = []struct {
	typ, class string
	share      int
	arn        func(i int) string
}{
	{typ: "aws_s3_bucket", class: "DataStore", share: 30, arn: func(i int) string { return fmt.Sprintf("arn:aws:s3:::bucket-%06d", i) }},
	{typ: "aws_instance", class: "Host", share: 25, arn: func(i int) string { return fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%017x", region(i), acct, i) }},
	{typ: "aws_lambda_function", class: "Function", share: 15, arn: func(i int) string {
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:fn-%06d", region(i), acct, i)
	}},
	{typ: "aws_dynamodb_table", class: "DataStore", share: 10, arn: func(i int) string {
		return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/table-%06d", region(i), acct, i)
	}},
	{typ: "aws_ebs_volume", class: "DataStore", share: 10, arn: func(i int) string { return fmt.Sprintf("arn:aws:ec2:%s:%s:volume/vol-%017x", region(i), acct, i) }},
	{typ: "aws_db_instance", class: "Database", share: 5, arn: func(i int) string { return fmt.Sprintf("arn:aws:rds:%s:%s:db:db-%06d", region(i), acct, i) }},
	{typ: "aws_security_group", class: "Firewall", share: 5, arn: func(i int) string {
		return fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/sg-%017x", region(i), acct, i)
	}},
}

func region(i int) string { return []string{"eu-west-1", "us-east-1", "ap-southeast-2"}[i%3] }

// benchWorld builds a graph of `roles` roles and `resources` resources in
// one account. Each role has 1-5 of the managed policies, 20% an inline
// policy on a few buckets, 5% a permissions boundary; trust policies mix
// services, the account, and cross-account roots with an ExternalId.
// 10% of the buckets have a bucket policy (public read or cross-account).
func benchWorld(b *testing.B, managed []managedPolicy, roles, resources int) *graph.Graph {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	w := newWorld(b)
	for _, p := range managed {
		docText, err := json.Marshal(p.Document)
		if err != nil {
			b.Fatal(err)
		}
		w.g.AddEntity(graph.NewEntity(p.ARN, "aws_iam_policy", []string{"AccessPolicy"}, map[string]any{
			"arn": p.ARN, "document": string(docText), "awsManaged": true, "accountId": acct,
		}))
	}
	w.policy("Boundary", doc(`{"Effect":"Allow","Action":["s3:*","dynamodb:*","logs:*"],"Resource":"*"}`))
	for _, m := range resourceMix {
		n := resources * m.share / 100
		for i := range n {
			arn := m.arn(i)
			props := map[string]any{"arn": arn}
			if m.typ == "aws_s3_bucket" {
				// As the collector records GetBucketAbac: ABAC is
				// disabled by default. Without it (a snapshot from before
				// the call) every bucket's tags are unknown, and each
				// holder of an AWS managed policy with an S3 ABAC statement
				// (AmazonBraket*) gets a conditional edge per bucket: at
				// 10,000 roles x 100,000 resources 1.34M access edges and
				// about twice the CPU (abac.go).
				props["abacEnabled"] = false
			}
			if m.typ == "aws_s3_bucket" && i%10 == 0 {
				if i%20 == 0 {
					props["policy"] = doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + arn + `/*"}`)
				} else {
					props["policy"] = doc(`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"` + arn + `/*"}`)
				}
			}
			w.add(arn, m.typ, m.class, props)
		}
	}
	trusts := []string{
		`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`,
		`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`,
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`,
		`{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`,
	}
	nb := resources * resourceMix[0].share / 100
	for i := range roles {
		boundary := ""
		if i%20 == 0 {
			boundary = policyARN("Boundary")
		}
		r := w.role(fmt.Sprintf("role-%05d", i), doc(trusts[i%len(trusts)]), boundary)
		for range 1 + rng.IntN(5) {
			w.rel(r, "HAS", w.g.Entity(managed[rng.IntN(len(managed))].ARN))
		}
		if i%5 == 0 && nb > 0 {
			bkt := resourceMix[0].arn(rng.IntN(nb))
			w.inline(r, "data", doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"`+bkt+`/*"}`,
				`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"`+bkt+`"}`))
		}
	}
	model.Everyone(w.g)
	return w.g
}

// benchOrg makes the benchmark account a member of an organisation with
// SCPs and RCPs of the usual shapes: FullAWSAccess, a deny list with an
// exemption by principal ARN, a region guard (NotAction, a condition on
// request context) and an RCP keeping S3 to the organisation.
func benchOrg(g *graph.Graph) {
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	guard := orgPol{"p-guard", "Guardrails", doc(
		`{"Effect":"Deny","Action":["organizations:LeaveOrganization","iam:CreateUser","iam:CreateAccessKey","s3:PutBucketPublicAccessBlock","ec2:DeleteFlowLogs"],"Resource":"*",`+
			`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/role-0000*"}}}`,
		`{"Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*","s3:*","cloudfront:*","route53:*","support:*"],"Resource":"*",`+
			`"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}`)}
	rcp := orgPol{"p-org", "S3OrgOnly", doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",` +
		`"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-bench"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`)}
	a := g.Entity(model.AccountKey(acct))
	a.Set("organizationId", "o-bench")
	a.Set("organizationMasterAccountId", other)
	a.Set("organizationPath", "o-bench/r-1/ou-1/")
	a.Set("serviceControlPolicies", orgLevelsJSON(orgLevel{"r-1", []orgPol{full}}, orgLevel{"ou-1", []orgPol{full, guard}}, orgLevel{acct, []orgPol{full}}))
	a.Set("resourceControlPolicies", orgLevelsJSON(orgLevel{"r-1", []orgPol{rcp}}, orgLevel{"ou-1", nil}, orgLevel{acct, nil}))
}

// BenchmarkDerive reports, besides wall time (noisy on a shared machine),
// the process CPU time per derivation (cpu-ns/op) and allocations.
func BenchmarkDerive(b *testing.B) {
	managed := loadManaged(b)
	cat, err := actions.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []struct {
		roles, resources int
		org              bool
	}{{1000, 10000, false}, {1000, 10000, true}, {10000, 100000, false}, {10000, 100000, true}} {
		name := fmt.Sprintf("roles=%d/resources=%d", size.roles, size.resources)
		if size.org {
			name += "/org"
		}
		b.Run(name, func(b *testing.B) {
			deriveReport(b, cat, func() *graph.Graph {
				g := benchWorld(b, managed, size.roles, size.resources)
				if size.org {
					benchOrg(g)
				}
				return g
			})
		})
	}
}

// deriveReport derives the graphs mk builds (outside the timer) and
// reports cpu-ns/op, the relationships Derive adds, the identity ALLOWS,
// the access relationships and the evaluations of the last.
func deriveReport(b *testing.B, cat *actions.Catalog, mk func() *graph.Graph) {
	var st Stats
	var rels int
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		g := mk()
		_, before := g.Len()
		var took time.Duration
		st, took = timedDerive(b, g, cat)
		cpu += took
		b.StartTimer()
		_, after := g.Len()
		rels = after - before
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(rels), "rels")
	b.ReportMetric(float64(st.IdentityAllows), "identityAllows")
	b.ReportMetric(float64(st.PrincipalAccess), "access")
	b.ReportMetric(float64(st.Evaluations), "evals")
	b.ReportMetric(float64(st.OrgEvaluations), "orgEvals")
	b.ReportMetric(float64(st.CellEvaluations), "cellEvals")
	b.ReportMetric(float64(st.ExceptInEdges), "exceptIn")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
