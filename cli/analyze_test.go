package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/rules"
)

// copyDemo copies the embedded demo snapshot to a temporary directory, so a
// test may damage or write beside it.
func copyDemo(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "demo")
	if err := os.CopyFS(dst, os.DirFS("../testdata/snapshots/demo")); err != nil {
		t.Fatal(err)
	}
	return dst
}

// runCLI runs snapaudit with args and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := Run(t.Context(), append([]string{"snapaudit"}, args...), strings.NewReader(""), &out, &errw)
	return code, out.String(), errw.String()
}

// TestAnalyzeGraphOutInsideSnapshot: --graph-out must never write into the
// snapshot it analyses (it would replace manifest.json or add a stray file
// that breaks the next verify).
func TestAnalyzeGraphOutInsideSnapshot(t *testing.T) {
	for _, name := range []string{"manifest.json", "graph.json", "data/graph.json"} {
		t.Run(name, func(t *testing.T) {
			dir := copyDemo(t)
			before, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			code, _, errw := runCLI(t, "analyze", dir, "--graph-out", filepath.Join(dir, name))
			if code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, ExitUsage, errw)
			}
			if !strings.Contains(errw, "inside the snapshot") {
				t.Errorf("stderr %q does not say the file is inside the snapshot", errw)
			}
			after, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
			if err != nil || !bytes.Equal(before, after) {
				t.Errorf("manifest.json changed (err %v)", err)
			}
			if code, out, errw := runCLI(t, "verify", dir); code != ExitOK {
				t.Errorf("verify after the refused --graph-out: exit %d\n%s%s", code, out, errw)
			}
		})
	}
	// Beside the snapshot is fine.
	dir := copyDemo(t)
	out := filepath.Join(filepath.Dir(dir), "graph.json")
	if code, _, errw := runCLI(t, "analyze", dir, "--graph-out", out); code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitFindings, errw)
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}

// TestAnalyzeFailedVerifyOneLine: a snapshot that fails verification stops
// analyze with one line naming the first problem, the count, and what to do.
func TestAnalyzeFailedVerifyOneLine(t *testing.T) {
	dir := copyDemo(t)
	if err := os.WriteFile(filepath.Join(dir, "stray.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "data", "*", "*", "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no data file in the demo (%v)", err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(files[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errw := runCLI(t, "analyze", dir)
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	if n := strings.Count(strings.TrimSpace(errw), "\n"); n > 0 {
		t.Errorf("stderr has %d lines, want one:\n%s", n+1, errw)
	}
	for _, want := range []string{"failed verification", "data/", "1 more problem", "snapaudit verify", "--no-verify"} {
		if !strings.Contains(errw, want) {
			t.Errorf("stderr %q does not contain %q", errw, want)
		}
	}
}

// TestAnalyzeNoVerifyIsMarked: with --no-verify the table says the snapshot
// was not verified, so a report can never pass for a verified one.
func TestAnalyzeNoVerifyIsMarked(t *testing.T) {
	dir := copyDemo(t)
	_, out, _ := runCLI(t, "analyze", dir, "--no-verify")
	if !strings.Contains(strings.SplitN(out, "\n", 2)[0], "NOT VERIFIED") {
		t.Errorf("first line %q does not say NOT VERIFIED", strings.SplitN(out, "\n", 2)[0])
	}
	_, out, _ = runCLI(t, "analyze", dir)
	if strings.Contains(out, "NOT VERIFIED") {
		t.Errorf("a verified run says NOT VERIFIED:\n%s", out)
	}
}

// TestAnalyzeMaxMemory: past --max-memory analyze exits 5 with one line
// naming the phase and what to do; a bad value is a usage error.
func TestAnalyzeMaxMemory(t *testing.T) {
	dir := copyDemo(t)
	code, out, errw := runCLI(t, "analyze", dir, "--max-memory", "1MiB")
	if code != ExitMemory {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitMemory, errw)
	}
	if out != "" {
		t.Errorf("stdout %q: want no partial report", out)
	}
	for _, want := range []string{"analysis stopped during verify", "budget of 1.0 MiB", "raise --max-memory"} {
		if !strings.Contains(errw, want) {
			t.Errorf("stderr %q does not say %q", errw, want)
		}
	}
	if code, _, errw := runCLI(t, "analyze", dir, "--max-memory", "lots"); code != ExitUsage {
		t.Errorf("--max-memory lots: exit %d, want %d (%s)", code, ExitUsage, errw)
	}
}

func TestMaxMemoryValue(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		in       string
		physical uint64
		want     uint64
		err      bool
	}{
		{in: "", physical: 10 * gib, want: 8 * gib},
		{in: "", physical: 0, want: 0},
		{in: "50%", physical: 10 * gib, want: 5 * gib},
		{in: "4GiB", physical: 10 * gib, want: 4 * gib},
		{in: "0", physical: 10 * gib, want: 0},
		{in: "0%", physical: 10 * gib, err: true},
		{in: "120%", physical: 10 * gib, err: true},
		{in: "lots", physical: 10 * gib, err: true},
	} {
		got, err := maxMemory(tc.in, tc.physical)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("maxMemory(%q, %d) = %d, %v; want %d, error %v", tc.in, tc.physical, got, err, tc.want, tc.err)
		}
	}
}

// TestAnalyzeDemoStderrClean: at the default log level the demo's report
// is the whole output. Facts the report already states (the organisation
// policies that could not be read are coverage gaps) are no warnings on
// stderr before it.
func TestAnalyzeDemoStderrClean(t *testing.T) {
	code, out, errw := runCLI(t, "analyze", "../testdata/snapshots/demo")
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %q", code, ExitFindings, errw)
	}
	if errw != "" {
		t.Errorf("stderr at the default level is not empty:\n%s", errw)
	}
	if !strings.Contains(out, "2 coverage gaps") {
		t.Errorf("the report does not give the 2 coverage gaps of the unreadable organisation:\n%s", out)
	}
}

// TestAnalyzeRuleTimeout: without --rule-timeout the limit is the one
// proportional to the graph (the demo is small: a minute), an explicit
// one wins, and the debug log shows the limit used; --help gives the rule.
func TestAnalyzeRuleTimeout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "rule_timeout=" + rules.RuleTimeoutFor(0, 0).String()},
		{[]string{"--rule-timeout", "90s"}, "rule_timeout=1m30s"},
	} {
		args := append([]string{"--log-level", "debug", "analyze", "../testdata/snapshots/demo"}, tc.args...)
		if code, _, errw := runCLI(t, args...); code != ExitFindings || !strings.Contains(errw, tc.want) {
			t.Errorf("%v: exit %d, want %d and a debug line with %s; stderr:\n%s", tc.args, code, ExitFindings, tc.want, errw)
		}
	}
	want := fmt.Sprintf("%s per %s entities and relationships", "1m", "250,000")
	if rules.DefaultRuleTimeout != time.Minute || rules.RuleTimeoutScale != 250_000 {
		t.Errorf("the --rule-timeout help says %q: update it to the rule", want)
	}
	if _, out, _ := runCLI(t, "analyze", "--help"); !strings.Contains(out, want) {
		t.Errorf("analyze --help does not give the default --rule-timeout rule %q:\n%s", want, out)
	}
}
