package fieldpath

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		want    []Step
		wantErr string
	}{
		{name: "empty is the value itself", path: "", want: nil},
		{name: "one field", path: "State", want: []Step{{Field: "State"}}},
		{name: "nested lists", path: "Reservations[].Instances[]", want: []Step{{"Reservations", List}, {"Instances", List}}},
		{name: "map values", path: "ResourceMethods{}.MethodIntegration.Uri",
			want: []Step{{"ResourceMethods", Map}, {"MethodIntegration", One}, {"Uri", One}}},
		{name: "digits and underscore", path: "Ipv6_Cidr2", want: []Step{{Field: "Ipv6_Cidr2"}}},
		{name: "empty step", path: "Functions..X", wantErr: "step 2 has an empty field name"},
		{name: "trailing dot", path: "Functions.", wantErr: "step 2 has an empty field name"},
		{name: "iteration without a field", path: "[]", wantErr: "step 1 has an empty field name"},
		{name: "iteration inside a name", path: "A[]B", wantErr: `"A[]B" is not a field name`},
		{name: "double suffix", path: "A[][]", wantErr: `"A[][]" is not a field name`},
		{name: "space", path: "Tag Key", wantErr: "is not a field name"},
		{name: "template braces", path: "{Arn}", wantErr: "is not a field name"},
		{name: "parent reference is template syntax, not a path", path: "^.Arn", wantErr: "is not a field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("Parse(%q) error = %v, want one naming the path and containing %q", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestIterates(t *testing.T) {
	for path, want := range map[string]bool{"": false, "A.B": false, "A[].B": true, "A.B{}": true} {
		steps, err := Parse(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := Iterates(steps); got != want {
			t.Errorf("Iterates(%q) = %v, want %v", path, got, want)
		}
	}
}
