package iam

import "strings"

// Deciding many resources at once. An offline analysis often asks one
// principal about one action on thousands of resources that differ only
// by ARN (every role of an account). When no statement that can match the
// action looks at the ARN, the answer is the same for all of them, and one
// evaluation stands for each (the privilege-escalation analysis of
// analyze/access uses it).

// ResourceIndependent reports whether pol decides action alike on every
// resource of one account that has this same resource-based policy
// (pol.Resource, by content) and is not ResourceSpecial, whatever the
// resource's ARN and tags, provided the requests' contexts differ only in
// keys that name a resource (aws:ResourceTag/*). It holds when every
// statement of every policy that can match the action applies to Resource
// "*" (or, in a resource-based policy, has no Resource element), and none
// reads a policy variable or a condition key that names a resource.
func ResourceIndependent(pol *Policies, action string) bool {
	if pol == nil {
		return true
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
				if s.matchAction(action) && !s.resourceIndependent() {
					return false
				}
			}
		}
	}
	return true
}

func (s *Statement) resourceIndependent() bool {
	switch {
	case s.resourceMissing:
	case !s.hasResource:
		return false // NotResource
	default:
		all := false
		for i := range s.resources {
			all = all || s.resources[i].all
		}
		if !all {
			return false
		}
	}
	for i := range s.conditions {
		c := &s.conditions[i]
		if strings.Contains(c.key, "resource") || c.hasVar() {
			return false
		}
	}
	return true
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
