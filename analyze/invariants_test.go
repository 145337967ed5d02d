package analyze_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestOfflineByConstruction keeps analysis free of the AWS SDK and of the
// collector: analyze must run on an air-gapped machine with no credentials,
// so nothing it links may know how to reach AWS.
func TestOfflineByConstruction(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/snapaudit/snapaudit/analyze/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/aws/") || strings.HasPrefix(pkg, "github.com/snapaudit/snapaudit/collect") {
			t.Errorf("analyze depends on %s: analysis must not link AWS clients or the collector", pkg)
		}
	}
}

// TestRuleResourceTypesExist checks every built-in check's resource_types
// against the entity registry and the seeds' type list: a misspelt type would
// silently make the check's coverage gaps (ERROR findings) never fire. A check
// may name a seed type the model does not build yet (AWS-TAG-001 covers every
// DataStore type of the seeds).
func TestRuleResourceTypesExist(t *testing.T) {
	a, err := analyze.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"internet": true, "everyone": true}
	for _, et := range model.Types() {
		known[et.Type] = true
	}
	for _, s := range model.Services() {
		known[s.Type()] = true
	}
	spec, err := os.ReadFile("../testdata/spec/entities.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(spec), "\n") {
		if f := strings.Split(line, "\t"); i > 0 && len(f) > 1 {
			known[f[1]] = true
		}
	}
	for _, r := range a.Rules() {
		for _, typ := range r.ResourceTypes {
			if !known[typ] {
				t.Errorf("%s (%s): resource type %q is neither a model nor a seed entity type", r.ID, r.File, typ)
			}
		}
	}
}
