package snapshot

import (
	"strings"
	"testing"
)

// TestPlanProblems: the manifest's collection plan is checked like the
// rest of the manifest; each broken plan names the entry and what is wrong.
func TestPlanProblems(t *testing.T) {
	list := PlannedCall{Service: "dynamodb", Operation: "ListTables", Scope: ScopeRegional}
	desc := PlannedCall{Service: "dynamodb", Operation: "DescribeTable", Scope: ScopePerParent, Parent: "dynamodb:ListTables"}
	call := CallStatus{AccountID: "111122223333", Region: "eu-west-1", Service: "dynamodb", Operation: "ListTables",
		Status: CallOK, Invocations: 1, Pages: 1, OKPages: 1}
	tests := []struct {
		name    string
		plan    []PlannedCall
		calls   []CallStatus
		wantErr string // "" = no problem
	}{
		{name: "no plan (older writers)", calls: []CallStatus{call}},
		{name: "valid", plan: []PlannedCall{desc, list}, calls: []CallStatus{call}},
		{name: "not sorted", plan: []PlannedCall{list, desc}, wantErr: "plan[1] dynamodb:DescribeTable is not sorted"},
		{name: "duplicate", plan: []PlannedCall{list, list}, wantErr: "is not sorted or is a duplicate"},
		{name: "parent not planned", plan: []PlannedCall{desc}, wantErr: `parent "dynamodb:ListTables" is not planned`},
		{name: "own parent", plan: []PlannedCall{{Service: "s3", Operation: "X", Scope: ScopePerParent, Parent: "s3:X"}}, wantErr: "is its own parent"},
		{name: "top-level call with a parent", plan: []PlannedCall{{Service: "dynamodb", Operation: "ListTables", Scope: ScopeRegional, Parent: "x:Y"}},
			wantErr: "a regional call has no parent"},
		{name: "unknown scope", plan: []PlannedCall{{Service: "ec2", Operation: "DescribeVpcs", Scope: "hourly"}}, wantErr: `scope "hourly"`},
		{name: "rows of an unplanned call", plan: []PlannedCall{{Service: "ec2", Operation: "DescribeVpcs", Scope: ScopeRegional}},
			calls: []CallStatus{call}, wantErr: "calls[0] dynamodb:ListTables has rows but is not in the plan"},
		{name: "empty operation", plan: []PlannedCall{{Service: "ec2", Scope: ScopeGlobal}}, wantErr: "service and operation are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Manifest{Plan: tt.plan, Calls: tt.calls}
			got := strings.Join(m.planProblems(), "\n")
			if tt.wantErr == "" && got != "" || !strings.Contains(got, tt.wantErr) {
				t.Fatalf("planProblems = %q, want one containing %q", got, tt.wantErr)
			}
		})
	}
	m := &Manifest{Plan: []PlannedCall{desc, list}}
	if p, ok := m.Planned("dynamodb", "DescribeTable"); !ok || p.Parent != "dynamodb:ListTables" {
		t.Errorf("Planned(DescribeTable) = %+v, %v", p, ok)
	}
	if _, ok := m.Planned("dynamodb", "ListTagsOfResource"); ok {
		t.Error("Planned found a call the plan does not name")
	}
}
