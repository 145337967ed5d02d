package synth

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
	domtypes "github.com/aws/aws-sdk-go-v2/service/route53domains/types"
)

// edge writes the global edge services: CloudFront distributions in front
// of the account's buckets, Route 53 registered domains, their hosted
// zones and records (aliases to the distributions, CNAMEs to the buckets,
// A records), each with its per-item calls.
func (a *account) edge(ctx context.Context) error {
	domains := make([]string, a.n["aws_route53_domain"])
	for i := range domains {
		domains[i] = fmt.Sprintf("synth-%s-%02d.example", a.id, i)
	}
	dists, err := a.distributions(ctx, domains[0])
	if err != nil {
		return err
	}
	if err := a.domains(ctx, domains); err != nil {
		return err
	}
	return a.zones(ctx, domains, dists)
}

// distributions writes ListDistributions and the per-distribution calls;
// it returns the distributions' domain names.
func (a *account) distributions(ctx context.Context, domain string) ([]string, error) {
	g, acct := a.g, a.id
	var items []cftypes.DistributionSummary
	var names []string
	for i := range a.n["aws_cloudfront_distribution"] {
		id := "E" + a.id16("", "distribution", i)[:13]
		name := fmt.Sprintf("d%s.cloudfront.net", a.id16("", "cf-domain", i)[:13])
		names = append(names, name)
		origin := cftypes.Origin{Id: aws.String("origin-0"), DomainName: aws.String(fmt.Sprintf("origin-%d.%s", i, domain)),
			CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly}}
		if len(a.buckets) > 0 {
			origin = cftypes.Origin{Id: aws.String("origin-0"), DomainName: aws.String(a.buckets[i%len(a.buckets)] + ".s3.amazonaws.com"),
				S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}
		}
		policy := cftypes.ViewerProtocolPolicyRedirectToHttps
		if i%5 == 4 {
			policy = cftypes.ViewerProtocolPolicyAllowAll
		}
		d := cftypes.DistributionSummary{
			Id: aws.String(id), ARN: aws.String("arn:aws:cloudfront::" + acct + ":distribution/" + id), DomainName: aws.String(name),
			Status: aws.String("Deployed"), Enabled: aws.Bool(true), LastModifiedTime: aws.Time(a.ago(400)),
			Aliases:              &cftypes.Aliases{Quantity: aws.Int32(1), Items: []string{fmt.Sprintf("cdn-%d.%s", i, domain)}},
			Origins:              &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{origin}},
			DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("origin-0"), ViewerProtocolPolicy: policy},
			ViewerCertificate: &cftypes.ViewerCertificate{CloudFrontDefaultCertificate: aws.Bool(false), SSLSupportMethod: cftypes.SSLSupportMethodSniOnly,
				ACMCertificateArn:      aws.String(fmt.Sprintf("arn:aws:acm:us-east-1:%s:certificate/%s", acct, uuid(a.id16("", "cf-cert", i)+a.id16("", "cf-cert2", i)))),
				MinimumProtocolVersion: []cftypes.MinimumProtocolVersion{cftypes.MinimumProtocolVersionTLSv122021, cftypes.MinimumProtocolVersionTLSv1}[i%2]},
			PriceClass: cftypes.PriceClassPriceClass100, HttpVersion: cftypes.HttpVersionHttp2, WebACLId: aws.String(""),
		}
		if a.pct(40) {
			d.WebACLId = aws.String(fmt.Sprintf("arn:aws:wafv2:us-east-1:%s:global/webacl/edge/%s", acct, uuid(a.id16("", "acl", i)+a.id16("", "acl2", i))))
		}
		items = append(items, d)
	}
	err := pages(ctx, a.g, acct, global, "cloudfront:ListDistributions", "", items, 100, func(p []cftypes.DistributionSummary, more bool, next string) any {
		l := &cftypes.DistributionList{Items: p, Quantity: aws.Int32(int32(len(p))), MaxItems: aws.Int32(100), IsTruncated: aws.Bool(more), Marker: aws.String("")}
		if more {
			l.NextMarker = aws.String(next)
		}
		return &cloudfront.ListDistributionsOutput{DistributionList: l}
	})
	if err != nil {
		return nil, err
	}
	for i, d := range items {
		cfg := &cftypes.DistributionConfig{CallerReference: aws.String(a.id16("", "cf-ref", i)), Comment: aws.String(""), Enabled: d.Enabled,
			Origins: d.Origins, DefaultCacheBehavior: d.DefaultCacheBehavior, ViewerCertificate: d.ViewerCertificate,
			Logging: &cftypes.LoggingConfig{Enabled: aws.Bool(false), IncludeCookies: aws.Bool(false), Bucket: aws.String(""), Prefix: aws.String("")}}
		if a.pct(50) && len(a.buckets) > 0 {
			cfg.Logging = &cftypes.LoggingConfig{Enabled: aws.Bool(true), IncludeCookies: aws.Bool(false),
				Bucket: aws.String(a.buckets[0] + ".s3.amazonaws.com"), Prefix: aws.String("cloudfront/")}
		}
		if err := g.ok(ctx, acct, global, "cloudfront:GetDistributionConfig", *d.Id, 0,
			&cloudfront.GetDistributionConfigOutput{DistributionConfig: cfg, ETag: aws.String(a.id16("", "etag", i)[:14])}); err != nil {
			return nil, err
		}
		if err := g.ok(ctx, acct, global, "cloudfront:ListTagsForResource", *d.ARN, 0, &cloudfront.ListTagsForResourceOutput{
			Tags: &cftypes.Tags{Items: []cftypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%7))}}}}); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// domains writes ListDomains and GetDomainDetail.
