package collect

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Organizations is global (its endpoint is us-east-1). Only the management
// account or a delegated administrator may read the organisation: from a
// member account every call but DescribeOrganization answers
// AccessDeniedException (denied: the snapshot says the organisation's
// policies could not be read), and outside an organisation every call
// answers AWSOrganizationsNotInUseException (not_found: no organisation,
// so no SCP or RCP applies).
//
// The tree: ListRoots, then ListOrganizationalUnitsForParent for each root
// and, recursively (Recurse), for each OU it lists, down to the five OU
// levels AWS allows under a root; each account's parent comes from
// ListParents. The policies: ListPolicies once per policy type that is
// enabled on a root (the root's PolicyTypes) and that the access analysis
// applies (SCPs and RCPs; orgPolicyTypes), so the filter is the parent key;
// each policy's document (DescribePolicy) and where it is attached
// (ListTargetsForPolicy).
func organizationsCalls() []Call {
	policyIDs := keysAt[organizations.ListPoliciesOutput]("Policies[].Id")
	return []Call{
		global(single((*organizations.Client).DescribeOrganization, none)),
		perParent(policyIDs, single((*organizations.Client).DescribePolicy, field[organizations.DescribePolicyInput]("PolicyId"))),
		global(paged(organizations.NewListAccountsPaginator, none)),
		recursive(perParent(keysAt[organizations.ListRootsOutput]("Roots[].Id"),
			paged(organizations.NewListOrganizationalUnitsForParentPaginator,
				field[organizations.ListOrganizationalUnitsForParentInput]("ParentId"))),
			keysAt[organizations.ListOrganizationalUnitsForParentOutput]("OrganizationalUnits[].Id"), maxOUDepth),
		perParent(keysAt[organizations.ListAccountsOutput]("Accounts[].Id"),
			paged(organizations.NewListParentsPaginator, field[organizations.ListParentsInput]("ChildId"))),
		perParent(keys(enabledPolicyTypes), paged(organizations.NewListPoliciesPaginator, policyFilter)),
		global(paged(organizations.NewListRootsPaginator, none)),
		perParent(policyIDs, paged(organizations.NewListTargetsForPolicyPaginator,
			field[organizations.ListTargetsForPolicyInput]("PolicyId"))),
	}
}

// maxOUDepth bounds the OU recursion: AWS allows OUs five levels deep under
// a root (Organizations quotas, "OU maximum nesting in a root"), so the
// root's call plus five levels of OU calls read the whole tree.
const maxOUDepth = 5

// orgPolicyTypes are the organisation policy types the access analysis
// applies.
var orgPolicyTypes = []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy}

// enabledPolicyTypes lists the SCP and RCP policy types enabled on the
// roots of a ListRoots page, once each. A type that is not enabled has no
// policies attached anywhere (disabling it detaches them all), so not
// asking is not a gap.
func enabledPolicyTypes(o *organizations.ListRootsOutput) []string {
	var out []string
	for _, root := range o.Roots {
		for _, pt := range root.PolicyTypes {
			if pt.Status == orgtypes.PolicyTypeStatusEnabled && slices.Contains(orgPolicyTypes, pt.Type) && !slices.Contains(out, string(pt.Type)) {
				out = append(out, string(pt.Type))
			}
		}
	}
	return out
}

// policyFilter is ListPolicies' input: the policy type is the parent key.
func policyFilter(key string) *organizations.ListPoliciesInput {
	return &organizations.ListPoliciesInput{Filter: orgtypes.PolicyType(key)}
}
