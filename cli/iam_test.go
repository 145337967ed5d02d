package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

func TestIAMSimulateCommand(t *testing.T) {
	dir := t.TempDir()
	reqs := filepath.Join(dir, "reqs.jsonl")
	const okLine = `{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resource_account":"111122223333","identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}]}`
	if err := os.WriteFile(reqs, []byte(okLine+"\n{oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A graph as analyze --graph-out writes it.
	g := graph.New()
	u, _ := g.AddEntity(&graph.Entity{Key: "arn:aws:iam::111122223333:user/alice", Type: "aws_iam_user", Class: []string{"User"}})
	p, _ := g.AddEntity(graph.NewEntity("arn:aws:iam::111122223333:user/alice/inline-policy/s3", "aws_iam_user_policy", []string{"AccessPolicy"}, map[string]any{"document": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}}))
	if err := g.AddRelationship(graph.NewRelationship(u, "HAS", p, nil)); err != nil {
		t.Fatal(err)
	}
	graphFile := filepath.Join(dir, "graph.json")
	b, err := json.Marshal(g.Document())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(graphFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  []string // one substring per output line
		wantErr  string
	}{
		{name: "stdin single request", args: []string{"iam", "simulate"}, stdin: okLine, wantOut: []string{`"decision":"Allowed"`}},
		{name: "file argument with a bad line", args: []string{"iam", "simulate", reqs}, wantCode: ExitError,
			wantOut: []string{`"decision":"Allowed"`, `{"error":"line 2: `}, wantErr: "1 request(s) could not be evaluated"},
		{name: "--input flag", args: []string{"iam", "simulate", "--input", reqs}, wantCode: ExitError,
			wantOut: []string{`"decision":"Allowed"`, `"error"`}},
		{name: "graph mode allowed", args: []string{"iam", "simulate", "--graph", graphFile, "--principal", "arn:aws:iam::111122223333:user/alice",
			"--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/k", "--resource-account", "111122223333"}, wantOut: []string{`"decision":"Allowed"`}},
		{name: "graph mode denied", args: []string{"iam", "simulate", "--graph", graphFile, "--principal", "arn:aws:iam::111122223333:user/alice",
			"--action", "ec2:RunInstances", "--resource", "*"}, wantOut: []string{`"decision":"ImplicitlyDenied"`}},
		{name: "graph mode needs --action", args: []string{"iam", "simulate", "--graph", graphFile, "--principal", "x", "--resource", "*"},
			wantCode: ExitUsage, wantErr: "needs --action"},
		{name: "bad --time", args: []string{"iam", "simulate", "--time", "yesterday"}, wantCode: ExitUsage, wantErr: "--time"},
		{name: "input twice", args: []string{"iam", "simulate", "--input", reqs, reqs}, wantCode: ExitUsage, wantErr: "give the input once"},
		{name: "missing file", args: []string{"iam", "simulate", filepath.Join(dir, "nope")}, wantCode: ExitError, wantErr: "no such file"},
		// The demo snapshot: alice gets ec2:Describe* through the developers group's managed policy only.
		{name: "snapshot mode allowed through a group", args: []string{"iam", "simulate", "--snapshot", "../testdata/snapshots/demo",
			"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "ec2:DescribeInstances", "--resource", "*"},
			wantOut: []string{`{"decision":"Allowed","reasons":["allowed by identity-based policy \"arn:aws:iam::111122223333:policy/developers-policy\"`}},
		{name: "snapshot mode denied", args: []string{"iam", "simulate", "--snapshot", "../testdata/snapshots/demo",
			"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "iam:CreateUser", "--resource", "*"},
			wantOut: []string{`"decision":"ImplicitlyDenied"`}},
		{name: "snapshot mode not a snapshot", args: []string{"iam", "simulate", "--snapshot", dir,
			"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "iam:CreateUser", "--resource", "*"},
			wantCode: ExitError, wantErr: "manifest"},
		{name: "snapshot and graph together", args: []string{"iam", "simulate", "--snapshot", dir, "--graph", graphFile},
			wantCode: ExitUsage, wantErr: "not both"},
	}
	tests = append(tests, iamQueryCases(dir)...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			code := Run(context.Background(), append([]string{"snapaudit"}, tt.args...), strings.NewReader(tt.stdin), &out, &errw)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errw.String())
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(tt.wantOut) == 0 && out.Len() != 0 {
				t.Fatalf("unexpected output %q", out.String())
			}
			if len(tt.wantOut) > 0 && len(lines) != len(tt.wantOut) {
				t.Fatalf("got %d lines %q, want %d", len(lines), out.String(), len(tt.wantOut))
			}
			for i, w := range tt.wantOut {
				if !strings.Contains(lines[i], w) {
					t.Errorf("line %d = %s, want %s", i+1, lines[i], w)
				}
			}
			if !strings.Contains(errw.String(), tt.wantErr) {
				t.Errorf("stderr %q, want %q", errw.String(), tt.wantErr)
			}
		})
	}
}

// iamQueryCases run who-can, can and explain on the demo snapshot. The
// demo's app-data bucket denies requests without TLS (aws:SecureTransport,
// unknown offline) and grants the web role read access; dave-admin has
// AdministratorAccess, alice only her sandbox bucket and ec2:Describe*.
func iamQueryCases(dir string) []struct {
	name     string
	args     []string
	stdin    string
	wantCode int
	wantOut  []string
	wantErr  string
} {
	const demo = "../testdata/snapshots/demo"
	const appData = "arn:aws:s3:::example-corp-app-data/reports/q1.csv"
	type tc = struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  []string
		wantErr  string
	}
	return []tc{
		{name: "who-can needs a snapshot", args: []string{"iam", "who-can", "--action", "s3:GetObject", "--resource", appData},
			wantCode: ExitUsage, wantErr: "give one SNAPSHOT"},
		{name: "who-can unknown resource", args: []string{"iam", "who-can", demo, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::nope/k"},
			wantCode: ExitError, wantErr: "not in the snapshot"},
		{name: "who-can bad format", args: []string{"iam", "who-can", demo, "--action", "s3:GetObject", "--resource", appData, "--format", "xml"},
			wantCode: ExitUsage, wantErr: "want table or json"},
		{name: "can unknown principal", args: []string{"iam", "can", demo, "--principal", "arn:aws:iam::111122223333:user/nobody"},
			wantCode: ExitError, wantErr: "not in the snapshot"},
		{name: "explain missing action", args: []string{"iam", "explain", demo, "--principal", "arn:aws:iam::111122223333:user/alice"},
			wantCode: ExitUsage, wantErr: "action"},
	}
}

func TestIAMWhoCanDemo(t *testing.T) {
	var out, errw bytes.Buffer
	code := Run(context.Background(), []string{"snapaudit", "iam", "who-can", "../testdata/snapshots/demo", "--action", "s3:GetObject",
		"--resource", "arn:aws:s3:::example-corp-app-data/reports/q1.csv", "--format", "json"}, strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	var doc struct {
		Answers []struct {
			Principal     string   `json:"principal"`
			Conditional   bool     `json:"conditional"`
			ConditionKeys []string `json:"condition_keys"`
		} `json:"answers"`
		Limits []string `json:"limits"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	// Readers through AmazonS3ReadOnlyAccess or AdministratorAccess, and the
	// root; all conditional on TLS, which the bucket policy requires.
	var got []string
	for _, a := range doc.Answers {
		if !a.Conditional || len(a.ConditionKeys) != 1 || a.ConditionKeys[0] != "aws:securetransport" {
			t.Errorf("%s: conditional=%v keys=%v, want conditional on aws:securetransport", a.Principal, a.Conditional, a.ConditionKeys)
		}
		got = append(got, strings.TrimPrefix(a.Principal, "arn:aws:iam::111122223333:"))
	}
	want := []string{"role/legacy-cross-account-access", "role/ops-break-glass", "role/partner-audit-role",
		"role/vendor-monitoring-role", "root", "user/bob@example.com", "user/dave-admin"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("who can read app-data:\n got %v\nwant %v", got, want)
	}
	if len(doc.Limits) == 0 {
		t.Error("no limits stated")
	}
}

func TestIAMExplainDemo(t *testing.T) {
	var out, errw bytes.Buffer
	code := Run(context.Background(), []string{"snapaudit", "iam", "explain", "../testdata/snapshots/demo",
		"--principal", "arn:aws:iam::111122223333:user/dave-admin", "--action", "s3:GetObject",
		"--resource", "arn:aws:s3:::example-corp-app-data/k", "--context", "aws:SecureTransport=false"}, strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	for _, want := range []string{
		"resource-based policy: explicit deny",
		"statement DenyInsecureTransport: matches",
		"identity-based policies: allows",
		"decision: ExplicitlyDenied",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain output lacks %q:\n%s", want, out.String())
		}
	}
}

// The demo's alice can assume ops-break-glass, an administrator, with MFA.
func TestIAMEscalationDemo(t *testing.T) {
	var out, errw bytes.Buffer
	code := Run(context.Background(), []string{"snapaudit", "iam", "escalation", "../testdata/snapshots/demo", "--format", "json"},
		strings.NewReader(""), &out, &errw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw.String())
	}
	var res struct {
		Admins []string `json:"admins"`
		Paths  []struct {
			Principal   string `json:"principal"`
			Conditional bool   `json:"conditional"`
			Steps       []struct {
				Technique string `json:"technique"`
				To        string `json:"to"`
			} `json:"steps"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	const alice, breakGlass = "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:role/ops-break-glass"
	found := false
	for _, p := range res.Paths {
		if p.Principal == alice {
			found = true
			if !p.Conditional || len(p.Steps) != 1 || p.Steps[0].Technique != "assume-role" || p.Steps[0].To != breakGlass {
				t.Errorf("alice's path %+v, want one conditional assume-role step to %s", p, breakGlass)
			}
		}
		if strings.HasSuffix(p.Principal, "user/dave-admin") {
			t.Error("dave-admin is an administrator already: no path")
		}
	}
	if !found {
		t.Errorf("no path for alice in %+v", res.Paths)
	}
	if !slices.Contains(res.Admins, breakGlass) {
		t.Errorf("admins %v lack %s", res.Admins, breakGlass)
	}
}
