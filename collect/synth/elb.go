package synth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// elb writes a region's ACM certificates, its application and network
// load balancers (listeners on the certificates, target groups on the
// region's instances, Lambda functions and IP addresses) and its classic
// load balancers.
func (a *account) elb(ctx context.Context, reg string, nw *net, instances, fns []string) error {
	certs, err := a.certificates(ctx, reg)
	if err != nil {
		return err
	}
	lbs, err := a.loadBalancersV2(ctx, reg, nw, certs)
	if err != nil {
		return err
	}
	if err := a.targetGroups(ctx, reg, nw, lbs, instances, fns); err != nil {
		return err
	}
	return a.classicLoadBalancers(ctx, reg, nw, instances, certs)
}

// certificates writes ListCertificates (1000 a page) and each
// certificate's details and tags; about a tenth are expired.
func (a *account) certificates(ctx context.Context, reg string) ([]string, error) {
	g, acct := a.g, a.id
	var arns []string
	var sums []acmtypes.CertificateSummary
	for i := range a.perReg["aws_acm_certificate"][reg] {
		arn := fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%s", reg, acct, uuid(a.id16(reg, "cert", i)))
		arns = append(arns, arn)
		sums = append(sums, acmtypes.CertificateSummary{CertificateArn: aws.String(arn), DomainName: aws.String(fmt.Sprintf("svc-%d.example.com", i))})
	}
	err := pages(ctx, g, acct, reg, "acm:ListCertificates", "", sums, 1000, func(p []acmtypes.CertificateSummary, more bool, next string) any {
		out := &acm.ListCertificatesOutput{CertificateSummaryList: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	for i, arn := range arns {
		domain := fmt.Sprintf("svc-%d.example.com", i)
		c := &acmtypes.CertificateDetail{CertificateArn: aws.String(arn), DomainName: aws.String(domain),
			SubjectAlternativeNames: []string{domain}, Type: acmtypes.CertificateTypeAmazonIssued, Status: acmtypes.CertificateStatusIssued,
			KeyAlgorithm: acmtypes.KeyAlgorithmRsa2048, Issuer: aws.String("Amazon"), RenewalEligibility: acmtypes.RenewalEligibilityEligible,
			CreatedAt: aws.Time(a.ago(300)), NotBefore: aws.Time(a.ago(300)), NotAfter: aws.Time(epoch.AddDate(0, 0, 30+i%300))}
		if i%10 == 9 {
			c.Type, c.Status, c.RenewalEligibility = acmtypes.CertificateTypeImported, acmtypes.CertificateStatusExpired, acmtypes.RenewalEligibilityIneligible
			c.NotAfter = aws.Time(a.ago(200))
		}
		if err := g.ok(ctx, acct, reg, "acm:DescribeCertificate", arn, 0, &acm.DescribeCertificateOutput{Certificate: c}); err != nil {
			return nil, err
		}
		if err := g.ok(ctx, acct, reg, "acm:ListTagsForCertificate", arn, 0, &acm.ListTagsForCertificateOutput{
			Tags: []acmtypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%11))}}}); err != nil {
			return nil, err
		}
	}
	return arns, nil
}

