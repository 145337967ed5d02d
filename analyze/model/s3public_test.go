package model

import (
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// TestS3PublicAccountLevel: S3 applies the most restrictive combination of
// the bucket's and the account's Block Public Access settings (Amazon S3
// User Guide, access-control-block-public-access.html: "Amazon S3 applies
// the most restrictive combination of the bucket-level and account-level
// settings"). A setting on at either level is on; both off is off; an
// unknown level decides only when the other is off (null, never a guessed
// false).
func TestS3PublicAccountLevel(t *testing.T) {
	tests := []struct {
		name                                 string
		bucket, account                      map[string]any // own settings; nil account = no aws_account entity
		wantRestrict, wantIgnore, wantPublic any
	}{
		{"both off: the public policy and ACL count",
			map[string]any{"restrictPublicBuckets": false, "ignorePublicAcls": false},
			map[string]any{"s3RestrictPublicBuckets": false, "s3IgnorePublicAcls": false}, false, false, true},
		{"account RestrictPublicBuckets and IgnorePublicAcls neutralise the bucket's public policy and ACL",
			map[string]any{"restrictPublicBuckets": false, "ignorePublicAcls": false},
			map[string]any{"s3RestrictPublicBuckets": true, "s3IgnorePublicAcls": true}, true, true, false},
		{"account restricts the policy only: the public ACL still counts",
			map[string]any{"restrictPublicBuckets": false, "ignorePublicAcls": false},
			map[string]any{"s3RestrictPublicBuckets": true, "s3IgnorePublicAcls": false}, true, false, true},
		{"bucket on, account unreadable: on",
			map[string]any{"restrictPublicBuckets": true, "ignorePublicAcls": true},
			map[string]any{"s3RestrictPublicBuckets": nil, "s3IgnorePublicAcls": nil}, true, true, false},
		{"bucket off, account unreadable: unknown",
			map[string]any{"restrictPublicBuckets": false, "ignorePublicAcls": false},
			map[string]any{"s3RestrictPublicBuckets": nil, "s3IgnorePublicAcls": nil}, nil, nil, nil},
		{"bucket off, account not in the snapshot: unknown",
			map[string]any{"restrictPublicBuckets": false, "ignorePublicAcls": false}, nil, nil, nil, nil},
		{"bucket unreadable, account on: on",
			map[string]any{"restrictPublicBuckets": nil, "ignorePublicAcls": nil},
			map[string]any{"s3RestrictPublicBuckets": true, "s3IgnorePublicAcls": true}, true, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graph.New()
			props := map[string]any{"accountId": "111122223333", "policyPublic": true, "aclPublic": true}
			for k, v := range tc.bucket {
				props[k] = v
			}
			b, _ := g.AddEntity(graph.NewEntity("arn:aws:s3:::b", "aws_s3_bucket", []string{"DataStore"}, props))
			if tc.account != nil {
				a := map[string]any{"accountId": "111122223333"}
				for k, v := range tc.account {
					a[k] = v
				}
				g.AddEntity(graph.NewEntity("arn:aws:iam::111122223333:root", "aws_account", []string{"Account"}, a))
			}
			if err := s3Public(&builder{g: g}); err != nil {
				t.Fatal(err)
			}
			for prop, want := range map[string]any{"effectiveRestrictPublicBuckets": tc.wantRestrict,
				"effectiveIgnorePublicAcls": tc.wantIgnore, "public": tc.wantPublic} {
				if got, ok := b.Lookup(prop); !ok || got != want {
					t.Errorf("%s = %v (set %v), want %v", prop, got, ok, want)
				}
			}
		})
	}
}
