package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
)

// Route 53 Domains exists only in us-east-1: its calls are global.
func route53domainsCalls() []Call {
	return []Call{
		perParent(keysAt[route53domains.ListDomainsOutput]("Domains[].DomainName"),
			single((*route53domains.Client).GetDomainDetail, field[route53domains.GetDomainDetailInput]("DomainName"))),
		global(paged(route53domains.NewListDomainsPaginator, none)),
	}
}
