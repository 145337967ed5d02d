package collect

import (
	"path"

	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// Route 53 is global (signed for us-east-1). Per-zone calls take the bare
// zone id (Z0123...): ListHostedZones answers "/hostedzone/Z0123...", which
// the SDK strips for ListResourceRecordSets but not for ListTagsForResource.
func route53Calls() []Call {
	return []Call{
		global(paged(route53.NewListHostedZonesPaginator, none)),
		// The SDK's hand-written paginator follows
		// NextRecordName/NextRecordType/NextRecordIdentifier.
		perParent(hostedZoneIDs(), paged(route53.NewListResourceRecordSetsPaginator, field[route53.ListResourceRecordSetsInput]("HostedZoneId"))),
		perParent(hostedZoneIDs(), single((*route53.Client).ListTagsForResource, func(id string) *route53.ListTagsForResourceInput {
			return &route53.ListTagsForResourceInput{ResourceType: r53types.TagResourceTypeHostedzone, ResourceId: &id}
		})),
	}
}

// hostedZoneIDs are the bare ids of the zones of a ListHostedZones page.
func hostedZoneIDs() Keys {
	return keys(func(o *route53.ListHostedZonesOutput) []string {
		ids := make([]string, 0, len(o.HostedZones))
		for _, z := range o.HostedZones {
			if z.Id != nil {
				ids = append(ids, path.Base(*z.Id))
			}
		}
		return ids
	})
}
