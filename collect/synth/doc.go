// Package synth generates a synthetic AWS organisation snapshot for
// benchmarks and scale tests (`snapaudit synth`, hidden from the help).
//
// Generate writes, without contacting AWS, the rows the collector would
// have written for an organisation of about N resources: the real
// aws-sdk-go-v2 output structs, marshalled by collect.ResponseJSON, with
// the request parameters of collect.Call.ParamsJSON, keyed (account,
// region, service, operation, parent key, page) as the collector keys them,
// through snapshot.Create ... Commit. Every call of collect.Registry is
// answered in every account (and every region of the account for regional
// calls; per-parent calls once per parent), paginated at the services'
// default page sizes, and absent configurations (no bucket policy, no
// Lambda resource policy ...) are the not_found error rows AWS answers.
//
// Shape of the organisation: one account per ResourcesPerAccount (12,500)
// resources, each in 2 to 4 regions drawn from five; per account about
// 11% IAM roles (EC2, Lambda, ECS and Step Functions service roles,
// cross-account trusts with and without an external ID, SAML federation,
// rarely a role anyone can assume), users with access keys and MFA,
// groups, inline policies, and AWS managed policies drawn from the
// repository's corpus (testdata/aws-managed-policies) and listed with their
// documents in GetAccountAuthorizationDetails as IAM lists attached ones;
// EC2 instances with root and data EBS volumes (snapshots of them, a few
// public or shared with another account), the AMIs they run and Auto
// Scaling groups holding half of them, security groups (one in
// ten open to the world on SSH/RDP), VPCs with flow logs, subnets and
// internet gateways; S3 buckets with ACLs, encryption, logging, versioning,
// public access blocks and policies (TLS-only, cross-account, service, a
// few public); Lambda functions with resource policies, RDS clusters and
// instances, DynamoDB tables, Config rules with evaluations, API Gateway
// REST APIs integrated with the functions, ECS clusters (container
// instances on the EC2 instances, awsvpc services, tasks, task definitions),
// EKS clusters, CloudFront distributions in front of the buckets, and Route
// 53 registered domains with their hosted zones and records (edge.go). The
// shares are the weights table in account.go.
//
// What counts as a resource: an entity of the graph analyze builds
// (model.Build) other than an AWS or customer managed policy
// (aws_iam_policy), whose number depends on the policy corpus, not on N.
// The account, password policy and service placeholder entities count
// (accountOverhead per account). The tests hold the count within 10% of N.
//
// Determinism: every value derives from the seed (math/rand/v2 PCG, one
// stream per account) and a fixed epoch, never from the clock or map
// order, and the snapshot writer sorts rows; so the same N, seed, corpus
// and binary give byte-identical data files and manifest (the manifest
// records the binary's build information and, like the collector's, the
// collection plan: every registry call).
package synth
