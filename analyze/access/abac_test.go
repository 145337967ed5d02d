package access

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestBucketABAC: an identity policy allowing s3:GetObject on resources
// tagged team=data reaches a bucket tagged team=data only when ABAC is
// enabled on it (Amazon S3 User Guide, buckets-tagging-enable-abac.html:
// disabled by default, a bucket with ABAC disabled uses its tags for cost
// allocation only, so aws:ResourceTag/team is absent and StringEquals
// fails); when whether ABAC is on was not collected, the answer is
// conditional on the key. The evaluator (Query.WhoCan) and the graph
// (Index.WhoCan, the derived edges) agree on each.
func TestBucketABAC(t *testing.T) {
	w := newWorld(t)
	reader := w.user("tagged-reader")
	w.inline(reader, "abac", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"data"}}}`))
	tests := []struct {
		bucket string
		abac   any // nil: not collected
		want   string
	}{
		{"abac-on", true, userARN("tagged-reader")},
		{"abac-off", false, ""},
		{"abac-unknown", nil, userARN("tagged-reader") + " (conditional: aws:resourcetag/team)"},
	}
	for _, tc := range tests {
		b := w.bucket(tc.bucket, "")
		b.Set("tag.team", "data")
		if tc.abac == nil {
			b.Delete("abacEnabled")
		} else {
			b.Set("abacEnabled", tc.abac)
		}
	}
	ctx := context.Background()
	if _, err := Derive(ctx, w.g); err != nil {
		t.Fatal(err)
	}
	q := newGraphQuery(t, w.g)
	ix := NewIndex(w.g)
	for _, tc := range tests {
		t.Run(tc.bucket, func(t *testing.T) {
			obj := "arn:aws:s3:::" + tc.bucket + "/x"
			want, err := q.WhoCan(ctx, "s3:GetObject", obj)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ix.WhoCan(ctx, q, "s3:GetObject", obj)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := answerLines(want), answerLines(got); !slices.Equal(w, g) {
				t.Errorf("evaluator %q, graph %q", w, g)
			}
			var reader []string
			for _, l := range answerLines(want) {
				if strings.HasPrefix(l, userARN("tagged-reader")) {
					reader = append(reader, l)
				}
			}
			if strings.Join(reader, "") != tc.want {
				t.Errorf("tagged-reader: %q, want %q", reader, tc.want)
			}
		})
	}
}
