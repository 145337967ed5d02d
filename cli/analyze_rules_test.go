package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeRejectsBadPoliciesAndConfig: a policy directory that tries to
// switch off the built-in checks, and a --config key that no check reads,
// stop analyze with exit 1 and a message naming the file; before, the first
// turned every check NOT_APPLICABLE (exit 0) and the second was ignored.
func TestAnalyzeRejectsBadPoliciesAndConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	evil := write("evil/lib.rego", "package lib\n\nplaceholder(e) if true\n")
	typo := write("audit.yaml", "admin_port: [22, 3389, 445]\n")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{name: "policy dir redefines lib", args: []string{"--policies", filepath.Dir(evil)}, code: ExitError,
			want: []string{evil + ":1", "data.lib is reserved"}},
		{name: "config typo", args: []string{"--config", typo}, code: ExitError,
			want: []string{typo, `unknown key "admin_port"`, `did you mean "admin_ports"`}},
		{name: "bad --rule-memory", args: []string{"--rule-memory", "lots"}, code: ExitUsage, want: []string{"--rule-memory", `"lots"`}},
		{name: "bad --rule-timeout", args: []string{"--rule-timeout", "0s"}, code: ExitUsage, want: []string{"--rule-timeout", "more than 0"}},
		{name: "limits accepted", args: []string{"--rule-memory", "512MiB", "--rule-timeout", "30s"}, code: ExitFindings,
			want: []string{"AWS-EC2-001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			args := append(append([]string{"snapaudit", "analyze"}, tc.args...), "../testdata/snapshots/demo")
			code := Run(context.Background(), args, strings.NewReader(""), &out, &errw)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errw.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String()+errw.String(), w) {
					t.Errorf("output does not contain %q\nstdout:\n%s\nstderr:\n%s", w, out.String(), errw.String())
				}
			}
		})
	}
}
