package model

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/snapshot"
)

// TestOrganizationPolicies: an account's organisation path and the SCPs
// and RCPs at each of its levels come from the management account's rows
// (the fixture world: the member 111122223333's own calls are denied), and
// each is null, never "none", when a call it depends on did not answer.
func TestOrganizationPolicies(t *testing.T) {
	const mgmt = "999988887777"
	type levels []struct {
		Target   string `json:"target"`
		Policies []struct {
			ID       string `json:"id"`
			Document string `json:"document"`
		} `json:"policies"`
	}
	// summary renders levels as "target:id,id target:id".
	summary := func(v any) any {
		s, ok := v.(string)
		if !ok {
			return v
		}
		var ls levels
		if err := json.Unmarshal([]byte(s), &ls); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var parts []string
		for _, l := range ls {
			var ids []string
			for _, p := range l.Policies {
				ids = append(ids, p.ID)
				if p.Document == "" {
					t.Errorf("%s at %s: no document", p.ID, l.Target)
				}
			}
			parts = append(parts, l.Target+":"+strings.Join(ids, ","))
		}
		return strings.Join(parts, " ")
	}
	const path = "o-exampleorgid/r-exmp/ou-exmp-workload1/ou-exmp-prod0001/"
	scps := "r-exmp:p-FullAWSAccess ou-exmp-workload1:p-FullAWSAccess,p-denybucketdel1 ou-exmp-prod0001:p-FullAWSAccess 111122223333:p-FullAWSAccess"
	rcps := "r-exmp:p-RCPFullAWSAccess,p-denyexternal1 ou-exmp-workload1:p-RCPFullAWSAccess ou-exmp-prod0001:p-RCPFullAWSAccess 111122223333:p-RCPFullAWSAccess"
	drop := func(name, account, parent string) func(*memSource) {
		return func(m *memSource) {
			c := op(name)
			m.rows[c] = slices.DeleteFunc(m.rows[c], func(r snapshot.Row) bool {
				return r.AccountID == account && (parent == "*" || r.ParentKey == parent)
			})
		}
	}
	failed := func(name, parent string) func(*memSource) {
		return func(m *memSource) {
			drop(name, mgmt, parent)(m)
			m.fail(op(name), mgmt, "global", parent, snapshot.ClassThrottled, "Throttling")
		}
	}
	tests := []struct {
		name             string
		change           func(*memSource)
		path, scps, rcps any
	}{
		{"management rows read the member's levels", nil, path, scps, rcps},
		{"only the member's denied rows: all unknown", func(m *memSource) {
			for _, c := range orgHatch.Calls {
				drop(c.Service+":"+c.Operation, mgmt, "*")(m)
			}
		}, nil, nil, nil},
		{"a policy document not read: that type unknown", failed("organizations:DescribePolicy", "p-denybucketdel1"), path, nil, rcps},
		{"a policy's targets cut short (failed page): that type unknown", func(m *memSource) {
			m.fail(op("organizations:ListTargetsForPolicy"), mgmt, "global", "p-denyexternal1", snapshot.ClassThrottled, "Throttling")
		}, path, scps, nil},
		{"ListPolicies failed for SCPs: SCPs unknown", failed("organizations:ListPolicies", "SERVICE_CONTROL_POLICY"), path, nil, rcps},
		{"the account's parent unknown: all unknown", failed("organizations:ListParents", "111122223333"), nil, nil, nil},
		{"an OU's listing failed: the path below it unknown", failed("organizations:ListOrganizationalUnitsForParent", "ou-exmp-workload1"), nil, nil, nil},
		{"RCPs not enabled on the root: none apply", func(m *memSource) {
			c := op("organizations:ListRoots")
			for i, r := range m.rows[c] {
				m.rows[c][i].Response = rcpEnabled.ReplaceAllString(r.Response, `"RESOURCE_CONTROL_POLICY", "Status": "PENDING_DISABLE"`)
			}
		}, path, scps, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := world(t)
			if tt.change != nil {
				tt.change(src)
			}
			g, err := Build(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			e := g.Entity(AccountKey("111122223333"))
			if e == nil {
				t.Fatal("no aws_account")
			}
			for _, p := range []struct {
				name string
				want any
			}{{"organizationPath", tt.path}, {"serviceControlPolicies", tt.scps}, {"resourceControlPolicies", tt.rcps}} {
				v, ok := e.Lookup(p.name)
				if !ok {
					t.Errorf("%s absent, want it set (null when unknown)", p.name)
				}
				if p.name != "organizationPath" {
					v = summary(v)
				}
				if v != p.want {
					t.Errorf("%s = %v, want %v", p.name, v, p.want)
				}
			}
		})
	}
}

var rcpEnabled = regexp.MustCompile(`"RESOURCE_CONTROL_POLICY",\s*"Status":\s*"ENABLED"`)
