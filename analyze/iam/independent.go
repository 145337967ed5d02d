package iam

import (
	"slices"
	"strings"
)

// Deciding many resources at once. An offline analysis often asks one
// principal about one action on thousands of resources that differ only
// by ARN (every role of an account). The statements that can match the
// action tell which resources they cannot tell apart: resources whose ARNs
// every such statement's Resource (or NotResource) matches alike get the
// same answer, and one evaluation stands for each (the privilege-escalation
// analysis of analyze/access uses it).

// ResourceSplit holds the statements of a set of policies that can match
// one action and whose Resource or NotResource looks at the ARN.
type ResourceSplit struct {
	stmts []*Statement
	tags  []string // aws:resourcetag/... keys they read (lower case)
	// region: one reads aws:RequestedRegion, which the evaluator takes from
	// the ARN's Region element (RequestedRegion).
	region bool
}

// SplitByResource prepares the signature of resources for action under
// pol. Two requests of one principal for action, on resources of one
// account that are not ResourceSpecial, with pol's content (the
// resource-based policy by content) and contexts that differ only in
// aws:ResourceTag/* keys, are decided alike when their resources have one
// Signature (which holds the ARN's Region when a statement reads
// aws:RequestedRegion). ok is false when no signature can say so: a statement that
// can match the action has a policy variable in its Resource or
// NotResource.
func SplitByResource(pol *Policies, action string) (_ *ResourceSplit, ok bool) {
	sp := &ResourceSplit{}
	if pol == nil {
		return sp, true
	}
	action = strings.ToLower(action)
	lists := [][]*Policy{pol.Identity, {pol.Resource}, pol.Boundaries, {pol.Session}}
	lists = append(lists, pol.SCPs...)
	lists = append(lists, pol.RCPs...)
	for _, l := range lists {
		for _, p := range l {
			if p == nil {
				continue
			}
			for _, s := range p.Statements {
				if !s.matchAction(action) {
					continue
				}
				varies, ok := s.resourceDependence()
				if !ok {
					return nil, false
				}
				if varies {
					sp.stmts = append(sp.stmts, s)
				}
				for i := range s.conditions {
					c := &s.conditions[i]
					sp.addTag(c.key)
					for j := range c.values {
						for _, part := range c.values[j].pat.parts {
							if part.isVar {
								sp.addTag(part.text)
							}
						}
					}
				}
			}
		}
	}
	return sp, true
}

// addTag notes a condition key or variable the signature must hold when
// it is a resource tag, or the Region.
func (sp *ResourceSplit) addTag(k string) {
	sp.region = sp.region || k == "aws:requestedregion"
	if strings.HasPrefix(k, "aws:resourcetag/") && !slices.Contains(sp.tags, k) {
		sp.tags = append(sp.tags, k)
	}
}

// resourceDependence says whether the statement's Resource or NotResource
// looks at the ARN (not "*", not absent); ok is false when its Resource
// or NotResource reads a variable.
func (s *Statement) resourceDependence() (varies, ok bool) {
	if s.resourceMissing {
		return false, true
	}
	pats := s.resources
	if !s.hasResource {
		pats = s.notResources
	}
	for i := range pats {
		if pats[i].hasVar {
			return false, false
		}
		if pats[i].all && s.hasResource {
			return false, true
		}
	}
	return true, true
}

// Signature says, for each statement of the split, whether its Resource
// (or NotResource) matches arn, and the values in the request context ctx
// (any case) of the aws:ResourceTag/* keys they read.
func (sp *ResourceSplit) Signature(arn string, ctx map[string][]string) string {
	if len(sp.stmts) == 0 && len(sp.tags) == 0 && !sp.region {
		return ""
	}
	b := make([]byte, len(sp.stmts), len(sp.stmts)+16*len(sp.tags)+16)
	for i, s := range sp.stmts {
		pats := s.resources
		if !s.hasResource {
			pats = s.notResources
		}
		b[i] = '0'
		for j := range pats {
			if m, _ := pats[j].matchARN(arn, nil); m {
				b[i] = '1'
				break
			}
		}
	}
	if sp.region {
		_, region, _ := arnRegion(arn)
		b = append(b, 0)
		b = append(b, region...)
	}
	for _, k := range sp.tags {
		b = append(b, 0)
		for ck, v := range ctx {
			if strings.EqualFold(ck, k) {
				b = append(b, 1)
				for _, x := range v {
					b = append(b, x...)
					b = append(b, 0)
				}
			}
		}
	}
	return string(b)
}

// ResourceSpecial reports whether the evaluator treats the resource ARN
// apart from others of its kind: an AWS-managed resource customers cannot
// change (immutable.go), a service-linked role, or a KMS resource (AWS
// managed keys escape RCPs).
func ResourceSpecial(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && (parts[2] == "kms" || (parts[2] == "iam" && strings.HasPrefix(parts[5], "role/aws-service-role/"))) {
		return true
	}
	for i := range compiledImmutable {
		if m, _ := compiledImmutable[i].matchARN(arn, nil); m {
			return true
		}
	}
	return false
}

// MayMatch reports whether some statement of p can match action (its
// Action or NotAction does, whatever its resource, principal and
// conditions). A resource-based policy none of whose statements may match
// decides the action as no policy would.
func (p *Policy) MayMatch(action string) bool {
	if p == nil {
		return false
	}
	action = strings.ToLower(action)
	for _, s := range p.Statements {
		if s.matchAction(action) {
			return true
		}
	}
	return false
}
