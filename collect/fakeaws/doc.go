// Package fakeaws is a loopback fake AWS endpoint that speaks the real wire
// protocols, so that tests (and the demo) can run the real aws-sdk-go-v2
// clients — signing, retries, pagination and response decoding — against a
// small, hand-written fake account (a "world") with no network and no
// credentials.
//
//	srv := fakeaws.New(t, fakeaws.LoadWorld(t, "testdata/fakeaws/basic"))
//	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
//		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "secret", "")}
//	// s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
//	srv.Fail(fakeaws.Fault{Service: "iam", Operation: "ListAccessKeys", Code: "Throttling", Times: 1})
//	srv.Requests() // every request seen, in order
//	srv.NoEndpoint("workspaces", "eu-west-1") // no such service there:
//	cfg.HTTPClient = srv.Client(cfg.HTTPClient) // its host name does not resolve (noendpoint.go)
//
// One server (one URL, 127.0.0.1 only) answers every service. NewServer/Close
// and ReadWorld are the non-test constructors (e.g. for a demo command).
// NewServerWith takes Options: Latency delays every answer (concurrently:
// each request waits on its own, so the fake can stand in for a distant
// endpoint when measuring the collector), Addr picks the loopback address,
// and Unrecorded drops the request log for long runs (Stats still counts
// requests and the most answered at once).
//
// SyntheticWorld is a world of N resources (instances, volumes, network
// interfaces, snapshots, buckets, IAM principals, Lambda, DynamoDB, RDS,
// KMS keys in collect/synth's proportions) rendered from each request,
// with realistic page sizes: no files, and no per-resource state in the
// fake however large N is (synthetic.go). `snapaudit fakeaws serve` serves one as a separate
// process (docs/performance.md, "Collect under latency").
// Request.Fixture names the world file that answered each request, so a test
// can tell a fixture answer from a fault, a built-in or an empty default.
// Fault.Times: n > 0 fails the first n matching requests; -1 (or 0) always.
// Fault.Page narrows a fault to one page of a paged call (FirstPage, or the
// page's token). Fault.Kind makes it a transport fault instead of an API
// error: FaultReset, FaultStall, FaultTruncate, FaultMalformed (faults.go).
// ExpireSessions makes AssumeRole sessions expire, after which requests
// signed with them get the protocol's expired-credentials error.
//
// The shipped worlds are testdata/fakeaws/basic (small, for the collector's
// tests) and testdata/fakeaws/demo (the demo account 111122223333); their
// README describes what they hold. TestWorldFixturesDecode sends a real SDK
// request for every file of both and requires every string of the file to
// come out of the SDK's decoder, so a misspelt element name cannot hide.
//
// # Dispatch
//
// Service and region come from the SigV4 credential scope of the Authorization
// header (Credential=AKID/20260101/eu-west-1/ec2/aws4_request). Signatures are
// NOT verified cryptographically: the fake only needs to know who the request
// is for; requests without a SigV4 credential scope are refused (403,
// MissingAuthenticationToken / AuthFailure / AccessDenied by protocol). The
// signing name is mapped to the aws-sdk-go-v2 package name (config →
// configservice, logs → cloudwatchlogs ...); the package name is what Request,
// Fault and the world's directories use.
//
// The operation comes from the protocol: the form field Action= for the AWS
// query and EC2 query protocols (ec2, iam, sts, rds, sns, elasticache ...), the
// X-Amz-Target header for AWS JSON 1.0/1.1 (dynamodb, configservice,
// organizations, kms ...), and a route table (routes.tsv: method + URI template
// + required query keys, taken from the SDK's HTTP bindings) for REST-JSON
// (lambda, apigateway) and REST-XML (cloudfront, route53; s3, path-style:
// /{Bucket}?policy is GetBucketPolicy, GET /?x-id=ListBuckets is
// ListBuckets). Smithy RPC v2 CBOR
// (cloudwatch) is recognised but not served.
//
// Request parameters are flattened into map[string]string: query protocols give
// their form fields as sent (UserName, Filter.1.Name, Filter.1.Value.1);
// JSON protocols give top-level members (strings as is, other values as
// compact JSON); REST protocols give path labels under the SDK's label names
// (Bucket, FunctionName, restApiId) plus query-string keys under their wire
// names (position, embed, Marker, continuation-token), minus the route's
// subresource keys (policy, x-id). S3 Control (signing name s3, told from
// S3 by its x-amz-account-id header) gives that header as AccountId; a
// Host with the account label AWS puts first (the SDK prefixes a custom
// endpoint's host too) must name the same account.
//
// # Answers, in order
//
//  0. A request signed with an expired session (ExpireSessions): ExpiredToken,
//     EC2 RequestExpired, JSON ExpiredTokenException.
//  1. A Fault added with Fail that matches (service, operation, region, params,
//     page): an API error, or a reset, stall, truncated or malformed answer.
//  2. A region listed in disabled_regions: the error AWS gives for a region
//     that is not enabled (ec2 AuthFailure 401; query InvalidClientTokenId 403;
//     JSON UnrecognizedClientException 400; REST-JSON
//     UnrecognizedClientException 403; S3 InvalidAccessKeyId 403).
//  3. An S3 per-bucket call for a bucket listed in world.json "buckets" but
//     signed for another region: 400 AuthorizationHeaderMalformed with an
//     x-amz-bucket-region header, as S3 answers (GetBucketLocation is exempt).
//  4. A fixture file (below).
//  5. A built-in answer derived from world.json (see builtin.go):
//     sts GetCallerIdentity and AssumeRole, ec2 DescribeRegions,
//     s3 GetBucketLocation.
//  6. For List* and Describe* operations, an empty but valid success.
//  7. Otherwise 400 NoFixture naming the service, operation, region and params.
//
// Errors are rendered the way each protocol does (EC2 <Response><Errors>,
// query <ErrorResponse>, JSON {"__type"} + X-Amzn-ErrorType, REST-JSON
// X-Amzn-ErrorType + {"message"}, S3 <Error>, other REST-XML services
// <ErrorResponse><Error>), with the status AWS uses for the
// code unless one is given: 400 for throttling and validation, 401 AuthFailure,
// 403 access denied, 404 for not-found codes of REST services, 503 SlowDown.
//
// # World format
//
// A world is a directory:
//
//	world.json
//	<service>/<region>/<file>     answers calls signed for that region
//	<service>/global/<file>       answers calls for any region with no match in
//	                              the region's own directory (IAM, STS, S3
//	                              ListBuckets, organizations; or a default)
//
// world.json (unknown fields are errors):
//
//	{
//	  "account_id": "111122223333",                            // required, 12 digits
//	  "caller_arn": "arn:aws:iam::111122223333:user/auditor", // required
//	  "caller_user_id": "AIDA...",                             // optional
//	  "regions": ["us-east-1", "eu-west-1"],                   // required: enabled regions
//	  "disabled_regions": ["ap-east-1"],                       // optional: not opted in
//	  "buckets": {"logs": "eu-west-1"},                        // optional: S3 bucket regions
//	  "token_params": ["NextPageMarker"],                      // optional: extra token params
//	  "comment": "free text"
//	}
//
// A fixture file name is
//
//	<Operation>[@<param>=<value>]...[#<token>].<xml|json|error.json>
//
// with <value> and <token> query-escaped (url.QueryEscape: ':' is %3A, '/' is
// %2F). The body is the exact wire body AWS would send: XML for the query and
// REST-XML protocols, JSON for the JSON and REST-JSON protocols (an S3
// GetBucketPolicy answer is the policy JSON, since that is its payload).
//
//   - @param=value: the file answers only requests whose parameter equals the
//     value (UserName=alice, Bucket=logs, FunctionName=orders, TableName=...,
//     ConfigRuleName=..., restApiId=...). Of the files whose matches all hold,
//     the one with the most matches answers.
//   - #token: pagination. The file without '#' is the first page; it carries the
//     next page's token in its body in whatever member the operation uses
//     (<NextToken>, <Marker>, "position", "NextMarker", LastEvaluatedTableName
//     ...). A request whose token parameter (NextToken, Marker, marker,
//     position, ContinuationToken, continuation-token, ExclusiveStartTableName,
//     StartingToken, nextToken ... or world.json token_params) equals <token>
//     gets the file with #<token>. The loader checks that every token appears in
//     another page of the same operation, so every page is reachable.
//   - .error.json: an error answer, {"code": "NoSuchBucketPolicy",
//     "message": "...", "status": 404} (status optional), rendered in the
//     service's protocol.
//
// Files at the top level other than world.json (README.md, NOTICE) are
// ignored. The loader rejects unknown service directories, region directories
// that are not region names, bad file names, malformed JSON/XML and
// unreachable pages, naming the file.
package fakeaws
