package synth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2img writes the region's own AMIs (the first seven are the images the
// instances run), EBS snapshots of its volumes with their
// createVolumePermission (a few public, some shared with another account),
// and Auto Scaling groups holding about half of its instances.
func (a *account) ec2img(ctx context.Context, reg string, instances []string) error {
	g, acct := a.g, a.id
	var amis []ec2types.Image
	for i := range a.perReg["aws_ami"][reg] {
		snap := "snap-0" + a.id16(reg, "ami-snapshot", i)
		amis = append(amis, ec2types.Image{ImageId: aws.String("ami-0" + a.id16(reg, "ami", i)), Name: aws.String(fmt.Sprintf("golden-%03d", i)),
			OwnerId: aws.String(acct), CreationDate: aws.String(a.ago(900).Format("2006-01-02T15:04:05.000Z")), Public: aws.Bool(i%25 == 24),
			State: ec2types.ImageStateAvailable, ImageType: ec2types.ImageTypeValuesMachine, Architecture: ec2types.ArchitectureValuesX8664,
			RootDeviceName: aws.String("/dev/xvda"), RootDeviceType: ec2types.DeviceTypeEbs, VirtualizationType: ec2types.VirtualizationTypeHvm,
			BlockDeviceMappings: []ec2types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"),
				Ebs: &ec2types.EbsBlockDevice{SnapshotId: aws.String(snap), Encrypted: aws.Bool(a.pct(70)), VolumeSize: aws.Int32(8)}}},
			Tags: tags("Owner", fmt.Sprintf("team-%03d", i%11))})
	}
	if err := g.ok(ctx, acct, reg, "ec2:DescribeImages", "", 0, &ec2.DescribeImagesOutput{Images: amis}); err != nil {
		return err
	}
	nv := a.perReg["aws_ebs_volume"][reg]
	var snaps []ec2types.Snapshot
	for i := range a.perReg["aws_ebs_snapshot"][reg] {
		vol := "vol-ffffffff" // copied: no source volume
		if nv > 0 && i%10 != 9 {
			vol = "vol-0" + a.id16(reg, "volume", i%nv)
		}
		s := ec2types.Snapshot{SnapshotId: aws.String("snap-0" + a.id16(reg, "snapshot", i)), VolumeId: aws.String(vol), OwnerId: aws.String(acct),
			StartTime: aws.Time(a.ago(400)), State: ec2types.SnapshotStateCompleted, Progress: aws.String("100%"), VolumeSize: aws.Int32(8),
			Encrypted: aws.Bool(a.pct(75)), StorageTier: ec2types.StorageTierStandard}
		if *s.Encrypted {
			s.KmsKeyId = aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", reg, acct, uuid(a.id16(reg, "kms", 0))))
		}
		if i%3 == 0 {
			s.Tags = tags("Name", fmt.Sprintf("backup-%d", i))
		}
		snaps = append(snaps, s)
	}
	err := pages(ctx, g, acct, reg, "ec2:DescribeSnapshots", "", snaps, 1000, func(p []ec2types.Snapshot, more bool, next string) any {
		out := &ec2.DescribeSnapshotsOutput{Snapshots: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	for i, s := range snaps {
		out := &ec2.DescribeSnapshotAttributeOutput{SnapshotId: s.SnapshotId}
		switch {
		case i%50 == 7:
			out.CreateVolumePermissions = []ec2types.CreateVolumePermission{{Group: ec2types.PermissionGroupAll}}
		case i%10 == 3:
			out.CreateVolumePermissions = []ec2types.CreateVolumePermission{{UserId: aws.String(a.other())}}
		}
		if err := g.ok(ctx, acct, reg, "ec2:DescribeSnapshotAttribute", *s.SnapshotId, 0, out); err != nil {
			return err
		}
	}
	var groups []astypes.AutoScalingGroup
	n := a.perReg["aws_autoscaling_group"][reg]
	for i := range n {
		name := fmt.Sprintf("asg-%04d", i)
		grp := astypes.AutoScalingGroup{AutoScalingGroupName: aws.String(name),
			AutoScalingGroupARN: aws.String(fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s", reg, acct, uuid(a.id16(reg, "asg", i)), name)),
			CreatedTime:         aws.Time(a.ago(900)), MinSize: aws.Int32(1), MaxSize: aws.Int32(10), DefaultCooldown: aws.Int32(300),
			HealthCheckType: aws.String("EC2"), HealthCheckGracePeriod: aws.Int32(300), AvailabilityZones: []string{reg + "a", reg + "b"},
			LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-0" + a.id16(reg, "lt", i)),
				LaunchTemplateName: aws.String(name), Version: aws.String("$Latest")},
			Tags: []astypes.TagDescription{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%11)),
				PropagateAtLaunch: aws.Bool(true), ResourceId: aws.String(name), ResourceType: aws.String("auto-scaling-group")}}}
		// Group i holds every instance j with j%(2n) == i: half of them.
		for j := i; j < len(instances); j += 2 * n {
			grp.Instances = append(grp.Instances, astypes.Instance{InstanceId: aws.String(instances[j]), AvailabilityZone: aws.String(reg + "a"),
				HealthStatus: aws.String("Healthy"), LifecycleState: astypes.LifecycleStateInService, ProtectedFromScaleIn: aws.Bool(false)})
		}
		grp.DesiredCapacity = aws.Int32(int32(max(1, len(grp.Instances))))
		groups = append(groups, grp)
	}
	return pages(ctx, g, acct, reg, "autoscaling:DescribeAutoScalingGroups", "", groups, 50, func(p []astypes.AutoScalingGroup, more bool, next string) any {
		out := &autoscaling.DescribeAutoScalingGroupsOutput{AutoScalingGroups: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
}
