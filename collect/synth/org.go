package synth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/snapaudit/snapaudit/snapshot"
)

// orgID is the synthetic organisation's id.
func (g *gen) orgID() string { return fmt.Sprintf("o-%010x", mix(g.o.Seed)&0xffffffffff) }

// synthPolicy is one organisation policy: its type, document and targets
// (all: the root, the OU and every account).
type synthPolicy struct {
	id, name string
	typ      orgtypes.PolicyType
	managed  bool
	doc      string
	all      bool // attached everywhere; else to the OU only
}

var synthPolicies = []synthPolicy{
	{id: "p-FullAWSAccess", name: "FullAWSAccess", typ: orgtypes.PolicyTypeServiceControlPolicy, managed: true, all: true,
		doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	{id: "p-synthnoleave", name: "deny-leave-organization", typ: orgtypes.PolicyTypeServiceControlPolicy,
		doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`},
	{id: "p-RCPFullAWSAccess", name: "RCPFullAWSAccess", typ: orgtypes.PolicyTypeResourceControlPolicy, managed: true, all: true,
		doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

// organization writes the Organizations calls: the management account (the
// first) reads the tree — a root, one OU Workloads holding every member
// account — and its SCPs and RCPs; a member's calls are denied, as AWS
// answers them.
func (a *account) organization(ctx context.Context) error {
	g, mgmt := a.g, a.g.accounts[0]
	if a.id != mgmt {
		for _, op := range []string{"organizations:ListAccounts", "organizations:ListRoots"} {
			if err := g.fail(ctx, a.id, global, op, "", snapshot.ClassDenied, "AccessDeniedException",
				"You don't have permissions to access this resource."); err != nil {
				return err
			}
		}
		return nil
	}
	org := g.orgID()
	arn := func(kind, id string) *string {
		return aws.String("arn:aws:organizations::" + mgmt + ":" + kind + "/" + org + "/" + id)
	}
	root := "r-" + org[2:6]
	ou := "ou-" + org[2:6] + "-" + a.id16("", "ou", 0)[:8]
	if err := g.ok(ctx, a.id, global, "organizations:ListRoots", "", 0, &organizations.ListRootsOutput{Roots: []orgtypes.Root{{
		Id: aws.String(root), Arn: arn("root", root), Name: aws.String("Root"),
		PolicyTypes: []orgtypes.PolicyTypeSummary{
			{Type: orgtypes.PolicyTypeServiceControlPolicy, Status: orgtypes.PolicyTypeStatusEnabled},
			{Type: orgtypes.PolicyTypeResourceControlPolicy, Status: orgtypes.PolicyTypeStatusEnabled},
		},
	}}}); err != nil {
		return err
	}
	for _, p := range []struct {
		key string
		ous []orgtypes.OrganizationalUnit
	}{{root, []orgtypes.OrganizationalUnit{{Id: aws.String(ou), Arn: arn("ou", ou), Name: aws.String("Workloads")}}}, {ou, nil}} {
		if err := g.ok(ctx, a.id, global, "organizations:ListOrganizationalUnitsForParent", p.key, 0,
			&organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: p.ous}); err != nil {
			return err
		}
	}
	var accts []orgtypes.Account
	targets := []orgtypes.PolicyTargetSummary{
		{TargetId: aws.String(root), Arn: arn("root", root), Name: aws.String("Root"), Type: orgtypes.TargetTypeRoot},
		{TargetId: aws.String(ou), Arn: arn("ou", ou), Name: aws.String("Workloads"), Type: orgtypes.TargetTypeOrganizationalUnit},
	}
	for _, id := range g.accounts {
		name := "synth-" + id
		accts = append(accts, orgtypes.Account{Id: aws.String(id), Arn: arn("account", id), Name: aws.String(name),
			Email: aws.String("aws+" + id + "@synth.example.com"), State: orgtypes.AccountStateActive})
		targets = append(targets, orgtypes.PolicyTargetSummary{TargetId: aws.String(id), Arn: arn("account", id),
			Name: aws.String(name), Type: orgtypes.TargetTypeAccount})
	}
	if err := g.ok(ctx, a.id, global, "organizations:ListAccounts", "", 0, &organizations.ListAccountsOutput{Accounts: accts}); err != nil {
		return err
	}
	for _, id := range g.accounts {
		parent := orgtypes.Parent{Id: aws.String(ou), Type: orgtypes.ParentTypeOrganizationalUnit}
		if id == mgmt {
			parent = orgtypes.Parent{Id: aws.String(root), Type: orgtypes.ParentTypeRoot}
		}
		if err := g.ok(ctx, a.id, global, "organizations:ListParents", id, 0,
			&organizations.ListParentsOutput{Parents: []orgtypes.Parent{parent}}); err != nil {
			return err
		}
	}
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		var sums []orgtypes.PolicySummary
		for _, p := range synthPolicies {
			if p.typ == typ {
				sums = append(sums, p.summary(arn))
			}
		}
		if err := g.ok(ctx, a.id, global, "organizations:ListPolicies", string(typ), 0, &organizations.ListPoliciesOutput{Policies: sums}); err != nil {
			return err
		}
	}
	for _, p := range synthPolicies {
		s := p.summary(arn)
		if err := g.ok(ctx, a.id, global, "organizations:DescribePolicy", p.id, 0, &organizations.DescribePolicyOutput{
			Policy: &orgtypes.Policy{PolicySummary: &s, Content: aws.String(p.doc)}}); err != nil {
			return err
		}
		ts := targets[1:2] // the OU
		if p.all {
			ts = targets
		}
		if err := g.ok(ctx, a.id, global, "organizations:ListTargetsForPolicy", p.id, 0, &organizations.ListTargetsForPolicyOutput{Targets: ts}); err != nil {
			return err
		}
	}
	return nil
}

func (p synthPolicy) summary(arn func(kind, id string) *string) orgtypes.PolicySummary {
	s := orgtypes.PolicySummary{Id: aws.String(p.id), Name: aws.String(p.name), Type: p.typ, AwsManaged: p.managed,
		Arn: arn("policy", p.id)}
	if p.managed {
		s.Arn = aws.String("arn:aws:organizations::aws:policy/" + string(p.typ) + "/" + p.id)
	}
	return s
}
