package iam

import (
	"strings"
	"testing"
	"time"
)

// prepare builds the request context without DerivedContext's map: it must
// hold the same keys, lower-cased, and the same values, for every kind of
// principal.
func TestPrepareHasDerivedContext(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, key := range []string{
		"arn:aws:iam::111122223333:user/alice",
		"arn:aws:iam::111122223333:role/app",
		"arn:aws:sts::111122223333:assumed-role/app/session",
		"arn:aws:sts::111122223333:federated-user/bob",
		"arn:aws:iam::111122223333:root",
		"s3.amazonaws.com",
		"*",
	} {
		pr, err := ParsePrincipal(key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for _, at := range []time.Time{{}, now} {
			want := DerivedContext(pr, "444455556666", at)
			for _, cache := range []*contextCache{nil, {}} {
				p, err := prepare(&Request{Principal: pr, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "444455556666"}, at, cache)
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				if len(p.derived) != len(want) {
					t.Errorf("%s at %v: %d keys %v, want %d %v", key, at, len(p.derived), p.derived, len(want), want)
				}
				for k, v := range want {
					got := p.derived[strings.ToLower(k)]
					if len(got) != 1 || got[0] != v[0] {
						t.Errorf("%s at %v: %s = %q, want %q", key, at, k, got, v)
					}
				}
			}
		}
	}
}
