package collect

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestClassicELBTagsBatched: classic DescribeTags takes up to 20 names, so
// 45 load balancers listed in two pages (25 + 20) are 3 requests, batches
// of 20, 5 and 20 that never span a page, each answered for all its names
// (the real SDK client against fakeaws, query protocol:
// LoadBalancerNames.member.N), and each batch is one row keyed by its names.
func TestClassicELBTagsBatched(t *testing.T) {
	const ns = `xmlns="http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/"`
	name := func(i int) string { return fmt.Sprintf("lb-%02d", i) }
	list := func(from, to int, next string) string {
		var b strings.Builder
		b.WriteString(`<DescribeLoadBalancersResponse ` + ns + `><DescribeLoadBalancersResult><LoadBalancerDescriptions>`)
		for i := from; i < to; i++ {
			b.WriteString(`<member><LoadBalancerName>` + name(i) + `</LoadBalancerName></member>`)
		}
		b.WriteString(`</LoadBalancerDescriptions>`)
		if next != "" {
			b.WriteString(`<NextMarker>` + next + `</NextMarker>`)
		}
		b.WriteString(`</DescribeLoadBalancersResult></DescribeLoadBalancersResponse>`)
		return b.String()
	}
	tags := func(from, to int) string {
		var b strings.Builder
		b.WriteString(`<DescribeTagsResponse ` + ns + `><DescribeTagsResult><TagDescriptions>`)
		for i := from; i < to; i++ {
			b.WriteString(`<member><LoadBalancerName>` + name(i) + `</LoadBalancerName><Tags><member><Key>Owner</Key><Value>team-` +
				name(i) + `</Value></member></Tags></member>`)
		}
		b.WriteString(`</TagDescriptions></DescribeTagsResult></DescribeTagsResponse>`)
		return b.String()
	}
	batches := [][2]int{{0, 20}, {20, 25}, {25, 45}}
	files := map[string]string{
		"world.json": `{"account_id": "123456789012", "caller_arn": "arn:aws:iam::123456789012:user/auditor", "regions": ["us-east-1"]}`,
		"elasticloadbalancing/us-east-1/DescribeLoadBalancers.xml":        list(0, 25, "page-2"),
		"elasticloadbalancing/us-east-1/DescribeLoadBalancers#page-2.xml": list(25, 45, ""),
	}
	for _, b := range batches {
		files["elasticloadbalancing/us-east-1/DescribeTags@LoadBalancerNames.member.1="+name(b[0])+".xml"] = tags(b[0], b[1])
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, writeWorld(t, files)))
	calls := slices.DeleteFunc(Registry(), func(c Call) bool {
		return c.Service != "elasticloadbalancing" && c.Name() != callerIdentityCall && c.Name() != regionsCall
	})
	w := &memWriter{}
	if _, err := New(fakeConfig(t, srv, nil), testOpts(WithCalls(calls))...).Run(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	var asked [][]string
	for _, r := range srv.Requests() {
		if r.Operation != "DescribeTags" {
			continue
		}
		var names []string
		for i := 1; r.Params[fmt.Sprintf("LoadBalancerNames.member.%d", i)] != ""; i++ {
			names = append(names, r.Params[fmt.Sprintf("LoadBalancerNames.member.%d", i)])
		}
		asked = append(asked, names)
	}
	slices.SortFunc(asked, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	rows := findRows(w.rows, "elasticloadbalancing", "DescribeTags", "us-east-1")
	slices.SortFunc(rows, func(a, b snapshot.Row) int { return strings.Compare(a.ParentKey, b.ParentKey) })
	if len(asked) != len(batches) || len(rows) != len(batches) {
		t.Fatalf("%d DescribeTags requests %q and %d rows, want %d batches", len(asked), asked, len(rows), len(batches))
	}
	for i, b := range batches {
		var want []string
		for j := b[0]; j < b[1]; j++ {
			want = append(want, name(j))
		}
		if !slices.Equal(asked[i], want) {
			t.Errorf("request %d asked for %q, want %q", i, asked[i], want)
		}
		if rows[i].ParentKey != strings.Join(want, "\n") {
			t.Errorf("row %d parent key %q, want the batch's names", i, rows[i].ParentKey)
		}
		var out struct {
			TagDescriptions []struct{ LoadBalancerName string }
		}
		if err := json.Unmarshal([]byte(rows[i].Response), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.TagDescriptions) != len(want) {
			t.Errorf("row %d holds %d load balancers' tags, want %d", i, len(out.TagDescriptions), len(want))
		}
	}
}
