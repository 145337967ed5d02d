package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/graph"
)

// TestGraphOutSameBytes: the streamed --graph-out document is byte for byte
// what json.Encoder with SetIndent("", "  ") writes for graph.Document (the
// writer it replaced), on the demo's graph (with characters JSON escapes
// added) and on an empty graph.
func TestGraphOutSameBytes(t *testing.T) {
	a, err := analyze.New(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := a.Run(t.Context(), "../testdata/snapshots/demo")
	if err != nil {
		t.Fatal(err)
	}
	rep.Graph.AddEntity(graph.NewEntity("snapaudit-test:<&>", "aws_test", []string{"Resource"}, map[string]any{
		"name":   "a <b> & \"c\"\u2028\ttab",
		"nested": map[string]any{"z": []any{1, "x", nil, map[string]any{}}, "a": []any{}},
	}))
	for name, g := range map[string]*graph.Graph{"demo": rep.Graph, "empty": graph.New()} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(g.Document()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "graph.json")
		if err := writeGraphFile(path, g); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			i := 0
			for i < len(got) && i < len(want.Bytes()) && got[i] == want.Bytes()[i] {
				i++
			}
			t.Errorf("%s: streamed graph differs at byte %d of %d (want %d bytes): got %q", name, i, len(got), want.Len(), got[max(0, i-40):min(len(got), i+40)])
		}
	}
}
