package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestECRConverters covers the converters of types_ecr.go: unknown inputs
// stay nil (never a guessed false or zero).
func TestECRConverters(t *testing.T) {
	pol := func(stmt string) string { return `{"Version":"2012-10-17","Statement":` + stmt + `}` }
	tests := []struct {
		name    string
		conv    Conv
		in      any
		want    any
		wantErr string
	}{
		{"count present", severityCount("HIGH"), map[string]any{"HIGH": json.Number("3")}, int64(3), ""},
		{"count absent from a summary is zero", severityCount("CRITICAL"), map[string]any{"HIGH": json.Number("3")}, int64(0), ""},
		{"no summary: unknown", severityCount("CRITICAL"), nil, nil, ""},
		{"critical", numericSeverity, "CRITICAL", int64(10), ""},
		{"informational", numericSeverity, "INFORMATIONAL", int64(0), ""},
		{"undefined severity: unknown", numericSeverity, "UNDEFINED", nil, ""},
		{"attribute found", attribute("package_name"), []any{map[string]any{"Key": "package_version", "Value": "1.0"},
			map[string]any{"Key": "package_name", "Value": "openssl"}}, "openssl", ""},
		{"numeric attribute", attribute("CVSS2_SCORE"), []any{map[string]any{"Key": "CVSS2_SCORE", "Value": "7.5"}}, 7.5, ""},
		{"attribute missing", attribute("package_name"), []any{}, nil, ""},
		{"immutable", immutableTags, "IMMUTABLE", true, ""},
		{"immutable with exclusions", immutableTags, "IMMUTABLE_WITH_EXCLUSION", true, ""},
		{"mutable", immutableTags, "MUTABLE", false, ""},
		{"mutability unknown", immutableTags, nil, nil, ""},
		{"principal star", publicPolicy, pol(`[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]`), true, ""},
		{"AWS star in a list", publicPolicy, pol(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"ecr:*"}`), true, ""},
		{"NotPrincipal allow", publicPolicy, pol(`[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"ecr:*"}]`), true, ""},
		{"star with an org condition", publicPolicy, pol(`[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]`), false, ""},
		{"deny star", publicPolicy, pol(`[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]`), false, ""},
		{"one account", publicPolicy, pol(`[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"ecr:*"}]`), false, ""},
		{"no statement", publicPolicy, `{"Version":"2012-10-17"}`, false, ""},
		{"no policy: unknown", publicPolicy, nil, nil, ""},
		{"broken statement", publicPolicy, pol(`"x"`), nil, "Statement"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.conv(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
