package rules

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
)

// BenchmarkSynthPhases measures the Rego phases on the graph of a
// synthetic organisation of 10,000 resources (seed 1) after the IAM
// derivations, as analyze evaluates it: input (the lazy input document:
// sorts and indexes, no entry converted), eval (the built-in checks on a fresh lazy
// document, converting what they read; input + eval is what Evaluate does),
// eval-warm (the same on a document whose entries they read are converted
// already: evaluation alone), and input-eager (converting the whole
// document, what a check that uses a big input object whole makes Evaluate
// pay).
func BenchmarkSynthPhases(b *testing.B) {
	ctx := context.Background()
	in := synthInput(b, "", 10000)
	b.Run("input", func(b *testing.B) {
		b.ReportAllocs()
		start := synthtest.CPUTime()
		for b.Loop() {
			doc, err := newInputDoc(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			doc.converted() // the relationship sort, which Evaluate overlaps with the checks
		}
		synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		ne, nr := in.Graph.Len()
		b.ReportMetric(float64(ne), "entities")
		b.ReportMetric(float64(nr), "relationships")
	})
	eng := builtinEngine(b)
	b.Run("eval", func(b *testing.B) { benchEval(b, eng, in, true) })
	b.Run("eval-warm", func(b *testing.B) { benchEval(b, eng, in, false) })
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

// benchEval measures eng's checks on in: cold, each time on a fresh lazy
// input document (its building, the relationship sort included, not
// measured), so the checks pay for the
// entries they read (reported as converted) and the fields of the
// entities and relationships among them they read (fields); a check
// evaluated again on whole records is reported (reruns); warm, on one document whose
// entries they read are converted already.
func benchEval(b *testing.B, eng *Engine, in Input, cold bool) {
	ctx := context.Background()
	b.ReportAllocs()
	doc, err := newInputDoc(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	doc.converted() // the relationship sort ends before the measured evaluations
	if !cold {
		if _, err := eng.evaluate(ctx, doc, in); err != nil {
			b.Fatal(err)
		}
	}
	var cpu time.Duration
	findings, converted, fields, reruns := 0, 0, int64(0), int64(0)
	for b.Loop() {
		if cold {
			b.StopTimer()
			if doc, err = newInputDoc(ctx, in); err != nil {
				b.Fatal(err)
			}
			doc.converted() // waits for the relationship sort, which is the input's cost
			b.StartTimer()
		}
		start := synthtest.CPUTime()
		res, err := eng.evaluate(ctx, doc, in)
		cpu += synthtest.CPUTime() - start
		if err != nil {
			b.Fatal(err)
		}
		findings = len(res.Findings)
		converted, _ = doc.converted()
		fields, _ = doc.recordCounts()
		reruns = doc.reruns.Load()
	}
	synthtest.ReportCPU(b, cpu)
	b.ReportMetric(float64(findings), "findings")
	if cold {
		b.ReportMetric(float64(converted), "converted")
		b.ReportMetric(float64(fields), "fields")
	}
	if reruns > 0 {
		b.ReportMetric(float64(reruns), "reruns")
	}
}

var checksResources = flag.Int("checks-resources", 10000, "BenchmarkChecks: resources of the synthetic organisation")

// BenchmarkChecks measures each built-in check alone (WithParallelism(1))
// on the graph of a synthetic organisation (-checks-resources, seed 1)
// after the IAM derivations, cold and warm (benchEval).
// docs/performance.md ("Per-check cost") is a table of its output.
func BenchmarkChecks(b *testing.B) {
	in := synthInput(b, "", *checksResources)
	eng := builtinEngine(b, WithParallelism(1))
	for _, c := range eng.checks {
		one := *eng
		one.checks = []check{c}
		b.Run(c.info.ID+"/cold", func(b *testing.B) { benchEval(b, &one, in, true) })
		b.Run(c.info.ID+"/warm", func(b *testing.B) { benchEval(b, &one, in, false) })
	}
}
