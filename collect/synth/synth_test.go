package synth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/synth"
	"github.com/snapaudit/snapaudit/snapshot"
)

// corpus is the repository's AWS managed policy corpus.
var corpus = filepath.Join("..", "..", "testdata", "aws-managed-policies", "policies.jsonl.gz")

var (
	policiesOnce sync.Once
	policies     []synth.ManagedPolicy
	policiesErr  error
)

func loadPolicies(t *testing.T) []synth.ManagedPolicy {
	t.Helper()
	policiesOnce.Do(func() {
		f, err := os.Open(corpus)
		if err != nil {
			policiesErr = err
			return
		}
		defer f.Close()
		policies, policiesErr = synth.LoadPolicies(f, corpus)
	})
	if policiesErr != nil {
		t.Fatal(policiesErr)
	}
	return policies
}

// generate writes a snapshot of n resources and verifies it.
func generate(t *testing.T, n int, seed uint64) (string, *snapshot.Manifest) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	m, _, err := synth.Generate(context.Background(), dir, synth.Options{Resources: n, Seed: seed, Policies: loadPolicies(t)})
	if err != nil {
		t.Fatalf("Generate(%d, %d): %v", n, seed, err)
	}
	rep, err := snapshot.Verify(context.Background(), dir)
	if err != nil {
		t.Fatalf("verify: %v (%+v)", err, rep.Problems)
	}
	return dir, m
}

// build rebuilds the graph as analyze does; malformed rows fail the test.
func build(t *testing.T, dir string) (*graph.Graph, []model.Gap) {
	t.Helper()
	snap, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var bad []*model.RowError
	g, err := model.Build(context.Background(), snap, model.WithAccounts(snap.Manifest().Accounts...),
		model.OnMalformed(func(e *model.RowError) { bad = append(bad, e) }))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	for _, e := range bad {
		t.Errorf("malformed row: %v", e)
	}
	return g, model.Gaps(append(model.FromManifest(snap.Manifest().Calls), model.FromMalformed(bad)...))
}

// resources counts what --resources controls: every entity except the
// IAM managed policies (aws_iam_policy, a shared corpus whose size does
// not grow with the estate).
func resources(g *graph.Graph) int {
	n := 0
	for _, e := range g.Entities() {
		if e.Type != "aws_iam_policy" {
			n++
		}
	}
	return n
}

func TestSmallOrganisationAnalyzes(t *testing.T) {
	dir, m := generate(t, 300, 7)
	g, gaps := build(t, dir)
	for _, gap := range gaps {
		t.Errorf("gap: %+v", gap)
	}
	for _, typ := range model.Types() {
		if len(g.EntitiesOfType(typ.Type)) == 0 {
			t.Errorf("no %s entity in the graph", typ.Type)
		}
	}
	if len(m.Accounts) != 1 || len(m.Regions) < 2 || len(m.Regions) > 4 {
		t.Errorf("accounts %v regions %v: want 1 account in 2..4 regions", m.Accounts, m.Regions)
	}
	checkCoverage(t, m)
}

