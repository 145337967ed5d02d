package iam

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one authorization request: who calls which action on which
// resource, with which request context.
type Request struct {
	Principal Principal
	Action    string // service:Action
	// Resource is the resource ARN. A pattern ("*" or an ARN with
	// wildcards) asks whether SOME resource matching it is allowed (see
	// intersect.go and Result.SomeResources). Empty means the action has
	// no resource: it is evaluated as the literal resource "*", which only
	// a statement Resource of "*" (or NotResource) matches. A resource
	// whose name really contains '*' or '?' (an S3 key may) is read as a
	// pattern too: the answer then covers it among others.
	Resource string
	// ResourceAccount is the account owning the resource; when empty it is
	// taken from the resource ARN, and when the ARN has none (S3 buckets)
	// the resource is taken to be in the principal's account.
	ResourceAccount string
	// AWSManagedKey says the resource is an AWS managed KMS key (alias
	// aws/<service>): RCPs do not apply to those. A resource ARN of the form
	// arn:aws:kms:REGION:ACCOUNT:alias/aws/... is recognised without it.
	AWSManagedKey bool
	// RestrictPublic is S3 Block Public Access's RestrictPublicBuckets as
	// it bears on the request's resource (an S3 bucket or object): see
	// PublicRestriction. The zero value leaves the request as it is.
	RestrictPublic PublicRestriction
	// RestrictPublicByAccount says the restriction is the bucket account's
	// Block Public Access setting, not the bucket's own (S3 applies the
	// most restrictive of the two): it only names the level in the
	// reasons and in Explain.
	RestrictPublicByAccount bool
	// Context holds request condition keys (any case) and their values.
	// Keys that follow from the request itself (aws:PrincipalArn, ...) are
	// added unless present here; see DerivedContext. A KMS request of an
	// IAM principal also gets kms:CallerAccount, the caller's account.
	Context map[string][]string
}

// PublicRestriction says whether S3 Block Public Access restricts the
// bucket policy of a request's bucket (Amazon S3 User Guide,
// access-control-block-public-access.html, "RestrictPublicBuckets"): with
// the setting on (for the bucket or its account) and a public bucket policy,
// only AWS service principals and authorized users within the bucket
// owner's account can access the bucket; every cross-account and anonymous
// access through the policy is blocked, including non-public delegation to
// specific accounts. The evaluator reads the fact as the caller gives it:
// the caller decides that the resource is an S3 bucket or object, that the
// setting is on and that AWS judges the policy public (GetBucketPolicyStatus).
type PublicRestriction uint8

const (
	// PublicUnrestricted: the setting is off or the policy is not public
	// (the zero value).
	PublicUnrestricted PublicRestriction = iota
	// PublicRestricted: the setting is on and the bucket policy is public.
	PublicRestricted
	// PublicRestrictionUnknown: whether the setting is on, or the policy
	// public, is not known. EvaluateUnknown reads it as the unknown
	// condition key RestrictPublicKey (restricting in its first pass, not
	// in its favourable one); Evaluate reads it as restricting.
	PublicRestrictionUnknown
)

// RestrictPublicKey is the pseudo condition key that names an unknown
// PublicRestriction in Result.ConditionKeys (lower case, as the keys
// there are). It is no condition key of AWS's.
const RestrictPublicKey = "s3:restrictpublicbuckets"

