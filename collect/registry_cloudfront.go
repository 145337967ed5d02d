package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
)

// CloudFront is global (signed for us-east-1). ListDistributions gives the
// summaries; the logging configuration is only in GetDistributionConfig.
func cloudfrontCalls() []Call {
	return []Call{
		{Keys: keysAt[cloudfront.ListDistributionsOutput]("DistributionList.Items[].Id"), Scope: PerParent,
			Run:    single((*cloudfront.Client).GetDistributionConfig, field[cloudfront.GetDistributionConfigInput]("Id")),
			Redact: distributionSecrets("DistributionConfig."), NotSecret: distributionNotSecret("DistributionConfig.")},
		{Scope: Global, Run: paged(cloudfront.NewListDistributionsPaginator, none),
			Redact: distributionSecrets("DistributionList.Items[]."), NotSecret: distributionNotSecret("DistributionList.Items[].")},
		perParent(keysAt[cloudfront.ListDistributionsOutput]("DistributionList.Items[].ARN"),
			single((*cloudfront.Client).ListTagsForResource, field[cloudfront.ListTagsForResourceInput]("Resource"))),
	}
}

// distributionSecrets are the secret paths below a distribution (summary or
// configuration) at prefix: origin custom headers are how a distribution
// proves itself to its origin (X-Origin-Verify: <shared secret>), so their
// values are redacted and their names kept.
func distributionSecrets(prefix string) []string {
	return []string{prefix + "Origins.Items[].CustomHeaders.Items[].HeaderValue"}
}

// distributionNotSecret are the secret-looking fields below a distribution
// at prefix that hold none.
func distributionNotSecret(prefix string) map[string]string {
	const cookies = "names of the viewer cookies forwarded to the origin (cache key settings), not their values"
	return map[string]string{
		prefix + "DefaultCacheBehavior.ForwardedValues.Cookies":   cookies,
		prefix + "CacheBehaviors.Items[].ForwardedValues.Cookies": cookies,
	}
}
