package access

// Bucket ABAC: a general purpose bucket's tags are aws:ResourceTag/* in
// authorization only when ABAC is enabled on it (Amazon S3 User Guide,
// buckets-tagging-enable-abac.html: ABAC is disabled by default, and a
// bucket with ABAC disabled uses its tags for cost allocation only;
// API AbacStatus). The model's abacEnabled (s3 GetBucketAbac) decides:
// enabled, the tags apply; disabled, aws:ResourceTag/* is absent, and
// known to be; unknown (the call failed, or a snapshot from before it was
// collected), the keys are unknown and a condition on them makes an
// answer conditional. On an object the bucket's state applies, as its
// tags do (Query.owner).

import "github.com/snapaudit/snapaudit/analyze/graph"

// resourceTags says what aws:ResourceTag/* is for requests on res: apply
// (res's tags are the keys) and known (the keys are known: its tags, or
// known to be absent).
func resourceTags(res *graph.Entity) (apply, known bool) {
	if res == nil || !tagsCollected(res.Type) {
		return false, false
	}
	if res.Type != "aws_s3_bucket" {
		return true, true
	}
	abac, ok := res.Get("abacEnabled").(bool)
	return ok && abac, ok
}

// abacMark is what a bucket's ABAC state adds to a resource signature
// (resourceSignature): two buckets with the same tags decide alike only
// when their tags apply alike.
func abacMark(res *graph.Entity) string {
	if res.Type != "aws_s3_bucket" {
		return ""
	}
	switch apply, known := resourceTags(res); {
	case apply:
		return "\x00abac=on"
	case known:
		return "\x00abac=off"
	}
	return "\x00abac=unknown"
}
