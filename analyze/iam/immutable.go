package iam

import (
	"slices"
	"strings"
)

// AWS-managed resources that customers cannot change, whatever their
// policies allow. AWS rejects these requests from IAM principals (with
// UnmodifiableEntity or a validation error); the evaluator reports them as
// implicitly denied, naming the rule, unless a Deny matched first (an
// explicit deny stays explicit). Only customers are refused: AWS service
// principals and service-linked roles (and their sessions) act for the
// service that manages these resources (the managed policies
// AWSSSOServiceRolePolicy and AWSOrganizationsServiceTrustPolicy let
// service-linked roles change reserved roles and delete themselves).
//
// A request over a resource pattern (see Request.Resource) is refused by a
// rule only when the rule's pattern covers the whole request pattern; a rule
// that covers part of it leaves the other resources allowed, as a Deny does.

// immutableRule is one (actions, resource pattern) rule.
type immutableRule struct {
	name     string   // names the rule in reasons
	actions  []string // lower case, exact
	resource string   // Resource-element pattern (segment rules of matchARN)
}

// Actions that change an IAM role or how it can be used.
var roleChanges = []string{
	"iam:createrole", "iam:deleterole", "iam:tagrole", "iam:untagrole",
	"iam:attachrolepolicy", "iam:detachrolepolicy", "iam:putrolepolicy", "iam:deleterolepolicy",
	"iam:updateassumerolepolicy", "iam:putrolepermissionsboundary", "iam:deleterolepermissionsboundary",
}

// immutableRules is the table. Each row names its source.
var immutableRules = []immutableRule{
	// IAM User Guide access_policies_managed-vs-inline.html#aws-managed-policies:
	// AWS creates and administers AWS managed policies; customers cannot
	// change the permissions they define (nor create one under the aws
	// account, version, delete or tag them).
	{name: "AWS managed policies are maintained by AWS", resource: "arn:*:iam::aws:policy/*", actions: []string{
		"iam:createpolicy", "iam:createpolicyversion", "iam:deletepolicy", "iam:deletepolicyversion",
		"iam:setdefaultpolicyversion", "iam:tagpolicy", "iam:untagpolicy",
	}},
	// IAM User Guide using-service-linked-roles.html and IAM API Reference
	// (UnmodifiableEntity: "Only the service that depends on the
	// service-linked role can modify or delete the role"). The description
	// stays editable (id_roles_update-service-linked-role.html), so
	// iam:UpdateRole and iam:UpdateRoleDescription are not in this row;
	// customers delete one through iam:DeleteServiceLinkedRole. Nor is
	// iam:PassRole: customers pass service-linked roles to their service
	// (EC2 Auto Scaling User Guide ec2-auto-scaling-api-permissions.html:
	// "Needed when a nondefault service-linked role ... is provided").
	{name: "service-linked roles are managed by their service", resource: "arn:*:iam::*:role/aws-service-role/*", actions: roleChanges},
	// AWS Managed Policy Reference, AWSSSOServiceRolePolicy: IAM Identity
	// Center's service-linked role provisions and changes the roles under
	// /aws-reserved/sso.amazonaws.com/ (IAM Identity Center User Guide,
	// permissionsetsconcept.html: they follow the permission sets, which
	// are edited in Identity Center, not in IAM).
	{name: "reserved roles are managed by AWS", resource: "arn:*:iam::*:role/aws-reserved/*",
		actions: append([]string{"iam:updaterole", "iam:updateroledescription"}, roleChanges...)},
	// KMS Developer Guide alias-create.html: "The alias/aws/ prefix is
	// reserved for AWS managed key"; customers cannot manage the aliases
	// of AWS managed keys.
	{name: "aliases under alias/aws/ are reserved for AWS managed keys", resource: "arn:*:kms:*:*:alias/aws/*", actions: []string{
		"kms:createalias", "kms:updatealias", "kms:deletealias",
	}},
}

// compiledImmutable holds the rules' compiled resource patterns.
var compiledImmutable = func() []pattern {
	out := make([]pattern, len(immutableRules))
	for i, r := range immutableRules {
		out[i] = compilePattern(r.resource, false, false)
	}
	return out
}()

// immutableRule returns the rule that refuses the request, or nil. Only IAM
// principals other than service-linked roles are refused.
func (p *prepared) immutableRule() *immutableRule {
	if !p.req.Principal.IsIAM() || p.req.Principal.IsServiceLinkedRole() {
		return nil
	}
	for i := range immutableRules {
		r := &immutableRules[i]
		if !slices.Contains(r.actions, p.action) {
			continue
		}
		if p.covered([]pattern{compiledImmutable[i]}) {
			return r
		}
	}
	return nil
}

// resourceIsServiceLinkedRole reports whether the request's resource is a
// service-linked role (path /aws-service-role/).
func (p *prepared) resourceIsServiceLinkedRole() bool {
	parts, ok := splitARN(p.resource)
	return ok && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/aws-service-role/")
}

// Immutable reports whether AWS refuses action on resource (an ARN) to a
// customer's IAM principal whatever its policies allow: the resource is
// managed by AWS (immutableRules). Service-linked roles, which act for the
// managing service, are not refused; ask the evaluator about them.
func Immutable(action, resource string) bool {
	a := strings.ToLower(action)
	for i := range immutableRules {
		if !slices.Contains(immutableRules[i].actions, a) {
			continue
		}
		if m, ok := compiledImmutable[i].matchARN(resource, nil); ok && m {
			return true
		}
	}
	return false
}
