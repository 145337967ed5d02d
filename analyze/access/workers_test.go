package access

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// TestDeriveWorkers: the graph and the counts are the same whether one
// worker derives the principals or four (workers.go), with the class
// sharing on and off and with the per-principal cap.
func TestDeriveWorkers(t *testing.T) {
	type world struct {
		name  string
		build func(testing.TB) *graph.Graph
		opts  []Option
	}
	worlds := []world{
		{name: "classes", build: func(t testing.TB) *graph.Graph { return sharedWorld(t, false) }},
		{name: "classes in an organisation", build: func(t testing.TB) *graph.Graph { return sharedWorld(t, true) }},
		{name: "classes, capped", build: func(t testing.TB) *graph.Graph { return sharedWorld(t, false) },
			opts: []Option{WithLimits(Limits{MaxAccessPerPrincipal: 3})}},
		{name: "organisation fixture", build: orgFixture},
	}
	dumps, _ := filepath.Glob(filepath.Join(authzDir, "*.json"))
	if len(dumps) == 0 {
		t.Fatalf("authz-details dumps missing from %s", authzDir)
	}
	for _, f := range dumps {
		worlds = append(worlds, world{name: filepath.Base(f), build: func(t testing.TB) *graph.Graph { return dumpGraph(t, f) }})
	}
	for _, w := range worlds {
		t.Run(w.name, func(t *testing.T) {
			var docs [3][]byte
			var stats [3]Stats
			for i, n := range []int{1, 4, 2} {
				g := w.build(t)
				// The third run leaves every principal of a class but the
				// first for the second pass, as when it arrives too early.
				deferAll := func(c *config) { c.deferMembers = i == 2 }
				var log bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
				st, err := Derive(context.Background(), g, append(w.opts, WithWorkers(n), deferAll, WithLogger(logger))...)
				if err != nil {
					t.Fatal(err)
				}
				if i == 2 && w.name == "classes" && !regexp.MustCompile(`secondPass=[1-9]`).Match(log.Bytes()) {
					t.Errorf("no principal was left for the second pass:\n%s", log.String())
				}
				if st.PrincipalAccess == 0 {
					t.Fatalf("%d workers derived no access", n)
				}
				// Two workers may both ask what one would have cached.
				st.Evaluations, st.OrgEvaluations, st.CellEvaluations = 0, 0, 0
				stats[i] = st
				if docs[i], err = json.Marshal(g.Document()); err != nil {
					t.Fatal(err)
				}
			}
			for i, what := range []string{"", "four workers", "the second pass"} {
				if i == 0 {
					continue
				}
				if !bytes.Equal(docs[0], docs[i]) {
					t.Errorf("%s derive another graph than one worker", what)
				}
				if a, b := statsText(t, stats[0]), statsText(t, stats[i]); a != b {
					t.Errorf("stats differ:\none worker: %s\n%s: %s", a, what, b)
				}
			}
		})
	}
}

func statsText(t *testing.T, st Stats) string {
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
