package access

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
)

func TestWho(t *testing.T) {
	const pii = "arn:aws:s3:::pii"
	w := newWorld(t)
	w.bucket("pii", doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pii/public/*"}`))
	w.bucket("other", "")
	writer := w.role("writer", "", "")
	w.policy("WritePII", doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::pii/*"}`), writer)
	admin := w.role("admin", "", "")
	w.inline(admin, "all", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	reader := w.user("reader")
	w.policy("ListAll", doc(`{"Effect":"Allow","Action":"s3:List*","Resource":"*"}`), reader)
	denied := w.role("denied", "", "")
	w.policy("WritePII2", doc(`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::pii/*"}`,
		`{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::pii*"}`), denied)
	locked := w.role("locked", "", "") // denied everything: not even the public bucket
	w.inline(locked, "deny", doc(`{"Effect":"Deny","Action":"*","Resource":"*"}`))
	vol := "arn:aws:ec2:eu-west-1:" + acct + ":volume/vol-1"
	w.add(vol, "aws_ebs_volume", "DataStore", map[string]any{"arn": vol})
	ops := w.role("ops", "", "")
	w.policy("Instances", doc(`{"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"arn:aws:ec2:*:*:instance/*"}`), ops)
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}

	adminAccess := Access{Principal: roleARN("admin"), Target: model.AccountKey(acct), Scope: "account",
		AccessLevels: []string{"List", "Read", "Write", "Tagging", "Permissions management"},
		Via:          []string{roleARN("admin") + "/inline-policy/all"}, Admin: true}
	// Onto a volume, only the levels of EC2 actions that act on volumes:
	// no Read nor Permissions management action does (applicableLevels).
	adminOnVolume := adminAccess
	adminOnVolume.AccessLevels = []string{"List", "Write", "Tagging"}
	everyone := Access{Principal: model.EveryoneKey, Target: pii, Scope: "resource", AccessLevels: []string{"Read"}, Via: []string{pii + "#policy"}}
	readerAccess := Access{Principal: userARN("reader"), Target: model.ServiceKey(acct, "s3"), Scope: "service",
		AccessLevels: []string{"List"}, Via: []string{policyARN("ListAll")}}
	// The bucket policy's Principal "*" reaches every principal of the
	// account by itself (same account: the resource policy alone allows),
	// except the role whose own policy denies it (exceptPrincipals).
	writerAccess := Access{Principal: roleARN("writer"), Target: pii, Scope: "resource", AccessLevels: []string{"Write"}, Via: []string{policyARN("WritePII")}}
	public := func(p string) Access {
		return Access{Principal: p, Target: pii, Scope: "resource", AccessLevels: []string{"Read"}, Via: []string{pii + "#policy"}}
	}

	tests := []struct {
		name    string
		key     string
		level   actions.AccessLevel
		want    []Access
		wantErr bool
	}{
		{name: "who can write", key: pii, level: actions.Write, want: []Access{adminAccess, writerAccess}},
		{name: "who can read", key: pii, level: actions.Read, want: []Access{adminAccess, public(roleARN("admin")), public(roleARN("ops")),
			public(roleARN("writer")), public(userARN("reader")), everyone}},
		{name: "any level", key: pii, want: []Access{adminAccess, public(roleARN("admin")), public(roleARN("ops")), writerAccess,
			public(roleARN("writer")), readerAccess, public(userARN("reader")), everyone}},
		{name: "other bucket", key: "arn:aws:s3:::other", level: actions.List, want: []Access{adminAccess, readerAccess}},
		{name: "type-wide grant on instances does not reach a volume", key: vol, level: actions.Write, want: []Access{adminOnVolume}},
		{name: "no action reads a volume", key: vol, level: actions.Read, want: nil},
		{name: "unknown resource", key: "arn:aws:s3:::nope", wantErr: true},
		{name: "unknown level", key: pii, level: "Admin", wantErr: true},
	}
	ix := NewIndex(w.g)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ix.Who(tc.key, tc.level)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Who error %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Who (-want +got):\n%s", diff)
			}
			// The package function agrees with the index.
			again, _ := Who(w.g, tc.key, tc.level)
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Who and Index.Who differ:\n%s", diff)
			}
		})
	}
}

// TestWhoKeyPolicyDelegation: a KMS key's policy must delegate to its
// account (grant to its root) before the account's identity policies
// give any access to the key (AWS KMS Developer Guide,
// key-policy-default.html: "Allows access to the AWS account and enables
// IAM policies"). Who reads a service or account edge onto a key only at
// the levels its policy delegates; a key whose policy is not known keeps
// the reading (nothing is decided from a policy not collected).
func TestWhoKeyPolicyDelegation(t *testing.T) {
	key := func(id string) string { return "arn:aws:kms:eu-west-1:" + acct + ":key/" + id }
	w := newWorld(t)
	root := `{"AWS":"arn:aws:iam::` + acct + `:root"}`
	keys := map[string]string{
		"delegated": doc(`{"Effect":"Allow","Principal":` + root + `,"Action":"kms:*","Resource":"*"}`),
		"describe":  doc(`{"Effect":"Allow","Principal":` + root + `,"Action":"kms:DescribeKey","Resource":"*"}`),
		"closed":    doc(`{"Effect":"Allow","Principal":{"AWS":"` + roleARN("keyadmin") + `"},"Action":"kms:*","Resource":"*"}`),
		"unknown":   "",
	}
	for id, policy := range keys {
		arn := key(id)
		w.add(arn, "aws_kms_key", "Key", map[string]any{"arn": arn, "policy": nilIfEmpty(policy)})
	}
	w.role("keyadmin", "", "")
	user := w.user("crypto")
	w.policy("KMSAll", doc(`{"Effect":"Allow","Action":"kms:*","Resource":"*"}`), user)
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(w.g)
	levels := func(id string) []string {
		got, err := ix.Who(key(id), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got {
			if a.Principal == userARN("crypto") {
				return a.AccessLevels
			}
		}
		return nil
	}
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"delegated", levels("unknown")}, // every level the service edge has
		{"describe", []string{"Read"}},   // kms:DescribeKey is a Read action
		{"closed", nil},                  // only the key administrator, by name
	} {
		if diff := cmp.Diff(tc.want, levels(tc.id)); diff != "" {
			t.Errorf("key %s: crypto's levels by its KMS service edge (-want +got):\n%s", tc.id, diff)
		}
	}
	// The key whose policy is unknown: every level of KMS actions on keys
	// (kms:ListGrants and kms:ListResourceTags act on a key).
	if diff := cmp.Diff([]string{"List", "Read", "Write", "Tagging", "Permissions management"}, levels("unknown")); diff != "" {
		t.Errorf("key with an unknown policy: crypto's levels (-want +got):\n%s", diff)
	}
}

// TestWhoReadsOnlyGrantedActions: a service edge is read onto a resource
// only at the levels of the actions its patterns name that act on the
// resource's type. s3:ListAllMyBuckets (List) acts on no resource, so its
// edge gives no List access to a bucket; s3:ListBucket does.
func TestWhoReadsOnlyGrantedActions(t *testing.T) {
	w := newWorld(t)
	w.bucket("logs", "")
	lister := w.user("lister")
	w.policy("ListBuckets", doc(`{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}`), lister)
	browser := w.user("browser")
	w.policy("Browse", doc(`{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:ListBucket"],"Resource":"*"}`), browser)
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	got, err := NewIndex(w.g).Who("arn:aws:s3:::logs", actions.List)
	if err != nil {
		t.Fatal(err)
	}
	var principals []string
	for _, a := range got {
		principals = append(principals, a.Principal)
	}
	if diff := cmp.Diff([]string{userARN("browser")}, principals); diff != "" {
		t.Errorf("who can list the bucket (-want +got):\n%s", diff)
	}
}
