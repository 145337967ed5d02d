package model

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

var update = flag.Bool("update", false, "rewrite golden files")

func buildWorld(t testing.TB) *graph.Graph {
	t.Helper()
	g, err := Build(context.Background(), world(t))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return g
}

// golden compares got with testdata/<name>, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./analyze/model -update and review the diff):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func TestBuildGolden(t *testing.T) {
	g := buildWorld(t)
	got, err := json.MarshalIndent(g.Document(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "world.golden.json", append(got, '\n'))
}
