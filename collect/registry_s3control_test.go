package collect

import (
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestAccountPublicAccessBlock: the account-level Block Public Access is
// asked once per run, for the account the identity names, through the
// collector's S3 Control client against a custom endpoint (no host
// prefix: the account travels in x-amz-account-id, which the fake checks
// against any prefixed host). No configuration is not_found (no block, a
// fact); a refusal is denied, a failure of the run, never taken as no
// block.
func TestAccountPublicAccessBlock(t *testing.T) {
	tests := []struct {
		name      string
		fault     *fakeaws.Fault
		wantClass snapshot.ErrorClass
		wantFail  bool
	}{
		{"no configuration", nil, snapshot.ClassNotFound, false},
		{"access denied", &fakeaws.Fault{Service: "s3control", Operation: "GetPublicAccessBlock", Code: "AccessDenied",
			Status: 403, Message: "Access Denied", Times: -1}, snapshot.ClassDenied, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, sum, srv, err := collectBasic(t, func(s *fakeaws.Server) {
				if tc.fault != nil {
					s.Fail(*tc.fault)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			got := findRows(rows, "s3control", "GetPublicAccessBlock", "")
			if len(got) != 1 || got[0].ParentKey != basicAccount || got[0].Region != RowGlobal || got[0].ErrorClass != tc.wantClass {
				t.Fatalf("rows %+v, want one global row keyed %s with class %s", got, basicAccount, tc.wantClass)
			}
			var asked []string
			for _, r := range srv.Requests() {
				if r.Service == "s3control" {
					asked = append(asked, r.Region+" "+r.Params["AccountId"])
				}
			}
			if !slices.Equal(asked, []string{"us-east-1 " + basicAccount}) {
				t.Errorf("s3control requests %q, want one in us-east-1 for %s", asked, basicAccount)
			}
			failed := slices.ContainsFunc(sum.Failures, func(f CallFailure) bool { return f.Call == "s3control:GetPublicAccessBlock" })
			if failed != tc.wantFail {
				t.Errorf("reported as a failure: %v, want %v (%+v)", failed, tc.wantFail, sum.Failures)
			}
		})
	}
}
