package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/catalog"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestTypesJSON: `types --format json` is the catalog of the current
// registries, and names every record of the model's registry.
func TestTypesJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "types", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var got catalog.Catalog
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("output is not the catalog's JSON: %v", err)
	}
	if diff := cmp.Diff(catalog.Build(), got); diff != "" {
		t.Fatalf("types --format json differs from catalog.Build (-want +got):\n%s", diff)
	}
	for _, mt := range model.Types() {
		e, ok := got.Entity(mt.Type)
		if !ok || len(e.Calls) == 0 || len(e.Permissions) == 0 {
			t.Errorf("%s: missing, or without calls and permissions: %+v", mt.Type, e)
		}
	}
	// The shape README.md documents: stable field names, every field
	// present, lists never null.
	if strings.Contains(out, "null") {
		t.Error("types --format json has a null value; README.md promises empty strings and lists")
	}
	var raw struct {
		Version     int              `json:"version"`
		EntityTypes []map[string]any `json:"entityTypes"`
		RelTypes    []map[string]any `json:"relationshipTypes"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Version != catalog.Version || len(raw.EntityTypes) == 0 || len(raw.RelTypes) == 0 {
		t.Fatalf("version %d, %d entity types, %d relationship types", raw.Version, len(raw.EntityTypes), len(raw.RelTypes))
	}
	for _, e := range raw.EntityTypes {
		for _, f := range []string{"type", "class", "kind", "scope", "service", "source", "calls", "permissions", "key", "properties", "hatches"} {
			if _, ok := e[f]; !ok {
				t.Errorf("entity type %v has no field %q", e["type"], f)
			}
		}
	}
	for _, r := range raw.RelTypes {
		for _, f := range []string{"type", "from", "verb", "to", "origin"} {
			if _, ok := r[f]; !ok {
				t.Errorf("relationship type %v has no field %q", r["type"], f)
			}
		}
	}
}

// TestTypesTable: the table has a line for every entity type (with its
// class, scope, source call and IAM action) and every relationship type.
func TestTypesTable(t *testing.T) {
	code, out, errOut := runCLI(t, "types")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = append(lines[f[0]], l)
		}
	}
	cat := catalog.Build()
	for _, e := range cat.EntityTypes {
		ls := lines[e.Type]
		if len(ls) == 0 {
			t.Errorf("no line for entity type %s", e.Type)
			continue
		}
		f := strings.Fields(ls[0])
		class := strings.Join(e.Class, ",")
		if class == "" {
			class = "-"
		}
		if len(f) < 4 || f[1] != class || f[2] != e.Kind {
			t.Errorf("%s: line %q, want class %v, kind %s", e.Type, ls[0], e.Class, e.Kind)
		}
		if e.Source != "" {
			src := ""
			for _, ci := range e.Calls {
				if ci.Call == e.Source {
					src = ci.Call + " * " + ci.Action
				}
			}
			if !strings.Contains(strings.Join(f, " "), e.Scope+" "+src) {
				t.Errorf("%s: line %q, want scope %s and source %q", e.Type, ls[0], e.Scope, src)
			}
		}
	}
	for _, r := range cat.RelationshipTypes {
		found := false
		for _, l := range lines[r.Type] {
			found = found || strings.Join(strings.Fields(l), " ") == strings.Join([]string{r.Type, r.From, r.Verb, r.To, r.Origin}, " ")
		}
		if !found {
			t.Errorf("no line for relationship %+v", r)
		}
	}
}

func TestTypesUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad format", []string{"types", "--format", "yaml"}, `--format must be table or json, not "yaml"`},
		{"argument", []string{"types", "extra"}, `types: takes no arguments, got "extra"`},
		{"unknown flag", []string{"types", "--nope"}, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != ExitUsage || out != "" || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, ExitUsage, tc.want)
			}
		})
	}
	if _, out, _ := runCLI(t, "--help"); !strings.Contains(out, "types ") {
		t.Errorf("snapaudit --help does not list types:\n%s", out)
	}
}
