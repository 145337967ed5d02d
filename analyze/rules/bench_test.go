package rules

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// benchGraph is n security groups (every 10th open to SSH from 0.0.0.0/0)
// and n instances, instance i protected by groups i and i+1 (mod n).
func benchGraph(b *testing.B, n int) *graph.Graph {
	b.Helper()
	g := graph.New()
	sgs := make([]*graph.Entity, n)
	for i := range n {
		cidr := "10.0.0.0/8"
		if i%10 == 0 {
			cidr = "0.0.0.0/0"
		}
		id := fmt.Sprintf("sg-%017d", i)
		sgs[i], _ = g.AddEntity(graph.NewEntity("arn:aws:ec2:eu-west-1:"+acct+":security-group/"+id, "aws_security_group", []string{"Firewall"}, map[string]any{
			"id": id, "name": id, "displayName": id, "accountId": acct, "region": "eu-west-1", "vpcId": "vpc-1",
			"ipPermissions": []any{
				map[string]any{"IpProtocol": "tcp", "FromPort": 22.0, "ToPort": 22.0, "IpRanges": []any{map[string]any{"CidrIp": cidr}}, "Ipv6Ranges": []any{}, "UserIdGroupPairs": []any{}},
				map[string]any{"IpProtocol": "tcp", "FromPort": 443.0, "ToPort": 443.0, "IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}},
			},
			"ipPermissionsEgress": []any{map[string]any{"IpProtocol": "-1", "IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}}},
		}))
	}
	for i := range n {
		id := fmt.Sprintf("i-%017d", i)
		inst, _ := g.AddEntity(graph.NewEntity("arn:aws:ec2:eu-west-1:"+acct+":instance/"+id, "aws_instance", []string{"Host"}, map[string]any{
			"id": id, "name": id, "displayName": id, "accountId": acct, "region": "eu-west-1", "state": "running",
			"instanceType": "t3.micro", "privateIpAddress": "10.0.0.1", "publicIpAddress": nil, "createdOn": int64(1700000000000),
			"tag.Owner": "team-a", "tag.Classification": "internal",
		}))
		for _, sg := range []*graph.Entity{sgs[i], sgs[(i+1)%n]} {
			if err := g.AddRelationship(graph.NewRelationship(sg, "PROTECTS", inst, nil)); err != nil {
				b.Fatal(err)
			}
		}
	}
	return g
}

// BenchmarkEvaluate measures, for 5,000 instances and 5,000 security groups
// with 10,000 PROTECTS edges: converting the whole input document directly
// as terms (convert), the map[string]any + ast.InterfaceToValue alternative
// (convert-via-map), evaluating the built-in checks plus a join check on a
// fresh lazy input, which converts what they read (eval; eval-sequential
// with WithParallelism(1)), and the whole Evaluate call (evaluate).
func BenchmarkEvaluate(b *testing.B) {
	ctx := context.Background()
	g := benchGraph(b, 5000)
	in := Input{Graph: g, Snapshot: SnapshotInfo{Accounts: []string{acct}, Regions: []string{"eu-west-1"}, CollectedAt: collected}}
	eng := builtinEngine(b, WithPolicyDir(filepath.Join("testdata", "bench")))

	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inputValue(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("convert-via-map", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ast.InterfaceToValue(inputMap(in)); err != nil {
				b.Fatal(err)
			}
		}
	})
	seq := builtinEngine(b, WithPolicyDir(filepath.Join("testdata", "bench")), WithParallelism(1))
	for _, bc := range []struct {
		name string
		eng  *Engine
	}{{name: "eval", eng: eng}, {name: "eval-sequential", eng: seq}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				doc, err := newInputDoc(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				res, err := bc.eng.evaluate(ctx, doc, in)
				if err != nil {
					b.Fatal(err)
				}
				checkBenchResult(b, res)
			}
		})
	}
	b.Run("evaluate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			res, err := eng.Evaluate(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			checkBenchResult(b, res)
		}
	})
}

// checkBenchResult guards the benchmark against measuring a broken run:
// 500 open groups fail AWS-EC2-001 and each exposes two instances.
func checkBenchResult(b *testing.B, res *Result) {
	counts := map[string]int{}
	for _, r := range res.Rules {
		counts[r.ID] = r.Fail
	}
	if counts["AWS-EC2-001"] != 500 || counts["BENCH-JOIN-001"] != 1000 {
		b.Fatalf("unexpected FAIL counts %v", counts)
	}
}

// inputMap is the same document as inputValue built as map[string]any, to
// compare against converting it with ast.InterfaceToValue.
func inputMap(in Input) map[string]any {
	entities := map[string]any{}
	types := map[string][]string{}
	classes := map[string][]string{}
	for _, e := range in.Graph.Entities() {
		m := make(map[string]any, e.Len()+3)
		for k, v := range e.Props() {
			m[k] = v
		}
		m["_key"], m["_type"], m["_class"] = e.Key, e.Type, e.Class
		entities[e.Key] = m
		types[e.Type] = append(types[e.Type], e.Key)
		for _, c := range e.Class {
			classes[c] = append(classes[c], e.Key)
		}
	}
	rels := map[string]any{}
	out := map[string]map[string][]any{}
	inb := map[string]map[string][]any{}
	for _, r := range in.Graph.Relationships() {
		m := make(map[string]any, r.Len()+6)
		for k, v := range r.Props() {
			m[k] = v
		}
		m["_key"], m["_type"], m["_class"], m["_fromEntityKey"], m["_toEntityKey"], m["displayName"] = r.Key(), r.Type, r.Class, r.From, r.To, r.Class
		rels[r.Key()] = m
		if out[r.From] == nil {
			out[r.From] = map[string][]any{}
		}
		if inb[r.To] == nil {
			inb[r.To] = map[string][]any{}
		}
		out[r.From][r.Class] = append(out[r.From][r.Class], map[string]any{"key": r.To, "rel": r.Key()})
		inb[r.To][r.Class] = append(inb[r.To][r.Class], map[string]any{"key": r.From, "rel": r.Key()})
	}
	return map[string]any{
		"entities": entities, "types": types, "classes": classes, "relationships": rels,
		"out": out, "in": inb,
		"snapshot": map[string]any{"accounts": in.Snapshot.Accounts, "regions": in.Snapshot.Regions, "collected_at": in.Snapshot.CollectedAt.String()},
		"gaps":     []any{},
	}
}
