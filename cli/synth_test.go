package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func runArgs(args ...string) (int, string, string) {
	var out, errw bytes.Buffer
	code := Run(context.Background(), append([]string{"snapaudit"}, args...), strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

// TestSynth generates a small organisation, verifies and analyzes it
// through the command line, and checks that the command stays out of the
// main help.
func TestSynth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "org")
	corpus := filepath.Join("..", defaultPolicyCorpus)
	code, out, errw := runArgs("synth", "--resources", "120", "--seed", "3", "--out", dir, "--policies", corpus)
	if code != ExitOK || !strings.Contains(out, "1 accounts") {
		t.Fatalf("synth: exit %d, stdout %q, stderr %q", code, out, errw)
	}
	if code, out, errw := runArgs("verify", dir); code != ExitOK {
		t.Fatalf("verify: exit %d, stdout %q, stderr %q", code, out, errw)
	}
	// No ERROR: the escalation analysis runs by default at this size.
	code, out, errw = runArgs("analyze", "--format", "json", dir)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("analyze: exit %d, stderr %q", code, errw)
	}
	var rep struct {
		Summary struct{ Entities, Gaps, Error int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("analyze output: %v", err)
	}
	if rep.Summary.Entities < 100 || rep.Summary.Gaps != 0 || rep.Summary.Error != 0 {
		t.Errorf("analyze summary %+v: want over 100 entities, no gaps, no ERROR findings", rep.Summary)
	}
	if _, out, _ := runArgs("--help"); strings.Contains(out, "synth") {
		t.Errorf("synth is listed in the main help:\n%s", out)
	}
}

func TestSynthUsageErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "org")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"synth", "--resources", "10"}, "--out DIR is required"},
		{"no resources", []string{"synth", "--out", dir}, "--resources must be between"},
		{"too many", []string{"synth", "--out", dir, "--resources", "10000001"}, "--resources must be between"},
		{"argument", []string{"synth", "--out", dir, "--resources", "10", "extra"}, "unexpected argument"},
		{"bad seed", []string{"synth", "--out", dir, "--resources", "10", "--seed", "-1"}, "synth: invalid value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errw := runArgs(tc.args...)
			if code != ExitUsage || !strings.Contains(errw, tc.want) {
				t.Errorf("exit %d stderr %q, want %d and %q", code, errw, ExitUsage, tc.want)
			}
		})
	}
	code, _, errw := runArgs("synth", "--out", dir, "--resources", "10", "--policies", filepath.Join(t.TempDir(), "missing.gz"))
	if code != ExitError || !strings.Contains(errw, "managed policy corpus") {
		t.Errorf("missing corpus: exit %d stderr %q, want %d naming the corpus", code, errw, ExitError)
	}
}

// TestSynthCorpusNotFound: run outside a checkout, synth names the file
// it looked for (absolute, and what it was relative to) and the flag that
// gives it; an explicit --policies that does not exist is named as such.
func TestSynthCorpusNotFound(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	out := filepath.Join(t.TempDir(), "snap")
	code, _, errw := runArgs("synth", "--out", out, "--resources", "10")
	for _, want := range []string{filepath.Join(wd, defaultPolicyCorpus), "working directory", "--policies FILE"} {
		if code != ExitError || !strings.Contains(errw, want) {
			t.Errorf("default corpus missing: exit %d stderr %q, want %d and %q", code, errw, ExitError, want)
		}
	}
	missing := filepath.Join(t.TempDir(), "missing.gz")
	code, _, errw = runArgs("synth", "--out", out, "--resources", "10", "--policies", missing)
	if code != ExitError || !strings.Contains(errw, missing+" (--policies)") {
		t.Errorf("--policies missing: exit %d stderr %q, want %d naming %s (--policies)", code, errw, ExitError, missing)
	}
}
