package model

// acmService is the aws_acm placeholder entity.
var acmService = ServiceInfo{Name: "acm", DisplayName: "AWS Certificate Manager", Category: []string{"security"},
	Function: []string{"certificate-management"}}

func acmTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_acm_certificate", Class: []string{"Certificate"}, Service: "acm",
			Source: op("acm:DescribeCertificate"), Items: "Certificate",
			Key: []string{"{CertificateArn}"}, ID: "{CertificateArn}", Name: "{DomainName}", Created: "CreatedAt",
			WebLink: "https://console.aws.amazon.com/acm/home?region={region}#/certificates/list",
			Props: []Prop{
				{Name: "expiresOn", Path: "NotAfter", Conv: epochMS, KeepNull: true},
				{Name: "subjectAlternativeNames", Path: "SubjectAlternativeNames[]"},
				{Name: "inUseBy", Path: "InUseBy[]", Default: []any{}},
				{Name: "inUse", Path: "InUseBy", Conv: present},
				{Name: "keyUsages", Path: "KeyUsages[].Name"},
			},
			Enrich: []Enrichment{{Call: op("acm:ListTagsForCertificate"), By: "_key", Tags: "Tags"}},
			// InUseBy names every load balancer the certificate serves,
			// SNI certificates of a listener included (the listeners name
			// only their default certificate).
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_alb", Reverse: true, Path: "InUseBy[]", Value: "{@}", By: "_key"},
				{Verb: "USES", Target: "aws_elb", Reverse: true, Path: "InUseBy[]", Value: "{@}", By: "_key"},
				{Verb: "USES", Target: "aws_nlb", Reverse: true, Path: "InUseBy[]", Value: "{@}", By: "_key"},
			},
		},
	}
}
