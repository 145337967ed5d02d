package access

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// indexWorld has 200 buckets, 200 instances in two regions, 100 tables
// and 50 functions in one account, 50 buckets-worth of instances in another.
func indexWorld(t testing.TB) *graph.Graph {
	w := newWorld(t)
	for i := range 200 {
		w.bucket(fmt.Sprintf("bucket-%03d", i), "")
		region := []string{"eu-west-1", "us-east-1"}[i%2]
		arn := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-%017d", region, acct, i)
		w.add(arn, "aws_instance", "Host", map[string]any{"arn": arn})
	}
	for i := range 100 {
		arn := fmt.Sprintf("arn:aws:dynamodb:eu-west-1:%s:table/orders-%02d", acct, i)
		w.add(arn, "aws_dynamodb_table", "DataStore", map[string]any{"arn": arn})
	}
	for i := range 50 {
		arn := fmt.Sprintf("arn:aws:lambda:eu-west-1:%s:function:fn-%02d", acct, i)
		w.add(arn, "aws_lambda_function", "Function", map[string]any{"arn": arn})
		arn = fmt.Sprintf("arn:aws:ec2:eu-west-1:%s:instance/i-x%016d", other, i)
		w.add(arn, "aws_instance", "Host", map[string]any{"arn": arn})
	}
	return w.g
}

func TestResourceIndexMatch(t *testing.T) {
	g := indexWorld(t)
	ix := newResourceIndex(g)
	tests := []struct {
		name     string
		pattern  string
		want     []string // keys; nil to check only the count
		count    int
		requests []string // the request resources, aligned with want
		// maxVisits bounds the candidates the index may examine.
		maxVisits int
	}{
		{name: "exact bucket", pattern: "arn:aws:s3:::bucket-007", want: []string{"arn:aws:s3:::bucket-007"}, requests: []string{"arn:aws:s3:::bucket-007"}, maxVisits: 1},
		{name: "objects of a bucket reach the bucket", pattern: "arn:aws:s3:::bucket-007/*",
			want: []string{"arn:aws:s3:::bucket-007"}, requests: []string{"arn:aws:s3:::bucket-007/*"}, maxVisits: 2},
		{name: "prefix wildcard", pattern: "arn:aws:s3:::bucket-01*", count: 10, maxVisits: 20},
		{name: "every bucket", pattern: "arn:aws:s3:::*", count: 200, maxVisits: 400},
		{name: "every bucket's objects", pattern: "arn:aws:s3:::*/*", count: 200, maxVisits: 400},
		{name: "question mark", pattern: "arn:aws:s3:::bucket-00?", count: 10, maxVisits: 10},
		{name: "region wildcard stays in the account and service", pattern: "arn:aws:ec2:*:" + acct + ":instance/*", count: 200, maxVisits: 200},
		{name: "one region", pattern: "arn:aws:ec2:us-east-1:" + acct + ":instance/*", count: 100, maxVisits: 200},
		{name: "account wildcard", pattern: "arn:aws:ec2:eu-west-1:*:instance/*", count: 150, maxVisits: 250},
		{name: "dynamodb index reaches its table", pattern: "arn:aws:dynamodb:eu-west-1:" + acct + ":table/orders-05/index/*",
			want: []string{"arn:aws:dynamodb:eu-west-1:" + acct + ":table/orders-05"}, requests: []string{"arn:aws:dynamodb:eu-west-1:" + acct + ":table/orders-05/index/*"}, maxVisits: 2},
		{name: "qualified lambda reaches its function", pattern: "arn:aws:lambda:eu-west-1:" + acct + ":function:fn-01:*",
			count: 1, maxVisits: 30},
		{name: "policy variable matches like a wildcard", pattern: "arn:aws:s3:::bucket-${aws:username}", count: 200, maxVisits: 200},
		{name: "other service untouched", pattern: "arn:aws:sqs:*:*:*", count: 0, maxVisits: 0},
		{name: "not an ARN", pattern: "bucket-001", count: 0, maxVisits: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			visits := 0
			hits := ix.match(tc.pattern, func() { visits++ })
			if visits > tc.maxVisits {
				t.Errorf("examined %d candidates, want at most %d (index %d resources)", visits, tc.maxVisits, ix.n)
			}
			if tc.want != nil {
				var keys, reqs []string
				for _, h := range hits {
					keys = append(keys, h.e.Key)
					reqs = append(reqs, h.request)
				}
				if diff := cmp.Diff(tc.want, keys); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.requests, reqs); diff != "" {
					t.Errorf("requests (-want +got):\n%s", diff)
				}
				return
			}
			if len(hits) != tc.count {
				t.Errorf("%d hits, want %d", len(hits), tc.count)
			}
		})
	}
}
