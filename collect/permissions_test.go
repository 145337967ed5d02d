package collect

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
)

// TestPermissionsReadOnly maps every registered call to its IAM action and
// checks, against the embedded IAM action catalog, that the action exists
// and is a List or Read action.
func TestPermissionsReadOnly(t *testing.T) {
	cat, err := actions.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Registry() {
		name := c.IAMAction()
		a, ok := cat.Lookup(name)
		if !ok {
			t.Errorf("%s:%s: IAM action %s is not in the action catalog", c.Service, c.Operation, name)
			continue
		}
		for _, l := range a.Levels() {
			if l != actions.List && l != actions.Read {
				t.Errorf("%s:%s: IAM action %s has access level %q, want List or Read", c.Service, c.Operation, name, a.Level)
			}
		}
	}
}

// managedPoliciesPath is the AWS managed policy corpus (iam-dataset, MIT:
// see testdata/aws-managed-policies/NOTICE).
var managedPoliciesPath = filepath.Join("..", "testdata", "aws-managed-policies", "policies.jsonl.gz")

// securityAudit is the Baseline of the SecurityAudit managed policy in the
// corpus, answered by analyze/iam's evaluator (a test-only dependency:
// collect itself never imports analyze).
func securityAudit(t *testing.T) Baseline {
	t.Helper()
	f, err := os.Open(managedPoliciesPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", managedPoliciesPath, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var m struct {
			Name       string          `json:"name"`
			Version    string          `json:"version"`
			UpdateDate string          `json:"updatedate"`
			Document   json.RawMessage `json:"document"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s line %d: %v", managedPoliciesPath, line, err)
		}
		if m.Name != "SecurityAudit" {
			continue
		}
		pol, err := iam.Parse("SecurityAudit", m.Document)
		if err != nil {
			t.Fatalf("%s line %d: %v", managedPoliciesPath, line, err)
		}
		principal, err := iam.ParsePrincipal("arn:aws:iam::111122223333:role/snapaudit-readonly")
		if err != nil {
			t.Fatal(err)
		}
		ev := iam.NewEvaluator(iam.WithClock(func() time.Time { return time.Time{} }))
		allowed := func(action, resource string) iam.Result {
			return ev.Evaluate(&iam.Request{Principal: principal, Action: action, Resource: resource},
				&iam.Policies{Identity: []*iam.Policy{pol}})
		}
		date, _, _ := strings.Cut(m.UpdateDate, "T")
		return Baseline{
			Name:    "SecurityAudit",
			Version: fmt.Sprintf("version %s, updated %s", m.Version, date),
			Grants: func(action, resource string) (bool, error) {
				if allowed(action, resource).Decision == iam.Allowed {
					return true, nil
				}
				// Granted on some resources only: which one the call
				// needs decides, and the registry must say.
				if resource == "" && allowed(action, "*").Decision == iam.Allowed {
					return false, fmt.Errorf("SecurityAudit grants %s on some resources only: "+
						"add the resource the call is authorized against to requestResources (permissions.go)", action)
				}
				return false, nil
			},
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", managedPoliciesPath, err)
	}
	t.Fatalf("%s: no SecurityAudit policy", managedPoliciesPath)
	return Baseline{}
}

// TestPermissionsDoc keeps PERMISSIONS.md and snapaudit-extra-policy.json
// in step with the registry and the SecurityAudit policy.
func TestPermissionsDoc(t *testing.T) {
	base := securityAudit(t)
	got, err := PermissionsDoc(Registry(), base)
	if err != nil {
		t.Fatal(err)
	}
	checkGeneratedDoc(t, "PERMISSIONS.md", got, "TestPermissionsDoc")
	extraJSON, err := ExtraPolicy(Registry(), base)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := base.Extra(Registry())
	if err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		checkGeneratedDoc(t, ExtraPolicyFile, extraJSON, "TestPermissionsDoc")
	} else {
		checkAbsent(t, ExtraPolicyFile, "TestPermissionsDoc")
	}
	checkPolicies(t, got, extraJSON, extra)
}

// checkAbsent fails when a generated file that should not exist does;
// -update removes it.
func checkAbsent(t *testing.T, name, test string) {
	t.Helper()
	if *update {
		if err := os.Remove(name); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("collect/%s is stale (it should not exist): run go test ./collect -run %s -update", name, test)
	}
}

// checkPolicies checks the JSON policies of a PERMISSIONS.md: the extra
// policy (when there are extra actions) exactly as extraJSON, then the
// full one, each valid JSON allowing exactly its actions on "*".
func checkPolicies(t *testing.T, got, extraJSON string, extra []string) {
	t.Helper()
	// The policies in PERMISSIONS.md and the extra policy file are JSON
	// listing the actions they claim: every action, then the extra ones.
	type policy struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	var docs []string
	for rest := got; ; {
		i := strings.Index(rest, "```json\n")
		if i < 0 {
			break
		}
		rest = rest[i+len("```json\n"):]
		j := strings.Index(rest, "```")
		docs = append(docs, rest[:j])
		rest = rest[j+3:]
	}
	wants := [][]string{Permissions(Registry())}
	if len(extra) > 0 {
		if len(docs) == 0 || docs[0] != extraJSON {
			t.Fatalf("PERMISSIONS.md does not show the extra policy as %s has it", ExtraPolicyFile)
		}
		wants = append([][]string{extra}, wants...)
	}
	if len(docs) != len(wants) {
		t.Fatalf("PERMISSIONS.md has %d JSON policies, want %d", len(docs), len(wants))
	}
	for i, want := range wants {
		var pol policy
		if err := json.Unmarshal([]byte(docs[i]), &pol); err != nil {
			t.Fatalf("policy %d in PERMISSIONS.md is not JSON: %v", i, err)
		}
		if len(pol.Statement) != 1 || pol.Version != "2012-10-17" || pol.Statement[0].Effect != "Allow" ||
			pol.Statement[0].Resource != "*" || !slices.Equal(pol.Statement[0].Action, want) {
			t.Fatalf("policy %d lists %+v, want Allow %v on *", i, pol, want)
		}
	}
}

