package collect

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
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
