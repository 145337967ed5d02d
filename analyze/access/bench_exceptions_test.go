package access

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// exceptionsWorld is an organisation of accounts members, each with
// users users (half tagged team=red) and buckets public buckets (a grant
// of s3:GetObject to "*"), whose RCPs keep S3 to callers the policy rcp
// names: what exceptPrincipals (publicExceptions, rcpExceptions) costs.
func exceptionsWorld(b testing.TB, accounts, users, buckets int, rcp string) *graph.Graph {
	return exceptionsWorldWith(b, accounts, users, buckets, rcp, "")
}

// exceptionsWorldWith is exceptionsWorld whose buckets' grant to "*" has
// the Condition block cond ("" for none).
func exceptionsWorldWith(b testing.TB, accounts, users, buckets int, rcp, cond string) *graph.Graph {
	if cond != "" {
		cond = `,"Condition":` + cond
	}
	ob := &orgBuilder{t: b, g: graph.New()}
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	for i := range accounts {
		a := fmt.Sprintf("%012d", 100000000000+i)
		benchMember(ob.g, a, "o-bench", orgLevelsJSON(orgLevel{"r-1", []orgPol{full}}, orgLevel{a, []orgPol{full}}),
			orgLevelsJSON(orgLevel{"r-1", []orgPol{{"p-rcp", "S3Callers", doc(rcp)}}}, orgLevel{a, nil}))
		for u := range users {
			team := "blue"
			if u%2 == 0 {
				team = "red"
			}
			ob.inline(ob.user(a, fmt.Sprintf("u%05d", u), map[string]string{"team": team}), "s3",
				doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))
		}
		for k := range buckets {
			name := fmt.Sprintf("b-%s-%03d", a, k)
			ob.bucket(a, name, doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+name+`/*"`+cond+`}`), nil)
		}
	}
	model.Everyone(ob.g)
	return ob.g
}

// benchMember adds account a as a member of organisation org (under its
// root r-1, managed by 999999999999) with the given SCP and RCP levels.
func benchMember(g *graph.Graph, a, org, scps, rcps string) {
	e := model.Account(g, a)
	e.Set("organizationId", org)
	e.Set("organizationMasterAccountId", "999999999999")
	e.Set("organizationPath", org+"/r-1/")
	e.Set("serviceControlPolicies", scps)
	e.Set("resourceControlPolicies", rcps)
}

// exceptionRCPs are the RCPs BenchmarkExceptions measures: on the
// caller's organisation (shared by account), on the caller's account
// against the resource's (a policy variable), on the caller's tags.
var exceptionRCPs = []struct{ name, doc string }{
	{"orgid", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-other"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`},
	{"account", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalAccount":"${aws:ResourceAccount}"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}`},
	{"tag", `{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"red"}}}`},
}

// BenchmarkExceptions: 5 accounts of 1,000 users, 20 public buckets
// each. Reports cpu-ns/op (wall time is noisy on a shared machine),
// evaluations and the exceptPrincipals listed.
func BenchmarkExceptions(b *testing.B) {
	for _, rcp := range exceptionRCPs {
		b.Run(rcp.name, func(b *testing.B) {
			benchDerive(b, func() *graph.Graph { return exceptionsWorld(b, 5, 1000, 20, rcp.doc) })
		})
	}
}

// benchDerive derives the graphs mk builds (outside the timer) and
// reports cpu-ns/op, evaluations, organisation evaluations and the
// exceptPrincipals entries listed.
func benchDerive(b *testing.B, mk func() *graph.Graph) {
	cat, err := actions.Load()
	if err != nil {
		b.Fatal(err)
	}
	var st Stats
	var cpu time.Duration
	var except int
	for b.Loop() {
		b.StopTimer()
		g := mk()
		var took time.Duration
		st, took = timedDerive(b, g, cat)
		cpu += took
		except = 0
		for _, r := range g.Relationships() {
			except += len(stringList(r.Get("exceptPrincipals")))
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(st.Evaluations), "evals")
	b.ReportMetric(float64(st.OrgEvaluations), "orgEvals")
	b.ReportMetric(float64(except), "except")
}

// timedDerive derives g with the benchmark timer running (the caller
// stops it while building g and starts it again after) and returns the
// Stats and the process CPU time the derivation took.
func timedDerive(b *testing.B, g *graph.Graph, cat *actions.Catalog) (Stats, time.Duration) {
	start := cpuTime()
	b.StartTimer()
	st, err := Derive(context.Background(), g, WithCatalog(cat))
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	return st, cpuTime() - start
}

// joinedConditions are the Conditions of a grant to "*" that
// BenchmarkJoinedExceptions measures (joined.go): on the caller's
// organisation (one question per account class, shared by accounts
// alike), its account (per account class), its tags (per class and tag
// values), its ARN (per principal: the worst case).
var joinedConditions = []struct{ name, cond string }{
	{"orgid", `{"StringEquals":{"aws:PrincipalOrgID":"o-bench"}}`},
	{"account", `{"StringEquals":{"aws:PrincipalAccount":"100000000000"}}`},
	{"tag", `{"StringEquals":{"aws:PrincipalTag/team":"red"}}`},
	{"arn", `{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/u0000*"}}`},
}

// noRefusal is an RCP that refuses none of a bucket's actions.
const noRefusal = `{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}`

// BenchmarkJoinedExceptions: exceptionsWorld (5 accounts of 1,000 users,
// 20 public buckets each, an RCP that refuses nobody) whose grants to "*"
// have a Condition on a principal fact. Reports cpu-ns/op, evaluations
// and the exceptPrincipals listed.
func BenchmarkJoinedExceptions(b *testing.B) {
	for _, c := range joinedConditions {
		b.Run(c.name, func(b *testing.B) {
			benchDerive(b, func() *graph.Graph { return exceptionsWorldWith(b, 5, 1000, 20, noRefusal, c.cond) })
		})
	}
}
