package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Organizations is global; DescribeOrganization answers
// AWSOrganizationsNotInUseException outside an organization, classified
// not_found.
func organizationsCalls() []Call {
	return []Call{
		global(single((*organizations.Client).DescribeOrganization, none)),
	}
}
