package model

// route53Service is the aws_route53 placeholder entity; Route 53 Domains'
// registered domains hang under it too (J1: aws_route53 HAS aws_route53_domain).
var route53Service = ServiceInfo{Name: "route53", DisplayName: "AWS Route 53", Category: []string{"infrastructure"}, Function: []string{"dns"},
	AlsoNamed: []string{"route53domains"}}

func route53Types() []EntityType {
	// A record CONNECTS what its values (A/AAAA/CNAME ResourceRecords) or
	// its alias target name, matched by address or host name. TXT, MX and
	// other values match nothing.
	value := func(target string, conv Conv, by string) RelSpec {
		return RelSpec{Verb: "CONNECTS", Target: target, Path: "ResourceRecords[]", Value: "{Value}", Conv: conv, By: by}
	}
	alias := func(target, tmpl string, conv Conv, by string) RelSpec {
		return RelSpec{Verb: "CONNECTS", Target: target, Value: tmpl, Conv: conv, By: by}
	}
	return []EntityType{
		{
			Type: "aws_route53_domain", Class: []string{"Domain"}, Service: "route53",
			Source: op("route53domains:ListDomains"), Items: "Domains[]",
			// A registered domain has no ARN: a synthetic key.
			Key: []string{"arn:aws:route53domains::{account}:domain/{DomainName}"}, SyntheticKey: true,
			ID: "{DomainName}", Name: "{DomainName}",
			WebLink: "https://console.aws.amazon.com/route53/home#DomainDetail:{DomainName}",
			Props: []Prop{
				{Name: "expiresOn", Path: "Expiry", Conv: epochMS},
				{Name: "locked", Path: "TransferLock"},
			},
			Enrich: []Enrichment{{Call: op("route53domains:GetDomainDetail"), By: "name", Props: []Prop{
				{Name: "expiresOn", Path: "ExpirationDate", Conv: epochMS},
				{Name: "createdOn", Path: "CreationDate", Conv: epochMS},
				{Name: "autoRenew", Path: "AutoRenew"},
				{Name: "registrar", Path: "RegistrarName"},
				{Name: "nameservers", Path: "Nameservers[].Name"},
				{Name: "statusList", Path: "StatusList"},
				{Name: "dnssec", Path: "DnsSec"},
				{Name: "registrantPrivacy", Path: "RegistrantPrivacy"},
				{Name: "adminPrivacy", Path: "AdminPrivacy"},
				{Name: "techPrivacy", Path: "TechPrivacy"},
				{Name: "billingPrivacy", Path: "BillingPrivacy"},
			}}},
		},
		{
			Type: "aws_route53_record", Class: []string{"DomainRecord"}, Service: "route53",
			Source: op("route53:ListResourceRecordSets"), Items: "ResourceRecordSets[]",
			// No ARN: ZONE_ARN/recordset/NAME/TYPE[/SET_IDENTIFIER], unique
			// per name, type and set identifier (weighted, latency ...).
			Key: []string{
				"arn:aws:route53:::hostedzone/{parent}/recordset/{Name}/{Type}/{SetIdentifier}",
				"arn:aws:route53:::hostedzone/{parent}/recordset/{Name}/{Type}",
			},
			SyntheticKey: true, Name: "{Name}",
			Skip: []string{"TTL"},
			Props: []Prop{
				// Alias records have no TTL: null.
				{Name: "TTL", Path: "TTL", KeepNull: true},
				{Name: "values", Path: "ResourceRecords[].Value"},
				{Name: "value", Path: "ResourceRecords[].Value", Conv: joined},
				{Name: "value", Path: "AliasTarget.DNSName", Conv: dnsName},
				{Name: "alias", Path: "AliasTarget", Conv: present},
				{Name: "aliasHostedZoneId", Path: "AliasTarget.HostedZoneId"},
			},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_route53_zone", Reverse: true, Value: "{parent}", By: "id"},
				value("aws_instance", dnsName, "publicIpAddress"),
				value("aws_instance", dnsName, "publicDnsName"),
				value("aws_cloudfront_distribution", dnsName, "domainName"),
				alias("aws_cloudfront_distribution", "{AliasTarget.DNSName}", dnsName, "domainName"),
				value("aws_api_gateway_rest_api", restAPIFromHost, "_key"),
				value("aws_s3_bucket", s3BucketFromHost, "name"),
				// Load balancers (the spec's "Gateway" row) by DNS name, and
				// elastic IPs (its "Host" row) by public address.
				value("aws_alb", dnsName, "dnsName"),
				alias("aws_alb", "{AliasTarget.DNSName}", dnsName, "dnsName"),
				value("aws_nlb", dnsName, "dnsName"),
				alias("aws_nlb", "{AliasTarget.DNSName}", dnsName, "dnsName"),
				value("aws_elb", dnsName, "dnsName"),
				alias("aws_elb", "{AliasTarget.DNSName}", dnsName, "dnsName"),
				value("aws_eip", dnsName, "publicIpAddress"),
				alias("aws_s3_bucket", "{AliasTarget.DNSName} {Name}", s3WebsiteAlias, "name"),
			},
		},
		{
			Type: "aws_route53_zone", Class: []string{"DomainZone"}, Service: "route53",
			Source: op("route53:ListHostedZones"), Items: "HostedZones[]",
			Key: []string{"arn:aws:route53:::hostedzone/{Id|base}"}, ID: "{Id|base}", Name: "{Name}",
			WebLink: "https://console.aws.amazon.com/route53/v2/hostedzones#ListRecordSets/{Id|base}",
			Skip:    []string{"Id", "ResourceRecordSetCount"},
			Props: []Prop{
				{Name: "domainName", Path: "Name", Conv: dnsName, KeepNull: true},
				{Name: "parentDomain", Path: "Name", Conv: registrableDomain},
				{Name: "recordsCount", Path: "ResourceRecordSetCount"},
				{Name: "privateZone", Path: "Config.PrivateZone"},
				{Name: "public", Path: "Config.PrivateZone", Conv: equals("false")},
				{Name: "comment", Path: "Config.Comment"},
			},
			Enrich: []Enrichment{{Call: op("route53:ListTagsForResource"), By: "id", Tags: "ResourceTagSet.Tags"}},
			// J1's mapped "Domain HAS aws_route53_zone" (seed Note 2): the
			// registered domain the zone's name belongs to.
			Rels: []RelSpec{{Verb: "HAS", Target: "aws_route53_domain", Reverse: true, Value: "{Name}", Conv: registrableDomain, By: "domainName"}},
		},
	}
}