// checkCoverage fails unless every registry call has rows in every account
// (global calls), every region of every account (regional calls), or
// somewhere (per-parent calls: where a parent has items).
func checkCoverage(t *testing.T, m *snapshot.Manifest) {
	t.Helper()
	regions := map[string]map[string]bool{} // account -> regions it was collected in
	for _, cs := range m.Calls {
		if cs.Region == collect.RowGlobal || cs.Service != "ec2" || cs.Operation != "DescribeVpcs" {
			continue
		}
		if regions[cs.AccountID] == nil {
			regions[cs.AccountID] = map[string]bool{}
		}
		regions[cs.AccountID][cs.Region] = true
	}
	for _, c := range collect.Registry() {
		if len(m.CallsOf(c.Service, c.Operation)) == 0 {
			t.Errorf("%s: no rows", c.Name())
		}
		for _, acct := range m.Accounts {
			switch c.Scope {
			case collect.Global:
				if _, ok := m.Call(acct, collect.RowGlobal, c.Service, c.Operation); !ok {
					t.Errorf("%s: no rows in %s", c.Name(), acct)
				}
			case collect.Regional:
				if len(regions[acct]) < 2 || len(regions[acct]) > 4 {
					t.Errorf("account %s has %d regions, want 2..4", acct, len(regions[acct]))
				}
				for reg := range regions[acct] {
					if _, ok := m.Call(acct, reg, c.Service, c.Operation); !ok {
						t.Errorf("%s: no rows in %s/%s", c.Name(), acct, reg)
					}
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, 300, 42)
	b, _ := generate(t, 300, 42)
	c, _ := generate(t, 300, 43)
	if diff := compareTrees(t, a, b); diff != "" {
		t.Errorf("same N and seed, different snapshots: %s", diff)
	}
	if compareTrees(t, a, c) == "" {
		t.Error("seeds 42 and 43 gave identical snapshots")
	}
}

// compareTrees returns "" when both directories hold the same files with
// the same bytes, else the first difference.
func compareTrees(t *testing.T, a, b string) string {
	t.Helper()
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			raw, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[rel] = raw
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	fa, fb := files(a), files(b)
	var names []string
	for n := range fa {
		names = append(names, n)
	}
	for n := range fb {
		if _, ok := fa[n]; !ok {
			return "only in second: " + n
		}
	}
	slices.Sort(names)
	for _, n := range names {
		other, ok := fb[n]
		if !ok {
			return "only in first: " + n
		}
		if !bytes.Equal(fa[n], other) {
			return "differs: " + n
		}
	}
	return ""
}

func TestResourcesControlsCount(t *testing.T) {
	for _, n := range []int{300, 3000, 20000} {
		if testing.Short() && n > 3000 {
			continue
		}
		dir, m := generate(t, n, 1)
		g, gaps := build(t, dir)
		if len(gaps) > 0 {
			t.Errorf("N=%d: %d gaps, first %+v", n, len(gaps), gaps[0])
		}
		got := resources(g)
		if got < n*9/10 || got > n*11/10 {
			t.Errorf("N=%d: %d resources in the graph, want within 10%%", n, got)
		}
		want := max(1, (n+synth.ResourcesPerAccount/2)/synth.ResourcesPerAccount)
		if len(m.Accounts) != want {
			t.Errorf("N=%d: %d accounts, want %d", n, len(m.Accounts), want)
		}
		checkCoverage(t, m)
		t.Logf("N=%d: %d resources, %d accounts, regions %v", n, got, len(m.Accounts), m.Regions)
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    synth.Options
	}{
		{"zero resources", synth.Options{Resources: 0, Policies: loadPolicies(t)}},
		{"too many", synth.Options{Resources: synth.MaxResources + 1, Policies: loadPolicies(t)}},
		{"no policies", synth.Options{Resources: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			if _, _, err := synth.Generate(context.Background(), dir, tc.o); err == nil {
				t.Fatal("Generate succeeded")
			}
			if _, err := os.Stat(filepath.Join(dir, snapshot.ManifestName)); err == nil {
				t.Error("a manifest was written")
			}
		})
	}
}

// TestParentKeysMatchCollector checks that every per-parent call has one
// invocation for exactly the items the collector's own key extractor
// (collect.Call.ChildItems) finds in the parent's pages, in the region
// the collector would send it to.
func TestParentKeysMatchCollector(t *testing.T) {
	dir, _ := generate(t, 600, 5)
	snap, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	byName := map[string]collect.Call{}
	for _, c := range collect.Registry() {
		byName[c.Name()] = c
	}
	for _, c := range collect.Registry() {
		if c.Scope != collect.PerParent {
			continue
		}
		parent := byName[c.Parent]
		want, got := map[string]bool{}, map[string]bool{}
		err := snap.Rows(ctx, parent.Service, parent.Operation, func(r snapshot.Row) error {
			if r.Status != snapshot.StatusOK {
				return nil
			}
			out := reflect.New(parent.Output()).Interface()
			if err := json.Unmarshal([]byte(r.Response), out); err != nil {
				return fmt.Errorf("%s %s/%s %q page %d: %w", parent.Name(), r.AccountID, r.Region, r.ParentKey, r.Page, err)
			}
			for _, it := range c.ChildItems(r.ParentKey, out) {
				reg := r.Region
				if it.Region != "" {
					reg = it.Region
				}
				want[r.AccountID+" "+reg+" "+it.Key] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A recursive call (the OU tree) is also asked about the items of
		// its own pages.
		err = snap.Rows(ctx, c.Service, c.Operation, func(r snapshot.Row) error {
			if r.Status != snapshot.StatusOK {
				return nil
			}
			out := reflect.New(c.Output()).Interface()
			if err := json.Unmarshal([]byte(r.Response), out); err != nil {
				return err
			}
			for _, it := range c.RecursiveItems(r.ParentKey, out) {
				want[r.AccountID+" "+r.Region+" "+it.Key] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = snap.Rows(ctx, c.Service, c.Operation, func(r snapshot.Row) error {
			if r.Page == 0 {
				got[r.AccountID+" "+r.Region+" "+r.ParentKey] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Errorf("%s: the parent %s yields no items", c.Name(), c.Parent)
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: no invocation for %q", c.Name(), k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("%s: invocation %q the collector would not make", c.Name(), k)
			}
		}
	}
}
