package synth

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/snapaudit/snapaudit/snapshot"
)

// net is a region's network layout, which the compute resources refer to.
type net struct {
	vpcs, subnets, sgs []string
	subnetVPC          []int // subnet -> vpc index
	sgVPC              []int // security group -> vpc index
}

// sgIn returns a security group of VPC v (any when v has none).
func (n *net) sgIn(v, pick int) string {
	var in []string
	for i, sv := range n.sgVPC {
		if sv == v {
			in = append(in, n.sgs[i])
		}
	}
	if len(in) == 0 {
		return n.sgs[pick%len(n.sgs)]
	}
	return in[pick%len(in)]
}

func (a *account) region(ctx context.Context, reg string) error {
	nw, err := a.network(ctx, reg)
	if err != nil {
		return err
	}
	instances, err := a.compute(ctx, reg, nw)
	if err != nil {
		return err
	}
	if err := a.ec2net(ctx, reg, nw, instances); err != nil {
		return err
	}
	fns, err := a.lambda(ctx, reg, nw)
	if err != nil {
		return err
	}
	if err := a.rds(ctx, reg, nw); err != nil {
		return err
	}
	if err := a.dynamodb(ctx, reg); err != nil {
		return err
	}
	if err := a.ec2img(ctx, reg, instances); err != nil {
		return err
	}
	if err := a.config(ctx, reg, instances, nw); err != nil {
		return err
	}
	if err := a.elb(ctx, reg, nw, instances, fns); err != nil {
		return err
	}
	if err := a.ecrBatch(ctx, reg, nw); err != nil {
		return err
	}
	if err := a.containers(ctx, reg, nw, instances); err != nil {
		return err
	}
	if err := a.wstransfer(ctx, reg, nw); err != nil {
		return err
	}
	if err := a.kms(ctx, reg); err != nil {
		return err
	}
	return a.apigateway(ctx, reg, fns)
}

