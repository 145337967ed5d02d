package model

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/collect/fakeaws/worldsnap"
	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// oldSnapshot collects the demo world with the real collector and SDK
// clients, without the calls named in drop: what a collector that did not
// know them yet would have written (its plan does not name them either).
func oldSnapshot(t *testing.T, drop ...string) (*graph.Graph, []Gap) {
	t.Helper()
	calls := slices.DeleteFunc(collect.Registry(), func(c collect.Call) bool { return slices.Contains(drop, c.Name()) })
	dir := filepath.Join(t.TempDir(), "snap")
	worldsnap.CollectCalls(t, dir, calls, fakeaws.New(t, fakeaws.LoadWorld(t, "../../testdata/fakeaws/demo")))
	snap, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := snap.Manifest()
	for _, d := range drop {
		svc, op, _ := strings.Cut(d, ":")
		if _, ok := m.Planned(svc, op); ok {
			t.Fatalf("%s is in the plan of a snapshot collected without it", d)
		}
	}
	g, err := Build(t.Context(), snap, WithAccounts(m.Accounts...))
	if err != nil {
		t.Fatal(err)
	}
	return g, Gaps(FromManifest(m.Calls), WithPlan(m.Plan))
}

// TestNotCollected: a snapshot collected before calls existed has, for each
// of them, a not-collected gap where it would have run, naming what it
// leaves unknown; that, and nothing else, is what differs from the graph
// of the same world collected with every call: each differing property is
// null in the old graph and named by a gap of its entity's type and
// account, each missing relationship is named by a gap, and nothing is
// invented.
func TestNotCollected(t *testing.T) {
	fullGraph, fullGaps := oldSnapshot(t)
	type gap struct{ typ, region, call string }
	tests := []struct {
		name string
		drop []string
		want []gap // the gaps the full snapshot does not have
	}{
		{"account-level block and bucket ABAC (added after the snapshot)",
			[]string{"s3control:GetPublicAccessBlock", "s3:GetBucketAbac"},
			[]gap{
				{"aws_account", "global", "s3control:GetPublicAccessBlock"},
				{"aws_s3_bucket", "eu-west-1", "s3:GetBucketAbac"},
				{"aws_s3_bucket", "global", "s3control:GetPublicAccessBlock"},
				{"aws_s3_bucket", "us-east-1", "s3:GetBucketAbac"},
			}},
		{"KMS aliases: names and relationships by alias",
			[]string{"kms:ListAliases"},
			[]gap{{"aws_kms_key", "eu-west-1", "kms:ListAliases"}, {"aws_kms_key", "us-east-1", "kms:ListAliases"}}},
		{"the organisation (every organizations call)",
			[]string{"organizations:DescribeOrganization", "organizations:DescribePolicy", "organizations:ListAccounts",
				"organizations:ListOrganizationalUnitsForParent", "organizations:ListParents", "organizations:ListPolicies",
				"organizations:ListRoots", "organizations:ListTargetsForPolicy"},
			// A member account cannot read them (the demo's ListAccounts and
			// ListRoots are denied): not asked, they are not collected.
			[]gap{{"aws_account", "", "organizations:DescribeOrganization"}, {"aws_account", "", "organizations:DescribePolicy"},
				{"aws_account", "", "organizations:ListAccounts"}, {"aws_account", "", "organizations:ListOrganizationalUnitsForParent"},
				{"aws_account", "", "organizations:ListParents"}, {"aws_account", "", "organizations:ListPolicies"},
				{"aws_account", "", "organizations:ListRoots"}, {"aws_account", "", "organizations:ListTargetsForPolicy"}}},
		{"a regional service setting",
			[]string{"ec2:GetEbsEncryptionByDefault"},
			[]gap{{"aws_ec2", "eu-west-1", "ec2:GetEbsEncryptionByDefault"}, {"aws_ec2", "us-east-1", "ec2:GetEbsEncryptionByDefault"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old, gaps := oldSnapshot(t, tc.drop...)
			var added []Gap
			var got []gap
			for _, g := range gaps {
				if slices.ContainsFunc(fullGaps, func(f Gap) bool { return reflect.DeepEqual(f, g) }) {
					continue
				}
				added = append(added, g)
				got = append(got, gap{g.ResourceType, g.Region, g.Service + ":" + g.Operation})
				if g.Class != "" || !strings.Contains(g.Reason, "the snapshot predates the call") || len(g.Unknown) == 0 {
					t.Errorf("gap %+v: want class \"\", a reason saying the snapshot predates the call, and what is unknown", g)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("new gaps %v, want %v", got, tc.want)
			}
			for _, f := range fullGaps {
				if !slices.Contains(tc.drop, f.Service+":"+f.Operation) && !slices.ContainsFunc(gaps, func(g Gap) bool { return reflect.DeepEqual(f, g) }) {
					t.Errorf("the full snapshot's gap %+v is not in the old one's", f)
				}
			}
			named := func(typ, acct, prop string) bool {
				if strings.HasPrefix(prop, "tag.") {
					prop = "tag.*"
				}
				return slices.ContainsFunc(added, func(g Gap) bool {
					return g.ResourceType == typ && g.AccountID == acct && slices.Contains(g.Unknown, prop)
				})
			}
			differs := 0
			for _, e := range fullGraph.Entities() {
				o := old.Entity(e.Key)
				if o == nil {
					t.Errorf("%s is not in the old graph", e.Key)
					continue
				}
				for name, want := range e.Props() {
					if v, ok := o.Lookup(name); ok && reflect.DeepEqual(v, want) {
						continue
					}
					differs++
					// name and displayName are never null (J1 requires
					// them): without the call they fall back to the
					// template's (a KMS key's ID instead of its alias).
					if o.Get(name) != nil && name != "name" && name != "displayName" {
						t.Errorf("%s %s = %v in the old snapshot, want null (unknown)", e.Key, name, o.Get(name))
					}
					if !named(e.Type, e.String("accountId"), name) {
						t.Errorf("%s %s is unknown in the old snapshot, and no gap names it", e.Key, name)
					}
				}
				for name, v := range o.Props() {
					if !e.Has(name) && v != nil {
						t.Errorf("%s %s = %v only in the old snapshot", e.Key, name, v)
					}
				}
			}
			relNamed := map[string]bool{}
			for _, g := range added {
				for _, u := range g.Unknown {
					if f := strings.Fields(u); len(f) == 3 {
						relNamed[graph.RelationshipType(f[0], f[1], f[2])] = true
					}
				}
			}
			for _, r := range fullGraph.Relationships() {
				if old.Relationship(r.Key()) == nil {
					differs++
					if !relNamed[r.Type] {
						t.Errorf("relationship %s (%s) is missing in the old snapshot, and no gap names it", r.Key(), r.Type)
					}
				}
			}
			if e, r := old.Len(); r > len(fullGraph.Relationships()) || e != len(fullGraph.Entities()) {
				t.Errorf("old graph: %d entities, %d relationships; full: %d, %d", e, r, len(fullGraph.Entities()), len(fullGraph.Relationships()))
			}
			if differs == 0 {
				t.Error("the old snapshot's graph is the full one's: the dropped calls fed nothing in the demo")
			}
			t.Logf("%d properties and relationships unknown", differs)
		})
	}
}

// BenchmarkGaps: Gaps on the manifest of an organisation the size of the
// 1,000,000-resource synthetic one (80 accounts, 5 regions, every planned
// call in every scope), with the full plan, and with a plan that predates
// s3control GetPublicAccessBlock and s3 GetBucketAbac (their statuses
// removed): 80 x 2 account-level gaps and 400 bucket ones.
func BenchmarkGaps(b *testing.B) {
	regions := []string{"ap-southeast-2", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"}
	full := collect.Plan(collect.Registry())
	var calls []CallStatus
	for i := range 80 {
		acct := fmt.Sprintf("4650001%05d", i)
		for _, p := range full {
			c := Call{p.Service, p.Operation}
			in := []string{"global"}
			if rootScope(c) == Regional || (c.Service == "s3" && isPerParent(c) && c.Operation != "GetBucketLocation") {
				in = regions
			}
			for _, r := range in {
				calls = append(calls, CallStatus{AccountID: acct, Region: r, Service: p.Service, Operation: p.Operation, Status: snapshot.StatusOK})
			}
		}
	}
	drop := func(name string) bool { return name == "s3control:GetPublicAccessBlock" || name == "s3:GetBucketAbac" }
	old := slices.DeleteFunc(slices.Clone(full), func(p snapshot.PlannedCall) bool { return drop(p.Name()) })
	oldCalls := slices.DeleteFunc(slices.Clone(calls), func(c CallStatus) bool { return drop(c.Service + ":" + c.Operation) })
	for _, tc := range []struct {
		name  string
		calls []CallStatus
		plan  []snapshot.PlannedCall
		gaps  int
	}{
		{"full plan", calls, full, 0},
		{"plan before s3control and GetBucketAbac", oldCalls, old, 80*2 + 80*len(regions)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			start := synthtest.CPUTime()
			for b.Loop() {
				if n := len(Gaps(tc.calls, WithPlan(tc.plan))); n != tc.gaps {
					b.Fatalf("%d gaps, want %d", n, tc.gaps)
				}
			}
			synthtest.ReportCPU(b, synthtest.CPUTime()-start)
		})
	}
}
