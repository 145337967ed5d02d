package model

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// benchSource is a synthetic region: n instances (each with a volume and
// one of n/10 security groups with two ingress rules), 100 items per page.
func benchSource(b *testing.B, n int) *memSource {
	src := &memSource{}
	const perPage = 100
	sgs := n / 10
	for p := 0; p*perPage < sgs; p++ {
		var page []ec2types.SecurityGroup
		for i := p * perPage; i < min(sgs, (p+1)*perPage); i++ {
			page = append(page, ec2types.SecurityGroup{
				GroupId: aws.String(fmt.Sprintf("sg-%06d", i)), GroupName: aws.String(fmt.Sprintf("sg%d", i)), VpcId: aws.String("vpc-1"),
				IpPermissions: []ec2types.IpPermission{
					{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
					{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []ec2types.IpRange{{CidrIp: aws.String(fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256))}}},
				},
			})
		}
		src.ok(b, op("ec2:DescribeSecurityGroups"), acct, region, "", &ec2.DescribeSecurityGroupsOutput{SecurityGroups: page})
	}
	for p := 0; p*perPage < n; p++ {
		var insts []ec2types.Instance
		var vols []ec2types.Volume
		for i := p * perPage; i < min(n, (p+1)*perPage); i++ {
			id, vol := fmt.Sprintf("i-%08d", i), fmt.Sprintf("vol-%08d", i)
			insts = append(insts, ec2types.Instance{
				InstanceId: aws.String(id), InstanceType: ec2types.InstanceTypeT3Micro, LaunchTime: aws.Time(t0),
				State: &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning}, PrivateDnsName: aws.String(id + ".internal"),
				PrivateIpAddress: aws.String(fmt.Sprintf("10.1.%d.%d", i/250%250, i%250)),
				SecurityGroups:   []ec2types.GroupIdentifier{{GroupId: aws.String(fmt.Sprintf("sg-%06d", i%max(sgs, 1)))}},
				BlockDeviceMappings: []ec2types.InstanceBlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"),
					Ebs: &ec2types.EbsInstanceBlockDevice{VolumeId: aws.String(vol)}}},
				Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(id)}, {Key: aws.String("Owner"), Value: aws.String("team")}},
			})
			vols = append(vols, ec2types.Volume{VolumeId: aws.String(vol), Encrypted: aws.Bool(i%2 == 0), CreateTime: aws.Time(t0), Size: aws.Int32(8)})
		}
		src.ok(b, op("ec2:DescribeInstances"), acct, region, "", &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{{Instances: insts}}})
		src.ok(b, op("ec2:DescribeVolumes"), acct, region, "", &ec2.DescribeVolumesOutput{Volumes: vols})
	}
	return src
}

// BenchmarkBuild measures building the graph from stored rows (JSON
// decoding included): entities/s is the figure to watch.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			src := benchSource(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			var ents, rels int
			for b.Loop() {
				g, err := Build(context.Background(), src)
				if err != nil {
					b.Fatal(err)
				}
				ents, rels = g.Len()
			}
			b.ReportMetric(float64(ents)*float64(b.N)/b.Elapsed().Seconds(), "entities/s")
			b.ReportMetric(float64(rels), "relationships")
		})
	}
}

// BenchmarkDecode compares the checked decoder with the plain
// encoding/json decode it replaced, on one page of 100 instances.
func BenchmarkDecode(b *testing.B) {
	src := benchSource(b, 100)
	resp := src.rows[op("ec2:DescribeInstances")][0].Response
	cs, err := shapeOf(op("ec2:DescribeInstances"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("checked", func(b *testing.B) {
		b.SetBytes(int64(len(resp)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeResponse(resp, cs.shape); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(resp)))
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(strings.NewReader(resp))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
