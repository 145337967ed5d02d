package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// benchWorld copies the basic world and grows it: n buckets (half in
// eu-west-1) and n instances in one DescribeInstances page per region.
func benchWorld(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "world")
	err := os.CopyFS(dir, os.DirFS(basicWorld))
	if err != nil {
		b.Fatal(err)
	}
	// Per-bucket and paged fixtures of the basic world name its own buckets
	// and pages; drop them so the generated ones answer.
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(d.Name(), "@Bucket=") || strings.Contains(d.Name(), "#")) {
			return os.Remove(path)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}

	var world map[string]any
	raw, err := os.ReadFile(filepath.Join(dir, "world.json"))
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &world); err != nil {
		b.Fatal(err)
	}
	buckets := map[string]string{}
	var lb strings.Builder
	lb.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets>`)
	for i := range n {
		name := fmt.Sprintf("bench-bucket-%05d", i)
		buckets[name] = []string{"us-east-1", "eu-west-1"}[i%2]
		fmt.Fprintf(&lb, "<Bucket><Name>%s</Name><CreationDate>2025-01-01T00:00:00.000Z</CreationDate></Bucket>", name)
	}
	lb.WriteString("</Buckets></ListAllMyBucketsResult>\n")
	world["buckets"] = buckets
	raw, err = json.Marshal(world)
	if err != nil {
		b.Fatal(err)
	}

	var di strings.Builder
	di.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet>`)
	for i := range n {
		fmt.Fprintf(&di, "<item><reservationId>r-%017x</reservationId><ownerId>123456789012</ownerId><instancesSet><item>"+
			"<instanceId>i-%017x</instanceId><imageId>ami-0abcdef1234567890</imageId>"+
			"<instanceState><code>16</code><name>running</name></instanceState><instanceType>t3.micro</instanceType>"+
			"<subnetId>subnet-0a1b2c3d4e5f60001</subnetId><vpcId>vpc-0a1b2c3d4e5f60001</vpcId>"+
			"<tagSet><item><key>Name</key><value>bench-%d</value></item></tagSet></item></instancesSet></item>", i, i, i)
	}
	di.WriteString("</reservationSet></DescribeInstancesResponse>\n")

	for path, body := range map[string]string{
		"world.json":                          string(raw),
		"s3/global/ListBuckets.xml":           lb.String(),
		"ec2/us-east-1/DescribeInstances.xml": di.String(),
		"ec2/eu-west-1/DescribeInstances.xml": di.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, path), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// CountWriter discards rows, counting them (exported like PeakHeap).
type CountWriter struct{ rows, bytes atomic.Int64 }

// Rows is how many rows were written.
func (w *CountWriter) Rows() int64 { return w.rows.Load() }

func (w *CountWriter) Write(_ context.Context, r snapshot.Row) error {
	w.rows.Add(1)
	w.bytes.Add(int64(len(r.Response) + len(r.Params)))
	return nil
}

// PeakHeap samples the live heap until stop is closed. (Exported for the
// benchmarks of the external test package, latency_bench_test.go.)
func PeakHeap(stop <-chan struct{}) <-chan uint64 {
	res := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				res <- peak
				return
			case <-t.C:
			}
		}
	}()
	return res
}

// BenchmarkCollect runs a whole collection against the fake: n buckets
// (9 per-bucket calls each, routed to two regions) and n instances per
// region. Reports rows/s and the peak live heap (MB).
func BenchmarkCollect(b *testing.B) {
	for _, n := range []int{100, 1000} {
		for _, sink := range []string{"discard", "snapshot"} {
			b.Run(fmt.Sprintf("n=%d/%s", n, sink), func(b *testing.B) {
				world := benchWorld(b, n)
				srv := fakeaws.New(b, fakeaws.LoadWorld(b, world))
				IsolateBenchEnv(b)
				cfg, err := LoadConfig(b.Context(), ConfigOptions{Region: "us-east-1", EndpointURL: srv.URL(),
					MaxAttempts: 3, NoBackoff: true})
				if err != nil {
					b.Fatal(err)
				}
				opts := []Option{WithPollInterval(0), WithConcurrency(8), WithRedactionKey([]byte("k"))}
				var rows int64
				stop := make(chan struct{})
				peak := PeakHeap(stop)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					switch sink {
					case "discard":
						w := &CountWriter{}
						if _, err := New(cfg, opts...).Run(b.Context(), w); err != nil {
							b.Fatal(err)
						}
						rows += w.rows.Load()
					case "snapshot":
						m, _, err := Snapshot(b.Context(), filepath.Join(b.TempDir(), fmt.Sprint(i)), cfg, nil, opts...)
						if err != nil {
							b.Fatal(err)
						}
						rows += m.TotalRows()
					}
				}
				b.StopTimer()
				close(stop)
				b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MB")
			})
		}
	}
}

// IsolateBenchEnv (exported like PeakHeap) keeps the developer's AWS settings out of the benchmark
// and gives it static keys through the environment.
func IsolateBenchEnv(b *testing.B) {
	dir := b.TempDir()
	for k, v := range map[string]string{"AWS_CONFIG_FILE": dir + "/c", "AWS_SHARED_CREDENTIALS_FILE": dir + "/k",
		"AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": ""} {
		b.Setenv(k, v)
	}
}
