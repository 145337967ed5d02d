package iam

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// PrincipalPolicies are the policies attached to one IAM principal.
type PrincipalPolicies struct {
	// Identity holds inline and managed policies of the principal and, for
	// a user, of its groups.
	Identity []*Policy
	// Boundary is the permissions boundary, nil when none.
	Boundary *Policy
}

// Source provides the policies for simulation from a snapshot.
type Source interface {
	// PrincipalPolicies returns the policies of a user, a role or a role
	// session (the session's role).
	PrincipalPolicies(ctx context.Context, principalARN string) (*PrincipalPolicies, error)
	// ResourcePolicy returns the resource-based policy of a resource (nil
	// when it has none): bucket and Lambda policies, a role's trust policy.
	ResourcePolicy(ctx context.Context, resourceARN string) (*Policy, error)
}

// Gather builds the Policies of one request from a Source.
func Gather(ctx context.Context, src Source, principal Principal, resourceARN string) (*Policies, error) {
	pol := &Policies{}
	if principal.IsIAM() && principal.Type != PrincipalRoot {
		pp, err := src.PrincipalPolicies(ctx, principal.ARN)
		if err != nil {
			return nil, err
		}
		pol.Identity = pp.Identity
		if pp.Boundary != nil {
			pol.Boundaries = []*Policy{pp.Boundary}
		}
	}
	if resourceARN != "" && resourceARN != "*" {
		rp, err := src.ResourcePolicy(ctx, resourceARN)
		if err != nil {
			return nil, err
		}
		pol.Resource = rp
	}
	return pol, nil
}

// Graph property and type names written by analyze/model.
const (
	typeUser        = "aws_iam_user"
	typeRole        = "aws_iam_role"
	typeGroup       = "aws_iam_group"
	propDocument    = "document"
	propTrust       = "assumeRolePolicyDocument"
	propBoundaryARN = "permissionsBoundaryArn"
	propPolicy      = "policy"
)

// GraphSource is a Source over a snapshot graph: users, groups and roles are
// entities keyed by ARN; a principal HAS its inline and managed policies
// (entities with a `document` property); a group CONTAINS its users; users
// and roles carry `permissionsBoundaryArn`; roles carry
// `assumeRolePolicyDocument`; resources with a resource-based policy carry
// it in `policy`. Parsed documents are cached; a GraphSource is safe for
// concurrent use once built, and the graph must not change after
// NewGraphSource.
type GraphSource struct {
	g      *graph.Graph
	out    map[string][]*graph.Relationship // from key -> HAS relationships
	in     map[string][]*graph.Relationship // to key -> CONTAINS relationships
	roles  map[string]*graph.Entity         // "account/name" -> role
	mu     sync.Mutex
	parsed map[string]parsed
	byText map[string]*Policy // the first policy parsed from each document text (without warnings)
}

type parsed struct {
	p   *Policy
	err error
}

// NewGraphSource indexes g.
func NewGraphSource(g *graph.Graph) *GraphSource {
	s := &GraphSource{g: g, out: map[string][]*graph.Relationship{}, in: map[string][]*graph.Relationship{},
		roles: map[string]*graph.Entity{}, parsed: map[string]parsed{}, byText: map[string]*Policy{}}
	for _, r := range g.Relationships() {
		// PrincipalPolicies reads a principal's HAS and a user's
		// CONTAINS alone: the derived access relationships (most of a
		// derived graph) are not indexed.
		switch r.Class {
		case "HAS":
			s.out[r.From] = append(s.out[r.From], r)
		case "CONTAINS":
			s.in[r.To] = append(s.in[r.To], r)
		}
	}
	for _, e := range g.EntitiesOfType(typeRole) {
		if p, err := ParsePrincipal(e.Key); err == nil && p.Type == PrincipalRole {
			s.roles[p.Account+"/"+p.Name] = e
		}
	}
	return s
}

