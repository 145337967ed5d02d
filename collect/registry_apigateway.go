package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

func apigatewayCalls() []Call {
	return []Call{
		// API Gateway authorizes by HTTP verb on the resource path.
		{Keys: keysAt[apigateway.GetRestApisOutput]("Items[].Id"), Scope: PerParent, Action: "apigateway:GET",
			Run: paged(apigateway.NewGetResourcesPaginator, func(id string) *apigateway.GetResourcesInput {
				return &apigateway.GetResourcesInput{RestApiId: &id, Embed: []string{"methods"}}
			}),
			// Integration request/response parameters map static values
			// ('x-api-key' header values) and mapping templates may embed
			// keys: only their names (map keys) are kept.
			Redact: []string{
				"Items[].ResourceMethods{}.MethodIntegration.RequestParameters{}",
				"Items[].ResourceMethods{}.MethodIntegration.RequestTemplates{}",
				"Items[].ResourceMethods{}.MethodIntegration.IntegrationResponses{}.ResponseParameters{}",
				"Items[].ResourceMethods{}.MethodIntegration.IntegrationResponses{}.ResponseTemplates{}",
			},
			// An HTTP integration may call https://partner/api?key=...; the
			// Lambda ARNs the analysis reads have no query and are kept.
			RedactURL: []string{"Items[].ResourceMethods{}.MethodIntegration.Uri"},
			NotSecret: map[string]string{
				"Items[].ResourceMethods{}.MethodIntegration.CacheKeyParameters": "names of request parameters used as cache keys, not their values",
				"Items[].ResourceMethods{}.MethodIntegration.Credentials":        "ARN of the IAM role API Gateway assumes for the integration, not a key",
			}},
		regional(paged(apigateway.NewGetRestApisPaginator, none)).authorizedBy("apigateway:GET"),
	}
}