func tags(kv ...string) []ec2types.Tag {
	var out []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// network writes VPCs, flow logs, subnets and security groups (some open
// to the world).
func (a *account) network(ctx context.Context, reg string) (*net, error) {
	g, acct := a.g, a.id
	nw := &net{}
	var vpcs []ec2types.Vpc
	var flows []ec2types.FlowLog
	for i := range a.perReg["aws_vpc"][reg] {
		id := "vpc-0" + a.id16(reg, "vpc", i)
		nw.vpcs = append(nw.vpcs, id)
		vpcs = append(vpcs, ec2types.Vpc{VpcId: aws.String(id), CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i%256)),
			IsDefault: aws.Bool(i == 0), OwnerId: aws.String(acct), State: ec2types.VpcStateAvailable,
			InstanceTenancy: ec2types.TenancyDefault, Tags: tags("Name", fmt.Sprintf("vpc-%d", i))})
		if i%2 == 0 {
			flows = append(flows, ec2types.FlowLog{FlowLogId: aws.String("fl-0" + a.id16(reg, "flow", i)), ResourceId: aws.String(id),
				FlowLogStatus: aws.String("ACTIVE"), LogDestinationType: ec2types.LogDestinationTypeS3, TrafficType: ec2types.TrafficTypeAll,
				CreationTime: aws.Time(a.ago(900))})
		}
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeVpcs", "", 0, &ec2.DescribeVpcsOutput{Vpcs: vpcs}); err != nil {
		return nil, err
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeFlowLogs", "", 0, &ec2.DescribeFlowLogsOutput{FlowLogs: flows}); err != nil {
		return nil, err
	}
	var igws []ec2types.InternetGateway
	for i := range a.perReg["aws_internet_gateway"][reg] {
		igws = append(igws, ec2types.InternetGateway{InternetGatewayId: aws.String("igw-0" + a.id16(reg, "igw", i)),
			OwnerId: aws.String(acct), Tags: tags("Name", fmt.Sprintf("igw-%d", i)),
			Attachments: []ec2types.InternetGatewayAttachment{{VpcId: aws.String(nw.vpcs[i%len(nw.vpcs)]), State: ec2types.AttachmentStatus("available")}}})
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeInternetGateways", "", 0, &ec2.DescribeInternetGatewaysOutput{InternetGateways: igws}); err != nil {
		return nil, err
	}
	var subnets []ec2types.Subnet
	for i := range a.perReg["aws_subnet"][reg] {
		v := i % len(nw.vpcs)
		id := "subnet-0" + a.id16(reg, "subnet", i)
		nw.subnets, nw.subnetVPC = append(nw.subnets, id), append(nw.subnetVPC, v)
		subnets = append(subnets, ec2types.Subnet{SubnetId: aws.String(id), VpcId: aws.String(nw.vpcs[v]),
			SubnetArn: aws.String(fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", reg, acct, id)), OwnerId: aws.String(acct),
			CidrBlock: aws.String(fmt.Sprintf("10.%d.%d.0/24", v%256, (i/len(nw.vpcs))%256)), State: ec2types.SubnetStateAvailable,
			AvailabilityZone: aws.String(reg + string(rune('a'+i%3))), AvailableIpAddressCount: aws.Int32(int32(200 + i%50)),
			MapPublicIpOnLaunch: aws.Bool(i%4 == 0), DefaultForAz: aws.Bool(false)})
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeSubnets", "", 0, &ec2.DescribeSubnetsOutput{Subnets: subnets}); err != nil {
		return nil, err
	}
	var sgs []ec2types.SecurityGroup
	egress := []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}
	for i := range a.perReg["aws_security_group"][reg] {
		v := i % len(nw.vpcs)
		id := "sg-0" + a.id16(reg, "sg", i)
		nw.sgs, nw.sgVPC = append(nw.sgs, id), append(nw.sgVPC, v)
		perm := []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}
		switch i % 10 {
		case 0: // SSH or RDP open to the world
			port := int32(22)
			if i%20 == 10 {
				port = 3389
			}
			perm = append(perm, ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("admin access")}}})
		case 1: // a public web tier
			perm = append(perm, ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}, Ipv6Ranges: []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}})
		case 2: // reachable from another group
			if i > 0 {
				perm = append(perm, ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
					UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(nw.sgs[i-1]), UserId: aws.String(acct)}}})
			}
		}
		sgs = append(sgs, ec2types.SecurityGroup{GroupId: aws.String(id), GroupName: aws.String(fmt.Sprintf("sg-%d", i)),
			Description: aws.String("synthetic security group"), VpcId: aws.String(nw.vpcs[v]), OwnerId: aws.String(acct),
			SecurityGroupArn: aws.String(fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", reg, acct, id)),
			IpPermissions:    perm, IpPermissionsEgress: egress})
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeSecurityGroups", "", 0, &ec2.DescribeSecurityGroupsOutput{SecurityGroups: sgs}); err != nil {
		return nil, err
	}
	return nw, g.ok(ctx, acct, reg, "ec2:GetEbsEncryptionByDefault", "", 0, &ec2.GetEbsEncryptionByDefaultOutput{
		EbsEncryptionByDefault: aws.Bool(a.pct(60))})
}

