package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/collect/fakeaws/worldsnap"
)

const (
	demoWorldDir = "../testdata/fakeaws/demo"
	publicObject = "arn:aws:s3:::example-corp-public-assets/index.html"
	daveAdmin    = "arn:aws:iam::111122223333:user/dave-admin"
)

// accountBlockWorld is the demo world whose account-level Block Public
// Access (s3control GetPublicAccessBlock) has RestrictPublicBuckets and
// IgnorePublicAcls on; the public bucket's own settings stay off.
func accountBlockWorld(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "world")
	if err := os.CopyFS(dir, os.DirFS(demoWorldDir)); err != nil {
		t.Fatal(err)
	}
	body := `<?xml version="1.0" encoding="UTF-8"?>
<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">
  <BlockPublicAcls>true</BlockPublicAcls>
  <IgnorePublicAcls>true</IgnorePublicAcls>
  <BlockPublicPolicy>true</BlockPublicPolicy>
  <RestrictPublicBuckets>true</RestrictPublicBuckets>
</PublicAccessBlockConfiguration>
`
	if err := os.WriteFile(filepath.Join(dir, "s3control", "global", "GetPublicAccessBlock.xml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// layerSnapshots collects, with the real SDK clients against fakeaws, the
// demo account: with its account-level block on ("account-block"), with
// that block unreadable ("account-denied": AccessDenied), and together
// with its organisation's management account ("with-org": SCPs and RCPs
// readable). The committed demo snapshot is "demo" (account-level block
// without RestrictPublicBuckets, organisation policies not readable).
func layerSnapshots(t *testing.T) map[string]string {
	t.Helper()
	snaps := map[string]string{"demo": "../testdata/snapshots/demo"}
	collectInto := func(name string, servers ...*fakeaws.Server) {
		snaps[name] = filepath.Join(t.TempDir(), name)
		worldsnap.Collect(t, snaps[name], servers...)
	}
	collectInto("account-block", fakeaws.New(t, fakeaws.LoadWorld(t, accountBlockWorld(t))))
	denied := fakeaws.New(t, fakeaws.LoadWorld(t, demoWorldDir))
	denied.Fail(fakeaws.Fault{Service: "s3control", Operation: "GetPublicAccessBlock", Code: "AccessDenied", Status: 403,
		Message: "Access Denied", Times: -1})
	collectInto("account-denied", denied)
	collectInto("with-org", fakeaws.New(t, fakeaws.LoadWorld(t, demoWorldDir)),
		fakeaws.New(t, fakeaws.LoadWorld(t, "../testdata/fakeaws/org")))
	return snaps
}

// TestIAMEveryLayer: `iam simulate --snapshot`, `who-can` and `explain`
// decide a request with the same layers: the account-level S3 Block
// Public Access (Amazon S3 User Guide,
// access-control-block-public-access.html: S3 applies the most
// restrictive combination of the bucket's and the account's settings; with
// RestrictPublicBuckets on, a public policy grants nothing outside the
// owner's account but to AWS services), an unreadable account-level block
// (unknown: conditional for who-can, taken as restricting by simulate and
// named), and the SCPs of the principal's account (deny-bucket-deletion on
// the demo's OU; AWS Organizations User Guide,
// orgs_manage_policies_scps_evaluation.html), which simulate applied to no
// request before.
func TestIAMEveryLayer(t *testing.T) {
	snaps := layerSnapshots(t)
	simulate := func(snap, principal, action, resource string) map[string]any {
		t.Helper()
		code, out, errw := runArgs("iam", "simulate", "--snapshot", snaps[snap], "--time", "2026-01-15T12:00:00Z",
			"--principal", principal, "--action", action, "--resource", resource)
		if code != ExitOK {
			t.Fatalf("simulate on %s: exit %d, stderr %s", snap, code, errw)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("simulate on %s: %v\n%s", snap, err, out)
		}
		return res
	}
	whoCan := func(snap, action, resource string) map[string]string {
		t.Helper()
		code, out, errw := runArgs("iam", "who-can", snaps[snap], "--format", "json", "--time", "2026-01-15T12:00:00Z",
			"--action", action, "--resource", resource)
		if code != ExitOK {
			t.Fatalf("who-can on %s: exit %d, stderr %s", snap, code, errw)
		}
		var doc struct {
			Answers []struct {
				Principal     string   `json:"principal"`
				ConditionKeys []string `json:"condition_keys"`
			} `json:"answers"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("who-can on %s: %v", snap, err)
		}
		got := map[string]string{}
		for _, a := range doc.Answers {
			got[a.Principal] = strings.Join(a.ConditionKeys, ",")
		}
		return got
	}
	explain := func(snap, principal, action, resource string) string {
		t.Helper()
		code, out, errw := runArgs("iam", "explain", snaps[snap], "--time", "2026-01-15T12:00:00Z",
			"--principal", principal, "--action", action, "--resource", resource)
		if code != ExitOK {
			t.Fatalf("explain on %s: exit %d, stderr %s", snap, code, errw)
		}
		return out
	}
	reasons := func(res map[string]any) string {
		var out []string
		for _, r := range res["reasons"].([]any) {
			out = append(out, r.(string))
		}
		return strings.Join(out, "; ")
	}

	for _, tc := range []struct {
		snap         string
		wantDecision string
		wantReason   string // a substring of simulate's reasons
		wantWho      *string
		wantExplain  string
	}{
		{"demo", "Allowed", "allowed by resource-based policy", ptr(""), ""},
		{"account-block", "ImplicitlyDenied", "RestrictPublicBuckets is on in the account's Block Public Access", nil,
			"RestrictPublicBuckets is on in the account's Block Public Access"},
		{"account-denied", "ImplicitlyDenied", "RestrictPublicBuckets or the bucket policy's public status is unknown",
			ptr("s3:restrictpublicbuckets"), "s3:restrictpublicbuckets"},
	} {
		t.Run("anonymous read of the public bucket/"+tc.snap, func(t *testing.T) {
			res := simulate(tc.snap, "*", "s3:GetObject", publicObject)
			if res["decision"] != tc.wantDecision || !strings.Contains(reasons(res), tc.wantReason) {
				t.Errorf("simulate: %v (%s), want %s with %q", res["decision"], reasons(res), tc.wantDecision, tc.wantReason)
			}
			keys, listed := whoCan(tc.snap, "s3:GetObject", publicObject)["*"]
			switch {
			case tc.wantWho == nil && listed:
				t.Errorf("who-can lists anonymous (%q), want it blocked", keys)
			case tc.wantWho != nil && (!listed || keys != *tc.wantWho):
				t.Errorf("who-can: anonymous listed %v with condition keys %q, want listed with %q", listed, keys, *tc.wantWho)
			}
			if tc.wantExplain != "" {
				if out := explain(tc.snap, "*", "s3:GetObject", publicObject); !strings.Contains(out, tc.wantExplain) {
					t.Errorf("explain does not name %q:\n%s", tc.wantExplain, out)
				}
			}
		})
	}

	t.Run("the account's own principals keep access under the account-level block", func(t *testing.T) {
		if who := whoCan("account-block", "s3:GetObject", publicObject); !slices.Contains(keysOf(who), daveAdmin) {
			t.Errorf("who-can %v: the account's administrator lost access", keysOf(who))
		}
	})

	t.Run("SCPs of the principal's account", func(t *testing.T) {
		const appData = "arn:aws:s3:::example-corp-app-data"
		alone := simulate("demo", daveAdmin, "s3:DeleteBucket", appData)
		if alone["decision"] != "Allowed" || !strings.Contains(strings.Join(anyStrings(alone["limits"]), " "), "not readable") {
			t.Errorf("member alone: %v, limits %v; want Allowed with the unreadable SCPs named", alone["decision"], alone["limits"])
		}
		org := simulate("with-org", daveAdmin, "s3:DeleteBucket", appData)
		if org["decision"] != "ExplicitlyDenied" || !strings.Contains(reasons(org), "deny-bucket-deletion") {
			t.Errorf("with the management account: %v (%s), want ExplicitlyDenied by the SCP deny-bucket-deletion", org["decision"], reasons(org))
		}
		if _, ok := whoCan("with-org", "s3:DeleteBucket", appData)[daveAdmin]; ok {
			t.Error("who-can lists the administrator the SCP denies")
		}
	})
}

func ptr(s string) *string { return &s }

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func anyStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, s := range l {
		if s, ok := s.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
