package synth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2net writes a region's network plumbing around the VPCs and
// instances: network interfaces (the first ones attached to the
// instances), elastic IPs, NAT gateways, route tables (a main table per
// VPC while the share lasts, the rest associated with subnets, one in
// three public), network ACLs, VPN gateways and a peering between the
// first two VPCs. Every rule CIDR is a VPC's or the Internet, so no
// external entity is created.
func (a *account) ec2net(ctx context.Context, reg string, nw *net, instances []string) error {
	g, acct := a.g, a.id
	per := a.perReg
	vpcCIDR := func(v int) string { return fmt.Sprintf("10.%d.0.0/16", v%256) }

	var enis []ec2types.NetworkInterface
	for i := range per["aws_eni"][reg] {
		s := i % len(nw.subnets)
		v := nw.subnetVPC[s]
		in := ec2types.NetworkInterface{NetworkInterfaceId: aws.String("eni-0" + a.id16(reg, "eni", i)),
			SubnetId: aws.String(nw.subnets[s]), VpcId: aws.String(nw.vpcs[v]), OwnerId: aws.String(acct),
			PrivateIpAddress: aws.String(fmt.Sprintf("10.%d.%d.%d", v%256, 100+(i/250)%100, 4+i%250)),
			InterfaceType:    ec2types.NetworkInterfaceTypeInterface, Status: ec2types.NetworkInterfaceStatusInUse,
			Groups: []ec2types.GroupIdentifier{{GroupId: aws.String(nw.sgIn(v, i))}}}
		if i < len(instances) {
			in.Attachment = &ec2types.NetworkInterfaceAttachment{InstanceId: aws.String(instances[i]), DeviceIndex: aws.Int32(0),
				Status: ec2types.AttachmentStatusAttached}
		}
		enis = append(enis, in)
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeNetworkInterfaces", "", 0, &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: enis}); err != nil {
		return err
	}
	var eips []ec2types.Address
	for i := range per["aws_eip"][reg] {
		ad := ec2types.Address{AllocationId: aws.String("eipalloc-0" + a.id16(reg, "eip", i)), Domain: ec2types.DomainTypeVpc,
			PublicIp: aws.String(fmt.Sprintf("3.%d.%d.%d", 10+a.idx%200, i/250%256, 1+i%250))}
		if i%2 == 0 && i < len(enis) {
			ad.NetworkInterfaceId, ad.PrivateIpAddress = enis[i].NetworkInterfaceId, enis[i].PrivateIpAddress
			if enis[i].Attachment != nil {
				ad.InstanceId = enis[i].Attachment.InstanceId
			}
		}
		eips = append(eips, ad)
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeAddresses", "", 0, &ec2.DescribeAddressesOutput{Addresses: eips}); err != nil {
		return err
	}
	var nats []ec2types.NatGateway
	for i := range per["aws_nat_gateway"][reg] {
		s := i % len(nw.subnets)
		n := ec2types.NatGateway{NatGatewayId: aws.String("nat-0" + a.id16(reg, "nat", i)), SubnetId: aws.String(nw.subnets[s]),
			VpcId: aws.String(nw.vpcs[nw.subnetVPC[s]]), State: ec2types.NatGatewayStateAvailable,
			ConnectivityType: ec2types.ConnectivityTypePublic, CreateTime: aws.Time(a.ago(600))}
		if i < len(eips) {
			n.NatGatewayAddresses = []ec2types.NatGatewayAddress{{AllocationId: eips[i].AllocationId, PublicIp: eips[i].PublicIp}}
		}
		nats = append(nats, n)
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeNatGateways", "", 0, &ec2.DescribeNatGatewaysOutput{NatGateways: nats}); err != nil {
		return err
	}
	var rtbs []ec2types.RouteTable
	for i := range per["aws_route_table"][reg] {
		id := "rtb-0" + a.id16(reg, "rtb", i)
		rt := ec2types.RouteTable{RouteTableId: aws.String(id), OwnerId: aws.String(acct)}
		v := i
		if i < len(nw.vpcs) {
			rt.Associations = []ec2types.RouteTableAssociation{{Main: aws.Bool(true), RouteTableId: aws.String(id)}}
		} else {
			s := (i - len(nw.vpcs)) % len(nw.subnets)
			v = nw.subnetVPC[s]
			rt.Associations = []ec2types.RouteTableAssociation{{Main: aws.Bool(false), RouteTableId: aws.String(id), SubnetId: aws.String(nw.subnets[s])}}
		}
		rt.VpcId = aws.String(nw.vpcs[v%len(nw.vpcs)])
		rt.Routes = []ec2types.Route{{DestinationCidrBlock: aws.String(vpcCIDR(v)), GatewayId: aws.String("local"), State: ec2types.RouteStateActive}}
		if i%3 == 1 {
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"),
				GatewayId: aws.String("igw-0" + a.id16(reg, "igw", 0)), State: ec2types.RouteStateActive})
		}
		rtbs = append(rtbs, rt)
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeRouteTables", "", 0, &ec2.DescribeRouteTablesOutput{RouteTables: rtbs}); err != nil {
		return err
	}
	var acls []ec2types.NetworkAcl
	for i := range per["aws_network_acl"][reg] {
		v := i % len(nw.vpcs)
		entry := func(n int32, egress bool, action ec2types.RuleAction, cidr string) ec2types.NetworkAclEntry {
			return ec2types.NetworkAclEntry{RuleNumber: aws.Int32(n), Egress: aws.Bool(egress), Protocol: aws.String("-1"),
				RuleAction: action, CidrBlock: aws.String(cidr)}
		}
		acl := ec2types.NetworkAcl{NetworkAclId: aws.String("acl-0" + a.id16(reg, "acl", i)), VpcId: aws.String(nw.vpcs[v]),
			OwnerId: aws.String(acct), IsDefault: aws.Bool(i < len(nw.vpcs)),
			Entries: []ec2types.NetworkAclEntry{entry(100, false, ec2types.RuleActionAllow, vpcCIDR(v)),
				entry(32767, false, ec2types.RuleActionDeny, "0.0.0.0/0"), entry(100, true, ec2types.RuleActionAllow, "0.0.0.0/0")}}
		if i%2 == 0 {
			acl.Entries = append(acl.Entries, ec2types.NetworkAclEntry{RuleNumber: aws.Int32(110), Egress: aws.Bool(false),
				Protocol: aws.String("6"), PortRange: &ec2types.PortRange{From: aws.Int32(443), To: aws.Int32(443)},
				RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String("0.0.0.0/0")})
		}
		for s, sv := range nw.subnetVPC {
			if sv == v && i < len(nw.vpcs) { // the default ACL of the VPC
				acl.Associations = append(acl.Associations, ec2types.NetworkAclAssociation{SubnetId: aws.String(nw.subnets[s])})
			}
		}
		acls = append(acls, acl)
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeNetworkAcls", "", 0, &ec2.DescribeNetworkAclsOutput{NetworkAcls: acls}); err != nil {
		return err
	}
	var vgws []ec2types.VpnGateway
	for i := range per["aws_vpn_gateway"][reg] {
		vgws = append(vgws, ec2types.VpnGateway{VpnGatewayId: aws.String("vgw-0" + a.id16(reg, "vgw", i)), State: ec2types.VpnStateAvailable,
			Type: ec2types.GatewayTypeIpsec1, VpcAttachments: []ec2types.VpcAttachment{{VpcId: aws.String(nw.vpcs[i%len(nw.vpcs)]),
				State: ec2types.AttachmentStatusAttached}}})
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeVpnGateways", "", 0, &ec2.DescribeVpnGatewaysOutput{VpnGateways: vgws}); err != nil {
		return err
	}
	var peerings []ec2types.VpcPeeringConnection
	if len(nw.vpcs) > 1 {
		info := func(v int) *ec2types.VpcPeeringConnectionVpcInfo {
			return &ec2types.VpcPeeringConnectionVpcInfo{VpcId: aws.String(nw.vpcs[v]), OwnerId: aws.String(acct), Region: aws.String(reg),
				CidrBlock: aws.String(vpcCIDR(v))}
		}
		peerings = append(peerings, ec2types.VpcPeeringConnection{VpcPeeringConnectionId: aws.String("pcx-0" + a.id16(reg, "pcx", 0)),
			RequesterVpcInfo: info(0), AccepterVpcInfo: info(1),
			Status: &ec2types.VpcPeeringConnectionStateReason{Code: ec2types.VpcPeeringConnectionStateReasonCodeActive}})
	}
	return g.ok(ctx, acct, reg, "ec2:DescribeVpcPeeringConnections", "", 0, &ec2.DescribeVpcPeeringConnectionsOutput{VpcPeeringConnections: peerings})
}