// compute writes key pairs, volumes and instances (one reservation per
// ten instances); every instance has a root volume, some a data volume.
func (a *account) compute(ctx context.Context, reg string, nw *net) ([]string, error) {
	g, acct := a.g, a.id
	var keys []ec2types.KeyPairInfo
	var keyNames []string
	for i := range a.perReg["aws_key_pair"][reg] {
		name := fmt.Sprintf("deploy-%d", i)
		keyNames = append(keyNames, name)
		fp := a.id16(reg, "fp", i)
		keys = append(keys, ec2types.KeyPairInfo{KeyName: aws.String(name), KeyPairId: aws.String("key-0" + a.id16(reg, "key", i)),
			KeyFingerprint: aws.String(fp[0:2] + ":" + fp[2:4] + ":" + fp[4:6] + ":" + fp[6:8]), KeyType: ec2types.KeyTypeEd25519,
			CreateTime: aws.Time(a.ago(1200))})
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeKeyPairs", "", 0, &ec2.DescribeKeyPairsOutput{KeyPairs: keys}); err != nil {
		return nil, err
	}
	ni, nv := a.perReg["aws_instance"][reg], a.perReg["aws_ebs_volume"][reg]
	ids := make([]string, ni)
	for i := range ids {
		ids[i] = "i-0" + a.id16(reg, "instance", i)
	}
	mappings := make([][]ec2types.InstanceBlockDeviceMapping, ni)
	var vols []ec2types.Volume
	for j := range nv {
		id := "vol-0" + a.id16(reg, "volume", j)
		v := ec2types.Volume{VolumeId: aws.String(id), Size: aws.Int32(int32(8 << (j % 5))), VolumeType: ec2types.VolumeTypeGp3,
			Encrypted: aws.Bool(a.pct(80)), CreateTime: aws.Time(a.ago(900)), AvailabilityZone: aws.String(reg + "a"),
			State: ec2types.VolumeStateAvailable}
		if *v.Encrypted {
			v.KmsKeyId = aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", reg, acct, uuid(a.id16(reg, "kms", 0))))
		}
		device, inst := "", -1
		switch {
		case ni == 0:
		case j < ni:
			device, inst = "/dev/xvda", j
		case j%3 != 0:
			device, inst = "/dev/sdf", j%ni
		}
		if inst >= 0 {
			v.State = ec2types.VolumeStateInUse
			v.Attachments = []ec2types.VolumeAttachment{{InstanceId: aws.String(ids[inst]), VolumeId: aws.String(id), Device: aws.String(device),
				State: ec2types.VolumeAttachmentStateAttached, DeleteOnTermination: aws.Bool(device == "/dev/xvda")}}
			mappings[inst] = append(mappings[inst], ec2types.InstanceBlockDeviceMapping{DeviceName: aws.String(device),
				Ebs: &ec2types.EbsInstanceBlockDevice{VolumeId: aws.String(id), Status: ec2types.AttachmentStatusAttached,
					DeleteOnTermination: aws.Bool(device == "/dev/xvda")}})
		}
		if j%4 == 0 {
			v.Tags = tags("Classification", []string{"Internal", "PII", "Confidential"}[j%3])
		}
		vols = append(vols, v)
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeVolumes", "", 0, &ec2.DescribeVolumesOutput{Volumes: vols}); err != nil {
		return nil, err
	}
	var res []ec2types.Reservation
	for i := range ni {
		s := i % len(nw.subnets)
		v := nw.subnetVPC[s]
		ip := fmt.Sprintf("10.%d.%d.%d", v%256, (i/250)%256, 4+i%250)
		in := ec2types.Instance{InstanceId: aws.String(ids[i]), InstanceType: ec2types.InstanceTypeM5Large, ImageId: aws.String("ami-0" + a.id16(reg, "ami", i%7)),
			LaunchTime: aws.Time(a.ago(700)), State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning, Code: aws.Int32(16)},
			PrivateDnsName: aws.String("ip-" + strings.ReplaceAll(ip, ".", "-") + "." + reg + ".compute.internal"), PrivateIpAddress: aws.String(ip),
			SubnetId: aws.String(nw.subnets[s]), VpcId: aws.String(nw.vpcs[v]), Architecture: ec2types.ArchitectureValuesX8664,
			SecurityGroups:      []ec2types.GroupIdentifier{{GroupId: aws.String(nw.sgIn(v, i)), GroupName: aws.String("sg")}},
			BlockDeviceMappings: mappings[i], RootDeviceName: aws.String("/dev/xvda"), RootDeviceType: ec2types.DeviceTypeEbs,
			MetadataOptions: &ec2types.InstanceMetadataOptionsResponse{HttpTokens: ec2types.HttpTokensStateRequired},
			Tags:            tags("Name", fmt.Sprintf("app-%d", i), "Owner", fmt.Sprintf("team-%03d", i%11))}
		if a.pct(15) {
			in.State = &ec2types.InstanceState{Name: ec2types.InstanceStateNameStopped, Code: aws.Int32(80)}
		}
		if a.pct(15) {
			in.PublicIpAddress = aws.String(fmt.Sprintf("54.%d.%d.%d", 10+i%200, (i/200)%256, 1+i%250))
		}
		if a.pct(40) {
			in.MetadataOptions.HttpTokens = ec2types.HttpTokensStateOptional
		}
		if len(keyNames) > 0 && a.pct(50) {
			in.KeyName = aws.String(keyNames[i%len(keyNames)])
		}
		if len(a.ec2Profiles) > 0 && a.pct(60) {
			p := a.ec2Profiles[a.r.IntN(len(a.ec2Profiles))]
			in.IamInstanceProfile = &ec2types.IamInstanceProfile{Arn: aws.String(p), Id: aws.String("AIPA" + strings.ToUpper(a.id16("", "p", i)))}
		}
		if i%10 == 0 {
			res = append(res, ec2types.Reservation{ReservationId: aws.String("r-0" + a.id16(reg, "reservation", i)), OwnerId: aws.String(acct)})
		}
		res[len(res)-1].Instances = append(res[len(res)-1].Instances, in)
	}
	return ids, g.ok(ctx, acct, reg, "ec2:DescribeInstances", "", 0, &ec2.DescribeInstancesOutput{Reservations: res})
}

