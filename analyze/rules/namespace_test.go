package rules

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/policies"
)

// writeDir writes files (path relative to a new temporary directory → body)
// and returns the directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	return writeDirAt(t, t.TempDir(), files)
}

// writeDirAt is writeDir into an existing directory.
func writeDirAt(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// acmeCheck is a valid user check in package pkg with rule id id.
func acmeCheck(pkg, id string) string {
	return `# METADATA
# title: t
# description: d
# custom:
#   id: ` + id + `
#   severity: low
#   resource_types: [aws_s3_bucket]
#   frameworks: []
#   remediation: r
package ` + pkg + `

import data.lib

findings contains f if {
	some b in lib.resources_of_type("aws_s3_bucket")
	f := lib.pass(b, "ok")
}
`
}

// TestUserNamespace: a policy directory cannot define, extend or shadow
// anything the built-in checks read (data.lib, data.snapaudit.config, the
// built-in packages, the parents of those packages) nor another source's
// check, by package or by rule-head ref; every attempt is a load error that
// names the file and line.
func TestUserNamespace(t *testing.T) {
	const sgPass = `	some sg in lib.resources_of_type("aws_security_group")
	f := lib.pass(sg, "fine")
}
`
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error; the first names file:line
	}{
		{name: "package lib switches off every check", files: map[string]string{
			"evil.rego": "package lib\n\nplaceholder(e) if true\n",
		}, want: []string{"evil.rego:1", "data.lib", "reserved for the built-in pack"}},
		{name: "package lib.x", files: map[string]string{
			"evil.rego": "package lib.x\n\ny := 1\n",
		}, want: []string{"evil.rego:1", "data.lib.x"}},
		{name: "snapaudit.config empties required_tags", files: map[string]string{
			"evil.rego": "package snapaudit.config\n\nrequired_tags := []\n",
		}, want: []string{"evil.rego:1", "data.snapaudit.config", "--config"}},
		{name: "admin_ports from a rule head ref in package snapaudit", files: map[string]string{
			"evil.rego": "package snapaudit\n\nconfig.admin_ports := \"x\"\n",
		}, want: []string{"evil.rego:1", "data.snapaudit"}},
		{name: "findings of a built-in through a ref head from package snapaudit", files: map[string]string{
			"evil.rego": "package snapaudit\n\nimport data.lib\n\nrules.ec2_open_admin_ports.findings contains f if {\n" + sgPass,
		}, want: []string{"evil.rego:1", "data.snapaudit"}},
		{name: "findings of a built-in through a ref head from package snapaudit.rules", files: map[string]string{
			"x/evil.rego": "package snapaudit.rules\n\nimport data.lib\n\nec2_open_admin_ports.findings contains f if {\n" + sgPass,
		}, want: []string{filepath.Join("x", "evil.rego") + ":1", "package data.snapaudit.rules:"}},
		{name: "variable ref head that can reach a built-in", files: map[string]string{
			"evil.rego":  "package snapaudit.rules.acme\n\nok := 1\n",
			"evil2.rego": "package snapaudit\n\nimport data.lib\n\nrules[name].findings contains f if {\n\tname := \"ec2_open_admin_ports\"\n" + sgPass,
		}, want: []string{"evil2.rego:1", "data.snapaudit"}},
		{name: "helper inside a built-in check's package", files: map[string]string{
			"evil.rego": "package snapaudit.rules.ec2_open_admin_ports\n\n_extra := 1\n",
		}, want: []string{"evil.rego:1", "data.snapaudit.rules.ec2_open_admin_ports", "builtin:aws/ec2/open_admin_ports.rego"}},
		{name: "sub-package of a built-in check", files: map[string]string{
			"evil.rego": "package snapaudit.rules.ec2_open_admin_ports.more\n\nx := 1\n",
		}, want: []string{"evil.rego:1", "data.snapaudit.rules.ec2_open_admin_ports.more"}},
		{name: "prefix of the built-in packages", files: map[string]string{
			"evil.rego": "package snapaudit.rules\n\nx := 1\n",
		}, want: []string{"evil.rego:1", "data.snapaudit.rules"}},
		{name: "snapaudit.config spelled with a string key", files: map[string]string{
			"evil.rego": "package snapaudit[\"config\"]\n\nadmin_ports := \"x\"\n",
		}, want: []string{"evil.rego:1", "data.snapaudit.config"}},
		{name: "other snapaudit namespace", files: map[string]string{
			"evil.rego": "package snapaudit.settings\n\nx := 1\n",
		}, want: []string{"evil.rego:1", "data.snapaudit.settings"}},
		{name: "findings defined outside its package", files: map[string]string{
			"evil.rego": "package snapaudit.rules.acme\n\nimport data.lib\n\ndb.findings contains f if {\n" + sgPass,
		}, want: []string{"evil.rego:5", "findings"}},
		{name: "findings through a ref head from package snapaudit.rules.aws", files: map[string]string{
			"evil.rego": "package snapaudit.rules.aws\n\nimport data.lib\n\nec2.open_admin_ports.findings contains f if {\n" + sgPass,
		}, want: []string{"evil.rego:5", "findings"}},
		{name: "data.json", files: map[string]string{
			"data.json": `{"snapaudit": {"config": {"admin_ports": "x"}}}`,
			"ok.rego":   acmeCheck("snapaudit.rules.acme.ok", "ACME-OK-1"),
		}, want: []string{"data.json", "data file"}},
		{name: "data.yaml in a subdirectory", files: map[string]string{
			"sub/data.yaml": "lib: {}\n",
			"ok.rego":       acmeCheck("snapaudit.rules.acme.ok", "ACME-OK-1"),
		}, want: []string{filepath.Join("sub", "data.yaml"), "data file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.files)
			_, err := New(context.Background(), WithPolicies(policies.FS), WithPolicyDir(dir))
			if err == nil {
				t.Fatal("New succeeded, want a load error")
			}
			want := append([]string{}, tc.want...)
			want[0] = filepath.Join(dir, want[0])
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

// TestUserNamespaceAcrossDirs: one policy directory cannot extend another's
// check either, also not through a ref head from a parent package.
func TestUserNamespaceAcrossDirs(t *testing.T) {
	a := writeDir(t, map[string]string{"db.rego": acmeCheck("snapaudit.rules.acme.db", "ACME-DB-1")})
	b := writeDir(t, map[string]string{"evil.rego": "package snapaudit.rules.acme\n\nimport data.lib\n\ndb.extra := 1\n"})
	_, err := New(context.Background(), WithPolicies(policies.FS), WithPolicyDir(a), WithPolicyDir(b))
	if err == nil {
		t.Fatal("New succeeded, want a load error")
	}
	for _, w := range []string{filepath.Join(b, "evil.rego") + ":1", "data.snapaudit.rules.acme.db", filepath.Join(a, "db.rego")} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
}

// TestUserNamespaceAllowed: what a policy directory may declare still loads
// and runs: checks under snapaudit.rules.<own name> (also deep, also next to
// built-in names), helper packages of its own, and imports of data.lib and
// of built-in packages.
func TestUserNamespaceAllowed(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"a.rego":       acmeCheck("snapaudit.rules.acme.a", "ACME-A-1"),
		"aws/ec2.rego": acmeCheck("snapaudit.rules.aws.ec2.mine", "ACME-A-2"),
		"helpers.rego": "package acme.util\n\nimport data.lib\n\nbuckets := lib.resources_of_type(\"aws_s3_bucket\")\n",
		"b.rego": strings.Replace(acmeCheck("snapaudit.rules.acme.b", "ACME-A-3"), "import data.lib",
			"import data.lib\nimport data.acme.util\nimport data.snapaudit.rules.ec2_open_admin_ports as ec2", 1),
		"README.md": "notes\n",
	})
	eng := builtinEngine(t, WithPolicyDir(dir))
	res, err := eng.Evaluate(context.Background(), Input{Graph: testGraph(t)})
	if err != nil {
		t.Fatal(err)
	}
	wantStatuses(t, res, map[string]string{
		"ACME-A-1 arn:aws:s3:::tagged":                                          "PASS",
		"ACME-A-2 arn:aws:s3:::tagged":                                          "PASS",
		"ACME-A-3 arn:aws:s3:::tagged":                                          "PASS",
		"AWS-EC2-001 arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open": "FAIL",
	})
}
