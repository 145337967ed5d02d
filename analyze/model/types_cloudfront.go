package model

// cloudfrontService is the aws_cloudfront placeholder entity.
var cloudfrontService = ServiceInfo{Name: "cloudfront", DisplayName: "AWS CloudFront", Category: []string{"infrastructure"}, Function: []string{"content-distribution"}}

func cloudfrontTypes() []EntityType {
	// Origins are matched by their endpoint host names: an S3 bucket
	// (REST or website endpoint) by name, an API Gateway REST API's
	// default endpoint by its ARN.
	origin := func(target string, conv Conv, by string) RelSpec {
		return RelSpec{Verb: "CONNECTS", Target: target, Path: "Origins.Items[]", Value: "{DomainName}", Conv: conv, By: by,
			Props: []Prop{{Name: "originId", Path: "Id"}, {Name: "originPath", Path: "OriginPath"}}}
	}
	// Lambda@Edge associations name a function version; the function is
	// the unqualified ARN.
	edge := func(path string) RelSpec {
		return RelSpec{Verb: "TRIGGERS", Target: "aws_lambda_function", Path: path, Value: "{LambdaFunctionARN}",
			Conv: unqualifiedLambda, By: "_key", Props: []Prop{{Name: "eventType", Path: "EventType"}}}
	}
	return []EntityType{
		{
			Type: "aws_cloudfront_distribution", Class: []string{"Gateway"}, Service: "cloudfront",
			Source: op("cloudfront:ListDistributions"), Items: "DistributionList.Items[]",
			Key: []string{"{ARN}"}, ID: "{Id}", Name: "{DomainName}",
			WebLink: "https://console.aws.amazon.com/cloudfront/v4/home#/distributions/{Id}",
			Skip:    []string{"WebACLId"},
			Props: []Prop{
				{Name: "aliases", Path: "Aliases.Items", Default: []any{}},
				{Name: "originDomainNames", Path: "Origins.Items[].DomainName"},
				{Name: "viewerProtocolPolicy", Path: "DefaultCacheBehavior.ViewerProtocolPolicy"},
				{Name: "cacheBehaviorViewerProtocolPolicies", Path: "CacheBehaviors.Items[].ViewerProtocolPolicy", Default: []any{}},
				{Name: "minimumProtocolVersion", Path: "ViewerCertificate.MinimumProtocolVersion"},
				{Name: "sslSupportMethod", Path: "ViewerCertificate.SSLSupportMethod"},
				{Name: "defaultCertificate", Path: "ViewerCertificate.CloudFrontDefaultCertificate"},
				{Name: "acmCertificateArn", Path: "ViewerCertificate.ACMCertificateArn"},
				// The list answers every distribution: no web ACL id is no WAF.
				{Name: "webAclId", Path: "WebACLId", KeepNull: true},
				{Name: "wafEnabled", Path: "WebACLId", Conv: present},
			},
			Constants: map[string]any{"category": []string{"application"}, "function": []string{"content-distribution"}, "public": true},
			Enrich: []Enrichment{
				{Call: op("cloudfront:ListTagsForResource"), By: "_key", Tags: "Tags.Items"},
				{Call: op("cloudfront:GetDistributionConfig"), By: "id", Props: []Prop{
					{Name: "loggingEnabled", Path: "DistributionConfig.Logging.Enabled"},
					{Name: "loggingBucket", Path: "DistributionConfig.Logging.Bucket"},
				}},
			},
			Rels: []RelSpec{
				origin("aws_s3_bucket", s3BucketFromHost, "name"),
				origin("aws_api_gateway_rest_api", restAPIFromHost, "_key"),
				{Verb: "USES", Target: "aws_acm_certificate", Value: "{ViewerCertificate.ACMCertificateArn}", By: "_key"},
				edge("DefaultCacheBehavior.LambdaFunctionAssociations.Items[]"),
				edge("CacheBehaviors.Items[].LambdaFunctionAssociations.Items[]"),
			},
		},
	}
}
