package iam

// IAM policy evaluation — the order and its exceptions.
//
// Sources: IAM User Guide reference_policies_evaluation-logic.html,
// reference_policies_evaluation-logic_policy-eval-denyallow.html,
// reference_policies_evaluation-logic-cross-account.html,
// access_policies_boundaries.html, access_policies.html#policies_session,
// orgs_manage_policies_scps.html, orgs_manage_policies_rcps.html.
//
//  0. sts:GetCallerIdentity needs no permission: it is always allowed.
//  1. Every applicable policy is searched for a matching Deny statement: the
//     resource-based policy, identity-based policies, the permissions
//     boundary, the session policy, SCPs and RCPs. Any match is an explicit
//     deny, final. A Deny with NotPrincipal in a resource-based policy
//     always matches a principal that has a permissions boundary, and
//     spares a role session only when its session ARN and its role ARN are
//     both listed (principal.go, notPrincipalApplies).
//  1a. Over a resource pattern, a Deny that covers only part of the
//     pattern does not deny; an Allow whose part of the pattern such Denies
//     cover is dropped; and in steps 5-6 the policies that must allow must
//     allow one same resource of the pattern (intersect.go).
//  1b. AWS-managed resources are immutable to customers whatever a policy
//     allows: AWS managed policies, service-linked and reserved roles, KMS
//     aliases under alias/aws/ (the table in immutable.go, one source per
//     row). Such a request is implicitly denied, naming the rule; an
//     explicit Deny (step 1) still reports as explicit.
//  2. RCPs (when given and applicable) only deny: AWS attaches
//     RCPFullAWSAccess (Allow * on *) at the root, every OU and every
//     account and it cannot be detached (orgs_manage_policies_rcps_syntax.html:
//     Allow is only supported for that policy), so a level without a
//     matching Deny does not deny, whatever Allow statements it lists. RCPs
//     apply to the resource's account, only to the services that support
//     them, never to resources of the management account, to requests made
//     by or on service-linked roles (orgs_manage_policies_rcps.html,
//     "Resources and entities not restricted by RCPs"), to AWS managed KMS
//     keys (KMS Developer Guide, resource-control-policies.html) nor to
//     kms:RetireGrant ("not effective in an RCP, even if the Action element
//     specifies *").
//  3. SCPs (when given and applicable): every level must allow. SCPs apply to
//     the IAM principals (users, roles, sessions, root) of member accounts;
//     never to the management account, service-linked roles, AWS service
//     principals or anonymous callers.
//  3a. S3 Block Public Access: when the request says RestrictPublicBuckets
//     is on for a bucket with a public policy (Request.RestrictPublic;
//     Amazon S3 User Guide, access-control-block-public-access.html), the
//     bucket policy grants nothing to callers other than AWS service
//     principals and IAM principals of the bucket owner's account: a
//     cross-account, anonymous, federated or canonical-user request that
//     the bucket policy allows is implicitly denied.
//  4. Callers that are not IAM identities (service principals, anonymous
//     "*", web identity providers, canonical users) have no identity-based
//     policies: only an Allow in the resource-based policy grants access.
//  5. Same account (resource account = principal account):
//     a. an Allow in the resource-based policy that names the exact caller —
//        the IAM user ARN for a user, the session ARN for a role session or
//        federated user — or "*" grants access by itself: implicit denies in
//        identity policies, the permissions boundary and the session policy
//        do not limit it;
//     b. an Allow that names the role ARN (caller is a session of the role)
//        replaces the identity-based Allow but the permissions boundary and
//        session policy must still allow;
//     c. an Allow that names only the account delegates to IAM: it adds
//        nothing on its own;
//     d. otherwise identity-based policies must allow, and the permissions
//        boundary (if any) and session policy (if any) must allow too;
//     e. role trust policies (sts:AssumeRole* / TagSession / SetSourceIdentity
//        on an IAM role) and KMS key policies must always allow — naming the
//        account is enough when the identity policy allows too; with no such
//        Allow the request is implicitly denied.
//     The account root user needs no identity policy in its own account.
//  6. Cross account: the resource-based policy must allow (naming the
//     caller, its role or its account) AND the caller's own account must
//     allow through identity-based policies, boundary and session policy.
//  7. Anything else is an implicit deny.
//
// A request whose resource is a pattern ("*" or wildcards) asks whether
// some resource matching it is allowed: Allows apply when their patterns
// meet it, Denies only when they cover it (intersect.go), and the result
// says SomeResources. Malformed elements that AWS reads anyway (a
// Principal written as a bare ARN string) are evaluated as AWS reads them
// and reported in Result.Warnings.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Decision is the outcome of an evaluation.
type Decision string

