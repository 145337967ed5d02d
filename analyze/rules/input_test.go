package rules

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/policies"
)

// TestInputMatchesLibBuildInput checks the contract auditors rely on: the
// input a _test.rego builds with lib.build_input has the same entities,
// indexes and adjacency as the one the engine builds from a graph.
func TestInputMatchesLibBuildInput(t *testing.T) {
	ctx := context.Background()
	g := testGraph(t)
	// A second edge of the same verb from the same entity checks list order.
	extra := graph.NewEntity("arn:aws:ec2:eu-west-1:111122223333:volume/vol-0", "aws_ebs_volume", []string{"DataStore", "Disk"}, map[string]any{"accountId": acct, "region": "eu-west-1"})
	g.AddEntity(extra)
	if err := g.AddRelationship(graph.NewRelationship(g.Entity("arn:aws:ec2:eu-west-1:111122223333:instance/i-1"), "USES", extra, nil)); err != nil {
		t.Fatal(err)
	}
	// A placeholder: in types and classes, not in resource_types and
	// resource_classes.
	g.AddEntity(graph.NewEntity("arn:aws:iam::999988887777:root", "aws_account", []string{"Account"}, map[string]any{"_source": "system-mapper", "external": true}))
	g.AddEntity(graph.NewEntity("arn:aws:iam::111122223333:root", "aws_account", []string{"Account"}, map[string]any{"accountId": acct}))
	val, err := inputValue(Input{Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	// The same graph as plain JSON lists, as a test author would write it.
	doc := g.Document()
	var plain struct {
		Entities      []any `json:"entities"`
		Relationships []any `json:"relationships"`
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	lib, err := readPolicy("lib/lib.rego")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(
		rego.Module("lib.rego", lib),
		rego.Query("x := data.lib.build_input(input.entities, input.relationships)"),
		rego.Input(map[string]any{"entities": plain.Entities, "relationships": plain.Relationships}),
	).Eval(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("eval build_input: %v (%d results)", err, len(rs))
	}
	built, err := ast.InterfaceToValue(rs[0].Bindings["x"])
	if err != nil {
		t.Fatal(err)
	}
	engine := val.(ast.Object)
	for _, field := range []string{"entities", "types", "classes", "resource_types", "resource_classes", "relationships", "out", "in"} {
		t.Run(field, func(t *testing.T) {
			want := built.(ast.Object).Get(ast.StringTerm(field))
			got := engine.Get(ast.StringTerm(field))
			if want == nil || got == nil {
				t.Fatalf("missing field: lib %v, engine %v", want, got)
			}
			if got.Value.Compare(want.Value) != 0 {
				t.Errorf("engine input.%s differs from lib.build_input:\nengine: %v\nlib:    %v", field, got, want)
			}
		})
	}
	// Both sides must actually hold the data (a vacuous match proves nothing).
	accounts := func(index string) int {
		return engine.Get(ast.StringTerm(index)).Value.(ast.Object).Get(ast.StringTerm("aws_account")).Value.(*ast.Array).Len()
	}
	if all, res := accounts("types"), accounts("resource_types"); all != 2 || res != 1 {
		t.Errorf("input.types has %d accounts, resource_types %d: want 2 and 1 (one is a placeholder)", all, res)
	}
	if n := engine.Get(ast.StringTerm("out")).Value.(ast.Object).Len(); n != 3 {
		t.Errorf("input.out has %d keys, want 3 (sg-open, sg-closed, i-1)", n)
	}
}

// inputValue is the fully converted input document of in (what checks that
// use a lazy object whole read); an entry that fails to convert is an error.
func inputValue(in Input) (ast.Value, error) {
	d, err := newInputDoc(context.Background(), in)
	if err != nil {
		return nil, err
	}
	v := d.eager()
	return v, d.buildErr()
}

func readPolicy(p string) (string, error) {
	b, err := policies.FS.ReadFile(p)
	return string(b), err
}

func TestInputSnapshotAndGaps(t *testing.T) {
	val, err := inputValue(Input{
		Snapshot: SnapshotInfo{Accounts: []string{"222233334444", acct}, Regions: []string{"us-east-1", "eu-west-1"}, CollectedAt: collected},
		Gaps: []Gap{
			{ResourceType: "aws_s3_bucket", AccountID: acct, Region: "global", Service: "s3", Operation: "ListBuckets", Reason: "denied"},
			{ResourceType: "aws_ebs_volume", AccountID: acct, Region: "eu-west-1", Service: "ec2", Operation: "DescribeVolumes", Reason: "throttled"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ast.MustParseTerm(`{
		"entities": {}, "types": {}, "classes": {}, "resource_types": {}, "resource_classes": {},
		"relationships": {}, "out": {}, "in": {},
		"snapshot": {"accounts": ["111122223333", "222233334444"], "regions": ["eu-west-1", "us-east-1"], "collected_at": "2025-03-14T09:26:53Z"},
		"gaps": [
			{"resource_type": "aws_ebs_volume", "account_id": "111122223333", "region": "eu-west-1", "service": "ec2", "operation": "DescribeVolumes", "reason": "throttled"},
			{"resource_type": "aws_s3_bucket", "account_id": "111122223333", "region": "global", "service": "s3", "operation": "ListBuckets", "reason": "denied"}
		]
	}`)
	if val.Compare(want.Value) != 0 {
		t.Errorf("input:\n got %v\nwant %v", val, want)
	}
}

func TestPropertyValue(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string // Rego term text
	}{
		{name: "string", in: "x", want: `"x"`},
		{name: "float", in: 22.0, want: `22`},
		{name: "int64", in: int64(1700000000000), want: `1700000000000`},
		{name: "nil", in: nil, want: `null`},
		{name: "strings", in: []string{"a", "b"}, want: `["a", "b"]`},
		{name: "nested", in: map[string]any{"IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}, "FromPort": nil}, want: `{"FromPort": null, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}`},
		{name: "typed slice via JSON", in: []map[string]string{{"Key": "Owner"}}, want: `[{"Key": "Owner"}]`},
		{name: "int32", in: int32(3389), want: `3389`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newConverter().value(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if want := ast.MustParseTerm(tc.want); got.Compare(want.Value) != 0 {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestDisallowedBuiltins(t *testing.T) {
	all := ast.CapabilitiesForThisVersion()
	caps := Capabilities()
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("AllowNet = %#v, want an empty, non-nil list (nil means every host)", caps.AllowNet)
	}
	kept := map[string]bool{}
	for _, b := range caps.Builtins {
		kept[b.Name] = true
	}
	known := map[string]bool{}
	for _, b := range all.Builtins {
		known[b.Name] = true
	}
	tests := []struct {
		name    string
		builtin string
		kept    bool
	}{
		{name: "http.send removed", builtin: "http.send", kept: false},
		{name: "net.lookup_ip_addr removed", builtin: "net.lookup_ip_addr", kept: false},
		{name: "opa.runtime removed", builtin: "opa.runtime", kept: false},
		{name: "time.now_ns kept (pinned by EvalTime)", builtin: "time.now_ns", kept: true},
		{name: "json.unmarshal kept", builtin: "json.unmarshal", kept: true},
		{name: "glob.match kept", builtin: "glob.match", kept: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if kept[tc.builtin] != tc.kept {
				t.Errorf("%s kept = %v, want %v", tc.builtin, kept[tc.builtin], tc.kept)
			}
		})
	}
	t.Run("every disallowed name exists in this OPA", func(t *testing.T) {
		for _, n := range disallowedBuiltins {
			if !known[n] {
				t.Errorf("%s is not a builtin of this OPA version: drop it from disallowedBuiltins", n)
			}
		}
	})
	t.Run("every non-deterministic builtin is reviewed", func(t *testing.T) {
		for _, b := range all.Builtins {
			if b.Nondeterministic && !slices.Contains(disallowedBuiltins, b.Name) && !slices.Contains(clockBuiltins, b.Name) {
				t.Errorf("OPA marks %s non-deterministic: add it to disallowedBuiltins or, if only the clock matters, clockBuiltins", b.Name)
			}
		}
	})
}

func TestRegistries(t *testing.T) {
	keys := make([]string, len(configChecks))
	for i, c := range configChecks {
		keys[i] = c.key
	}
	tests := []struct {
		name string
		list []string
	}{
		{name: "configChecks keys", list: keys},
		{name: "disallowedBuiltins", list: disallowedBuiltins},
		{name: "clockBuiltins", list: clockBuiltins},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.list) == 0 {
				t.Fatal("empty")
			}
			if !slices.IsSorted(tc.list) || len(slices.Compact(slices.Clone(tc.list))) != len(tc.list) {
				t.Errorf("%v must be sorted and unique", tc.list)
			}
		})
	}
	if got := Severities(); !slices.Equal(got, []string{"critical", "high", "medium", "low", "info"}) {
		t.Errorf("Severities() = %v", got)
	}
}
