package iam

import (
	"strings"
	"testing"
)

// TestImmutableRulesTable checks the table's invariants: named rows, lower
// case service:action names without duplicates, resource patterns that are
// ARNs.
func TestImmutableRulesTable(t *testing.T) {
	names := map[string]bool{}
	for _, r := range immutableRules {
		if r.name == "" || names[r.name] {
			t.Errorf("rule %q: needs a unique name", r.name)
		}
		names[r.name] = true
		if !strings.HasPrefix(r.resource, "arn:*:") {
			t.Errorf("rule %q: resource %q is not an ARN pattern of every partition", r.name, r.resource)
		}
		seen := map[string]bool{}
		for _, a := range r.actions {
			if a != strings.ToLower(a) || !strings.Contains(a, ":") || seen[a] {
				t.Errorf("rule %q: action %q must be lower case service:action, once", r.name, a)
			}
			seen[a] = true
		}
	}
}
