package model

// apigatewayService is the aws_apigateway placeholder entity.
var apigatewayService = ServiceInfo{Name: "apigateway", DisplayName: "AWS API Gateway", Category: []string{"infrastructure"}, Function: []string{"api-gateway"}}

func apigatewayTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_api_gateway_rest_api", Class: []string{"Gateway"}, Service: "apigateway",
			Source: op("apigateway:GetRestApis"), Items: "Items[]",
			Key: []string{"arn:aws:apigateway:{region}::/restapis/{Id}"}, ID: "{Id}", Name: "{Name}",
			Created: "CreatedDate", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/apigateway/home?region={region}#/apis/{Id}/resources",
			Props: []Prop{
				{Name: "public", Path: "EndpointConfiguration.Types", Conv: notPrivateEndpoint, KeepNull: true},
				{Name: "endpointTypes", Path: "EndpointConfiguration.Types"},
			},
			Constants: map[string]any{"category": []string{"application"}, "function": []string{"api-gateway"}},
			Rels: []RelSpec{{
				Verb: "TRIGGERS", Target: "aws_lambda_function", Call: op("apigateway:GetResources"), Items: "Items[]",
				OwnerMatch: "{parent}", OwnerBy: "id",
				Path: "ResourceMethods{}", Value: "{MethodIntegration.Uri}", Conv: lambdaFromIntegrationURI, By: "_key",
				Props: []Prop{{Name: "httpMethod", Path: "HttpMethod"}, {Name: "resourcePath", Path: "^.Path"}},
			}},
		},
	}
}
