package rules

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// BenchmarkSynthPhases measures the Rego phases on the graph of a
// synthetic organisation of 10,000 resources (seed 1) after the IAM
// derivations, as analyze evaluates it: input (the lazy input document:
// indexes, no entity converted), eval (a fresh lazy document and the
// built-in checks on it, converting what they read), eval-warm (the same on a document
// whose entries are converted already: evaluation alone), and input-eager
// (converting the whole document, what a check that uses a big input object
// whole makes Evaluate pay).
func BenchmarkSynthPhases(b *testing.B) {
	ctx := context.Background()
	snap, err := snapshot.Open(synthtest.Snapshot(b, 10000, 1))
	if err != nil {
		b.Fatal(err)
	}
	m := snap.Manifest()
	g, err := model.Build(ctx, snap, model.WithAccounts(m.Accounts...))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := access.Derive(ctx, g); err != nil {
		b.Fatal(err)
	}
	in := Input{Graph: g, Snapshot: SnapshotInfo{Accounts: m.Accounts, Regions: m.Regions, CollectedAt: m.FinishedAt}}
	b.Run("input", func(b *testing.B) {
		b.ReportAllocs()
		start := synthtest.CPUTime()
		for b.Loop() {
			if _, err := newInputDoc(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		ne, nr := g.Len()
		b.ReportMetric(float64(ne), "entities")
		b.ReportMetric(float64(nr), "relationships")
	})
	eng := builtinEngine(b)
	eval := func(b *testing.B, fresh bool) {
		b.ReportAllocs()
		findings := 0
		doc, err := newInputDoc(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if !fresh {
			if _, err := eng.evaluate(ctx, doc, in); err != nil {
				b.Fatal(err)
			}
		}
		start := synthtest.CPUTime()
		for b.Loop() {
			if fresh {
				if doc, err = newInputDoc(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			res, err := eng.evaluate(ctx, doc, in)
			if err != nil {
				b.Fatal(err)
			}
			findings = len(res.Findings)
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		b.ReportMetric(float64(findings), "findings")
	}
	b.Run("eval", func(b *testing.B) { eval(b, true) })
	b.Run("eval-warm", func(b *testing.B) { eval(b, false) })
	b.Run("input-eager", func(b *testing.B) {
		b.ReportAllocs()
		start := synthtest.CPUTime()
		for b.Loop() {
			if _, err := inputValue(in); err != nil {
				b.Fatal(err)
			}
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
	})
}

var checksResources = flag.Int("checks-resources", 10000, "BenchmarkChecks: resources of the synthetic organisation")

// BenchmarkChecks measures each built-in check alone (WithParallelism(1))
// on the graph of a synthetic organisation (-checks-resources, seed 1)
// after the IAM derivations: cold, on a fresh lazy input, so the check pays
// for converting the entries it reads (reported as converted), and warm, on
// an input whose entries it reads are converted already: evaluation alone.
// docs/performance.md ("Per-check cost") is a table of its output.
func BenchmarkChecks(b *testing.B) {
	ctx := context.Background()
	in := synthInput(b, "", *checksResources)
	eng := builtinEngine(b, WithParallelism(1))
	for _, c := range eng.checks {
		one := *eng
		one.checks = []check{c}
		run := func(b *testing.B, cold bool) {
			b.ReportAllocs()
			doc, err := newInputDoc(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			if !cold {
				if _, err := one.evaluate(ctx, doc, in); err != nil {
					b.Fatal(err)
				}
			}
			var cpu time.Duration
			findings, converted := 0, 0
			for b.Loop() {
				if cold {
					b.StopTimer()
					if doc, err = newInputDoc(ctx, in); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				start := synthtest.CPUTime()
				res, err := one.evaluate(ctx, doc, in)
				cpu += synthtest.CPUTime() - start
				if err != nil {
					b.Fatal(err)
				}
				findings = len(res.Findings)
				converted, _ = doc.converted()
			}
			synthtest.ReportCPU(b, cpu)
			b.ReportMetric(float64(findings), "findings")
			if cold {
				b.ReportMetric(float64(converted), "converted")
			}
		}
		b.Run(c.info.ID+"/cold", func(b *testing.B) { run(b, true) })
		b.Run(c.info.ID+"/warm", func(b *testing.B) { run(b, false) })
	}
}
