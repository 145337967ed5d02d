package rules

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/policies"
)

// TestConfigUnknownKey: a config key that no loaded check reads (a typo such
// as admin_port) is an error naming the file, the key, a close match and the
// keys the loaded checks read; keys an auditor's own check reads through
// lib.config or data.snapaudit.config.<key> are accepted.
func TestConfigUnknownKey(t *testing.T) {
	own := writeDir(t, map[string]string{
		"db.rego": strings.Replace(acmeCheck("snapaudit.rules.acme.db", "ACME-DB-1"), "findings contains",
			"ports := lib.config(\"acme_db_ports\", [5432])\n\nx := data.snapaudit.config.acme_extra\n\nfindings contains", 1),
	})
	cfgDir := t.TempDir()
	file := func(name, body string) string {
		return filepath.Join(writeDirAt(t, cfgDir, map[string]string{name: body}), name)
	}
	tests := []struct {
		name    string
		opts    []Option
		wantErr []string
	}{
		{name: "typo in a file", opts: []Option{WithConfigFile(file("audit.yaml", "admin_port: [22]\nrequired_tags: [Owner]\n"))},
			wantErr: []string{filepath.Join(cfgDir, "audit.yaml"), `unknown key "admin_port"`, `did you mean "admin_ports"`, "admin_ports, certificate_expiry_days, required_tags, snapshot_trusted_accounts"}},
		{name: "typo through WithConfig", opts: []Option{WithConfig(map[string]any{"requried_tags": []any{"Owner"}})},
			wantErr: []string{`unknown key "requried_tags"`, `did you mean "required_tags"`}},
		{name: "own check's key unknown without its directory", opts: []Option{WithConfig(map[string]any{"acme_db_ports": []any{3306}})},
			wantErr: []string{`unknown key "acme_db_ports"`}},
		{name: "own check's keys known with its directory", opts: []Option{WithPolicyDir(own),
			WithConfigFile(file("own.json", `{"acme_db_ports": [3306], "acme_extra": 1, "admin_ports": [22]}`))}},
		{name: "file errors name the file", opts: []Option{WithConfigFile(file("bad.json", `{"required_tags": "Owner"}`))},
			wantErr: []string{filepath.Join(cfgDir, "bad.json"), "required_tags: want a non-empty list"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), append([]Option{WithPolicies(policies.FS)}, tc.opts...)...)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}
