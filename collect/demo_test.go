package collect

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

var update = flag.Bool("update", false, "regenerate testdata/snapshots/demo from the demo world")

const (
	demoWorld    = "../testdata/fakeaws/demo"
	demoSnapshot = "../testdata/snapshots/demo"
)

// demoRedactionKey makes the demo's redaction markers reproducible. It is a
// public test value, not a secret.
var demoRedactionKey = []byte("snapaudit-demo-redaction-key")

// demoSecret is the DB_PASSWORD value of a Lambda function in the demo world.
const demoSecret = "demo-Secr3t-not-real-Zq8x"

// demoBatchSecret is the DB_PASSWORD value in a Batch job definition's
// container environment in the demo world.
const demoBatchSecret = "demo-batch-Pa55w0rd-not-real"

// demoClock is the fixed collection time of the demo snapshot.
var demoClock = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// collectDemo runs the real collector against the fake serving the demo
// world and commits a snapshot into dir.
func collectDemo(t *testing.T, dir string, concurrency int) *snapshot.Manifest {
	t.Helper()
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, demoWorld))
	m, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil,
		WithClock(func() time.Time { return demoClock }), WithRedactionKey(demoRedactionKey),
		WithPollInterval(0), WithConcurrency(concurrency))
	if err != nil {
		t.Fatalf("collect demo: %v", err)
	}
	return m
}

// TestDemoSnapshot keeps testdata/snapshots/demo honest: it must verify,
// and a fresh collection of the demo world must produce identical data
// files (the collector and the writer are deterministic). Regenerate with
// go test ./collect -run TestDemoSnapshot -update.
func TestDemoSnapshot(t *testing.T) {
	if _, err := os.Stat(demoWorld); err != nil {
		t.Skipf("demo world %s is not there yet: %v", demoWorld, err)
	}
	if *update {
		if err := os.RemoveAll(demoSnapshot); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(demoSnapshot), 0o755); err != nil {
			t.Fatal(err)
		}
		collectDemo(t, demoSnapshot, 4)
	}
	if _, err := snapshot.Verify(t.Context(), demoSnapshot); err != nil {
		t.Fatalf("committed demo snapshot does not verify (regenerate with -update): %v", err)
	}

	// A different concurrency gives a different call order; the data files
	// must not care.
	fresh := filepath.Join(t.TempDir(), "demo")
	m := collectDemo(t, fresh, 1)
	want, got := dataFiles(t, demoSnapshot), dataFiles(t, fresh)
	for _, name := range sortedKeys(want) {
		if g, ok := got[name]; !ok {
			t.Errorf("%s is in the committed demo but not in a fresh collection (regenerate with -update)", name)
		} else if !bytes.Equal(want[name], g) {
			t.Errorf("%s differs between the committed demo and a fresh collection (regenerate with -update)", name)
		}
	}
	for _, name := range sortedKeys(got) {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is in a fresh collection but not in the committed demo (regenerate with -update)", name)
		}
	}

	// The demo world's Lambda secret must be in no byte of the committed demo.
	assertNoSecret(t, demoSnapshot, demoSecret)
	assertNoSecret(t, demoSnapshot, demoBatchSecret)

	// The demo is meant to show failures as data too, but no call may fail
	// for a reason the world did not intend (a missing fixture, a decoding
	// problem): those are class "other".
	for _, c := range m.Calls {
		if c.Errors[snapshot.ClassOther] > 0 {
			t.Errorf("%s:%s %s failed with class other: %+v", c.Service, c.Operation, c.Region, c.FirstError)
		}
	}
}

// dataFiles reads every file under dir/data, keyed by slash path.
func dataFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	root := filepath.Join(dir, "data")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no data files under %s", root)
	}
	return files
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