// prepared is a request ready for evaluation: lower-cased action and
// context keys, derived keys added.
type prepared struct {
	req             *Request
	action          string // lower case
	service         string // lower case
	resource        string
	resourceAccount string
	accountKnown    bool
	// own is the request's own context (the request's map, not copied),
	// its keys in any case: ownMixed says some key is not lower case, so
	// that a lookup that misses must compare keys case-insensitively.
	// derived holds the keys that follow from the request
	// (DerivedContext), a map shared between requests. own wins over
	// derived: the request's context overrides a derived key.
	own, derived map[string][]string
	ownMixed     bool
	// kmsCaller is kms:CallerAccount when the request implies it (a KMS
	// request of an IAM principal), "" otherwise.
	kmsCaller string
	// vals holds kmsCaller and region as the values value returns.
	vals [2]string
	// hitBuf and denyBuf hold the statements an evaluation matched (its
	// Allows by policy kind, contiguous, and its Denies), reused by the
	// next evaluation of the same prepared request or, through the pool,
	// of the next request.
	hitBuf, denyBuf []hit
	// region is aws:RequestedRegion as the request implies it
	// (requestedRegion), "" when it does not; kept out of the derived
	// context so that cached contexts stay shared between Regions (value
	// reads it).
	region string
	lookup func(string) (string, bool)
	// wild: the resource is a pattern ("*" or wildcards); resTok is it
	// compiled (see intersect.go).
	wild   bool
	resTok []globTok
	// unknown, unknownRead and favourUnknown: see EvaluateUnknown
	// (unknownRead is made when the first unknown key is read).
	unknown       func(key string) bool
	unknownRead   map[string]bool
	favourUnknown bool
	// public is what S3 Block Public Access did in the last evaluation
	// (restrictPublic), for the reason and Explain (publicText).
	public publicOutcome
	// reasons: the caller reads Result.Reasons (WithoutReasons).
	reasons bool
	// trace, when set, sees every statement examined (Explain).
	trace func(kind policyKind, s *Statement, mk matchKind, cover coverage, why string)
}

// isUnknown reports whether a condition key (lower case) has an unknown
// value: absent from the request context and unknown to the caller.
func (p *prepared) isUnknown(key string) bool {
	if _, ok := p.value(key); ok {
		return false
	}
	return p.unknown(key)
}

// value returns the values of a condition key (lower case) in the request
// context: its own, the derived keys, kms:CallerAccount or
// aws:RequestedRegion as the request implies them, in that order.
func (p *prepared) value(key string) ([]string, bool) {
	if v, ok := p.own[key]; ok {
		return v, true
	}
	if p.ownMixed {
		for k, v := range p.own {
			if lowerEquals(k, key) {
				return v, true
			}
		}
	}
	if v, ok := p.derived[key]; ok {
		return v, true
	}
	switch {
	case p.kmsCaller != "" && key == "kms:calleraccount":
		p.vals[0] = p.kmsCaller
		return p.vals[0:1:1], true
	case p.region != "" && key == "aws:requestedregion":
		p.vals[1] = p.region
		return p.vals[1:2:2], true
	}
	return nil, false
}

// prepare prepares r at time now; cache, when not nil, shares the request
// context of requests that bring none of their own.
func prepare(r *Request, now time.Time, cache *contextCache) (*prepared, error) {
	if r.Action == "" {
		return nil, fmt.Errorf("no action")
	}
	svc, _, ok := strings.Cut(r.Action, ":")
	if !ok || svc == "" {
		return nil, fmt.Errorf("action %q is not of the form service:Action", r.Action)
	}
	p := preparedPool.Get().(*prepared)
	*p = prepared{
		req:      r,
		action:   strings.ToLower(r.Action),
		service:  strings.ToLower(svc),
		resource: r.Resource,
		lookup:   p.lookup,
		hitBuf:   p.hitBuf,
		denyBuf:  p.denyBuf,
	}
	if p.resource == "" {
		p.resource = "*"
	} else if p.wild = hasWildcard(p.resource, nil); p.wild {
		p.resTok = globTokens(p.resource, nil)
	}
	p.resourceAccount = r.ResourceAccount
	if p.resourceAccount == "" {
		if parts, ok := splitARN(p.resource); ok && parts[0] == "arn" && isAccountID(parts[4]) {
			p.resourceAccount = parts[4]
		}
	}
	p.accountKnown = p.resourceAccount != ""
	if !p.accountKnown {
		p.resourceAccount = r.Principal.Account
	}
	p.region, _ = requestedRegion(r.Principal, p.service, p.action, p.resource)
	if cache != nil {
		p.derived = cache.get(r.Principal, p.resourceAccount, now)
	} else {
		p.derived = make(map[string][]string, maxDerivedKeys)
		addDerived(p.derived, r.Principal, p.resourceAccount, now)
	}
	p.own, p.ownMixed = r.Context, !lowerKeys(r.Context)
	if p.service == "kms" && r.Principal.IsIAM() {
		// kms:CallerAccount is the caller's account (KMS Developer
		// Guide, conditions-kms.html): a fact of every KMS request,
		// which AWS-managed key policies always test (value reads it
		// after the request's own context).
		p.kmsCaller = r.Principal.Account
	}
	return p, nil
}

