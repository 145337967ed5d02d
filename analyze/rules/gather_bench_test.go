package rules

import (
	"fmt"
	"testing"
	"unsafe"
)

// BenchmarkGather gathers 600,000 findings of 17 checks (AWS-TAG-001's
// share, 292,000, in one), the shape of the 1,000,000-resource synthetic
// organisation's, into the Result. B/op is the Result's findings slice;
// found-B and Finding-B are what one finding holds while the checks run
// and in the Result.
func BenchmarkGather(b *testing.B) {
	const total, checks, big = 600_000, 17, 292_000
	e := &Engine{}
	for i := range checks {
		e.checks = append(e.checks, check{info: RuleInfo{ID: fmt.Sprintf("AWS-X-%03d", i), Title: "t", Severity: "low",
			Frameworks: []string{"CIS"}, Remediation: "r"}})
	}
	sizes := make([]int, checks)
	sizes[0] = big
	for i := 1; i < checks; i++ {
		sizes[i] = (total - big) / (checks - 1)
	}
	perCheck := func() [][]found {
		per := make([][]found, checks)
		for i, n := range sizes {
			per[i] = make([]found, n)
			for j := range per[i] {
				per[i][j] = found{key: "arn:aws:s3:::b", typ: "aws_s3_bucket", account: "111122223333", region: "eu-west-1",
					message: "m", status: statusCode(j % 3)}
			}
		}
		return per
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		per := perCheck()
		b.StartTimer()
		if res := e.gather(per); len(res.Findings) != sizes[0]+(checks-1)*sizes[1] {
			b.Fatalf("%d findings gathered", len(res.Findings))
		}
	}
	b.ReportMetric(float64(unsafe.Sizeof(found{})), "found-B")
	b.ReportMetric(float64(unsafe.Sizeof(Finding{})), "Finding-B")
}