// lambda writes functions (50 a page), their tags and resource policies
// (about 40% have one: API Gateway, S3 events, another account, rarely
// anyone).
func (a *account) lambda(ctx context.Context, reg string, nw *net) ([]string, error) {
	g, acct := a.g, a.id
	var fns []lambdatypes.FunctionConfiguration
	var arns []string
	for i := range a.perReg["aws_lambda_function"][reg] {
		name := fmt.Sprintf("fn-%05d", i)
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", reg, acct, name)
		arns = append(arns, arn)
		f := lambdatypes.FunctionConfiguration{FunctionName: aws.String(name), FunctionArn: aws.String(arn),
			Runtime: []lambdatypes.Runtime{lambdatypes.RuntimePython312, lambdatypes.RuntimeNodejs20x, lambdatypes.RuntimeJava21}[i%3],
			Handler: aws.String("app.handler"), MemorySize: aws.Int32(int32(128 << (i % 4))), Timeout: aws.Int32(30), CodeSize: int64(4096 + i),
			LastModified: aws.String(a.ago(400).Format("2006-01-02T15:04:05.000+0000")), PackageType: lambdatypes.PackageTypeZip,
			Version: aws.String("$LATEST"), Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64}}
		if len(a.lambdaRoles) > 0 {
			f.Role = aws.String(a.lambdaRoles[a.r.IntN(len(a.lambdaRoles))])
		}
		if a.pct(30) {
			s := i % len(nw.subnets)
			v := nw.subnetVPC[s]
			f.VpcConfig = &lambdatypes.VpcConfigResponse{VpcId: aws.String(nw.vpcs[v]), SubnetIds: []string{nw.subnets[s]},
				SecurityGroupIds: []string{nw.sgIn(v, i)}}
		}
		fns = append(fns, f)
	}
	err := pages(ctx, g, acct, reg, "lambda:ListFunctions", "", fns, 50, func(p []lambdatypes.FunctionConfiguration, more bool, next string) any {
		out := &lambda.ListFunctionsOutput{Functions: p}
		if more {
			out.NextMarker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	for i, f := range fns {
		name, arn := *f.FunctionName, *f.FunctionArn
		if err := g.ok(ctx, acct, reg, "lambda:ListTags", arn, 0, &lambda.ListTagsOutput{Tags: map[string]string{
			"Owner": fmt.Sprintf("team-%03d", i%11), "Service": fmt.Sprintf("svc-%d", i%17)}}); err != nil {
			return nil, err
		}
		principal := ""
		switch i % 10 {
		case 0, 1:
			principal = `{"Service":"apigateway.amazonaws.com"}`
		case 2:
			principal = `{"Service":"s3.amazonaws.com"}`
		case 3:
			principal = `{"AWS":"arn:aws:iam::` + a.other() + `:root"}`
			if i%50 == 3 {
				principal = `"*"`
			}
		}
		if principal == "" {
			err = g.fail(ctx, acct, reg, "lambda:GetPolicy", name, snapshot.ClassNotFound, "ResourceNotFoundException",
				"The resource you requested does not exist.")
		} else {
			pol := `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"invoke","Effect":"Allow","Principal":` + principal +
				`,"Action":"lambda:InvokeFunction","Resource":"` + arn + `"}]}`
			err = g.ok(ctx, acct, reg, "lambda:GetPolicy", name, 0, &lambda.GetPolicyOutput{Policy: aws.String(pol), RevisionId: aws.String(uuid(a.id16(reg, "rev", i)))})
		}
		if err != nil {
			return nil, err
		}
	}
	return arns, nil
}

// rds writes Aurora clusters with two members each and standalone
// instances (100 a page).
func (a *account) rds(ctx context.Context, reg string, nw *net) error {
	g, acct := a.g, a.id
	nc, ni := a.perReg["aws_rds_cluster"][reg], a.perReg["aws_db_instance"][reg]
	var clusters []rdstypes.DBCluster
	var dbs []rdstypes.DBInstance
	for c := range nc {
		id := fmt.Sprintf("cluster-%04d", c)
		cl := rdstypes.DBCluster{DBClusterIdentifier: aws.String(id), DBClusterArn: aws.String(fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", reg, acct, id)),
			Engine: aws.String("aurora-postgresql"), EngineVersion: aws.String("16.4"), StorageEncrypted: aws.Bool(a.pct(85)),
			ClusterCreateTime: aws.Time(a.ago(1000)), Status: aws.String("available"), MultiAZ: aws.Bool(true),
			TagList: []rdstypes.Tag{{Key: aws.String("Classification"), Value: aws.String("Confidential")}}}
		for m := range 2 {
			if j := 2*c + m; j < ni {
				cl.DBClusterMembers = append(cl.DBClusterMembers, rdstypes.DBClusterMember{
					DBInstanceIdentifier: aws.String(fmt.Sprintf("db-%04d", j)), IsClusterWriter: aws.Bool(m == 0)})
			}
		}
		clusters = append(clusters, cl)
	}
	for j := range ni {
		id := fmt.Sprintf("db-%04d", j)
		v := j % len(nw.vpcs)
		db := rdstypes.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceArn: aws.String(fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", reg, acct, id)),
			DBInstanceClass: aws.String("db.r6g.large"), Engine: aws.String("postgres"), DBInstanceStatus: aws.String("available"),
			StorageEncrypted: aws.Bool(a.pct(80)), PubliclyAccessible: aws.Bool(a.pct(5)), InstanceCreateTime: aws.Time(a.ago(1000)),
			Endpoint:          &rdstypes.Endpoint{Address: aws.String(id + ".c" + a.id16(reg, "rds", 0)[:10] + "." + reg + ".rds.amazonaws.com"), Port: aws.Int32(5432)},
			DBSubnetGroup:     &rdstypes.DBSubnetGroup{DBSubnetGroupName: aws.String("default"), VpcId: aws.String(nw.vpcs[v])},
			VpcSecurityGroups: []rdstypes.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String(nw.sgIn(v, j)), Status: aws.String("active")}}}
		if j < 2*nc {
			db.DBClusterIdentifier = aws.String(fmt.Sprintf("cluster-%04d", j/2))
			db.Engine = aws.String("aurora-postgresql")
		}
		dbs = append(dbs, db)
	}
	err := pages(ctx, g, acct, reg, "rds:DescribeDBClusters", "", clusters, 100, func(p []rdstypes.DBCluster, more bool, next string) any {
		out := &rds.DescribeDBClustersOutput{DBClusters: p}
		if more {
			out.Marker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	err = pages(ctx, g, acct, reg, "rds:DescribeDBInstances", "", dbs, 100, func(p []rdstypes.DBInstance, more bool, next string) any {
		out := &rds.DescribeDBInstancesOutput{DBInstances: p}
		if more {
			out.Marker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	return a.dbSnapshots(ctx, reg, dbs)
}

// dbSnapshots writes an automated and, for one instance in four, a manual
// snapshot of the standalone instances (100 a page), and the restore
// attribute of each manual one: public 2%, shared with another account 5%.
func (a *account) dbSnapshots(ctx context.Context, reg string, dbs []rdstypes.DBInstance) error {
	g, acct := a.g, a.id
	var snaps []rdstypes.DBSnapshot
	add := func(db rdstypes.DBInstance, id, typ string) {
		snaps = append(snaps, rdstypes.DBSnapshot{DBSnapshotIdentifier: aws.String(id), DBInstanceIdentifier: db.DBInstanceIdentifier,
			DBSnapshotArn: aws.String(fmt.Sprintf("arn:aws:rds:%s:%s:snapshot:%s", reg, acct, id)), SnapshotType: aws.String(typ),
			SnapshotCreateTime: aws.Time(a.ago(30)), Engine: db.Engine, Status: aws.String("available"), Encrypted: db.StorageEncrypted})
	}
	n := 0
	for _, db := range dbs {
		if db.DBClusterIdentifier != nil || len(snaps) >= a.perReg["aws_db_snapshot"][reg] {
			continue
		}
		add(db, "rds:"+*db.DBInstanceIdentifier+"-auto", "automated")
		if n%4 == 0 {
			add(db, *db.DBInstanceIdentifier+"-manual", "manual")
		}
		n++
	}
	err := pages(ctx, g, acct, reg, "rds:DescribeDBSnapshots", "", snaps, 100, func(p []rdstypes.DBSnapshot, more bool, next string) any {
		out := &rds.DescribeDBSnapshotsOutput{DBSnapshots: p}
		if more {
			out.Marker = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for _, s := range snaps {
		if *s.SnapshotType != "manual" {
			continue
		}
		attr := rdstypes.DBSnapshotAttribute{AttributeName: aws.String("restore")}
		switch {
		case a.pct(2):
			attr.AttributeValues = []string{"all"}
		case a.pct(5):
			attr.AttributeValues = []string{"444455556666"}
		}
		out := &rds.DescribeDBSnapshotAttributesOutput{DBSnapshotAttributesResult: &rdstypes.DBSnapshotAttributesResult{
			DBSnapshotIdentifier: s.DBSnapshotIdentifier, DBSnapshotAttributes: []rdstypes.DBSnapshotAttribute{attr}}}
		if err := g.ok(ctx, acct, reg, "rds:DescribeDBSnapshotAttributes", *s.DBSnapshotIdentifier, 0, out); err != nil {
			return err
		}
	}
	return nil
}

// dynamodb writes the table list (100 names a page) and every table's
// description, tags and backup settings.
func (a *account) dynamodb(ctx context.Context, reg string) error {
	g, acct := a.g, a.id
	var names []string
	for i := range a.perReg["aws_dynamodb_table"][reg] {
		names = append(names, fmt.Sprintf("table-%05d", i))
	}
	err := pages(ctx, g, acct, reg, "dynamodb:ListTables", "", names, 100, func(p []string, more bool, _ string) any {
		out := &dynamodb.ListTablesOutput{TableNames: p}
		if more {
			out.LastEvaluatedTableName = aws.String(p[len(p)-1])
		}
		return out
	})
	if err != nil {
		return err
	}
	for i, name := range names {
		arn := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", reg, acct, name)
		t := &ddbtypes.TableDescription{TableName: aws.String(name), TableArn: aws.String(arn), TableId: aws.String(uuid(a.id16(reg, "table", i))),
			TableStatus: ddbtypes.TableStatusActive, CreationDateTime: aws.Time(a.ago(1200)), ItemCount: aws.Int64(int64(i * 1000)),
			TableSizeBytes:       aws.Int64(int64(i * 250000)),
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			BillingModeSummary:   &ddbtypes.BillingModeSummary{BillingMode: ddbtypes.BillingModePayPerRequest}}
		if a.pct(30) {
			t.SSEDescription = &ddbtypes.SSEDescription{Status: ddbtypes.SSEStatusEnabled, SSEType: ddbtypes.SSETypeKms,
				KMSMasterKeyArn: aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", reg, acct, uuid(a.id16(reg, "kms", 1))))}
		}
		if err := g.ok(ctx, acct, reg, "dynamodb:DescribeTable", name, 0, &dynamodb.DescribeTableOutput{Table: t}); err != nil {
			return err
		}
		if err := g.ok(ctx, acct, reg, "dynamodb:ListTagsOfResource", arn, 0, &dynamodb.ListTagsOfResourceOutput{Tags: []ddbtypes.Tag{
			{Key: aws.String("Classification"), Value: aws.String([]string{"PII", "Internal"}[i%2])}}}); err != nil {
			return err
		}
		pitr := ddbtypes.PointInTimeRecoveryStatusDisabled
		if a.pct(50) {
			pitr = ddbtypes.PointInTimeRecoveryStatusEnabled
		}
		if err := g.ok(ctx, acct, reg, "dynamodb:DescribeContinuousBackups", name, 0, &dynamodb.DescribeContinuousBackupsOutput{
			ContinuousBackupsDescription: &ddbtypes.ContinuousBackupsDescription{ContinuousBackupsStatus: ddbtypes.ContinuousBackupsStatusEnabled,
				PointInTimeRecoveryDescription: &ddbtypes.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: pitr}}}); err != nil {
			return err
		}
	}
	return nil
}

// config writes the recorder, its status, the rules and each rule's
// evaluations of resources of the region.
func (a *account) config(ctx context.Context, reg string, instances []string, nw *net) error {
	g, acct := a.g, a.id
	if err := g.ok(ctx, acct, reg, "configservice:DescribeConfigurationRecorders", "", 0, &configservice.DescribeConfigurationRecordersOutput{
		ConfigurationRecorders: []cfgtypes.ConfigurationRecorder{{Name: aws.String("default"),
			RoleARN: aws.String("arn:aws:iam::" + acct + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")}}}); err != nil {
		return err
	}
	if err := g.ok(ctx, acct, reg, "configservice:DescribeConfigurationRecorderStatus", "", 0, &configservice.DescribeConfigurationRecorderStatusOutput{
		ConfigurationRecordersStatus: []cfgtypes.ConfigurationRecorderStatus{{Name: aws.String("default"), Recording: a.pct(90),
			LastStatus: cfgtypes.RecorderStatusSuccess, LastStartTime: aws.Time(a.ago(300))}}}); err != nil {
		return err
	}
	idents := []string{"INCOMING_SSH_DISABLED", "EC2_EBS_ENCRYPTION_BY_DEFAULT", "S3_BUCKET_PUBLIC_READ_PROHIBITED", "IAM_USER_MFA_ENABLED", "ENCRYPTED_VOLUMES"}
	var rules []cfgtypes.ConfigRule
	for i := range a.perReg["aws_config_rule"][reg] {
		id := "config-rule-" + a.id16(reg, "rule", i)[:6]
		rules = append(rules, cfgtypes.ConfigRule{ConfigRuleName: aws.String(fmt.Sprintf("rule-%03d", i)), ConfigRuleId: aws.String(id),
			ConfigRuleArn: aws.String(fmt.Sprintf("arn:aws:config:%s:%s:config-rule/%s", reg, acct, id)), ConfigRuleState: cfgtypes.ConfigRuleStateActive,
			Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(idents[i%len(idents)])}})
	}
	err := pages(ctx, g, acct, reg, "configservice:DescribeConfigRules", "", rules, 25, func(p []cfgtypes.ConfigRule, more bool, next string) any {
		out := &configservice.DescribeConfigRulesOutput{ConfigRules: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	compliance := []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeCompliant, cfgtypes.ComplianceTypeNonCompliant}
	for i, r := range rules {
		var evals []cfgtypes.EvaluationResult
		add := func(typ, id string, k int) {
			evals = append(evals, cfgtypes.EvaluationResult{ComplianceType: compliance[k%2], ResultRecordedTime: aws.Time(a.ago(7)),
				EvaluationResultIdentifier: &cfgtypes.EvaluationResultIdentifier{EvaluationResultQualifier: &cfgtypes.EvaluationResultQualifier{
					ConfigRuleName: r.ConfigRuleName, ResourceType: aws.String(typ), ResourceId: aws.String(id)}}})
		}
		for k := range 10 {
			if len(instances) > 0 {
				add("AWS::EC2::Instance", instances[(i*10+k)%len(instances)], k)
			}
		}
		for k := range 5 {
			add("AWS::EC2::SecurityGroup", nw.sgs[(i*5+k)%len(nw.sgs)], k)
		}
		add("AWS::::Account", acct, i)
		if err := g.ok(ctx, acct, reg, "configservice:GetComplianceDetailsByConfigRule", *r.ConfigRuleName, 0,
			&configservice.GetComplianceDetailsByConfigRuleOutput{EvaluationResults: evals}); err != nil {
			return err
		}
	}
	return nil
}

// apigateway writes REST APIs and their resources, integrated with the
// region's Lambda functions.
func (a *account) apigateway(ctx context.Context, reg string, fns []string) error {
	g, acct := a.g, a.id
	var apis []apigwtypes.RestApi
	for i := range a.perReg["aws_api_gateway_rest_api"][reg] {
		typ := apigwtypes.EndpointTypeRegional
		if i%4 == 3 {
			typ = apigwtypes.EndpointTypePrivate
		}
		apis = append(apis, apigwtypes.RestApi{Id: aws.String(a.id16(reg, "api", i)[:10]), Name: aws.String(fmt.Sprintf("api-%03d", i)),
			CreatedDate: aws.Time(a.ago(900)), ApiKeySource: apigwtypes.ApiKeySourceTypeHeader,
			EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{typ}},
			Tags:                  map[string]string{"Owner": fmt.Sprintf("team-%03d", i%11)}})
	}
	err := pages(ctx, g, acct, reg, "apigateway:GetRestApis", "", apis, 25, func(p []apigwtypes.RestApi, more bool, next string) any {
		out := &apigateway.GetRestApisOutput{Items: p}
		if more {
			out.Position = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for i, api := range apis {
		items := []apigwtypes.Resource{{Id: aws.String(a.id16(reg, "root", i)[:10]), Path: aws.String("/")}}
		if len(fns) > 0 {
			fn := fns[i%len(fns)]
			uri := "arn:aws:apigateway:" + reg + ":lambda:path/2015-03-31/functions/" + fn + "/invocations"
			items = append(items, apigwtypes.Resource{Id: aws.String(a.id16(reg, "res", i)[:6]), ParentId: items[0].Id,
				Path: aws.String("/items"), PathPart: aws.String("items"), ResourceMethods: map[string]apigwtypes.Method{
					"GET": {HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE"),
						MethodIntegration: &apigwtypes.Integration{Type: apigwtypes.IntegrationTypeAwsProxy, HttpMethod: aws.String("POST"), Uri: aws.String(uri)}},
				}})
		}
		if err := g.ok(ctx, acct, reg, "apigateway:GetResources", *api.Id, 0, &apigateway.GetResourcesOutput{Items: items}); err != nil {
			return err
		}
	}
	return nil
}