// loadBalancersV2 writes DescribeLoadBalancers (400 a page: the
// application, then the network load balancers) and each one's tags,
// attributes and listeners (with the certificates of a secure listener);
// it returns their ARNs.
func (a *account) loadBalancersV2(ctx context.Context, reg string, nw *net, certs []string) ([]string, error) {
	g, acct := a.g, a.id
	var lbs []elbv2types.LoadBalancer
	add := func(kind, short string, typ elbv2types.LoadBalancerTypeEnum, i int) {
		name := fmt.Sprintf("%s-%04d", kind, i)
		s := i % len(nw.subnets)
		v := nw.subnetVPC[s]
		lb := elbv2types.LoadBalancer{LoadBalancerName: aws.String(name), Type: typ, VpcId: aws.String(nw.vpcs[v]),
			LoadBalancerArn: aws.String(fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%s", reg, acct, short, name, a.id16(reg, kind, i))),
			DNSName:         aws.String(fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", name, a.id16(reg, kind, i)[:10], reg)),
			Scheme:          elbv2types.LoadBalancerSchemeEnumInternal, CreatedTime: aws.Time(a.ago(800)), IpAddressType: elbv2types.IpAddressTypeIpv4,
			State:             &elbv2types.LoadBalancerState{Code: elbv2types.LoadBalancerStateEnumActive},
			AvailabilityZones: []elbv2types.AvailabilityZone{{SubnetId: aws.String(nw.subnets[s]), ZoneName: aws.String(reg + "a")}},
			SecurityGroups:    []string{nw.sgIn(v, i)}}
		if a.pct(50) {
			lb.Scheme = elbv2types.LoadBalancerSchemeEnumInternetFacing
		}
		lbs = append(lbs, lb)
	}
	for i := range a.perReg["aws_alb"][reg] {
		add("alb", "app", elbv2types.LoadBalancerTypeEnumApplication, i)
	}
	for i := range a.perReg["aws_nlb"][reg] {
		add("nlb", "net", elbv2types.LoadBalancerTypeEnumNetwork, i)
	}
	err := pages(ctx, g, acct, reg, "elasticloadbalancingv2:DescribeLoadBalancers", "", lbs, 400, func(p []elbv2types.LoadBalancer, more bool, next string) any {
		out := &elbv2.DescribeLoadBalancersOutput{LoadBalancers: p}
		if more {
			out.NextMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	var arns []string
	for i, lb := range lbs {
		arn := *lb.LoadBalancerArn
		arns = append(arns, arn)
		ok := func(op string, out any) error { return g.ok(ctx, acct, reg, "elasticloadbalancingv2:"+op, arn, 0, out) }
		if err := ok("DescribeTags", &elbv2.DescribeTagsOutput{TagDescriptions: []elbv2types.TagDescription{{ResourceArn: aws.String(arn),
			Tags: []elbv2types.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%11))}}}}}); err != nil {
			return nil, err
		}
		attr := func(k string, on bool) elbv2types.LoadBalancerAttribute {
			return elbv2types.LoadBalancerAttribute{Key: aws.String(k), Value: aws.String(fmt.Sprint(on))}
		}
		if err := ok("DescribeLoadBalancerAttributes", &elbv2.DescribeLoadBalancerAttributesOutput{Attributes: []elbv2types.LoadBalancerAttribute{
			attr("access_logs.s3.enabled", a.pct(40)), attr("deletion_protection.enabled", a.pct(50)),
			attr("routing.http.drop_invalid_header_fields.enabled", a.pct(30))}}); err != nil {
			return nil, err
		}
		l := elbv2types.Listener{ListenerArn: aws.String(listenerARN(arn, a.id16(reg, "listener", i))), LoadBalancerArn: aws.String(arn),
			Port: aws.Int32(80), Protocol: elbv2types.ProtocolEnumHttp}
		if lb.Type == elbv2types.LoadBalancerTypeEnumNetwork {
			l.Port, l.Protocol = aws.Int32(443), elbv2types.ProtocolEnumTcp
		}
		if len(certs) > 0 && a.pct(70) {
			l.Port, l.Protocol, l.SslPolicy = aws.Int32(443), elbv2types.ProtocolEnumHttps, aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06")
			if lb.Type == elbv2types.LoadBalancerTypeEnumNetwork {
				l.Protocol = elbv2types.ProtocolEnumTls
			}
			l.Certificates = []elbv2types.Certificate{{CertificateArn: aws.String(certs[i%len(certs)])}}
		}
		if err := ok("DescribeListeners", &elbv2.DescribeListenersOutput{Listeners: []elbv2types.Listener{l}}); err != nil {
			return nil, err
		}
		if len(l.Certificates) > 0 {
			if err := g.ok(ctx, acct, reg, "elasticloadbalancingv2:DescribeListenerCertificates", *l.ListenerArn, 0,
				&elbv2.DescribeListenerCertificatesOutput{Certificates: []elbv2types.Certificate{
					{CertificateArn: l.Certificates[0].CertificateArn, IsDefault: aws.Bool(true)}}}); err != nil {
				return nil, err
			}
		}
	}
	return arns, nil
}

// listenerARN is the ARN of a listener of a load balancer.
func listenerARN(lbARN, id string) string {
	return strings.Replace(lbARN, ":loadbalancer/", ":listener/", 1) + "/" + id
}

// targetGroups writes DescribeTargetGroups (400 a page), each group in
// front of instances, a Lambda function or IP addresses, attached to one
// load balancer (some to none), and each group's target health.
func (a *account) targetGroups(ctx context.Context, reg string, nw *net, lbs, instances, fns []string) error {
	g, acct := a.g, a.id
	var tgs []elbv2types.TargetGroup
	var health [][]elbv2types.TargetHealthDescription
	for i := range a.perReg["aws_lb_target_group"][reg] {
		name := fmt.Sprintf("tg-%04d", i)
		v := i % len(nw.vpcs)
		tg := elbv2types.TargetGroup{TargetGroupName: aws.String(name), VpcId: aws.String(nw.vpcs[v]),
			TargetGroupArn: aws.String(fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", reg, acct, name, a.id16(reg, "tg", i))),
			TargetType:     elbv2types.TargetTypeEnumInstance, Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(8080), HealthCheckEnabled: aws.Bool(true)}
		if len(lbs) > 0 && i%8 != 7 {
			tg.LoadBalancerArns = []string{lbs[i%len(lbs)]}
		}
		var th []elbv2types.TargetHealthDescription
		target := func(id string, port *int32) {
			th = append(th, elbv2types.TargetHealthDescription{Target: &elbv2types.TargetDescription{Id: aws.String(id), Port: port},
				TargetHealth: &elbv2types.TargetHealth{State: elbv2types.TargetHealthStateEnumHealthy}})
		}
		switch {
		case i%5 == 3 && len(fns) > 0:
			tg.TargetType, tg.Protocol, tg.Port, tg.VpcId = elbv2types.TargetTypeEnumLambda, "", nil, nil
			target(fns[i%len(fns)], nil)
		case i%5 == 4:
			tg.TargetType = elbv2types.TargetTypeEnumIp
			target(fmt.Sprintf("10.%d.%d.%d", v%256, i%256, 10+i%200), aws.Int32(8080))
		default:
			for k := range min(2, len(instances)) {
				target(instances[(2*i+k)%len(instances)], aws.Int32(8080))
			}
		}
		tgs, health = append(tgs, tg), append(health, th)
	}
	err := pages(ctx, g, acct, reg, "elasticloadbalancingv2:DescribeTargetGroups", "", tgs, 400, func(p []elbv2types.TargetGroup, more bool, next string) any {
		out := &elbv2.DescribeTargetGroupsOutput{TargetGroups: p}
		if more {
			out.NextMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for i, tg := range tgs {
		if err := g.ok(ctx, acct, reg, "elasticloadbalancingv2:DescribeTargetHealth", *tg.TargetGroupArn, 0,
			&elbv2.DescribeTargetHealthOutput{TargetHealthDescriptions: health[i]}); err != nil {
			return err
		}
	}
	return nil
}

// classicLoadBalancers writes the classic DescribeLoadBalancers (400 a
// page), the tags of each batch of 20 names (as collect batches them) and
// each one's attributes.
func (a *account) classicLoadBalancers(ctx context.Context, reg string, nw *net, instances, certs []string) error {
	g, acct := a.g, a.id
	var lbs []elbtypes.LoadBalancerDescription
	for i := range a.perReg["aws_elb"][reg] {
		name := fmt.Sprintf("classic-%04d", i)
		s := i % len(nw.subnets)
		v := nw.subnetVPC[s]
		l := elbtypes.Listener{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080)}
		if len(certs) > 0 && a.pct(40) {
			l.Protocol, l.LoadBalancerPort, l.SSLCertificateId = aws.String("HTTPS"), 443, aws.String(certs[i%len(certs)])
		}
		lb := elbtypes.LoadBalancerDescription{LoadBalancerName: aws.String(name), VPCId: aws.String(nw.vpcs[v]),
			DNSName: aws.String(fmt.Sprintf("%s-%s.%s.elb.amazonaws.com", name, a.id16(reg, "classic", i)[:10], reg)),
			Scheme:  aws.String("internet-facing"), CreatedTime: aws.Time(a.ago(2000)), Subnets: []string{nw.subnets[s]},
			AvailabilityZones: []string{reg + "a"}, SecurityGroups: []string{nw.sgIn(v, i)},
			ListenerDescriptions: []elbtypes.ListenerDescription{{Listener: &l}}}
		if len(instances) > 0 {
			lb.Instances = []elbtypes.Instance{{InstanceId: aws.String(instances[i%len(instances)])}}
		}
		lbs = append(lbs, lb)
	}
	err := pages(ctx, g, acct, reg, "elasticloadbalancing:DescribeLoadBalancers", "", lbs, 400, func(p []elbtypes.LoadBalancerDescription, more bool, next string) any {
		out := &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: p}
		if more {
			out.NextMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	// Tags: one call per batch of 20 names of a page, keyed as the
	// collector's key extractor keys it.
	tags := g.calls["elasticloadbalancing:DescribeTags"]
	for p, page := range slices.Collect(slices.Chunk(lbs, 400)) {
		batches := tags.ChildItems("", &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: page})
		chunks := slices.Collect(slices.Chunk(page, 20))
		if len(batches) != len(chunks) {
			return fmt.Errorf("synth: elasticloadbalancing:DescribeTags: %d batches of %d names, want %d", len(batches), len(page), len(chunks))
		}
		for b, batch := range chunks {
			var descs []elbtypes.TagDescription
			for k, lb := range batch {
				i := 400*p + 20*b + k
				descs = append(descs, elbtypes.TagDescription{LoadBalancerName: lb.LoadBalancerName,
					Tags: []elbtypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%11))}}})
			}
			if err := g.ok(ctx, acct, reg, "elasticloadbalancing:DescribeTags", batches[b].Key, 0,
				&elb.DescribeTagsOutput{TagDescriptions: descs}); err != nil {
				return err
			}
		}
	}
	for _, lb := range lbs {
		name := *lb.LoadBalancerName
		if err := g.ok(ctx, acct, reg, "elasticloadbalancing:DescribeLoadBalancerAttributes", name, 0, &elb.DescribeLoadBalancerAttributesOutput{
			LoadBalancerAttributes: &elbtypes.LoadBalancerAttributes{AccessLog: &elbtypes.AccessLog{Enabled: a.pct(30)},
				CrossZoneLoadBalancing: &elbtypes.CrossZoneLoadBalancing{Enabled: true}}}); err != nil {
			return err
		}
	}
	return nil
}
