package model

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// authzDir holds real 'aws iam get-account-authorization-details' dumps
// (cloudsplaining, BSD-3-Clause; see its LICENSE there). They are read in
// place, never copied into the repository.
const authzDir = "../../testdata/authz-details"

// cliToSDK turns the AWS CLI's shape of the dump into what the SDK
// returns: policy documents become URL-encoded JSON strings (the CLI
// decodes them) and "2019-12-18 19:10:08+00:00" dates become RFC 3339.
func cliToSDK(t *testing.T, v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		if key == "Document" || key == "PolicyDocument" || key == "AssumeRolePolicyDocument" {
			b, err := json.Marshal(x)
			if err != nil {
				t.Fatal(err)
			}
			return url.QueryEscape(string(b))
		}
		for k, e := range x {
			x[k] = cliToSDK(t, e, k)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = cliToSDK(t, e, key)
		}
		return x
	case string:
		if ts, ok := parseTime(x); ok {
			return ts.UTC().Format(time.RFC3339)
		}
	}
	return v
}

func TestAuthorizationDetailsDumps(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(authzDir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("authz-details dumps missing from %s", authzDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var generic map[string]any
			if err := json.Unmarshal(raw, &generic); err != nil {
				t.Fatal(err)
			}
			sdkShaped, err := json.Marshal(cliToSDK(t, generic, ""))
			if err != nil {
				t.Fatal(err)
			}
			// Decoding strictly into the SDK struct proves the dump's field
			// names are the SDK's.
			var out iam.GetAccountAuthorizationDetailsOutput
			dec := json.NewDecoder(bytes.NewReader(sdkShaped))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&out); err != nil {
				t.Fatalf("dump does not decode into the SDK output: %v", err)
			}
			src := &memSource{}
			src.ok(t, op("iam:GetAccountAuthorizationDetails"), "012345678901", "global", "", &out)
			g, err := Build(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}

			counts := map[string]int{
				"aws_iam_user": len(out.UserDetailList), "aws_iam_group": len(out.GroupDetailList),
				"aws_iam_role": len(out.RoleDetailList), "aws_iam_policy": len(out.Policies),
			}
			var inline [3]int
			for _, u := range out.UserDetailList {
				inline[0] += len(u.UserPolicyList)
			}
			for _, gr := range out.GroupDetailList {
				inline[1] += len(gr.GroupPolicyList)
			}
			for _, r := range out.RoleDetailList {
				inline[2] += len(r.RolePolicyList)
			}
			counts["aws_iam_user_policy"], counts["aws_iam_group_policy"], counts["aws_iam_role_policy"] = inline[0], inline[1], inline[2]
			for typ, want := range counts {
				if got := len(g.EntitiesOfType(typ)); got != want {
					t.Errorf("%d %s entities, dump has %d", got, typ, want)
				}
			}

			// Every document property is the dump's document, decoded.
			check := func(key, prop string, want any) {
				t.Helper()
				e := g.Entity(key)
				if e == nil {
					t.Errorf("no entity %s", key)
					return
				}
				var got any
				if err := json.Unmarshal([]byte(e.String(prop)), &got); err != nil {
					t.Errorf("%s %s: %v", key, prop, err)
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s differs from the dump", key, prop)
				}
			}
			docs := generic // cliToSDK rewrote it in place: re-read the originals
			if err := json.Unmarshal(raw, &docs); err != nil {
				t.Fatal(err)
			}
			for _, r := range docs["RoleDetailList"].([]any) {
				r := r.(map[string]any)
				check(r["Arn"].(string), "assumeRolePolicyDocument", r["AssumeRolePolicyDocument"])
				for _, p := range r["RolePolicyList"].([]any) {
					p := p.(map[string]any)
					check(r["Arn"].(string)+"/inline-policy/"+p["PolicyName"].(string), "document", p["PolicyDocument"])
				}
			}
			for _, p := range docs["Policies"].([]any) {
				p := p.(map[string]any)
				for _, v := range p["PolicyVersionList"].([]any) {
					if v := v.(map[string]any); v["IsDefaultVersion"] == true {
						check(p["Arn"].(string), "document", v["Document"])
					}
				}
			}

			// Attachments resolve to policies in the dump; membership to groups.
			policies := map[string]bool{}
			for _, p := range out.Policies {
				policies[*p.Arn] = true
			}
			groups := map[string]bool{}
			for _, gr := range out.GroupDetailList {
				groups[*gr.GroupName] = true
			}
			wantHas, wantContains := 0, 0
			for _, u := range out.UserDetailList {
				for _, a := range u.AttachedManagedPolicies {
					if policies[*a.PolicyArn] {
						wantHas++
					}
				}
				for _, gn := range u.GroupList {
					if groups[gn] {
						wantContains++
					}
				}
			}
			for _, gr := range out.GroupDetailList {
				for _, a := range gr.AttachedManagedPolicies {
					if policies[*a.PolicyArn] {
						wantHas++
					}
				}
			}
			for _, r := range out.RoleDetailList {
				for _, a := range r.AttachedManagedPolicies {
					if policies[*a.PolicyArn] {
						wantHas++
					}
				}
			}
			gotHas, gotContains := 0, 0
			for _, r := range g.Relationships() {
				if to := g.Entity(r.To); r.Class == "HAS" && to.Type == "aws_iam_policy" && g.Entity(r.From).Type != "aws_iam" {
					gotHas++
				}
				if r.Type == "aws_iam_group_contains_user" {
					gotContains++
				}
			}
			t.Logf("%d users, %d roles, %d policies, %d HAS policy, %d CONTAINS user", len(out.UserDetailList), len(out.RoleDetailList), len(out.Policies), gotHas, gotContains)
			if gotHas != wantHas || gotContains != wantContains {
				t.Errorf("HAS policy %d (want %d), CONTAINS user %d (want %d)", gotHas, wantHas, gotContains, wantContains)
			}
		})
	}
}
