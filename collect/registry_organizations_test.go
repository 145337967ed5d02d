package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// orgCalls is the registry's Organizations calls plus the two planning calls.
func orgCalls() []Call {
	return slices.DeleteFunc(Registry(), func(c Call) bool {
		return c.Service != "organizations" && c.Name() != callerIdentityCall && c.Name() != regionsCall
	})
}

func collectWorld(t *testing.T, dir string) ([]snapshot.Row, Summary) {
	t.Helper()
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, dir))
	w := &memWriter{}
	sum, err := New(fakeConfig(t, srv, nil), testOpts(WithCalls(orgCalls()))...).Run(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	return w.rows, sum
}

// invocations lists "parent_key status" of a call's rows, sorted.
func invocations(rows []snapshot.Row, op string) []string {
	var out []string
	for _, r := range findRows(rows, "organizations", op, "") {
		out = append(out, r.ParentKey+" "+r.Params+" "+string(r.Status)+" "+r.ErrorCode)
	}
	slices.Sort(out)
	return out
}

// TestCollectOrganization: from the management account (world org) the
// collector reads the whole OU tree (the recursive call, Call.Recurse), the
// SCPs and RCPs (ListPolicies once per enabled type of the two, never for
// the tag policies the root also enables), their documents and targets, and
// each account's parent.
func TestCollectOrganization(t *testing.T) {
	rows, sum := collectWorld(t, "../testdata/fakeaws/org")
	if len(sum.Failures) != 0 {
		t.Errorf("failures %+v", sum.Failures)
	}
	for _, tt := range []struct {
		op   string
		want []string
	}{
		{"ListOrganizationalUnitsForParent", []string{
			`ou-exmp-prod0001 {"ParentId":"ou-exmp-prod0001"} ok `,
			`ou-exmp-workload1 {"ParentId":"ou-exmp-workload1"} ok `,
			`r-exmp {"ParentId":"r-exmp"} ok `}},
		{"ListPolicies", []string{
			`RESOURCE_CONTROL_POLICY {"Filter":"RESOURCE_CONTROL_POLICY"} ok `,
			`SERVICE_CONTROL_POLICY {"Filter":"SERVICE_CONTROL_POLICY"} ok `}},
		{"ListParents", []string{
			`111122223333 {"ChildId":"111122223333"} ok `,
			`999988887777 {"ChildId":"999988887777"} ok `}},
	} {
		if got := invocations(rows, tt.op); !slices.Equal(got, tt.want) {
			t.Errorf("%s invocations\n got %q\nwant %q", tt.op, got, tt.want)
		}
	}
	for _, op := range []string{"DescribePolicy", "ListTargetsForPolicy"} {
		var keys []string
		for _, r := range findRows(rows, "organizations", op, "") {
			if r.Status == snapshot.StatusOK {
				keys = append(keys, r.ParentKey)
			}
		}
		slices.Sort(keys)
		if want := []string{"p-FullAWSAccess", "p-RCPFullAWSAccess", "p-denybucketdel1", "p-denyexternal1", "p-regionguard1"}; !slices.Equal(keys, want) {
			t.Errorf("%s ok for %q, want %q", op, keys, want)
		}
	}
}

// TestCollectOrganizationMember: from a member account (the demo) the
// organisation calls are denied. That is recorded as failed calls of class
// denied (the snapshot says the organisation's policies could not be read),
// never as an organisation without SCPs; outside an organisation (basic)
// they are not_found, which is data: no organisation, no SCP.
func TestCollectOrganizationMember(t *testing.T) {
	for _, tt := range []struct {
		world string
		class snapshot.ErrorClass
		code  string
	}{
		{"../testdata/fakeaws/demo", snapshot.ClassDenied, "AccessDeniedException"},
		{basicWorld, snapshot.ClassNotFound, "AWSOrganizationsNotInUseException"},
	} {
		t.Run(filepath.Base(tt.world), func(t *testing.T) {
			rows, sum := collectWorld(t, tt.world)
			for _, op := range []string{"ListAccounts", "ListRoots"} {
				got := findRows(rows, "organizations", op, "")
				if len(got) != 1 || got[0].Status != snapshot.StatusError || got[0].ErrorClass != tt.class || got[0].ErrorCode != tt.code {
					t.Errorf("%s rows %+v, want one %s %s error", op, got, tt.class, tt.code)
				}
			}
			for _, op := range []string{"ListOrganizationalUnitsForParent", "ListPolicies", "DescribePolicy", "ListParents"} {
				if got := findRows(rows, "organizations", op, ""); len(got) != 0 {
					t.Errorf("%s ran without a parent: %+v", op, got)
				}
			}
			var failed []string
			for _, f := range sum.Failures {
				failed = append(failed, f.Call)
			}
			want := []string(nil)
			if tt.class == snapshot.ClassDenied {
				want = []string{"organizations:ListAccounts", "organizations:ListRoots"}
			}
			slices.Sort(failed)
			if !slices.Equal(failed, want) {
				t.Errorf("failures %q, want %q", failed, want)
			}
		})
	}
}