// Decisions, spelled as AWS's policy simulator spells them.
const (
	Allowed          Decision = "Allowed"
	ImplicitlyDenied Decision = "ImplicitlyDenied"
	ExplicitlyDenied Decision = "ExplicitlyDenied"
)

// Result is a decision with the reasons that led to it.
type Result struct {
	Decision Decision `json:"decision"`
	Reasons  []string `json:"reasons"`
	// SomeResources is set when the request's resource is a pattern ("*"
	// or wildcards): Allowed then means some resource matching it may be
	// allowed, not all of them; a denial holds for all of them (see
	// intersect.go).
	SomeResources bool `json:"some_resources,omitempty"`
	// Warnings report problems in the policies that did not stop the
	// evaluation (a malformed element read the way AWS reads it), each
	// naming the policy and statement.
	Warnings []string `json:"warnings,omitempty"`
	// Conditional is set by EvaluateUnknown when the decision is Allowed
	// only if conditions on ConditionKeys (condition keys whose values the
	// caller could not know, lower case, sorted) hold.
	Conditional   bool     `json:"conditional,omitempty"`
	ConditionKeys []string `json:"condition_keys,omitempty"`
}

// Policies are the policies that apply to one request.
type Policies struct {
	// Identity holds the principal's identity-based policies (inline and
	// managed, its own and its groups').
	Identity []*Policy
	// Resource is the resource-based policy (bucket policy, key policy, role
	// trust policy...), nil when the resource has none.
	Resource *Policy
	// Boundaries is the permissions boundary (normally one policy; an
	// Allow in any of them counts). Empty means no boundary.
	Boundaries []*Policy
	// Session is the session policy, nil when none.
	Session *Policy
	// SCPs and RCPs are organisation levels, root first; each level is the
	// list of policies attached there. Empty means no organisation policy
	// of that kind applies. An SCP level must allow (an empty one denies
	// everything); an RCP level only denies (RCPFullAWSAccess, always
	// attached, is implied: listing it changes nothing).
	SCPs [][]*Policy
	RCPs [][]*Policy
	// ManagementAccount is the organisation's management account ID: SCPs do
	// not apply to its principals nor RCPs to its resources.
	ManagementAccount string
}

// Evaluator evaluates requests against policies. It is immutable and safe
// for concurrent use.
type Evaluator struct {
	now         func() time.Time
	rcpServices map[string]bool // nil: RCPs apply to every service
	contexts    *contextCache   // request contexts shared between requests (request.go)
	noReasons   bool            // WithoutReasons
}

// Option configures an Evaluator.
type Option func(*Evaluator)

// WithClock sets the clock that provides aws:CurrentTime and aws:EpochTime
// (time.Now by default). A clock returning the zero time leaves both keys
// out of the request context.
func WithClock(now func() time.Time) Option {
	return func(e *Evaluator) { e.now = now }
}

// WithRCPServices sets the service prefixes that RCPs apply to (for example
// from the actions catalog). Without it RCPs apply to every service.
func WithRCPServices(services []string) Option {
	return func(e *Evaluator) {
		e.rcpServices = make(map[string]bool, len(services))
		for _, s := range services {
			e.rcpServices[strings.ToLower(s)] = true
		}
	}
}

// WithoutReasons makes the evaluator leave Result.Reasons out: for a
// caller that reads only the decision and its facts (an offline
// derivation asking millions of requests), which then does not pay for
// building the reason strings. Decision, SomeResources, Warnings,
// Conditional and ConditionKeys are the same as without it.
func WithoutReasons() Option {
	return func(e *Evaluator) { e.noReasons = true }
}

