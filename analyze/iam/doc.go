// Package iam is snapaudit's offline AWS IAM engine: it parses policy
// documents as IAM returns them, compiles them once, and evaluates
// authorization requests against identity-based policies, resource-based
// policies, permissions boundaries, session policies, SCPs and RCPs exactly
// in the order the IAM User Guide documents (see the design comment at the
// top of eval.go).
//
// Parse once, evaluate many:
//
//	pol, err := iam.Parse("arn:aws:iam::111122223333:policy/ReadS3", doc) // JSON, URL-encoded JSON or decoded map
//	pr, err := iam.ParsePrincipal("arn:aws:iam::111122223333:user/alice")
//	ev := iam.NewEvaluator(iam.WithRCPServices(catalog.RCPServices()))
//	res := ev.Evaluate(&iam.Request{Principal: pr, Action: "s3:GetObject",
//		Resource: "arn:aws:s3:::bucket/key"}, &iam.Policies{Identity: []*iam.Policy{pol}})
//	// res.Decision is Allowed, ImplicitlyDenied or ExplicitlyDenied; res.Reasons say why.
//
// Parsed policies and evaluators are safe for concurrent use. Their only
// state is what they remember to answer faster, never changing an answer: a
// statement without policy variables remembers which resources of a request
// pattern it covers (memo.go), a statement with many action patterns keeps
// them by service (actionindex.go), and an evaluator shares the request
// context derived from a principal and account between requests and
// recycles its per-request state. A caller that reads only decisions (an
// offline derivation asking millions of requests) creates its evaluator
// WithoutReasons: Result.Reasons is then left out and never built, every
// other field being the same.
// Source gathers a principal's policies (through groups, inline and managed,
// and its permissions boundary) and a resource's policy; GraphSource
// implements it over an analyze/graph.Graph. The action catalog (access
// levels, wildcard expansion) lives in the actions sub-package.
//
// Matching rules: actions are case-insensitive; resource ARNs, principal
// names (including service principals) and condition values are
// case-sensitive; in Action and StringLike `*` matches any run of characters
// and `?` exactly one; in Resource and NotResource wildcards stay within an
// ARN segment except a `*` that ends its segment; ArnLike/ArnEquals match
// the six ARN parts separately. Policy variables (`${aws:username}`,
// `${aws:PrincipalTag/team}`, `${key, 'default'}`, and the escapes `${*}`,
// `${?}`, `${$}`) are substituted only in Version 2012-10-17 documents, in
// Resource and in string and ARN condition values; one that cannot be
// resolved stands for a null value that only negated operators match.
// NotPrincipal excepts an assumed-role session only when both its session
// ARN and its role ARN are listed. A Principal or NotPrincipal written as a
// bare ARN string (the grammar wants "*" or a map) is read as
// {"AWS": "<arn>"} and reported in Result.Warnings, naming the policy and
// statement.
//
// The request context holds the keys that follow from the request itself
// (DerivedContext) and aws:RequestedRegion where the action and resource
// decide it: the Region of a regional resource's ARN, us-east-1 for the
// global services IAM, CloudFront, Route 53 and Support (region.go); a key
// the request's Context gives wins.
//
// AWS-managed resources are immutable to customers whatever a policy allows
// (AWS managed policies, service-linked and /aws-reserved/ roles, KMS
// aliases under alias/aws/: the table in immutable.go). RCPs only deny:
// RCPFullAWSAccess is attached at every level, so a level without a
// matching Deny lets the request through.
//
// S3 Block Public Access: a request on a bucket whose RestrictPublicBuckets
// is on and whose policy is public (Request.RestrictPublic, which the caller
// sets from the snapshot) keeps the bucket policy's grants only for AWS
// service principals and IAM principals of the bucket owner's account;
// cross-account and anonymous requests it would allow are implicitly
// denied. An unknown setting is read by EvaluateUnknown as the unknown
// condition key s3:restrictpublicbuckets (RestrictPublicKey), a name of
// ours, and Explain shows the layer after the resource-based policy.
//
// A request resource that is a pattern ("*" or wildcards) asks whether SOME
// resource matching it is allowed: an Allow applies when its patterns
// intersect the request pattern, a Deny denies only when its patterns cover
// it (a Deny on part of the pattern lets the other resources escape, and
// an Allow whose part of the pattern such Denies cover is dropped; the
// policies that must allow must allow one same resource of it), and
// Result.SomeResources says the answer holds for some resources, not
// necessarily all. An empty request resource is an action without a
// resource (only Resource "*" matches it). See intersect.go.
//
// Many resources at once: SplitByResource (independent.go) tells which
// resources of an account one evaluation decides alike for an action (the
// statements that can match it do not tell them apart), so an analysis
// over every role of an account asks once per group.
//
// testdata/audit_cases.json holds one case per documented behaviour with
// the User Guide page it comes from.
//
// The simulate stream format (used by `snapaudit iam simulate`) is
// documented on Simulate. A sample:
//
//	$ echo '{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject",
//	  "resource":"arn:aws:s3:::reports/q1.csv","resource_account":"111122223333",
//	  "identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
//	  "Action":"s3:Get*","Resource":"arn:aws:s3:::reports/*"}]}]}' | snapaudit iam simulate
//	{"decision":"Allowed","reasons":["allowed by identity-based policy \"identity_policies[0]\" statement #0"]}
//
// With "resource":"arn:aws:s3:::reports/*" the answer also carries
// "some_resources":true and a reason saying that some resources matching
// the pattern are allowed, not necessarily all.
package iam