// TestRecursionDepthLimit: an endpoint whose OU lists itself as its own
// child (a cycle) ends the walk at the depth bound, and the invocation
// past it is recorded as failed (DepthLimit), not dropped.
func TestRecursionDepthLimit(t *testing.T) {
	rows, sum := collectWorld(t, loopWorld(t))
	var ok, limited int
	for _, r := range findRows(rows, "organizations", "ListOrganizationalUnitsForParent", "") {
		switch {
		case r.Status == snapshot.StatusOK:
			ok++
		case r.ErrorCode == "DepthLimit" && r.ErrorClass == snapshot.ClassOther && strings.Contains(r.ErrorMessage, "5 levels"):
			limited++
		default:
			t.Errorf("unexpected row %s: %s %s", rowID(r), r.ErrorCode, r.ErrorMessage)
		}
	}
	if ok != 1+maxOUDepth || limited != 1 {
		t.Errorf("%d ok invocations and %d depth-limited, want %d and 1", ok, limited, 1+maxOUDepth)
	}
	if len(sum.Failures) != 1 || sum.Failures[0].Call != "organizations:ListOrganizationalUnitsForParent" {
		t.Errorf("failures %+v, want the depth limit", sum.Failures)
	}
}

// loopWorld is an organisation whose OU lists itself as its child.
func loopWorld(t *testing.T) string {
	t.Helper()
	return writeWorld(t, map[string]string{
		"world.json":                          `{"account_id": "999988887777", "caller_arn": "arn:aws:iam::999988887777:user/a", "regions": ["us-east-1"]}`,
		"organizations/global/ListRoots.json": `{"Roots": [{"Id": "r-loop", "PolicyTypes": []}]}`,
		"organizations/global/ListOrganizationalUnitsForParent.json": `{"OrganizationalUnits": [{"Id": "ou-loop-11111111", "Name": "loop"}]}`,
	})
}

// TestResumeRecursion: a resumed collection walks the OU tree exactly as
// far as an uninterrupted one, whichever level it was interrupted at: the
// journal keeps each queued invocation's depth.
func TestResumeRecursion(t *testing.T) {
	world := loopWorld(t)
	opts := func(extra ...Option) []Option {
		return testOpts(append([]Option{WithCalls(orgCalls()), WithConcurrency(1)}, extra...)...)
	}
	want := filepath.Join(t.TempDir(), "want")
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, world))
	if _, _, err := Snapshot(t.Context(), want, fakeConfig(t, srv, nil), nil, opts()...); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{5, 7, 9} { // completed calls before the interruption (9: a journaled child at depth 5)
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, world))
			ctx, cancel := context.WithCancel(t.Context())
			done := 0
			_, _, err := Snapshot(ctx, dir, fakeConfig(t, srv, nil), nil, opts(WithEvents(func(e Event) {
				if e.Kind == EventCallFinished {
					if done++; done == n {
						cancel()
					}
				}
			}))...)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: %v", err)
			}
			srv = fakeaws.New(t, fakeaws.LoadWorld(t, world))
			if _, _, err := Resume(t.Context(), dir, fakeConfig(t, srv, nil), nil, opts()...); err != nil {
				t.Fatal(err)
			}
			got, wantFiles := dataFiles(t, dir), dataFiles(t, want)
			if len(got) != len(wantFiles) {
				t.Errorf("%d data files, want %d", len(got), len(wantFiles))
			}
			for name, b := range wantFiles {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from an uninterrupted collection", name)
				}
			}
		})
	}
}
