package access

import (
	"context"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestOrgPolicyStatus: what a query knows of the organisation policies of
// the account, from its aws_account properties (analyze/model org.go).
// SCPs never apply to the management account's principals
// (orgs_manage_policies_scps.html, "Tasks and entities not restricted by
// SCPs"); a type the root has not enabled applies nowhere; a document that
// does not parse is not readable, and the limits name it.
func TestOrgPolicyStatus(t *testing.T) {
	const denyAll = `[{"target":"r-1","policies":[{"id":"p-1","name":"deny","document":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}]},{"target":"` + acct + `","policies":[]}]`
	tests := []struct {
		name       string
		props      map[string]any
		scps, rcps string
		allowed    bool
		limit      string
	}{
		{"no organisation: none apply", map[string]any{"organizationId": nil}, OrgPoliciesNone, OrgPoliciesNone, true, ""},
		{"member that could not read them", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other,
			"serviceControlPolicies": nil, "resourceControlPolicies": nil}, OrgPoliciesUnreadable, OrgPoliciesUnreadable, true, "not readable"},
		{"member with a deny-all SCP", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other,
			"organizationPath": "o-1/r-1/", "serviceControlPolicies": denyAll, "resourceControlPolicies": "[]"},
			OrgPoliciesApplied, OrgPoliciesNone, false, ""},
		{"the management account: SCPs do not apply", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": acct,
			"organizationPath": "o-1/r-1/", "serviceControlPolicies": denyAll, "resourceControlPolicies": "[]"},
			OrgPoliciesNone, OrgPoliciesNone, true, ""},
		{"a document that does not parse", map[string]any{"organizationId": "o-1", "organizationMasterAccountId": other,
			"serviceControlPolicies": `[{"target":"r-1","policies":[{"id":"p-bad","name":"bad","document":"{"}]}]`, "resourceControlPolicies": "[]"},
			OrgPoliciesUnreadable, OrgPoliciesNone, true, "SCP p-bad at r-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for k, v := range tc.props {
				w.g.Entity(model.AccountKey(acct)).Set(k, v)
			}
			w.bucket("data", "")
			admin := w.role("admin", "", "")
			w.inline(admin, "all", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
			q := newTestQuery(t, w)
			got, err := q.WhoCan(context.Background(), "s3:GetObject", "arn:aws:s3:::data/k")
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, a := range got {
				if a.Principal == roleARN("admin") {
					found = true
					if a.SCPs != tc.scps || a.RCPs != tc.rcps {
						t.Errorf("scps %q rcps %q, want %q %q", a.SCPs, a.RCPs, tc.scps, tc.rcps)
					}
				}
			}
			if found != tc.allowed {
				t.Errorf("admin allowed: %v, want %v (%+v)", found, tc.allowed, got)
			}
			limits := strings.Join(q.Limits(), "\n")
			if tc.limit != "" && !strings.Contains(limits, tc.limit) {
				t.Errorf("limits %q lack %q", limits, tc.limit)
			}
			if tc.limit == "" && strings.Contains(limits, "not readable") {
				t.Errorf("limits %q say not readable", limits)
			}
		})
	}
}
