package graph

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
)

// BenchmarkRelationships adds the relationships of a graph the way the
// build and the IAM derivation do (per entity: a default-keyed edge to the
// next one, three principal-access edges sharing one property set) and
// sorts them, then reports per relationship the allocations, the CPU
// (cpu-ns, the collector's included) and the live heap the relationships
// and the graph's index of them keep (heap-B/rel): compare those, not the
// wall time, on a shared machine.
func BenchmarkRelationships(b *testing.B) {
	const n = 50000
	ents := make([]*Entity, n)
	for i := range ents {
		ents[i] = &Entity{Key: fmt.Sprintf("arn:aws:ec2:eu-west-1:123456789012:instance/i-%012d", i), Type: "aws_instance"}
	}
	shared := &Props{}
	shared.Set("admin", false)
	build := func() *Graph {
		g := New()
		for _, e := range ents {
			g.AddEntity(e)
		}
		for i, e := range ents {
			if err := g.AddRelationship(NewRelationship(e, "USES", ents[(i+1)%n], nil)); err != nil {
				b.Fatal(err)
			}
			for j := 1; j <= 3; j++ {
				to := ents[(i+j*7)%n]
				if err := g.AddRelationship(NewKeyedRelationship("aws_principal_access", "ALLOWS", e.Key, "access", to.Key, "", shared)); err != nil {
					b.Fatal(err)
				}
			}
		}
		g.Relationships()
		return g
	}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	g := build()
	runtime.GC()
	runtime.ReadMemStats(&m1)
	_, rels := g.Len()
	runtime.KeepAlive(g)
	g = nil
	b.ReportAllocs()
	start := synthtest.CPUTime()
	for b.Loop() {
		build()
	}
	used := synthtest.CPUTime() - start
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N)/float64(rels), "cpu-ns/rel")
	b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/float64(rels), "heap-B/rel")
}

// BenchmarkSort sorts the entities and relationships of a graph like the
// IAM derivation's first call of Relationships (entities of 1,000,000
// resources share long ARN prefixes): per relationship, the CPU (cpu-ns,
// the collector's included) and the allocations.
func BenchmarkSort(b *testing.B) {
	const n = 50000
	g := New()
	ents := make([]*Entity, n)
	for i := range ents {
		ents[i], _ = g.AddEntity(&Entity{Key: fmt.Sprintf("arn:aws:iam::123456789012:role/r-%d", (i*7919)%n), Type: "aws_iam_role"})
	}
	for i, e := range ents {
		for j := 1; j <= 4; j++ {
			verb := []string{"USES", "HAS"}[j%2]
			if err := g.AddRelationship(NewRelationship(e, verb, ents[(i+j*7)%n], nil)); err != nil {
				b.Fatal(err)
			}
		}
	}
	_, rels := g.Len()
	b.ReportAllocs()
	start := synthtest.CPUTime()
	for b.Loop() {
		g.sorted, g.entSorted, g.entSortedN = nil, nil, nil
		g.Relationships()
	}
	used := synthtest.CPUTime() - start
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N)/float64(rels), "cpu-ns/rel")
}