// preparedPool recycles prepared requests (an offline analysis prepares
// millions): each keeps its lookup function, bound to it once.
var preparedPool = sync.Pool{New: func() any {
	p := &prepared{}
	p.lookup = p.lookupOne
	return p
}}

// release returns p to the pool. Nothing may use p afterwards: only the
// evaluations that prepared it and keep nothing of it release it.
func (p *prepared) release() {
	hits, denies := p.hitBuf[:0], p.denyBuf[:0]
	clear(hits[:cap(hits)]) // drop the policies they point to
	clear(denies[:cap(denies)])
	*p = prepared{lookup: p.lookup, hitBuf: hits, denyBuf: denies}
	preparedPool.Put(p)
}

// lookupOne is the value of a single-valued condition key (lower case),
// as policy variables and ARN patterns read it.
func (p *prepared) lookupOne(key string) (string, bool) {
	v, _ := p.value(key)
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// splitARN is strings.SplitN(s, ":", 6) when that gives six parts (ok),
// without allocating: the resource's elements are read on every request.
func splitARN(s string) (parts [6]string, ok bool) {
	for i := range 5 {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return parts, false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return parts, true
}

// lowerKeys reports whether every key of ctx is lower case. It does not
// allocate.
func lowerKeys(ctx map[string][]string) bool {
	for k := range ctx {
		if !isLower(k) {
			return false
		}
	}
	return true
}

// isLower reports whether strings.ToLower(s) == s, without the copy for
// ASCII strings.
func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			return strings.ToLower(s) == s
		} else if 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// lowerEquals reports whether strings.ToLower(s) == lower, without the
// copy for ASCII strings.
func lowerEquals(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.ToLower(s) == lower
		}
	}
	return equalLowerASCII(s, lower)
}

// DerivedContext returns the global condition keys AWS sets from the request
// itself: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
// aws:username and aws:userid (where derivable), aws:PrincipalIsAWSService,
// aws:PrincipalServiceName, aws:ResourceAccount, aws:CurrentTime and
// aws:EpochTime (when now is not zero). Keys such as aws:SourceAccount,
// aws:SourceIp or aws:PrincipalTag/* come only from the request's context.
// An evaluation also reads aws:RequestedRegion where the action and
// resource decide it (RequestedRegion), unless the context gives it.
func DerivedContext(p Principal, resourceAccount string, now time.Time) map[string][]string {
	m := map[string][]string{}
	derivedContext(p, resourceAccount, now, func(k, v string) { m[k] = []string{v} })
	return m
}

// addDerived adds to ctx the keys of DerivedContext, lower-cased.
func addDerived(ctx map[string][]string, pr Principal, resourceAccount string, now time.Time) {
	vals := make([]string, 0, maxDerivedKeys) // one array for the values
	derivedContext(pr, resourceAccount, now, func(k, v string) {
		vals = append(vals, v)
		n := len(vals)
		ctx[lowerDerivedKey[k]] = vals[n-1 : n : n]
	})
}

// maxContexts bounds the contexts a contextCache holds; past it the cache
// starts again empty.
const maxContexts = 1 << 14

// contextCache holds the request contexts derived from the request alone
// (no context of its own): an offline analysis asks many actions of one
// principal on one account. The maps are read-only once built.
type contextCache struct {
	mu sync.Mutex
	m  map[contextKey]map[string][]string
}

// contextKey is everything derivedContext reads (time to the second, as
// aws:CurrentTime and aws:EpochTime have it).
type contextKey struct {
	pr              Principal
	resourceAccount string
	unix            int64
	zero            bool
}