func (a *account) domains(ctx context.Context, names []string) error {
	g, acct := a.g, a.id
	var sums []domtypes.DomainSummary
	for _, n := range names {
		sums = append(sums, domtypes.DomainSummary{DomainName: aws.String(n), AutoRenew: aws.Bool(a.pct(80)),
			TransferLock: aws.Bool(a.pct(90)), Expiry: aws.Time(epoch.Add(time.Duration(1+a.r.IntN(700)) * 24 * time.Hour))})
	}
	err := pages(ctx, g, acct, global, "route53domains:ListDomains", "", sums, 20, func(p []domtypes.DomainSummary, more bool, next string) any {
		out := &route53domains.ListDomainsOutput{Domains: p}
		if more {
			out.NextPageMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for _, d := range sums {
		private := a.pct(85)
		if err := g.ok(ctx, acct, global, "route53domains:GetDomainDetail", *d.DomainName, 0, &route53domains.GetDomainDetailOutput{
			DomainName: d.DomainName, AutoRenew: d.AutoRenew, ExpirationDate: d.Expiry, CreationDate: aws.Time(a.ago(3000)),
			RegistrarName: aws.String("Amazon Registrar, Inc."), DnsSec: aws.String("DISABLED"), StatusList: []string{"clientTransferProhibited"},
			Nameservers:       []domtypes.Nameserver{{Name: aws.String("ns-1.awsdns-01.org")}, {Name: aws.String("ns-2.awsdns-02.com")}},
			RegistrantPrivacy: aws.Bool(private), AdminPrivacy: aws.Bool(private), TechPrivacy: aws.Bool(private), BillingPrivacy: aws.Bool(private),
		}); err != nil {
			return err
		}
	}
	return nil
}

// zones writes ListHostedZones and, per zone, its records and tags: the
// first zones are the registered domains, the others private zones.
func (a *account) zones(ctx context.Context, domains, dists []string) error {
	g, acct := a.g, a.id
	nz := a.n["aws_route53_zone"]
	var zones []r53types.HostedZone
	for i := range nz {
		name, private := fmt.Sprintf("internal-%d.%s.", i, domains[0]), true
		if i < len(domains) {
			name, private = domains[i]+".", false
		}
		zones = append(zones, r53types.HostedZone{Id: aws.String("/hostedzone/Z" + a.id16("", "zone", i)[:13]), Name: aws.String(name),
			CallerReference: aws.String(a.id16("", "zone-ref", i)), Config: &r53types.HostedZoneConfig{PrivateZone: private}})
	}
	records := make([][]r53types.ResourceRecordSet, nz)
	for j := range a.n["aws_route53_record"] {
		z := j % nz
		host := fmt.Sprintf("host-%05d.%s", j, *zones[z].Name)
		rr := r53types.ResourceRecordSet{Name: aws.String(host), Type: r53types.RRTypeA, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(fmt.Sprintf("203.0.%d.%d", j/250%250, j%250+1))}}}
		switch {
		case j%6 == 1 && len(dists) > 0:
			rr = r53types.ResourceRecordSet{Name: aws.String(host), Type: r53types.RRTypeA, AliasTarget: &r53types.AliasTarget{
				HostedZoneId: aws.String("Z2FDTNDATAQYW2"), DNSName: aws.String(dists[j%len(dists)] + "."), EvaluateTargetHealth: false}}
		case j%6 == 2 && len(a.buckets) > 0:
			rr = r53types.ResourceRecordSet{Name: aws.String(host), Type: r53types.RRTypeCname, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(a.buckets[j%len(a.buckets)] + ".s3.amazonaws.com")}}}
		}
		records[z] = append(records[z], rr)
	}
	for i := range zones {
		zones[i].ResourceRecordSetCount = aws.Int64(int64(len(records[i])))
	}
	err := pages(ctx, g, acct, global, "route53:ListHostedZones", "", zones, 100, func(p []r53types.HostedZone, more bool, next string) any {
		out := &route53.ListHostedZonesOutput{HostedZones: p, IsTruncated: more, MaxItems: aws.Int32(100), Marker: aws.String("")}
		if more {
			out.NextMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for i, z := range zones {
		id := (*z.Id)[len("/hostedzone/"):]
		err := pages(ctx, g, acct, global, "route53:ListResourceRecordSets", id, records[i], 300, func(p []r53types.ResourceRecordSet, more bool, next string) any {
			out := &route53.ListResourceRecordSetsOutput{ResourceRecordSets: p, IsTruncated: more, MaxItems: aws.Int32(300)}
			if more {
				out.NextRecordName, out.NextRecordType = aws.String(next), r53types.RRTypeA
			}
			return out
		})
		if err != nil {
			return err
		}
		if err := g.ok(ctx, acct, global, "route53:ListTagsForResource", id, 0, &route53.ListTagsForResourceOutput{
			ResourceTagSet: &r53types.ResourceTagSet{ResourceId: aws.String(id), ResourceType: r53types.TagResourceTypeHostedzone,
				Tags: []r53types.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%7))}}}}); err != nil {
			return err
		}
	}
	return nil
}
