package cli

import (
	"strings"
	"testing"
)

// TestAnalyzeEscalationFlags: the escalation analysis runs by default on
// the demo (AWS-IAM-003 judges its principals), --no-escalation turns it
// off (an ERROR per account saying so), and both flags at once are a usage
// error.
func TestAnalyzeEscalationFlags(t *testing.T) {
	const demo = "../testdata/snapshots/demo"
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		want     []string // in stdout (the table)
		wantErr  string
	}{
		{name: "default", args: []string{"--all"}, wantCode: ExitFindings,
			want: []string{"user alice can become an administrator in 1 step(s)", "user dave-admin: no privilege-escalation path"}},
		{name: "--escalation", args: []string{"--escalation"}, wantCode: ExitFindings,
			want: []string{"user alice can become an administrator in 1 step(s)"}},
		{name: "--no-escalation", args: []string{"--no-escalation"}, wantCode: ExitFindings,
			want: []string{"the privilege-escalation analysis was not run (turned off with --no-escalation): run snapaudit analyze --escalation"}},
		{name: "both", args: []string{"--escalation", "--no-escalation"}, wantCode: ExitUsage,
			wantErr: "--escalation and --no-escalation contradict each other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errw := runCLI(t, append([]string{"analyze", demo}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.wantCode, errw)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout does not say %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errw, tc.wantErr) {
				t.Errorf("stderr %q does not say %q", errw, tc.wantErr)
			}
			if tc.name != "--no-escalation" && strings.Contains(out, "was not run") {
				t.Errorf("the analysis ran, yet a finding says it was not:\n%s", out)
			}
		})
	}
}