func (c *contextCache) get(pr Principal, resourceAccount string, now time.Time) map[string][]string {
	k := contextKey{pr: pr, resourceAccount: resourceAccount, zero: now.IsZero()}
	if !k.zero {
		k.unix = now.Unix()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx, ok := c.m[k]; ok {
		return ctx
	}
	if c.m == nil || len(c.m) >= maxContexts {
		c.m = map[contextKey]map[string][]string{}
	}
	ctx := make(map[string][]string, maxDerivedKeys)
	addDerived(ctx, pr, resourceAccount, now)
	c.m[k] = ctx
	return ctx
}

// maxDerivedKeys is the most keys derivedContext gives.
const maxDerivedKeys = 8

// lowerDerivedKey maps the keys derivedContext gives to lower case.
var lowerDerivedKey = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalAccount",
		"aws:PrincipalArn", "aws:PrincipalType", "aws:username", "aws:userid", "aws:ResourceAccount",
		"aws:CurrentTime", "aws:EpochTime"} {
		m[k] = strings.ToLower(k)
	}
	return m
}()

// derivedContext calls add with each key of DerivedContext and its value,
// the keys written as DerivedContext documents them.
func derivedContext(p Principal, resourceAccount string, now time.Time, add func(k, v string)) {
	one := func(k, v string) {
		if v != "" {
			add(k, v)
		}
	}
	switch p.Type {
	case PrincipalService:
		one("aws:PrincipalIsAWSService", "true")
		one("aws:PrincipalServiceName", p.Raw)
	case PrincipalAnonymous, PrincipalFederated, PrincipalCanonicalUser:
	default:
		one("aws:PrincipalIsAWSService", "false")
		one("aws:PrincipalAccount", p.Account)
		switch p.Type {
		case PrincipalUser:
			one("aws:PrincipalArn", p.ARN)
			one("aws:PrincipalType", "User")
			one("aws:username", p.Name)
		case PrincipalRole:
			one("aws:PrincipalArn", p.ARN)
			one("aws:PrincipalType", "AssumedRole")
		case PrincipalAssumedRole:
			one("aws:PrincipalArn", p.RoleARN)
			one("aws:PrincipalType", "AssumedRole")
		case PrincipalFederatedUser:
			one("aws:PrincipalArn", p.ARN)
			one("aws:PrincipalType", "FederatedUser")
			one("aws:userid", p.Account+":"+p.Name)
		case PrincipalRoot:
			one("aws:PrincipalArn", p.ARN)
			one("aws:PrincipalType", "Account")
			one("aws:userid", p.Account)
		}
	}
	if p.Type == PrincipalAnonymous {
		one("aws:PrincipalType", "Anonymous")
	}
	one("aws:ResourceAccount", resourceAccount)
	if !now.IsZero() {
		one("aws:CurrentTime", now.UTC().Format(time.RFC3339))
		one("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	}
}

// resolvedTokens compiles the patterns for this request; unresolvable
// ones (a policy variable without a value) are left out and reported.
func (p *prepared) resolvedTokens(pats []pattern) (toks [][]globTok, unresolved bool) {
	for i := range pats {
		if pats[i].toks != nil {
			toks = append(toks, pats[i].toks)
			continue
		}
		text, lit, ok := pats[i].resolve(p.lookup)
		if !ok {
			unresolved = true
			continue
		}
		toks = append(toks, globTokens(text, lit))
	}
	return toks, unresolved
}

// meets reports whether some resource of the request matches one of pats:
// for a literal resource, whether it matches one.
func (p *prepared) meets(pats []pattern) bool {
	if !p.wild {
		for i := range pats {
			if m, _ := pats[i].matchARN(p.resource, p.lookup); m {
				return true
			}
		}
		return false
	}
	toks, _ := p.resolvedTokens(pats)
	for _, t := range toks {
		if globIntersects(p.resTok, t) {
			return true
		}
	}
	return false
}

// covered reports whether every resource of the request matches one of
// pats: for a literal resource, whether it matches one.
func (p *prepared) covered(pats []pattern) bool {
	if !p.wild {
		return p.meets(pats)
	}
	for i := range pats {
		if pats[i].all {
			return true
		}
	}
	toks, _ := p.resolvedTokens(pats)
	return len(toks) > 0 && globCovers(p.resTok, toks)
}
