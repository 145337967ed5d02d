package model

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// sharedCopies maps each repository copy (testdata/...) to the shared file it
// was taken from. The tests read the copies, so a clone with nothing beside
// it runs them all; this test keeps the copies in step when the shared data
// is present (CI has it beside the clone).
var sharedCopies = map[string]string{
	"spec/entities.tsv":                        "spec/entities.tsv",
	"spec/relationships.tsv":                   "spec/relationships.tsv",
	"spec/relationships_implied.tsv":           "spec/relationships_implied.tsv",
	"spec/regions.tsv":                         "spec/regions.tsv",
	"spec/protocols.tsv":                       "spec/protocols.tsv",
	"authz-details/LICENSE":                    "data/authz-details/LICENSE",
	"authz-details/SOURCE.txt":                 "data/authz-details/SOURCE.txt",
	"authz-details/example.json":               "data/authz-details/example.json",
	"authz-details/example-authz-details.json": "data/authz-details/example-authz-details.json",
	"authz-details/example_authz_v2.json":      "data/authz-details/example_authz_v2.json",
	"aws-managed-policies/LICENSE":             "data/aws-managed-policies/LICENSE",
	"aws-managed-policies/NOTICE":              "data/aws-managed-policies/NOTICE",
	"aws-managed-policies/SOURCE.txt":          "data/aws-managed-policies/SOURCE.txt",
	"aws-managed-policies/policies.jsonl.gz":   "data/aws-managed-policies/policies.jsonl.gz",
}

func TestSpecCopiesFresh(t *testing.T) {
	const repo, shared = "../../testdata", "../../../shared"
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no shared data beside the repository (%v): the copies cannot be compared", err)
	}
	for local, src := range sharedCopies {
		want, err := os.ReadFile(filepath.Join(shared, src))
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		dst := filepath.Join(repo, local)
		if *update {
			if err := os.WriteFile(dst, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Errorf("testdata/%s: %v", local, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s differs from shared/%s: refresh with go test ./analyze/model -run TestSpecCopiesFresh -update", local, src)
		}
	}
}
