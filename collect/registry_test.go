package collect

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestRegistryInvariants checks every record of the registry, one subtest
// per record, plus the properties of the registry as a whole.
// accountChildren are the per-parent calls of another service than their
// parent's: calls whose input is the account ID, children of the identity
// that names it.
var accountChildren = map[string]string{
	"s3control:GetPublicAccessBlock": "sts:GetCallerIdentity",
}

func TestRegistryInvariants(t *testing.T) {
	reg := Registry()
	byName := map[string]Call{}
	for _, c := range reg {
		byName[c.Name()] = c
	}
	clients := map[string]bool{}
	for _, s := range services() {
		clients[s.Name] = true
	}
	allowed := map[string]string{}
	for _, a := range allowlist() {
		allowed[a.Service+":"+a.Operation] = a.Why
	}

	for _, c := range reg {
		t.Run(c.Name(), func(t *testing.T) {
			if !clients[c.Service] {
				t.Errorf("service %q has no client in services()", c.Service)
			}
			if c.Run.run == nil || c.Run.in == nil || c.Run.out == nil || c.Run.newInput == nil {
				t.Fatal("Run is not built by paged, single or tokens")
			}
			// Service and operation are read from the runner's input type
			// (Registry, named); its output type must be of the same
			// operation and package.
			if got, want := c.Run.out.Name(), c.Operation+"Output"; got != want || c.Run.out.PkgPath() != c.Run.in.PkgPath() {
				t.Errorf("runner output type %s.%s, want %s.%s", c.Run.out.PkgPath(), got, c.Run.in.PkgPath(), want)
			}
			if !isReadOnlyName(c.Operation) && allowed[c.Name()] == "" {
				t.Errorf("operation %s is not List/Get/Describe and not on the allowlist", c.Operation)
			}
			if denied(c.Service, c.Operation) {
				t.Errorf("operation %s returns secrets or mints credentials (deny list in guard.go)", c.Name())
			}
			switch c.Scope {
			case Global, Regional:
				if c.Parent != "" || c.Keys.fn != nil || c.Recurse.fn != nil {
					t.Errorf("%s call has a parent or key extractor", c.Scope)
				}
			case PerParent:
				p, ok := byName[c.Parent]
				if !ok {
					t.Fatalf("parent %q is not in the registry", c.Parent)
				}
				if c.Keys.fn == nil {
					t.Fatal("per-parent call without Keys")
				}
				if c.Keys.parent != p.Run.out {
					t.Errorf("Keys reads %v, parent %s outputs %v", c.Keys.parent, c.Parent, p.Run.out)
				}
				if p.Service != c.Service && accountChildren[c.Name()] != c.Parent {
					t.Errorf("parent %s is another service", c.Parent)
				}
				// A recursive call reads its own pages, to a positive depth.
				if c.Recurse.fn != nil && (c.Recurse.parent != c.Run.out || c.Depth < 1) {
					t.Errorf("Recurse reads %v (want the call's own %v), depth %d", c.Recurse.parent, c.Run.out, c.Depth)
				}
			default:
				t.Errorf("invalid scope %v", c.Scope)
			}
			for _, path := range slices.Concat(c.Redact, c.RedactURL) {
				if err := checkRedactPath(c.Run.out, path); err != nil {
					t.Error(err)
				}
			}
			// Every field whose name suggests a secret is redacted or
			// declared not secret with a reason (secrets.go).
			for _, p := range unlistedSecrets(c) {
				t.Errorf("output field %s suggests a secret: add it to Redact, or to NotSecret with the reason it is not one", p)
			}
			for _, p := range staleNotSecret(c) {
				t.Errorf("NotSecret %s names no secret-looking field of %s", p, c.Run.out)
			}
			for p, why := range c.NotSecret {
				if len(why) < 20 || strings.Contains(why, "\n") {
					t.Errorf("NotSecret %s: reason %q is not one explanatory line", p, why)
				}
			}
			if c.Probe && c.Scope != Regional {
				t.Error("the probe must be a regional call")
			}
			// A per-parent input gets the parent key (through the
			// reflective field builder, so the field must exist), unless
			// the operation takes no input at all (GetCredentialReport).
			if c.Scope == PerParent && exportedFields(c.Run.in) > 0 {
				const key = "parent-key-probe"
				if in, _ := json.Marshal(c.Run.newInput(key)); !strings.Contains(string(in), key) {
					t.Errorf("input %s did not receive the parent key: %s", c.Run.in, in)
				}
			}
			// A batched call's input takes the batch's keys as one list,
			// after the scope for a scoped batch: its Keys and its input
			// builder agree on the batch's form (batch.go).
			if c.Keys.batch > 0 {
				key, want := "k-1"+batchSep+"k-2", []string{`["k-1","k-2"]`}
				if c.Keys.scoped {
					key, want = "scope-probe"+batchSep+key, append(want, `"scope-probe"`)
				}
				in, _ := json.Marshal(c.Run.newInput(key))
				for _, w := range want {
					if !strings.Contains(string(in), w) {
						t.Errorf("batch input %s lacks %s: %s", c.Run.in, w, in)
					}
				}
			}
			// A key path (keysAt) leads from the parent's output to strings.
			if c.Keys.path != "" {
				if err := checkRedactPath(c.Keys.parent, c.Keys.path); err != nil {
					t.Errorf("Keys: %v", err)
				}
			}
		})
	}

	t.Run("sorted and unique", func(t *testing.T) {
		if !slices.IsSortedFunc(reg, func(a, b Call) int { return strings.Compare(a.Name(), b.Name()) }) {
			t.Error("registry is not sorted by Name")
		}
		if len(byName) != len(reg) {
			t.Errorf("%d records but %d unique names", len(reg), len(byName))
		}
	})
	t.Run("parent chains end", func(t *testing.T) {
		for _, c := range reg {
			seen := map[string]bool{}
			for cur := c; cur.Scope == PerParent; cur = byName[cur.Parent] {
				if seen[cur.Name()] {
					t.Fatalf("parent cycle through %s", cur.Name())
				}
				seen[cur.Name()] = true
			}
		}
	})
	t.Run("one probe, planning calls present", func(t *testing.T) {
		probes := 0
		for _, c := range reg {
			if c.Probe {
				probes++
			}
		}
		if probes != 1 {
			t.Errorf("%d probe calls, want 1", probes)
		}
		for _, name := range []string{callerIdentityCall, regionsCall} {
			if c, ok := byName[name]; !ok || c.Scope != Global {
				t.Errorf("%s missing or not global", name)
			}
		}
	})
	t.Run("escape hatches are few and justified", func(t *testing.T) {
		reasons := map[string]bool{}
		for _, c := range reg {
			if c.Why != "" {
				reasons[c.Why] = true
			}
			if c.Keys.why != "" {
				reasons[c.Keys.why] = true
			}
		}
		if len(reasons) > 3 {
			t.Errorf("%d escape hatches (%v); the registry should stay declarative", len(reasons), reasons)
		}
	})
	t.Run("allowlist entries are justified and needed", func(t *testing.T) {
		for _, a := range allowlist() {
			if len(a.Why) < 20 {
				t.Errorf("%s:%s: justification too short", a.Service, a.Operation)
			}
			if isReadOnlyName(a.Operation) {
				t.Errorf("%s:%s is read-only by name; it does not belong on the allowlist", a.Service, a.Operation)
			}
			if _, ok := byName[a.Service+":"+a.Operation]; !ok {
				t.Errorf("%s:%s is allowed but not in the registry", a.Service, a.Operation)
			}
		}
	})
	t.Run("deny list is sorted, unique, justified and not allowed", func(t *testing.T) {
		d := denylist()
		if !slices.IsSortedFunc(d, func(a, b deniedOp) int {
			return strings.Compare(a.Service+":"+a.Operation, b.Service+":"+b.Operation)
		}) {
			t.Error("deny list is not sorted by service:operation")
		}
		for i, e := range d {
			if e.Why == "" || (i > 0 && d[i-1].Service == e.Service && d[i-1].Operation == e.Operation) {
				t.Errorf("%s:%s: duplicate or without a reason", e.Service, e.Operation)
			}
		}
		for _, a := range allowlist() {
			if denied(a.Service, a.Operation) {
				t.Errorf("allowlisted %s:%s is on the deny list", a.Service, a.Operation)
			}
		}
	})
}

func TestIsReadOnlyName(t *testing.T) {
	tests := []struct {
		name string
		op   string
		want bool
	}{
		{name: "describe", op: "DescribeInstances", want: true},
		{name: "get", op: "GetBucketPolicy", want: true},
		{name: "list", op: "ListFunctions", want: true},
		{name: "terminate", op: "TerminateInstances", want: false},
		{name: "prefix without word boundary", op: "Getaway", want: false},
		{name: "bare prefix", op: "List", want: false},
		{name: "generate", op: "GenerateCredentialReport", want: false},
		{name: "put", op: "PutBucketPolicy", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isReadOnlyName(tt.op); got != tt.want {
				t.Errorf("isReadOnlyName(%q) = %v, want %v", tt.op, got, tt.want)
			}
		})
	}
}

// exportedFields counts the exported fields of a struct type.
func exportedFields(t reflect.Type) int {
	n := 0
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			n++
		}
	}
	return n
}
