package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect"
)

// TestProperties checks Properties against what the builder really sets on
// the fixtures' entities: every property of a built entity (tag.<Key>
// aside) is listed, for every type the fixtures build.
func TestProperties(t *testing.T) {
	g := buildWorld(t)
	for _, et := range Types() {
		t.Run(et.Type, func(t *testing.T) {
			props := et.Properties()
			if !slices.IsSorted(props) || len(slices.Compact(slices.Clone(props))) != len(props) {
				t.Fatalf("Properties() = %v: want sorted and unique", props)
			}
			ents := g.EntitiesOfType(et.Type)
			if len(ents) == 0 {
				t.Fatalf("the fixtures build no %s", et.Type)
			}
			for _, e := range ents {
				for k := range e.Props() {
					if len(k) > 4 && k[:4] == "tag." || slices.Contains(props, k) {
						continue
					}
					t.Errorf("%s has property %q, which Properties() does not list (a hatch declares what it sets in its Sets)", e.Key, k)
				}
			}
		})
	}
}

// TestParseCallLines: the call declarations of shapes.txt, with and
// without a parent and an IAM action; a bad one is an error naming its
// line.
func TestParseCallLines(t *testing.T) {
	const typ = "\ntype x.Out\n\tA string\n"
	tests := []struct {
		name, line string
		want       Collected
		wantErr    string
	}{
		{"regional", "call ec2:DescribeVpcs x.Out regional", Collected{Scope: "regional"}, ""},
		{"with action", "call s3:ListBuckets x.Out global iam=s3:ListAllMyBuckets", Collected{Scope: "global", Action: "s3:ListAllMyBuckets"}, ""},
		{"per-parent with action", "call ec2:DescribeVpcs x.Out per-parent ec2:DescribeVpcs iam=ec2:DescribeVpcs",
			Collected{Scope: "per-parent", Parent: Call{"ec2", "DescribeVpcs"}, Action: "ec2:DescribeVpcs"}, ""},
		{"bad action", "call ec2:DescribeVpcs x.Out regional iam=DescribeVpcs", Collected{}, `line 1: iam="DescribeVpcs" is not service:Action`},
		{"action without scope", "call ec2:DescribeVpcs x.Out iam=ec2:DescribeVpcs", Collected{}, "line 1: want scope"},
		{"parent without per-parent", "call ec2:DescribeVpcs x.Out regional ec2:DescribeVpcs iam=a:b", Collected{}, "line 1: want scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseShapes(tc.line + "\n" + typ)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cs := got[Call{strings.Split(strings.Fields(tc.line)[1], ":")[0], strings.Split(strings.Fields(tc.line)[1], ":")[1]}]
			if c := (Collected{Scope: cs.scope, Parent: cs.parent, Action: cs.action}); c != tc.want {
				t.Fatalf("got %+v, want %+v", c, tc.want)
			}
		})
	}
}

// TestCollectedCall: the IAM action shapes.txt records is the collector's.
func TestCollectedCall(t *testing.T) {
	for _, c := range collect.Registry() {
		got, ok := CollectedCall(Call{c.Service, c.Operation})
		if !ok || got.Action != c.IAMAction() || got.Scope != c.Scope.String() {
			t.Errorf("%s: CollectedCall = %+v, %v; the registry says scope %s, action %s", c.Name(), got, ok, c.Scope, c.IAMAction())
		}
	}
	if _, ok := CollectedCall(Call{"ec2", "RunInstances"}); ok {
		t.Error("CollectedCall(ec2:RunInstances): ok for a call the collector never makes")
	}
}