// TestPermissionsDocExtra renders the documents against baselines that
// grant nothing and everything: the extra actions are listed, in the doc
// and in a valid policy, exactly when the baseline lacks them.
func TestPermissionsDocExtra(t *testing.T) {
	calls := Registry()
	all := Permissions(calls)
	tests := []struct {
		name   string
		grants func(action, resource string) (bool, error)
		want   []string
	}{
		{"grants nothing", func(string, string) (bool, error) { return false, nil }, all},
		{"grants everything", func(string, string) (bool, error) { return true, nil }, nil},
		{"lacks one", func(a, _ string) (bool, error) { return a != all[0], nil }, all[:1]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := Baseline{Name: "TestBaseline", Version: "v1", Grants: tc.grants}
			extra, err := base.Extra(calls)
			if err != nil || !slices.Equal(extra, tc.want) {
				t.Fatalf("Extra = %v, %v; want %v", extra, err, tc.want)
			}
			doc, err := PermissionsDoc(calls, base)
			if err != nil {
				t.Fatal(err)
			}
			extraJSON, err := ExtraPolicy(calls, base)
			if err != nil {
				t.Fatal(err)
			}
			if (extraJSON == "") != (len(tc.want) == 0) {
				t.Fatalf("extra policy %q for extra actions %v", extraJSON, tc.want)
			}
			checkPolicies(t, doc, extraJSON, extra)
		})
	}
	failing := Baseline{Name: "Broken", Grants: func(string, string) (bool, error) { return false, fmt.Errorf("boom") }}
	if _, err := PermissionsDoc(calls, failing); err == nil || !strings.Contains(err.Error(), "Broken: ") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v, want one naming the baseline, the call and the cause", err)
	}
}

// TestSecurityAuditBaseline checks the baseline's answers on actions whose
// status in SecurityAudit is known, so the extra list cannot be empty or
// full by mistake: granted on "*" (ec2:Describe*, iam:Get*), granted on
// some API Gateway paths only (and not on /apikeys, whose answers hold
// secrets), and not granted at all.
func TestSecurityAuditBaseline(t *testing.T) {
	base := securityAudit(t)
	tests := []struct {
		name, action, resource string
		want                   bool
		wantErr                string
	}{
		{"wildcard action on *", "ec2:DescribeVpcs", "", true, ""},
		{"iam Get*", "iam:GetAccountAuthorizationDetails", "", true, ""},
		{"listed action", "s3:ListAllMyBuckets", "", true, ""},
		{"not in SecurityAudit", "s3:GetObject", "", false, ""},
		{"write action", "ec2:TerminateInstances", "", false, ""},
		{"api gateway path granted", "apigateway:GET", "arn:aws:apigateway:eu-west-1::/restapis", true, ""},
		{"api gateway resources path", "apigateway:GET", "arn:aws:apigateway:eu-west-1::/restapis/abc/resources", true, ""},
		{"api gateway api keys", "apigateway:GET", "arn:aws:apigateway:eu-west-1::/apikeys", false, ""},
		{"some resources only, undeclared", "apigateway:GET", "", false, "some resources only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := base.Grants(tc.action, tc.resource)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Grants(%s, %q) = %v, %v; want %v", tc.action, tc.resource, got, err, tc.want)
			}
		})
	}
	// Every declared request resource belongs to a registered call.
	names := map[string]bool{}
	for _, c := range Registry() {
		names[c.Name()] = true
	}
	for name := range requestResources {
		if !names[name] {
			t.Errorf("requestResources names %s, which is not a registered call", name)
		}
	}
}
