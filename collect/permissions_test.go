package collect

import (
	"encoding/json"
	"strings"
	"testing"

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

// TestPermissionsDoc keeps PERMISSIONS.md in step with the registry.
func TestPermissionsDoc(t *testing.T) {
	got := PermissionsDoc(Registry())
	checkGeneratedDoc(t, "PERMISSIONS.md", got, "TestPermissionsDoc")
	// The embedded policy must be valid JSON listing every permission.
	i := strings.Index(got, "```json\n")
	j := strings.LastIndex(got, "```")
	var pol struct {
		Statement []struct{ Action []string }
	}
	if err := json.Unmarshal([]byte(got[i+len("```json\n"):j]), &pol); err != nil {
		t.Fatalf("policy in PERMISSIONS.md is not JSON: %v", err)
	}
	if len(pol.Statement) != 1 || len(pol.Statement[0].Action) != len(Permissions(Registry())) {
		t.Fatalf("policy lists %v, want %d actions", pol.Statement, len(Permissions(Registry())))
	}
}