// NewEvaluator returns an evaluator.
func NewEvaluator(opts ...Option) *Evaluator {
	e := &Evaluator{now: time.Now, contexts: &contextCache{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// policyKind names the place a policy has in the evaluation.
type policyKind uint8

const (
	kindIdentity policyKind = iota
	kindResource
	kindBoundary
	kindSession
	kindSCP
	kindRCP
)

func (k policyKind) String() string {
	return [...]string{"identity-based policy", "resource-based policy", "permissions boundary",
		"session policy", "SCP", "RCP"}[k]
}

// hit is a statement that matched the request.
type hit struct {
	policy *Policy
	stmt   *Statement
	kind   policyKind
	match  matchKind // resource-based policies: how the principal matched
}

func (h hit) String() string {
	return h.kind.String() + " " + strconv.Quote(h.policy.Name) + " statement " + h.stmt.label()
}

// Evaluate decides one request. A request that cannot be evaluated (no
// action) is implicitly denied with the problem as its reason.
func (e *Evaluator) Evaluate(req *Request, pol *Policies) Result {
	p, invalid := e.prepare(req)
	if p == nil {
		return invalid
	}
	defer p.release()
	return e.finish(p, pol)
}

// prepare prepares a request at the evaluator's time; a request that
// cannot be evaluated gives nil and its implicit-deny result.
func (e *Evaluator) prepare(req *Request) (*prepared, Result) {
	var now time.Time
	if e.now != nil {
		now = e.now()
	}
	p, err := prepare(req, now, e.contexts)
	if err != nil {
		return nil, Result{Decision: ImplicitlyDenied, Reasons: []string{"invalid request: " + err.Error()}}
	}
	p.reasons = !e.noReasons
	return p, Result{}
}

func (e *Evaluator) finish(p *prepared, pol *Policies) Result {
	r := e.evaluate(p, pol)
	r.Warnings = pol.warnings()
	if p.wild {
		r.SomeResources = true
		if r.Decision == Allowed && p.reasons {
			r.Reasons = append(r.Reasons, fmt.Sprintf("the request's resource %q is a pattern: some resources matching it are allowed, not necessarily all", p.resource))
		}
	}
	return r
}

// EvaluateUnknown decides a request whose context is only partly known, as
// an offline analysis of a snapshot has it: unknown(key) reports, for a
// lower-case condition key absent from the request context, that its
// value is unknown (a source IP, MFA, a session tag) rather than absent.
// A condition on such a key is neither true nor false, so the request is
// decided twice: once with every unknown condition against the caller (an
// Allow's condition fails, a Deny's holds) and, unless that already allows
// or no unknown key was read, once in its favour. Allowed only in the
// second case is Allowed with Conditional set and the keys that decide it;
// denied in both is the second decision. A nil unknown is Evaluate.
func (e *Evaluator) EvaluateUnknown(req *Request, pol *Policies, unknown func(key string) bool) Result {
	if unknown == nil {
		return e.Evaluate(req, pol)
	}
	p, invalid := e.prepare(req)
	if p == nil {
		return invalid
	}
	defer p.release()
	p.unknown = unknown
	sure := e.finish(p, pol)
	if sure.Decision == Allowed || len(p.unknownRead) == 0 {
		return sure
	}
	p.favourUnknown = true
	maybe := e.finish(p, pol)
	if maybe.Decision != Allowed {
		return maybe
	}
	keys := make([]string, 0, len(p.unknownRead))
	for k := range p.unknownRead {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	maybe.Conditional, maybe.ConditionKeys = true, keys
	if p.reasons {
		maybe.Reasons = append(maybe.Reasons, "allowed only if the conditions on "+strings.Join(keys, ", ")+" hold: their values are not known")
	}
	return maybe
}

// warnings lists the parse warnings of every policy given.
func (pol *Policies) warnings() []string {
	if pol == nil {
		return nil
	}
	var out []string
	add := func(list []*Policy) {
		for _, p := range list {
			if p != nil {
				out = append(out, p.Warnings...)
			}
		}
	}
	add(pol.Identity)
	add([]*Policy{pol.Resource})
	add(pol.Boundaries)
	add([]*Policy{pol.Session})
	for _, lvl := range pol.SCPs {
		add(lvl)
	}
	for _, lvl := range pol.RCPs {
		add(lvl)
	}
	return out
}

// noPermissionAction needs no permission (step 0): the STS API Reference,
// API_GetCallerIdentity.html, "No permissions are required to perform this
// operation. If an administrator attaches a policy to your identity that
// explicitly denies access to the sts:GetCallerIdentity action, you can
// still perform this operation."
const noPermissionAction = "sts:getcalleridentity"

// NeedsNoPermission reports whether action (any case) is allowed whatever
// the policies say: sts:GetCallerIdentity. No policy grants it, so an
// analysis that reads who may call an action from policy grants must add
// every caller for it.
func NeedsNoPermission(action string) bool { return strings.EqualFold(action, noPermissionAction) }

func (e *Evaluator) evaluate(p *prepared, pol *Policies) (r Result) {
	pr := &p.req.Principal
	p.public = publicNotApplied
	if p.action == noPermissionAction {
		return p.allowed("sts:GetCallerIdentity needs no permission")
	}
	if pol == nil {
		pol = &Policies{}
	}
	hasBoundary := len(pol.Boundaries) > 0 && pr.IsIAM()
	slr := pr.IsServiceLinkedRole()
	scpApplies := len(pol.SCPs) > 0 && pr.IsIAM() && !slr &&
		(pol.ManagementAccount == "" || pr.Account != pol.ManagementAccount)
	rcpApplies := len(pol.RCPs) > 0 && !slr && !p.resourceIsServiceLinkedRole() &&
		(pol.ManagementAccount == "" || p.resourceAccount != pol.ManagementAccount) &&
		(e.rcpServices == nil || e.rcpServices[p.service]) &&
		!p.awsManagedKey() && p.action != "kms:retiregrant"

	// Collect matching statements, into the prepared request's buffers
	// (kept from one evaluation to the next: see release).
	denies, partialDenies := p.denyBuf[:0], []hit(nil)
	p.hitBuf = p.hitBuf[:0]
	var shadowed []hit // Allows whose resources of the pattern partial Denies all cover
	defer func() {
		if !p.reasons {
			return
		}
		if r.Decision == Allowed {
			for _, h := range partialDenies {
				r.Reasons = append(r.Reasons, "explicit deny in "+h.String()+" covers only part of the request's resource pattern: other resources escape it")
			}
		}
		if r.Decision == ImplicitlyDenied {
			for _, h := range shadowed {
				r.Reasons = append(r.Reasons, "the allow in "+h.String()+" covers only resources of the pattern that explicit denies cover")
			}
		}
	}()
	collect := func(kind policyKind, list []*Policy) (allows []hit) {
		start := len(p.hitBuf)
		for _, po := range list {
			if po == nil {
				continue
			}
			for _, s := range po.Statements {
				mk, cover := s.applies(p, kind, hasBoundary)
				if cover == coverNone {
					continue
				}
				h := hit{policy: po, stmt: s, kind: kind, match: mk}
				if s.Effect == Deny && cover == coverSome {
					partialDenies = append(partialDenies, h)
					continue
				}
				if s.Effect == Deny {
					denies = append(denies, h)
				} else {
					p.hitBuf = append(p.hitBuf, h)
				}
			}
		}
		// Capped: the next collect's appends cannot overwrite it.
		return p.hitBuf[start:len(p.hitBuf):len(p.hitBuf)]
	}
	var resAllows, idAllows, pbAllows, sesAllows []hit
	if pol.Resource != nil {
		resAllows = collect(kindResource, []*Policy{pol.Resource})
	}
	identityApplies := pr.IsIAM()
	if identityApplies {
		idAllows = collect(kindIdentity, pol.Identity)
		pbAllows = collect(kindBoundary, pol.Boundaries)
		if pol.Session != nil {
			sesAllows = collect(kindSession, []*Policy{pol.Session})
		}
	}
	var scpLevels [][]hit
	if scpApplies {
		for _, lvl := range pol.SCPs {
			scpLevels = append(scpLevels, collect(kindSCP, lvl))
		}
	}
	if rcpApplies {
		for _, lvl := range pol.RCPs {
			collect(kindRCP, lvl) // only its Denies count (step 2)
		}
	}
	p.denyBuf = denies

	// 1. Explicit deny anywhere wins.
	if len(denies) > 0 {
		r = Result{Decision: ExplicitlyDenied}
		for _, h := range denies {
			if !p.reasons {
				break
			}
			why := "explicit deny in " + h.String()
			if h.kind == kindResource && h.stmt.NotPrincipal != nil && hasBoundary {
				why += " (a Deny with NotPrincipal always applies to a principal with a permissions boundary)"
			}
			r.Reasons = append(r.Reasons, why)
		}
		return r
	}
	// 1a. Over a resource pattern, an Allow whose resources of the pattern
	// partial Denies all cover allows nothing.
	var denied [][]globTok
	if p.wild && len(partialDenies) > 0 {
		denied = p.denyPatterns(partialDenies)
		keep := func(list []hit) []hit {
			out := list[:0:0]
			for _, h := range list {
				if h.stmt.escapes(p, denied) {
					out = append(out, h)
				} else {
					shadowed = append(shadowed, h)
				}
			}
			return out
		}
		resAllows, idAllows, pbAllows, sesAllows = keep(resAllows), keep(idAllows), keep(pbAllows), keep(sesAllows)
		for i := range scpLevels {
			scpLevels[i] = keep(scpLevels[i])
		}
	}
	// 1b. AWS-managed resources customers cannot change.
	if rule := p.immutableRule(); rule != nil {
		return p.implicitf(func() string {
			return fmt.Sprintf("%s cannot be done by customers on %s: %s (whatever the policies allow)", p.req.Action, p.resource, rule.name)
		})
	}
	// 2. RCPs deny only: RCPFullAWSAccess, attached at every level and
	// impossible to detach, allows everything, so a level without a
	// matching Deny does not deny. Their Allow statements are not needed.
	// 3. SCPs: every level must allow.
	for i, lvl := range scpLevels {
		if len(lvl) == 0 {
			return p.implicitf(func() string { return fmt.Sprintf("no SCP at organisation level %d allows the request", i) })
		}
	}

	best := matchNone
	var bestHit hit
	for _, h := range resAllows {
		if h.match > best {
			best, bestHit = h.match, h
		}
	}

	cross := p.accountKnown && p.resourceAccount != pr.Account

	// 3a. S3 Block Public Access (RestrictPublicBuckets).
	if best != matchNone && p.restrictPublic(pr, cross) {
		return p.implicitf(func() string { return "S3 Block Public Access: " + p.publicText() })
	}

	// 4. Callers without identity policies.
	if !pr.IsIAM() {
		if best != matchNone {
			return p.allowedf(func() string { return "allowed by " + bestHit.String() })
		}
		if pol.Resource == nil {
			return p.implicitf(func() string {
				return fmt.Sprintf("%s caller %q has no identity-based policies and the resource has no resource-based policy", strings.ToLower(string(pr.Type)), pr.Raw)
			})
		}
		return p.implicit("the resource-based policy does not allow the caller")
	}

	mandatory := mandatoryResourcePolicy(p)
	isRoot := pr.Type == PrincipalRoot

	// Over a resource pattern, the policies that must allow must allow one
	// same resource of it (intersect.go): layers lists them for the branch
	// that allows, and disjoint answers an implicit deny.
	resAtLeast := func(k matchKind) []hit {
		var out []hit
		for _, h := range resAllows {
			if h.match >= k {
				out = append(out, h)
			}
		}
		return out
	}
	identitySide := func(withIdentity bool) (layers [][]hit) {
		if withIdentity && (!isRoot || len(idAllows) > 0) {
			layers = append(layers, idAllows)
		}
		if hasBoundary {
			layers = append(layers, pbAllows)
		}
		if pol.Session != nil {
			layers = append(layers, sesAllows)
		}
		return layers
	}
	disjoint := func(layers ...[]hit) bool {
		if !p.wild {
			return false // someResourceOfAll: the layers matched the resource
		}
		return !p.someResourceOfAll(denied, append(layers, scpLevels...))
	}
	const disjointReason = "no single resource of the request's pattern is allowed by every policy that must allow it (they allow different parts of it)"

	// Identity side: identity-based Allow, boundary, session policy.
	identityOK := len(idAllows) > 0 || isRoot
	boundaryOK := !hasBoundary || len(pbAllows) > 0
	sessionOK := pol.Session == nil || len(sesAllows) > 0
	identityReason := func() (string, bool) {
		switch {
		case !identityOK:
			return "no identity-based policy allows the request", false
		case !boundaryOK:
			return "the permissions boundary does not allow the request", false
		case !sessionOK:
			return "the session policy does not allow the request", false
		}
		return "", true
	}

	if !cross {
		// 5a. Grants to the exact caller.
		if best == matchDirect || (best == matchUser && pr.Type == PrincipalUser) {
			if disjoint(resAtLeast(best)) {
				return p.implicit(disjointReason)
			}
			return p.allowedf(func() string { return "allowed by " + bestHit.String() + " naming the " + best.String() })
		}
		// 5b. Grants to the role ARN.
		if best == matchRole {
			if !boundaryOK {
				return p.implicit("the resource-based policy names the role ARN, which does not bypass the permissions boundary, and the boundary does not allow the request")
			}
			if !sessionOK {
				return p.implicit("the resource-based policy names the role ARN, which does not bypass the session policy, and the session policy does not allow the request")
			}
			if disjoint(append(identitySide(false), resAtLeast(matchRole))...) {
				return p.implicit(disjointReason)
			}
			return p.allowedf(func() string { return "allowed by " + bestHit.String() + " naming the role ARN" })
		}
		// 5e. Mandatory resource policies.
		if mandatory != "" && best == matchNone {
			return p.implicitf(func() string {
				return "the " + mandatory + " does not allow the caller (it must, even in the same account)"
			})
		}
		// 5d. Identity side.
		if why, ok := identityReason(); !ok {
			return p.implicit(why)
		}
		layers := identitySide(true)
		if mandatory != "" {
			layers = append(layers, resAtLeast(matchAccount))
		}
		if disjoint(layers...) {
			return p.implicit(disjointReason)
		}
		r = p.allowed()
		if !p.reasons {
			return r
		}
		if isRoot && len(idAllows) == 0 {
			r.Reasons = append(r.Reasons, "the account root user has full access to its own account")
		}
		for _, h := range idAllows {
			r.Reasons = append(r.Reasons, "allowed by "+h.String())
		}
		if best == matchAccount {
			r.Reasons = append(r.Reasons, "the "+orDefault(mandatory, "resource-based policy")+" delegates to the account ("+bestHit.String()+")")
		}
		return r
	}

	// 6. Cross account: both sides.
	if best == matchNone {
		if pol.Resource == nil {
			return p.implicitf(func() string {
				return fmt.Sprintf("cross-account request (principal account %s, resource account %s) and the resource has no resource-based policy", pr.Account, p.resourceAccount)
			})
		}
		return p.implicitf(func() string {
			return fmt.Sprintf("cross-account request (principal account %s, resource account %s): the resource-based policy does not allow the caller", pr.Account, p.resourceAccount)
		})
	}
	if why, ok := identityReason(); !ok {
		return p.implicitf(func() string {
			return "cross-account request: the resource-based policy allows but " + why + " in the principal's account"
		})
	}
	if disjoint(append(identitySide(true), resAtLeast(matchAccount))...) {
		return p.implicit("cross-account request: " + disjointReason)
	}
	r = p.allowedf(func() string { return "allowed by " + bestHit.String() + " naming the " + best.String() })
	if !p.reasons {
		return r
	}
	for _, h := range idAllows {
		r.Reasons = append(r.Reasons, "allowed by "+h.String())
	}
	return r
}

// publicOutcome is what S3 Block Public Access did in one evaluation.
type publicOutcome uint8

const (
	publicNotApplied     publicOutcome = iota // unrestricted bucket, service principal, or not reached
	publicOwnAccount                          // restricted, but the caller is of the bucket's account
	publicTakenOff                            // unknown, taken as off in the favourable pass
	publicBlockedOn                           // restricted: the caller's grant is blocked
	publicBlockedUnknown                      // unknown, taken as restricting: blocked
)

// restrictPublic reports whether S3 Block Public Access blocks what the
// bucket policy grants the caller (step 3a): the request says the bucket
// is restricted (Request.RestrictPublic) and the caller is neither an AWS
// service principal nor an IAM principal of the bucket's account. The
// caller of a cross-account or non-IAM request has nothing but the bucket
// policy's grant, so blocking it denies the request. An unknown
// restriction is an unknown condition (EvaluateUnknown): it blocks except
// in the favourable pass. p.public records what happened.
func (p *prepared) restrictPublic(pr *Principal, cross bool) bool {
	rp := p.req.RestrictPublic
	switch {
	case rp == PublicUnrestricted || pr.Type == PrincipalService:
		return false
	case pr.IsIAM() && !cross:
		p.public = publicOwnAccount
		return false
	}
	if rp == PublicRestrictionUnknown && p.unknown != nil {
		if p.unknownRead == nil {
			p.unknownRead = map[string]bool{}
		}
		p.unknownRead[RestrictPublicKey] = true
		if p.favourUnknown {
			p.public = publicTakenOff
			return false
		}
	}
	p.public = publicBlockedOn
	if rp == PublicRestrictionUnknown {
		p.public = publicBlockedUnknown
	}
	return true
}

// publicText says what S3 Block Public Access did in the last evaluation
// ("" when it did not apply), built only when read.
func (p *prepared) publicText() string {
	who := "a caller outside the bucket owner's account"
	if !p.req.Principal.IsIAM() {
		who = "a caller that is no IAM principal of the bucket owner's account (anonymous, federated or canonical user)"
	}
	switch p.public {
	case publicOwnAccount:
		return "does not restrict the caller: it is in the bucket owner's account"
	case publicTakenOff:
		return "RestrictPublicBuckets is not known to be on: taken as off (the answer is conditional on " + RestrictPublicKey + ")"
	case publicBlockedOn:
		setting := "RestrictPublicBuckets is on"
		if p.req.RestrictPublicByAccount {
			setting = "RestrictPublicBuckets is on in the account's Block Public Access"
		}
		return setting + " and the bucket policy is public: its grants to " + who + " are blocked (only AWS service principals and users of the bucket owner's account keep access)"
	case publicBlockedUnknown:
		return "RestrictPublicBuckets or the bucket policy's public status is unknown, taken as restricting: grants to " + who + " are blocked"
	}
	return ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// allowed, implicit and their f forms give a decision with its reason,
// or without it when the caller does not read reasons (WithoutReasons):
// the f forms build the reason only when it is read.
func (p *prepared) allowed(reasons ...string) Result {
	if !p.reasons {
		return Result{Decision: Allowed}
	}
	return Result{Decision: Allowed, Reasons: reasons}
}

func (p *prepared) allowedf(reason func() string) Result {
	if !p.reasons {
		return Result{Decision: Allowed}
	}
	return Result{Decision: Allowed, Reasons: []string{reason()}}
}

func (p *prepared) implicit(reason string) Result {
	if !p.reasons {
		return Result{Decision: ImplicitlyDenied}
	}
	return Result{Decision: ImplicitlyDenied, Reasons: []string{reason}}
}

func (p *prepared) implicitf(reason func() string) Result {
	if !p.reasons {
		return Result{Decision: ImplicitlyDenied}
	}
	return Result{Decision: ImplicitlyDenied, Reasons: []string{reason()}}
}

// mandatoryResourcePolicy names the resource-based policy that must allow
// even within one account, or "" when there is none.
func mandatoryResourcePolicy(p *prepared) string {
	switch p.service {
	case "kms":
		if strings.HasPrefix(p.resource, "arn:") && strings.Contains(p.resource, ":key/") {
			return "KMS key policy"
		}
	case "sts":
		switch p.action {
		case "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
			"sts:tagsession", "sts:setsourceidentity", "sts:setcontext":
			if parts, ok := splitARN(p.resource); ok && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") {
				return "role trust policy"
			}
		}
	}
	return ""
}

// awsManagedKey reports whether the request is on an AWS managed KMS key:
// said by the request, or a KMS alias ARN under alias/aws/.
func (p *prepared) awsManagedKey() bool {
	if p.service != "kms" {
		return false
	}
	if p.req.AWSManagedKey {
		return true
	}
	parts, ok := splitARN(p.resource)
	return ok && parts[2] == "kms" && strings.HasPrefix(parts[5], "alias/aws/")
}

// coverage says which resources of the request a statement applies to.
type coverage uint8

const (
	coverNone coverage = iota
	// coverSome: some resources of a request pattern, not all (only
	// reported for Deny statements; an Allow that applies is coverAll).
	coverSome
	coverAll
)

// applies reports whether the statement matches the request, and for
// resource-based policies how its Principal matched.
func (s *Statement) applies(p *prepared, kind policyKind, hasBoundary bool) (matchKind, coverage) {
	mk, cover, why := s.match(p, kind, hasBoundary)
	if p.trace != nil {
		p.trace(kind, s, mk, cover, why.String())
	}
	return mk, cover
}

// miss says why a statement does not apply (for Explain), as a fixed
// text or a condition: the text of a condition is built only when read.
type miss struct {
	what string
	cond *condition // a condition that does not hold
	// unknown: cond's value is unknown and taken as not holding (see
	// EvaluateUnknown).
	unknown bool
}

// String is the reason, "" when the statement applies.
func (m miss) String() string {
	switch {
	case m.cond == nil:
		return m.what
	case m.unknown:
		return "condition " + m.cond.opName + " on " + m.cond.keyRaw + " taken as not holding (value unknown)"
	}
	return "condition " + m.cond.opName + " on " + m.cond.keyRaw + " does not hold"
}

// match is applies with the reason a statement does not apply (for
// Explain); why is empty when it applies.
func (s *Statement) match(p *prepared, kind policyKind, hasBoundary bool) (_ matchKind, _ coverage, why miss) {
	if !s.matchAction(p.action) {
		return matchNone, coverNone, miss{what: "action not matched"}
	}
	cover := s.matchResource(p)
	if cover == coverNone {
		return matchNone, coverNone, miss{what: "resource not matched"}
	}
	mk := matchDirect
	if kind == kindResource || kind == kindRCP {
		pr := &p.req.Principal
		switch {
		case s.Principal != nil:
			mk = s.Principal.match(pr)
			if mk == matchNone {
				return matchNone, coverNone, miss{what: "principal not matched"}
			}
		case s.NotPrincipal != nil:
			forced := kind == kindResource && s.Effect == Deny && hasBoundary
			if !forced && !s.NotPrincipal.notPrincipalApplies(pr) {
				return matchNone, coverNone, miss{what: "principal excluded by NotPrincipal"}
			}
			mk = matchDirect
		default:
			if kind == kindResource {
				// A resource-based statement without a principal grants
				// nothing (IAM rejects it; some services store one).
				return matchNone, coverNone, miss{what: "no Principal element"}
			}
		}
	}
	for i := range s.conditions {
		c := &s.conditions[i]
		if p.unknown != nil && p.isUnknown(c.key) {
			// Neither true nor false: see EvaluateUnknown.
			if p.unknownRead == nil {
				p.unknownRead = map[string]bool{}
			}
			p.unknownRead[c.key] = true
			if p.favourUnknown != (s.Effect == Allow) {
				return matchNone, coverNone, miss{cond: c, unknown: true}
			}
			continue
		}
		if v, _ := p.value(c.key); !c.eval(v, p.lookup) {
			return matchNone, coverNone, miss{cond: c}
		}
	}
	return mk, cover, miss{}
}

func (s *Statement) matchAction(action string) bool {
	if s.hasAction {
		return s.actionIndex.match(s.actions, action)
	}
	return !s.actionIndex.match(s.notActions, action)
}

// matchResource says which resources of the request the statement's
// Resource or NotResource covers. For a literal resource it is all or
// nothing. For a resource pattern (intersect.go) an Allow applies when
// some resource is covered; a Deny covers all only when its patterns cover
// the whole request pattern, and some when they meet part of it.
func (s *Statement) matchResource(p *prepared) coverage {
	if s.resourceMissing {
		return coverAll
	}
	if p.wild && s.memo != nil {
		if c, ok := s.memo.get(p.resource); ok {
			return c
		}
		c := s.matchPattern(p)
		s.memo.put(p.resource, c)
		return c
	}
	if !p.wild {
		if s.hasResource {
			return coverIf(p.meets(s.resources))
		}
		for i := range s.notResources {
			m, ok := s.notResources[i].matchARN(p.resource, p.lookup)
			if !ok || m {
				// An unresolvable variable makes the statement invalid.
				return coverNone
			}
		}
		return coverAll
	}
	return s.matchPattern(p)
}

// matchPattern is matchResource for a request pattern (p.wild).
func (s *Statement) matchPattern(p *prepared) coverage {
	if s.hasResource {
		switch {
		case s.Effect == Allow:
			return coverIf(p.meets(s.resources))
		case p.covered(s.resources):
			return coverAll
		case p.meets(s.resources):
			return coverSome
		}
		return coverNone
	}
	if _, unresolved := p.resolvedTokens(s.notResources); unresolved {
		return coverNone
	}
	switch {
	case s.Effect == Allow:
		return coverIf(!p.covered(s.notResources))
	case !p.meets(s.notResources):
		return coverAll
	case !p.covered(s.notResources):
		return coverSome
	}
	return coverNone
}

// denyPatterns returns the Resource patterns of Deny statements that
// cover part of the request pattern. NotResource Denies are left out: the
// Allows they partly cover are kept (an over-approximation).
func (p *prepared) denyPatterns(denies []hit) [][]globTok {
	var out [][]globTok
	for _, h := range denies {
		if h.stmt.hasResource {
			toks, _ := p.resolvedTokens(h.stmt.resources)
			out = append(out, toks...)
		}
	}
	return out
}

// escapes reports whether some resource of the request pattern that the
// Allow statement's Resource meets is outside the denied patterns.
// NotResource Allows are kept.
func (s *Statement) escapes(p *prepared, denied [][]globTok) bool {
	if !s.hasResource || len(denied) == 0 {
		return true
	}
	toks, _ := p.resolvedTokens(s.resources)
	for _, t := range toks {
		if globIntersects(p.resTok, t) && !globCoversAll([][]globTok{p.resTok, t}, denied) {
			return true
		}
	}
	return false
}

// maxLayerCombinations bounds someResourceOfAll's search; past it the
// answer is true (an over-approximation, as in intersect.go).
const maxLayerCombinations = 256

// someResourceOfAll reports whether one resource of the request pattern is
// allowed by a statement of every layer and escapes the denied patterns.
// Statements without a Resource element (NotResource, none) constrain
// nothing here. For a literal resource it is true: the layers already
// matched it.
func (p *prepared) someResourceOfAll(denied [][]globTok, layers [][]hit) bool {
	if !p.wild {
		return true
	}
	var opts [][][]globTok // per constraining layer, its Resource patterns
layer:
	for _, l := range layers {
		var o [][]globTok
		for _, h := range l {
			if !h.stmt.hasResource {
				continue layer
			}
			toks, _ := p.resolvedTokens(h.stmt.resources)
			o = append(o, toks...)
		}
		if len(o) == 0 {
			return false
		}
		opts = append(opts, o)
	}
	combos := 1
	for _, o := range opts {
		if combos *= len(o); combos > maxLayerCombinations {
			return true
		}
	}
	pick := make([]int, len(opts))
	rs := make([][]globTok, 0, len(opts)+1)
	for {
		rs = append(rs[:0], p.resTok)
		for i, o := range opts {
			if t := o[pick[i]]; !universal(t) { // "*" constrains nothing
				rs = append(rs, t)
			}
		}
		if len(denied) == 0 && len(rs) <= 2 {
			// Nothing to escape: some resource of the pattern is allowed
			// when the patterns meet (a single pattern always matches).
			if len(rs) == 1 || globIntersects(rs[0], rs[1]) {
				return true
			}
		} else if !globCoversAll(rs, denied) {
			return true
		}
		i := 0
		for ; i < len(pick); i++ {
			if pick[i]++; pick[i] < len(opts[i]) {
				break
			}
			pick[i] = 0
		}
		if i == len(pick) {
			return false
		}
	}
}

func coverIf(b bool) coverage {
	if b {
		return coverAll
	}
	return coverNone
}
