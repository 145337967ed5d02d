package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageErrors checks that a bad flag on any command is a one-line usage
// error with exit code 2, naming the command, not a help dump.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "top level", args: []string{"--bogus"}, want: "flag provided but not defined: -bogus"},
		{name: "collect", args: []string{"collect", "--bogus"}, want: "collect: flag provided but not defined: -bogus (see snapaudit collect --help)"},
		{name: "analyze", args: []string{"analyze", "--bogus", "x"}, want: "analyze: flag provided but not defined"},
		{name: "verify", args: []string{"verify", "--bogus"}, want: "verify: flag provided but not defined"},
		{name: "iam simulate", args: []string{"iam", "simulate", "--bogus"}, want: "see snapaudit iam simulate --help"},
		{name: "analyze bad format", args: []string{"analyze", "--format", "xml", "x"}, want: "--format must be table or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			code := Run(context.Background(), append([]string{"snapaudit"}, tt.args...), strings.NewReader(""), &out, &errw)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, errw.String())
			}
			if !strings.Contains(errw.String(), tt.want) {
				t.Errorf("stderr %q, want it to contain %q", errw.String(), tt.want)
			}
			if strings.Count(strings.TrimSpace(errw.String()), "\n") > 0 {
				t.Errorf("stderr has more than one line: %q", errw.String())
			}
		})
	}
}

// TestUnknownCommand: a mistyped command is a usage error (exit 2) that names
// it and the valid commands, in one line.
func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{args: []string{"analyse", "x"}, want: []string{`unknown command "analyse"`, "analyze, iam", "see snapaudit --help"}},
		{args: []string{"iam", "simualte"}, want: []string{`unknown command "iam simualte"`, "simulate", "see snapaudit iam --help"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errw bytes.Buffer
			code := Run(context.Background(), append([]string{"snapaudit"}, tt.args...), strings.NewReader(""), &out, &errw)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, errw.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(errw.String(), want) {
					t.Errorf("stderr %q, want it to contain %q", errw.String(), want)
				}
			}
			if strings.Count(strings.TrimSpace(errw.String()), "\n") > 0 {
				t.Errorf("stderr has more than one line: %q", errw.String())
			}
		})
	}
}
