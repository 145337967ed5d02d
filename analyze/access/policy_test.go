package access

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBarePrincipalARN: a Principal written as a bare ARN string is
// malformed, but AWS and the evaluator (analyze/iam) read it as
// {"AWS": "<arn>"}; the derivations must read it the same way, not drop the
// document.
func TestBarePrincipalARN(t *testing.T) {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": "arn:aws:iam::444455556666:root",
			"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
		}},
	}
	d, err := parseDocument("bucket policy", doc)
	if err != nil {
		t.Fatalf("parseDocument: %v", err)
	}
	got := d.stmts[0].principals
	want := []principalRef{{kind: "AWS", raw: "arn:aws:iam::444455556666:root"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(principalRef{})); diff != "" {
		t.Errorf("principals (-want +got):\n%s", diff)
	}
	if len(d.eval.Warnings) != 1 {
		t.Errorf("evaluator warnings %q, want one naming the malformed principal", d.eval.Warnings)
	}
	doc["Statement"].([]any)[0].(map[string]any)["Principal"] = "444455556666"
	if _, err := parseDocument("bucket policy", doc); err == nil {
		t.Error("a bare account ID string was accepted")
	}
}
