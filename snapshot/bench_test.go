package snapshot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
)

// benchRows produces row i of a synthetic collection: parts partitions,
// responses drawn from a pool of pre-built ~respBytes JSON documents so the
// benchmark itself holds little memory.
type benchRows struct {
	parts int
	pool  []string
}

func newBenchRows(parts, respBytes int) *benchRows {
	rng := rand.New(rand.NewPCG(42, 43))
	b := &benchRows{parts: parts}
	for range 512 {
		b.pool = append(b.pool, fakeResponse(rng, respBytes))
	}
	return b
}

func (b *benchRows) row(i int) Row {
	p, j := i%b.parts, i/b.parts
	inv := j / 4 // four pages per invocation
	return Row{
		AccountID:   []string{"111122223333", "444455556666"}[inv%2],
		Region:      []string{"us-east-1", "eu-west-1", "ap-southeast-2"}[inv%3],
		Service:     fmt.Sprintf("svc%02d", p%10),
		Operation:   fmt.Sprintf("Operation%02d", p),
		ParentKey:   fmt.Sprintf("parent-%07d", inv),
		Params:      `{"MaxResults":1000}`,
		Page:        int32(j % 4),
		Status:      StatusOK,
		Response:    b.pool[(i*7919)%len(b.pool)],
		CollectedAt: baseTime,
	}
}

// BenchmarkWriter writes rows of ~2 KiB across 50 partitions from 4
// goroutines and commits. SetBytes counts row bytes (strings), so MB/s is
// end-to-end throughput of validation, buffering, spilling, merging, zstd
// and hashing. Run the big case with -benchtime=1x.
func BenchmarkWriter(b *testing.B) {
	cases := []struct {
		name   string
		rows   int
		budget int64
	}{
		{name: "20k_rows_2KiB_50parts_budget_4MiB", rows: 20_000, budget: 4 << 20},
		{name: "200k_rows_2KiB_50parts_budget_16MiB", rows: 200_000, budget: 16 << 20},
		{name: "200k_rows_2KiB_50parts_budget_64MiB", rows: 200_000, budget: 64 << 20},
	}
	src := newBenchRows(50, 2000)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var rowBytes int64
			for i := range c.rows {
				r := src.row(i)
				f := r.toFile()
				rowBytes += f.size() - fileRowOverhead
			}
			b.SetBytes(rowBytes)
			b.ReportAllocs()
			var runs int
			var peak, out int64
			for b.Loop() {
				dir := filepath.Join(b.TempDir(), "snap")
				w, err := Create(dir, WithMemoryBudget(c.budget))
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				const g = 4
				var wg sync.WaitGroup
				for k := range g {
					wg.Go(func() {
						for i := k; i < c.rows; i += g {
							if err := w.Write(ctx, src.row(i)); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				m, err := w.Commit(ctx, fixedMeta)
				if err != nil {
					b.Fatal(err)
				}
				runs, peak, out = w.runSeq, w.peak, m.TotalBytes()
			}
			b.ReportMetric(float64(runs), "spill-runs")
			b.ReportMetric(float64(peak)/(1<<20), "peak-buffered-MiB")
			b.ReportMetric(float64(out)/(1<<20), "output-MiB")
		})
	}
}

// BenchmarkRows reads back a 20k-row snapshot through Snapshot.Rows.
func BenchmarkRows(b *testing.B) {
	src := newBenchRows(50, 2000)
	rows := make([]Row, 20_000)
	var rowBytes int64
	for i := range rows {
		rows[i] = src.row(i)
		f := rows[i].toFile()
		rowBytes += f.size() - fileRowOverhead
	}
	dir := filepath.Join(b.TempDir(), "snap")
	writeAll(b, dir, rows, 4)
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(rowBytes)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, p := range s.Partitions() {
			if err := s.Rows(context.Background(), p.Service, p.Operation, func(Row) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		if n != len(rows) {
			b.Fatalf("read %d rows, want %d", n, len(rows))
		}
	}
}

// BenchmarkVerify verifies a 20k-row snapshot (hashes, footers, member
// kinds); MB/s is over the data files' bytes.
func BenchmarkVerify(b *testing.B) {
	src := newBenchRows(50, 2000)
	rows := make([]Row, 20_000)
	for i := range rows {
		rows[i] = src.row(i)
	}
	dir := filepath.Join(b.TempDir(), "snap")
	_, m := writeAll(b, dir, rows, 4)
	b.SetBytes(m.TotalBytes())
	for b.Loop() {
		if _, err := Verify(context.Background(), dir); err != nil {
			b.Fatal(err)
		}
	}
}
