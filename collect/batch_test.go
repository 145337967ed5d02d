package collect

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
)

func TestBatchedKeys(t *testing.T) {
	page := func(arns ...string) *ecs.ListServicesOutput { return &ecs.ListServicesOutput{ServiceArns: arns} }
	tests := []struct {
		name   string
		keys   Keys
		page   *ecs.ListServicesOutput
		parent string
		want   []string
	}{
		{"empty page: no batch", batchesAt[ecs.ListServicesOutput]("ServiceArns[]", 2), page(), "", nil},
		{"one short batch", batchesAt[ecs.ListServicesOutput]("ServiceArns[]", 2), page("a"), "", []string{"a"}},
		{"full batches then the rest", batchesAt[ecs.ListServicesOutput]("ServiceArns[]", 2), page("a", "b", "c", "d", "e"), "",
			[]string{"a\nb", "c\nd", "e"}},
		{"empty keys dropped", batchesAt[ecs.ListServicesOutput]("ServiceArns[]", 2), page("a", "", "b"), "", []string{"a\nb"}},
		{"scoped: the parent key leads each batch", scopedBatchesAt[ecs.ListServicesOutput]("ServiceArns[]", 2), page("a", "b", "c"),
			"cluster/prod", []string{"cluster/prod\na\nb", "cluster/prod\nc"}},
		{"scoped, empty page: no batch", scopedBatchesAt[ecs.ListServicesOutput]("ServiceArns[]", 2), page(), "cluster/prod", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, it := range tt.keys.fn(tt.parent, tt.page) {
				got = append(got, it.Key)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("batches %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBatchInputs(t *testing.T) {
	tests := []struct {
		name        string
		key         string
		wantCluster string
		wantARNs    []string
	}{
		{"scope and keys", "c\na\nb", "c", []string{"a", "b"}},
		{"scope alone", "c", "c", nil},
	}
	build := scopedBatchInput(func(in *ecs.DescribeServicesInput, cluster string, arns []string) {
		in.Cluster, in.Services = &cluster, arns
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := build(tt.key)
			if *in.Cluster != tt.wantCluster || !slices.Equal(in.Services, tt.wantARNs) {
				t.Errorf("cluster %q services %q, want %q %q", *in.Cluster, in.Services, tt.wantCluster, tt.wantARNs)
			}
		})
	}
	plain := batchInput(func(in *ecs.DescribeClustersInput, arns []string) { in.Clusters = arns })
	if got := plain("a\nb").Clusters; !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("clusters %q, want [a b]", got)
	}
}

// TestBatchedCallsOverFakeAWS runs the real ECS client against the fake
// endpoint: 153 clusters in two list pages are described in three requests
// (100 and 50 from the first page, 3 from the second; a batch never spans
// pages), and the 12 services of one cluster in two requests that name the
// cluster. Each row's parent key is its batch.
func TestBatchedCallsOverFakeAWS(t *testing.T) {
	const acct = "210987654321"
	arn := func(kind string, i int) string {
		return fmt.Sprintf("arn:aws:ecs:us-east-1:%s:%s/c%03d", acct, kind, i)
	}
	var page1, page2, services []string
	for i := range 153 {
		if i < 150 {
			page1 = append(page1, arn("cluster", i))
		} else {
			page2 = append(page2, arn("cluster", i))
		}
	}
	for i := range 12 {
		services = append(services, arn("service", i))
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	files := map[string]string{
		"world.json":                         `{"account_id": "` + acct + `", "caller_arn": "arn:aws:iam::` + acct + `:user/auditor", "regions": ["us-east-1"]}`,
		"ecs/us-east-1/ListClusters.json":    `{"clusterArns": ` + js(page1) + `, "nextToken": "p2"}`,
		"ecs/us-east-1/ListClusters#p2.json": `{"clusterArns": ` + js(page2) + `}`,
		"ecs/us-east-1/ListServices@cluster=" + url.QueryEscape(page1[7]) + ".json": `{"serviceArns": ` + js(services) + `}`,
	}
	var calls []Call
	for _, c := range Registry() {
		switch c.Name() {
		case callerIdentityCall, regionsCall, "ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListServices", "ecs:DescribeServices":
			calls = append(calls, c)
		}
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, writeWorld(t, files)))
	w := &memWriter{}
	if _, err := New(fakeConfig(t, srv, nil), testOpts(WithCalls(calls))...).Run(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	batchOf := func(r fakeaws.Request, param string) []string {
		var l []string
		if err := json.Unmarshal([]byte(r.Params[param]), &l); err != nil {
			t.Fatalf("%s %s %q: %v", r.Operation, param, r.Params[param], err)
		}
		return l
	}
	var described [][]string
	var svcBatches [][]string
	for _, r := range srv.Requests() {
		switch r.Operation {
		case "DescribeClusters":
			described = append(described, batchOf(r, "clusters"))
		case "DescribeServices":
			if r.Params["cluster"] != page1[7] {
				t.Errorf("DescribeServices for cluster %q, want %s", r.Params["cluster"], page1[7])
			}
			svcBatches = append(svcBatches, batchOf(r, "services"))
		}
	}
	sortBatches := func(b [][]string) {
		slices.SortFunc(b, func(x, y []string) int { return strings.Compare(x[0], y[0]) })
	}
	sortBatches(described)
	sortBatches(svcBatches)
	if want := [][]string{page1[:100], page1[100:], page2}; !slices.EqualFunc(described, want, slices.Equal) {
		t.Errorf("DescribeClusters batches of sizes %v, want 100, 50, 3 in list order", lens(described))
	}
	if want := [][]string{services[:10], services[10:]}; !slices.EqualFunc(svcBatches, want, slices.Equal) {
		t.Errorf("DescribeServices batches of sizes %v, want 10, 2", lens(svcBatches))
	}
	var keys []string
	for _, r := range findRows(w.rows, "ecs", "DescribeServices", "us-east-1") {
		keys = append(keys, r.ParentKey)
	}
	slices.Sort(keys)
	want := []string{page1[7] + "\n" + strings.Join(services[:10], "\n"), page1[7] + "\n" + strings.Join(services[10:], "\n")}
	if !slices.Equal(keys, want) {
		t.Errorf("DescribeServices parent keys %q, want %q", keys, want)
	}
}

func lens(b [][]string) []int {
	var n []int
	for _, x := range b {
		n = append(n, len(x))
	}
	return n
}