// PrincipalPolicies implements Source.
func (s *GraphSource) PrincipalPolicies(ctx context.Context, principalARN string) (*PrincipalPolicies, error) {
	p, err := ParsePrincipal(principalARN)
	if err != nil {
		return nil, err
	}
	var ent *graph.Entity
	switch p.Type {
	case PrincipalUser:
		ent = s.g.Entity(principalARN)
		if ent == nil {
			// Path-insensitive: IAM names are unique within an account.
			for _, u := range s.g.EntitiesOfType(typeUser) {
				if q, err := ParsePrincipal(u.Key); err == nil && q.Account == p.Account && q.Name == p.Name {
					ent = u
					break
				}
			}
		}
	case PrincipalRole, PrincipalAssumedRole:
		ent = s.g.Entity(principalARN)
		if ent == nil || ent.Type != typeRole {
			ent = s.roles[p.Account+"/"+p.Name]
		}
	default:
		return nil, fmt.Errorf("principal %s: only users, roles and role sessions have policies in a snapshot", principalARN)
	}
	if ent == nil {
		return nil, fmt.Errorf("principal %s: not in the snapshot", principalARN)
	}
	pp := &PrincipalPolicies{}
	owners := []*graph.Entity{ent}
	if ent.Type == typeUser {
		for _, r := range s.in[ent.Key] {
			if r.Class == "CONTAINS" {
				if g := s.g.Entity(r.From); g != nil && g.Type == typeGroup {
					owners = append(owners, g)
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, o := range owners {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rels := append([]*graph.Relationship(nil), s.out[o.Key]...)
		sort.Slice(rels, func(i, j int) bool { return rels[i].To < rels[j].To })
		for _, r := range rels {
			if r.Class != "HAS" || seen[r.To] {
				continue
			}
			pe := s.g.Entity(r.To)
			if pe == nil || pe.Get(propDocument) == nil {
				continue
			}
			seen[r.To] = true
			pol, err := s.parse(pe.Key, pe.Get(propDocument))
			if err != nil {
				return nil, err
			}
			pp.Identity = append(pp.Identity, pol)
		}
	}
	if b := ent.String(propBoundaryARN); b != "" {
		be := s.g.Entity(b)
		if be == nil || be.Get(propDocument) == nil {
			return nil, fmt.Errorf("principal %s: permissions boundary %s is not in the snapshot", principalARN, b)
		}
		if pp.Boundary, err = s.parse(be.Key, be.Get(propDocument)); err != nil {
			return nil, err
		}
	}
	return pp, nil
}

// ResourcePolicy implements Source. An S3 object ARN resolves to its
// bucket, a qualified Lambda function ARN to its function.
func (s *GraphSource) ResourcePolicy(ctx context.Context, resourceARN string) (*Policy, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ent := s.g.Entity(resourceARN)
	if ent == nil {
		switch {
		case strings.HasPrefix(resourceARN, "arn:aws:s3:::") && strings.Contains(resourceARN, "/"):
			ent = s.g.Entity(resourceARN[:strings.IndexByte(resourceARN, '/')])
		case strings.Contains(resourceARN, ":lambda:") && strings.Count(resourceARN, ":") == 7:
			ent = s.g.Entity(resourceARN[:strings.LastIndexByte(resourceARN, ':')])
		}
	}
	if ent == nil {
		return nil, nil
	}
	prop := propPolicy
	if ent.Type == typeRole {
		prop = propTrust
	}
	doc := ent.Get(prop)
	if doc == nil {
		return nil, nil
	}
	if str, ok := doc.(string); ok && strings.TrimSpace(str) == "" {
		return nil, nil
	}
	return s.parse(ent.Key+"#"+prop, doc)
}

func (s *GraphSource) parse(name string, doc any) (*Policy, error) {
	s.mu.Lock()
	p, ok := s.parsed[name]
	s.mu.Unlock()
	if ok {
		return p.p, p.err
	}
	// A text parsed already under another name (an inline policy cut
	// from one template in every account, the same trust policy on many
	// roles) is that policy renamed, not parsed again.
	text, isText := doc.(string)
	var pol *Policy
	var err error
	if isText {
		s.mu.Lock()
		src := s.byText[text]
		s.mu.Unlock()
		if src != nil {
			pol = src.renamed(name)
		}
	}
	// Parsed outside the lock, so that callers on several goroutines
	// parse different documents at once; the first stored is kept, so
	// every caller gets the same *Policy.
	if pol == nil {
		pol, err = Parse(name, doc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.parsed[name]; ok {
		return p.p, p.err
	}
	s.parsed[name] = parsed{p: pol, err: err}
	if isText && err == nil && len(pol.Warnings) == 0 && s.byText[text] == nil { // a warning names its policy: not shared
		s.byText[text] = pol
	}
	return pol, err
}

// renamed is p under another name: the same compiled statements (copies,
// so that each statement belongs to one policy) and digest.
func (p *Policy) renamed(name string) *Policy {
	cp := *p
	cp.Name = name
	cp.Statements = make([]*Statement, len(p.Statements))
	for i, st := range p.Statements {
		c := *st
		cp.Statements[i] = &c
	}
	return &cp
}
