package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFlagsFirst(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "flags after the snapshot",
			args: []string{"analyze", "SNAP", "--format", "json", "--all"},
			want: []string{"analyze", "--format", "json", "--all", "SNAP"}},
		{name: "already in order",
			args: []string{"analyze", "-f", "json", "SNAP"},
			want: []string{"analyze", "-f", "json", "SNAP"}},
		{name: "name=value and repeated slice flag",
			args: []string{"analyze", "SNAP", "--policies=a", "--policies", "b"},
			want: []string{"analyze", "--policies=a", "--policies", "b", "SNAP"}},
		{name: "global flag before the command",
			args: []string{"--log-level", "debug", "verify", "SNAP", "--help"},
			want: []string{"--log-level", "debug", "verify", "--help", "SNAP"}},
		{name: "subcommand",
			args: []string{"iam", "simulate", "req.json", "--snapshot", "SNAP", "--no-verify"},
			want: []string{"iam", "simulate", "--snapshot", "SNAP", "--no-verify", "req.json"}},
		{name: "double dash keeps the rest positional",
			args: []string{"analyze", "--all", "--", "-odd-dir", "--format"},
			want: []string{"analyze", "--all", "--", "-odd-dir", "--format"}},
		{name: "lone dash is a positional",
			args: []string{"iam", "simulate", "-", "--input", "x"},
			want: []string{"iam", "simulate", "--input", "x", "-"}},
		{name: "unknown flag moves as a word",
			args: []string{"analyze", "SNAP", "--bogus"},
			want: []string{"analyze", "--bogus", "SNAP"}},
		{name: "value flag at the end",
			args: []string{"analyze", "SNAP", "--format"},
			want: []string{"analyze", "--format", "SNAP"}},
	}
	app := NewApp(streams{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flagsFirst(app, append([]string{"snapaudit"}, tt.args...))
			if diff := cmp.Diff(append([]string{"snapaudit"}, tt.want...), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlagsAfterSnapshot runs the README's form `analyze SNAP --format json
// --graph-out FILE` on the demo snapshot.
func TestFlagsAfterSnapshot(t *testing.T) {
	graphOut := filepath.Join(t.TempDir(), "graph.json")
	var out, errw bytes.Buffer
	code := Run(context.Background(), []string{"snapaudit", "analyze", "../testdata/snapshots/demo", "--format", "json", "--graph-out", graphOut},
		strings.NewReader(""), &out, &errw)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitFindings, errw.String())
	}
	if !strings.HasPrefix(out.String(), "{") || !strings.Contains(out.String(), `"findings"`) {
		t.Errorf("stdout is not the JSON report: %.200q", out.String())
	}
	if st, err := os.Stat(graphOut); err != nil || st.Size() == 0 {
		t.Errorf("--graph-out after the snapshot wrote nothing: %v", err)
	}
}
