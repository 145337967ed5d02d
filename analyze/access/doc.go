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
//     aws_account for "*" actions on "*". A statement on "*" or a
//     type-wide pattern whose Condition reads aws:ResourceTag/* (ABAC) is
//     not uniform over its service: it reaches the collected resources
//     its actions act on instead (abac.go, abacTargets), and the service
//     entity only for its actions that act on none of them.
//     An AWS managed policy (arn:aws:iam::aws:policy/...) is one entity
//     shared by every account: its ALLOWS go only to the accounts of the
//     principals that have it ("*" means each of those accounts), plus
//     resources elsewhere that have a resource-based policy (the identity
//     half of a possible cross-account grant). A grant elsewhere without
//     one could never be used by anybody.
//   - resource-allows (resource.go): each resource with a resource-based
//     policy (S3 bucket, Lambda function, ECR repository, and once
//     collected SQS, SNS, KMS key: the resourcePolicyTypes table) ALLOWS the
//     principals its Allow statements name. A grant to Everyone lists in
//     exceptPrincipals the principals of the resource's account whose own
//     Deny, or whose account's SCPs or RCPs, refuse it, and the principals
//     of other accounts whom the resource account's RCPs refuse (their own
//     access relationships, which Who joins with the grant, apply only
//     their own account's organisation policies); a grant to another
//     account (its root) lists the latter of that account; its
//     anonymousEffective says whether callers outside every account still
//     get it after the RCPs of the resource's account (an RCP keeping a
//     service to the organisation refuses them). Both also list every
//     collected principal the grant's own policy refuses (joined.go): its
//     Conditions on the principal's facts (aws:PrincipalTag/*,
//     aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount,
//     aws:PrincipalArn, kms:CallerAccount, ...), its NotPrincipal, a Deny
//     naming principals or reading such facts; a principal refused some
//     of the grant's levels only is in exceptLevels ("principal|Level").
//     Where the policy refuses every principal of an account alike, the
//     entry is the account ID (every principal of it), not each principal
//     (an AWS managed key's kms:CallerAccount refuses whole accounts).
//     Principals are asked by group (account class and the values of the
//     tags the statements read; by organisation instead of account when
//     no statement reads the account; per principal only when one reads
//     who it is), and only for grants whose policy reads such a fact.
//   - principal-access (effective.go): each user and role ALLOWS every
//     target it really gets access to, as relationships with _class ALLOWS
//     and _type aws_principal_access; it also sets `effective` on the
//     identity ALLOWS. A target in another account needs both sides (the
//     evaluator's rule): without a resource-based policy it is no access,
//     whatever the principal's own policies say. A resource policy naming
//     sessions of a role (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)
//     gives the role an access relationship of its own with `sessions`.
//     A role's trust policy naming a collected user or role is such a
//     grant too (trust.go): in the same account it needs no identity
//     policy; its grants to "*" and to another account are joined with
//     the principals' own access when asked (Who), like a resource
//     policy's to Everyone or to an account, and say whom they do not
//     reach as those do: exceptPrincipals (the role account's principals
//     whose own Deny or organisation policies refuse the trust actions,
//     other accounts' whom its RCPs refuse, any principal the trust
//     policy's Conditions or NotPrincipal refuse) and exceptLevels, set
//     only when not empty.
//     A service- or account-scope access relationship says where it does
//     not hold (cells.go): exceptIn, a sorted list of cells, each the
//     service of a resource's ARN and the Region of a request on it
//     (iam.RequestedRegion: "lambda@us-west-2", "iam@us-east-1", "s3@"
//     where the caller picks it), or a service alone for every Region:
//     "<cell>" no level of the edge is allowed there, "<cell>|<Level>"
//     that level is not, "<cell>|<Level>|copy" only a copy action whose
//     Region the caller picks is (iam.CrossRegion: read only onto the
//     types one acts on). It is asked only where something can refuse
//     what "*" is allowed: a statement reading aws:RequestedRegion (a
//     region guard), a permissions boundary, a Deny of the principal's,
//     organisation policies that may refuse the edge's actions; for the
//     services those statements name, one service for all the others
//     (where the edge's grants name no resources), per Region only when
//     one reads aws:RequestedRegion; per grant, once
//     per class of principals (shared.go) and cached by grant and
//     limiting policies (Stats.CellEvaluations, ExceptInEdges). Services
//     whose resources a limiting statement names (Resource, NotResource)
//     get no entry: a cell is not each of its resources.
//     The SCPs of the principal's account and the RCPs of the target's
//     account are applied as the evaluator applies them (org.go). The
//     principals are derived on GOMAXPROCS workers (WithWorkers) and their
//     relationships added in principal order: the graph is the same for
//     any number of workers (workers.go).
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
// policy ALLOWS add principal (raw entries) and crossAccount (and, to
// Everyone, exceptPrincipals and anonymousEffective; to Everyone or to
// another account, exceptPrincipals and, when not empty, exceptLevels;
// on an S3 bucket whose Block Public Access restricts its policy or may,
// restrictPublicBuckets: see below).
//
// aws_principal_access relationships with equal properties share one
// property set (graph.Props; most principals' access repeats: the same
// managed policy on their own account's service entities); treat them as
// read-only. Their _key (principal|access|target, with |sessions for a
// role's sessions) is not stored: graph.Relationship.Key derives it.
//
// The graph stays proportional to the policies, not to principals ×
// resources: access uniform over a service or an account is one edge to
// the service entity or the account, and a resource policy's grant to a
// whole account (its root) or to Everyone is not fanned out to every
// principal: it is joined with the principals' own access when asked.
//
// "Who can write to this PII bucket" in Rego: the aws_principal_access
// relationships into the bucket, into its service entity (aws_s3 of its
// account: access to "*") and into its account (admin-like access to
// "*"), with "Write" in accessLevels; plus the bucket's ALLOWS to
// Everyone with effective=true (every principal of the bucket's account
// but its exceptPrincipals; another account's principals when their own
// access reaches the bucket, but its exceptPrincipals), and its ALLOWS to
// another account (that account's principals whose own access reaches
// it, but its exceptPrincipals), each at the levels exceptLevels leaves
// the principal. Who does that in Go;
// NewIndex answers many queries without rescanning the graph. Who reads
// a service or account edge onto a resource only at the levels of the
// catalog actions that act on the resource's type (applicableLevels,
// applies.go: the service's, and for the account every service's whose
// actions act on it; the same function gives the who-can sweep its
// probes), not at levels AWS refuses every customer on the resource (an
// AWS managed policy, a service-linked role: iam.Immutable), and reads
// sts's levels onto a role only when its trust policy delegates to its
// account, onto a KMS key only at the levels its key policy delegates
// to its account (resourcePolicyType.Delegates; a key whose policy was not
// collected keeps the reading), and at the levels of the actions the
// edge's own patterns name that act on the resource (grantedLevels:
// s3:ListAllMyBuckets gives no List on a bucket), and not in the cells its
// exceptIn names (Index.notIn; also where a grant joins it). An Allow whose
// Condition reads the resource's tags (ABAC) is no such edge: its access
// goes to each resource its tags can accept, as explicit edges (abac.go:
// firm where the tags decide, conditional on the key where they are
// unknown, none where they refuse), and the service edge keeps only its
// actions that act on no collected resource; we chose explicit edges over
// one service edge with exceptResources because a tag condition usually
// accepts the few resources of one team among many, so the exceptions
// would be the long list (BenchmarkDeriveABAC: 2,000 users of 10 teams,
// 20,000 resources, 1.36 million access edges, about 3 CPU-seconds; a
// resource whose tags refuse the statement for everybody gets no grant,
// abac.go tagsNeverAccept, while one whose tags are unknown gets a
// conditional edge from each holder of the policy). Nor is a scoped edge
// read onto a resource whose own policy's Deny refuses the principal
// (denials.go: the resource's deniedPrincipals and deniedLevels, decided
// per group of principals with the same facts), nor onto one a Deny of
// the principal's own names (owndeny.go: the same properties, per class
// of principals; a pattern naming more than maxDenyHits resources is not
// written). Not yet
// exact: a scoped edge says the access on "*" and is read onto every
// resource of its type in its account but those cells, where a
// conditional delegation of the resource's policy may refuse it, and so
// is an ABAC statement with NotResource, NotAction or
// actions of every service, one capped by
// Limits.MaxTargetsPerStatement (an exclusion tag, Null
// aws:ResourceTag/KEY "true", which accepts most resources, keeps its
// service edge, and the resources it excludes are marked as a Deny's are:
// abac.go mostlyAccepted, owndeny.go). The sweep fails on any scoped reading the
// evaluator refuses (CoarseScoped was 76 on the fixture and 218 on the
// collected demo, the demo's all from its us-east-1-only SCP).
// Edges are per access level, so Who can say more than one action's answer;
// Index.WhoCan (whocan.go) takes the principals the edges give and asks the
// evaluator about the action, so it gives exactly Query.WhoCan's answer
// (TestOrgWhoCanAgrees checks both on a multi-account organisation: every
// resource, a catalog action per access level; and every edge's levels,
// conditionalLevels and conditionKeys against the evaluator's answers
// about the actions the edge names; TestOrgWhoCanEveryAction: every
// resource and every catalog action that applies to it, and every action
// that takes no resource on each account and on "*"; there Who's reading
// of a joined grant that the grant's policy refuses is an error, and one
// that only the principal's own coarser edge makes possible is counted:
// Sweep.CoarseJoined). An action that takes
// no resource is asked on an account's ARN (that account's principals, on
// "*" in their own account) or on "*" (every account's): its candidates
// are the edges to the action's service entity and to the account, and
// every principal of the account for sts:GetCallerIdentity, which needs
// no permission (iam.NeedsNoPermission).
//
// Effective means "allowed for some request context". The first pass
// (policy.go) drops Allow conditions and evaluates Deny conditions against
// the context the request itself implies; where a Condition outside the
// grant may decide (a Deny or boundary of the principal's, the target's
// resource policy), against the snapshot's facts with every other key
// unknown, so that a Deny on request context that holds for a request
// without the key (BoolIfExists aws:MultiFactorAuthPresent "false", a
// Null test, StringNotEqualsIfExists aws:SourceVpce) leaves the access to
// be decided with every policy as written, conditional on that key; nor
// does such a Deny put a principal in a public grant's exceptPrincipals,
// nor, in the resource's own policy, make its grant not effective. A grant with a condition on a
// fact of the snapshot (principal or resource tags, accounts,
// organisation ID) is then decided statement by statement with the facts
// (effective.go, factLevels): false on the facts, no access; a condition
// on request context the snapshot cannot know (source IP, MFA, session
// tags, ...) keeps the access, with conditional / conditionalLevels and
// the deciding keys in conditionKeys. A Condition outside the grant that
// may decide one of its actions (the target's resource policy, a
// permissions boundary, a Deny of the principal's) has that action asked
// with every policy as written (org.go, strictAllows): each level of an
// edge, firm or conditional, is what the evaluator says of the actions
// the edge names, for edges to resources, service entities and accounts,
// with Action or NotAction statements (TestOrgWhoCanAgrees,
// TestOrgLevelsAgree). sts:GetCallerIdentity, which needs no permission,
// counts toward no level (freeAction). On an S3 object or object pattern
// (bucket/key, bucket/*) aws:ResourceTag/* is the bucket's tags, in the
// edges and in every Query (Query.owner); an object's own tags
// (s3:ExistingObjectTag/*) are never collected: a condition on them makes
// the access conditional on that key. A bucket's tags are
// aws:ResourceTag/* only when ABAC is enabled on it (abac.go,
// GetBucketAbac: disabled, the keys are absent; unknown, conditional).
// Not yet exact: an account edge from a Resource pattern whose
// service is a wildcard (arn:aws:*:eu-west-1:*:*) does not reach a
// pattern of a bucket's objects that the evaluator intersects with it (a
// key holding ":eu-west-1:").
//
// S3 Block Public Access (publicaccess.go; Amazon S3 User Guide,
// access-control-block-public-access.html): S3 applies the most
// restrictive combination of the bucket's and the account's settings, so
// RestrictPublicBuckets is on when either level's is (the model's
// effectiveRestrictPublicBuckets, from GetPublicAccessBlock and the
// account's s3control GetPublicAccessBlock). A bucket whose
// effectiveRestrictPublicBuckets and policyPublic (AWS's own judgement of
// its policy, GetBucketPolicyStatus) are both true grants nothing through
// its policy outside its account but to AWS service principals: other
// accounts' principals get no access edge to it, its ALLOWS to another
// account is not effective, and its ALLOWS to Everyone is not
// anonymousEffective and lists every collected principal of the other
// accounts in exceptPrincipals (its own account's principals keep the
// grant). Those ALLOWS say restrictPublicBuckets: true. Where the setting
// in effect or the policy status is unknown (a call failed at the bucket
// or the account level, or the snapshot predates the account-level call)
// and neither is false, nothing is assumed: the access of other accounts'
// principals, and the bucket's ALLOWS to Everyone and to other accounts
// (restrictPublicBuckets: null), are conditional at every level on the
// pseudo key s3:restrictpublicbuckets (iam.RestrictPublicKey, a name of
// ours, not an AWS condition key); Who then marks the grant to Everyone
// conditional for the bucket's own principals too (over-cautious;
// Index.WhoCan and Query decide each principal exactly). Query and the
// derivation give the evaluator the fact (iam.Request.RestrictPublic) for
// the bucket and its objects. The ACL settings (ignorePublicAcls,
// blockPublicAcls) do not bear on the edges: ACL grants are not derived.
//
// Organisation policies (org.go): the edges, like the on-demand questions
// (Query: WhoCan, Can, Request, Escalation), apply the SCPs of the
// principal's account and the RCPs of the resource's account that the
// snapshot holds, with the same evaluator and the same policies; SCPs not
// to the management account's principals nor to service-linked roles,
// RCPs only to deny and not to the management account's resources, AWS
// managed KMS keys (keyManager "AWS": iam.Request.AWSManagedKey, set on
// every request on such a key) or service-linked roles. An SCP or RCP Deny narrower
// than the grant (a NotResource, a prefix, a condition on a snapshot fact)
// removes only what it covers; one whose condition depends on request
// context makes the access conditional, its keys in conditionKeys.
// aws:RequestedRegion is a fact where the request decides it
// (iam.RequestedRegion: the Region of a regional resource's ARN; us-east-1
// for IAM, CloudFront, Route 53 and Support): a region guard SCP allows or
// denies access to a regional resource outright, and leaves conditional on
// aws:requestedregion only access whose Region the caller picks (an
// action on "*": the service entity's edge; S3; STS). Each
// collected aws_account says what the derivation knew of its policies:
// serviceControlPoliciesStatus and resourceControlPoliciesStatus are
// "applied", "none" (no organisation, the type not enabled, the
// management account) or "not readable" (a member account's credentials
// cannot read them: Stats.WithoutSCPs / WithoutRCPs, a warning in the
// log). Edges those unreadable policies could change say so:
// derivedWithoutSCPs (aws_principal_access of a principal of such an
// account, or of an account outside the snapshot) and derivedWithoutRCPs
// (aws_principal_access to a target in such an account; resource-policy
// ALLOWS of its resources). Session policies are unknown to the
// snapshot: sessions are derived as their role.
//
// Scale: resources are indexed by service, account and resource-field
// prefix, so a statement looks only at its candidate range (index.go);
// documents are parsed once and action expansions cached; the evaluator is
// asked about one action per access level in the common case, and it
// decides each statement's coverage of a resource pattern once; a principal
// looks only at the grants of its own account and those on targets with a
// resource-based policy (accountGrants), so AWS managed policies shared by
// many accounts cost each principal one account's share. Principals of
// one account with the same policy entities, boundary and the tags any
// statement reads (a class, shared.go) share their access to targets
// without a resource-based policy: derived by the first, the same
// relationships and property sets for the others (TestSharedAccessExact:
// byte-identical to deriving each alone); targets with a resource-based
// policy, and anything personal (a policy variable or condition on who the
// principal is, in its policies or the organisation's), stay per
// principal. Accounts whose SCPs and RCPs are the same documents at the
// same levels (an organisational unit's) share what the organisation
// policies say of each action set (orgCanon); a worker finds an access
// relationship's property set by the grants and answers that made it
// (fastProps) before building the key of every sorted list
// (TestFastPathsExact). Limits caps
// fan-out where a caller needs it; a cap that bites is counted in Stats,
// logged, and marked on the graph (capped, accessCapped). Organisation
// policies cost nothing for the actions they cannot refuse (checked once
// per SCP and RCP set and action); the others are asked once per set,
// action, and principal and resource only when their statements read them
// (a principal's tags: once per values of those tags). A public grant's
// exceptPrincipals are asked once per class of principals (account,
// type), or per tag values, per principal only where an organisation
// policy reads who it is (classRefusals; BenchmarkExceptions); what a
// grant's own Conditions refuse (exceptPrincipals, exceptLevels) once per
// group of principals with the same facts (joined.go;
// BenchmarkJoinedExceptions).
// On demand, Query (query.go) answers from the evaluator itself: WhoCan
// (every principal allowed an action on a resource), Can (what one
// principal may do) and Request (the request and policies iam explain
// decides), with conditions on keys a snapshot cannot know reported as
// conditional (iam.Evaluator.EvaluateUnknown). Escalation (escalation.go)
// asks it about each privilege-escalation technique of techniques.go and
// finds each principal's shortest path to administrator access.
//
// Escalation at scale: principals with the same policies, tags, account
// and boundary share the answers of the techniques whose targets are users
// or roles (classKey); each technique's targets are indexed by account
// once (candidateIndex: its own account's, and those whose resource
// policy may speak to the action: across accounts the resource's policy
// must allow), and the roles anyone may assume too, those of other
// accounts asked about only when the principal's own policies may allow
// sts:AssumeRole, so a principal costs what its account holds, not the
// organisation; a request on a pattern that no identity statement may
// match is denied without an evaluation; edges are built only once all of
// a technique's targets are asked (toSets); and one evaluation answers
// for every target that no statement able to match the action tells apart
// (escalation_ask.go: same type, account and resource-based policy, same
// iam.SplitByResource signature — which ARN-dependent statements match,
// which resource tags conditions read); a technique's steps on "*" (the
// service call that runs the passed role) are asked once per technique,
// not once per target; and a document text is parsed once
// (iam.GraphSource: the same trust policy on many roles is the first one
// renamed). A technique allowed on most roles
// or users of an account is one edge to the set (EscalationEdge.ToSet,
// escalation_sets.go), and the paths come from one breadth-first pass
// backwards from administrator access, then, per principal, the first
// edge that gets one step closer: the path a search per principal finds
// first (TestEscalationPathsMatchSearch). BenchmarkEscalation measures it.
// It runs on GOMAXPROCS workers (Query.parallel), a task per class (its
// shared techniques, its administrator probes), per principal, per
// service or per target, each result stored by position, so the output
// does not depend on the workers (TestEscalationWorkers).
//
// In the graph (escalation_graph.go, AddEscalation): ESCALATES
// relationships of _type aws_principal_escalation, for check AWS-IAM-003,
// which finds a principal's path by its key (AdminPathKey). AddEscalation
// stores each repeated list and string once (the edges of a class of
// principals, or to one role, repeat them): the relationships' properties
// are shared and read-only, as graph.Props are. analyze runs the analysis
// before the IAM derivation: it reads the collected entities and their
// HAS, CONTAINS and USES relationships alone, never derived access, so it
// works on the collected graph's heap and does not sort the derived
// relationships. It adds them by default when the snapshot has at most
// 20,000 principals (EscalationPrincipals; analyze.EscalationAuto,
// DefaultEscalationLimit): on the 100,000-resource synthetic organisation
// (7,568 principals) the analysis adds about 1.9 CPU-seconds to an
// analyze of about 8.5 (docs/performance.md, "Escalation", "On both
// cores"); at 1,000,000 resources (75,680 principals) about 14
// CPU-seconds and 0.43 GiB of peak (docs/performance.md, "Before the
// derivation"), which only --escalation pays. Where it does
// not run, SkipEscalation records why on each account and the check
// reports ERROR per account saying so, never PASS.
package access
