package analyze_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/analyze/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const demo = "../testdata/snapshots/demo"

// TestDemoGolden runs the whole offline pipeline on the demo snapshot and
// compares the graph and the findings with golden files, so any change in
// what analyze reports for the demo account is a reviewed diff.
func TestDemoGolden(t *testing.T) {
	ctx := context.Background()
	a, err := analyze.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := a.Run(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "demo.graph.golden.json", rep.Graph.Document())
	golden(t, "demo.findings.golden.json", rep.Findings)

	// The demo is built to fail each built-in check at least once and to
	// have no coverage gaps but one: it is a member of an organisation, so
	// it cannot read the organisation's tree and policies (AccessDenied),
	// and the gaps must say so rather than "no SCPs".
	var gaps []string
	for _, g := range rep.Gaps {
		gaps = append(gaps, fmt.Sprintf("%s %s %s:%s %s", g.ResourceType, g.AccountID, g.Service, g.Operation, g.Class))
	}
	if want := []string{"aws_account 111122223333 organizations:ListAccounts denied",
		"aws_account 111122223333 organizations:ListRoots denied"}; !slices.Equal(gaps, want) {
		t.Errorf("demo gaps\n got %q\nwant %q", gaps, want)
	}
	failed := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Status == rules.StatusFail {
			failed[f.RuleID] = true
		}
	}
	for _, r := range a.Rules() {
		if strings.HasPrefix(r.ID, "AWS-") && !failed[r.ID] {
			t.Errorf("built-in check %s fails nowhere in the demo account", r.ID)
		}
	}
}

// escalationCheck reads the privilege-escalation analysis, which analyze
// runs by default below a number of principals (EscalationAuto).
const escalationCheck = "AWS-IAM-003"

// Without the escalation analysis its check says so and why (one ERROR per
// account, no PASS); with it — by default on the demo's 13 principals —
// the demo's alice, who may assume the administrator role ops-break-glass
// with MFA, fails with her path, and the graph holds the ESCALATES
// relationships it read.
func TestDemoEscalation(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts []analyze.Option
		// notRun is what the account's ERROR says; "" when it runs.
		notRun string
	}{
		{name: "default", opts: nil},
		{name: "on", opts: []analyze.Option{analyze.WithEscalation(true)}},
		{name: "on above the limit", opts: []analyze.Option{analyze.WithEscalation(true), analyze.WithEscalationLimit(1)}},
		{name: "off", opts: []analyze.Option{analyze.WithEscalation(false)},
			notRun: "was not run (turned off with --no-escalation): run snapaudit analyze --escalation"},
		{name: "auto above the limit", opts: []analyze.Option{analyze.WithEscalationLimit(12)},
			notRun: "was not run (13 principals > the limit 12 for running it by default): run snapaudit analyze --escalation"},
		{name: "auto at the limit", opts: []analyze.Option{analyze.WithEscalationMode(analyze.EscalationAuto), analyze.WithEscalationLimit(13)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			on := tc.notRun == ""
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
			a, err := analyze.New(ctx, append(tc.opts, analyze.WithLogger(log))...)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := a.Run(ctx, demo)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]string{}
			var notRun, alice string
			for _, f := range rep.Findings {
				if f.RuleID != escalationCheck || f.ResourceKey == "" {
					continue // the gaps: the demo cannot read its organisation
				}
				status[f.ResourceKey] = f.Status
				if strings.Contains(f.Message, "--escalation") {
					notRun = f.ResourceKey
					if !strings.Contains(f.Message, tc.notRun) {
						t.Errorf("not run: %q, want it to say %q", f.Message, tc.notRun)
					}
				}
				if strings.HasSuffix(f.ResourceKey, ":user/alice") {
					alice = f.Message
				}
			}
			// Auto says once, at Info, that it skipped the analysis.
			skipped := strings.Count(logged.String(), "privilege-escalation analysis skipped")
			if want := map[bool]int{true: 1}[strings.Contains(tc.notRun, "principals >")]; skipped != want {
				t.Errorf("logged the skip %d times, want %d:\n%s", skipped, want, logged.String())
			}
			if !on {
				if notRun != "arn:aws:iam::111122223333:root" || len(status) != 1 {
					t.Errorf("not run: want one ERROR for the account, got %v", status)
				}
				return
			}
			const path = "1. assume-role -> arn:aws:iam::111122223333:role/ops-break-glass using sts:AssumeRole on arn:aws:iam::111122223333:role/ops-break-glass"
			if st := status["arn:aws:iam::111122223333:user/alice"]; st != rules.StatusFail || !strings.Contains(alice, path) ||
				!strings.Contains(alice, "aws:multifactorauthpresent") {
				t.Errorf("alice: %s %q, want FAIL with %q and the MFA key", st, alice, path)
			}
			if st := status["arn:aws:iam::111122223333:user/dave-admin"]; st != rules.StatusPass {
				t.Errorf("dave-admin (an administrator): %s, want PASS", st)
			}
			if notRun != "" {
				t.Errorf("run, yet %s says it was not", notRun)
			}
			if len(status) != 13 {
				t.Errorf("judged %d principals, want the demo's 13 users and roles: %v", len(status), status)
			}
			rel := rep.Graph.Relationship("arn:aws:iam::111122223333:user/alice|escalates|admin-path")
			if rel == nil || rel.Class != "ESCALATES" || rel.Type != "aws_principal_escalation" || rel.To != "arn:aws:iam::111122223333:root" ||
				rel.Get("steps") != 1 || rel.Get("conditional") != true {
				t.Errorf("alice's admin-path relationship: %+v", rel)
			}
		})
	}
}

// TestDemoTypes checks that every entity type of the model's registry and
// every service placeholder appears in the demo graph: the demo is the
// README's first impression and must show them all.
func TestDemoTypes(t *testing.T) {
	ctx := context.Background()
	g, err := analyze.LoadGraph(ctx, demo, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, et := range model.Types() {
		types = append(types, et.Type)
	}
	for _, s := range model.Services() {
		types = append(types, s.Type())
	}
	for _, typ := range types {
		if len(g.EntitiesOfType(typ)) == 0 {
			t.Errorf("demo graph has no %s entity", typ)
		}
	}
}

// TestCorruptSnapshotRefused checks that analyze refuses a snapshot whose
// data does not match its manifest, and that --no-verify is the only way past.
func TestCorruptSnapshotRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	copyDir(t, demo, dir)
	var victim string
	filepath.WalkDir(filepath.Join(dir, "data"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && victim == "" {
			victim = p
		}
		return nil
	})
	b, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(victim, b, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := analyze.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Run(ctx, dir)
	if err == nil {
		t.Fatal("analyze accepted a snapshot with a flipped byte")
	}
	rel, _ := filepath.Rel(dir, victim)
	if !strings.Contains(err.Error(), filepath.ToSlash(rel)) {
		t.Errorf("error does not name the corrupt file %s: %v", rel, err)
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./analyze -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got); rerun with -update if intended:\n%s", path, diff)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
