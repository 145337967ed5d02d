// Package access derives who can do what from the IAM entities of a
// snapshot graph: role trust (TRUSTS), identity- and resource-policy
// permissions (ALLOWS), and the effective access of each user and role
// after groups, managed and inline policies, permissions boundaries and
// resource policies are evaluated with the real IAM evaluator
// (analyze/iam).
//
//	st, err := access.Derive(ctx, g, access.WithLogger(log))
//	who, err := access.Who(g, "arn:aws:s3:::pii-exports", actions.Write)
//
// Derive runs the steps of the derivations table in order (derive.go):
//
//   - trusts (trust.go): aws_iam_role TRUSTS the principals its trust
//     policy allows to assume it: users, roles, accounts, aws_<service>
//     service entities, SAML/OIDC providers, Everyone for "*".
//   - identity-allows (identity.go): each managed or inline policy ALLOWS
//     every target its Allow statements reach: collected resources by ARN
//     pattern, the service entity aws_<svc> for svc:... on "*", the
//     aws_account for "*" actions on "*".
//     An AWS managed policy (arn:aws:iam::aws:policy/...) is one entity
//     shared by every account: its ALLOWS go only to the accounts of the
//     principals that have it ("*" means each of those accounts), plus
//     resources elsewhere that have a resource-based policy (the identity
//     half of a possible cross-account grant). A grant elsewhere without
//     one could never be used by anybody.
//   - resource-allows (resource.go): each resource with a resource-based
//     policy (S3 bucket, Lambda function, ECR repository, and once
//     collected SQS, SNS, KMS key: the resourcePolicyTypes table) ALLOWS the
//     principals its Allow statements name.
//   - principal-access (effective.go): each user and role ALLOWS every
//     target it really gets access to, as relationships with _class ALLOWS
//     and _type aws_principal_access; it also sets `effective` on the
//     identity ALLOWS. A target in another account needs both sides (the
//     evaluator's rule): without a resource-based policy it is no access,
//     whatever the principal's own policies say.
//
// Principals outside the graph become placeholder entities marked as J1's
// mapper marks them: `_source` "system-mapper", `external` true when their
// account is not in the snapshot (principals.go).
//
// ALLOWS properties (identity and resource policies): actions (patterns as
// written, filtered to the target's service), normalizedActions (lower
// case), notActions (NotAction statements), accessLevels (List, Read,
// Write, Tagging, Permissions management: the catalog levels of the
// granted actions) with one boolean flag each (list, read, write, tagging,
// permissionsManagement), admin (every action of the service — `*`,
// `svc:*`, a NotAction that excludes none — or a permissions-management
// action on "*"), scope (resource | service | account), resources (the
// Resource patterns that reached the target), conditional (every
// contributing statement has a Condition), conditions (JSON array of the
// Condition blocks, null when none), sid (comma-separated), effect
// ("Allow"), effective, and capped/matched when a limit bit. Resource
// policy ALLOWS add principal (raw entries) and crossAccount.
//
// aws_principal_access relationships with equal properties share one
// Properties map (most principals' access repeats: the same managed policy
// on their own account's service entities); treat them as read-only.
//
// "Who can write to this PII bucket" in Rego: the aws_principal_access
// relationships into the bucket, into its service entity (aws_s3 of its
// account: access to "*") and into its account (admin-like access to
// "*"), with "Write" in accessLevels; plus the bucket's ALLOWS to
// Everyone with effective=true. Who does exactly that in Go; NewIndex
// answers many queries without rescanning the graph.
//
// Effective means "allowed for some request context": Allow conditions
// are taken to hold (the relationship says conditional and carries the
// conditions), Deny conditions are evaluated against the context the
// request itself implies (policy.go). The graph's edges are derived
// without SCPs, RCPs and session policies; the on-demand questions (Query:
// WhoCan, Can, Request, Escalation) apply the SCPs and RCPs the snapshot
// holds (org.go) and say per answer whether they could be read.
//
// Scale: resources are indexed by service, account and resource-field
// prefix, so a statement looks only at its candidate range (index.go);
// documents are parsed once and action expansions cached; the evaluator is
// asked about one action per access level in the common case; a principal
// looks only at the grants of its own account and those on targets with a
// resource-based policy (accountGrants), so AWS managed policies shared by
// many accounts cost each principal one account's share. Limits caps
// fan-out where a caller needs it; a cap that bites is counted in Stats,
// logged, and marked on the graph (capped, accessCapped).
// On demand, Query (query.go) answers from the evaluator itself: WhoCan
// (every principal allowed an action on a resource), Can (what one
// principal may do) and Request (the request and policies iam explain
// decides), with conditions on keys a snapshot cannot know reported as
// conditional (iam.Evaluator.EvaluateUnknown). Escalation (escalation.go)
// asks it about each privilege-escalation technique of techniques.go and
// finds each principal's shortest path to administrator access.
package access
