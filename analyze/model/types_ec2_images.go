package model

// EC2 images: the AMIs and EBS snapshots the account owns (the collector
// asks for Owners/OwnerIds "self"). They hang under the aws_ec2 placeholder
// of types_ec2.go.
//
// Two relationships start on another type's item: an instance's ImageId
// (aws_instance USES aws_ami) and a volume's SnapshotId (aws_ebs_volume
// USES aws_ebs_snapshot). They are declared here, read from those calls'
// rows (RelSpec.Call), so the image records say everything that links to
// an image; only AMIs and snapshots of the account are entities, so an
// instance of a public AMI has no USES edge (its imageId property stays).
func ec2ImageTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_ami", Class: []string{"Image"}, Service: "ec2",
			Source: op("ec2:DescribeImages"), Items: "Images[]",
			Key: []string{"arn:aws:ec2:{region}::image/{ImageId}"}, ID: "{ImageId}", Name: "{Name}",
			Created: "CreationDate", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#ImageDetails:imageId={ImageId}",
			Props: []Prop{
				// Public is the launch permission of group "all"; the
				// accounts an AMI is shared with are not collected.
				{Name: "public", Path: "Public", KeepNull: true},
				{Name: "encrypted", Path: "BlockDeviceMappings[].Ebs.Encrypted", Conv: allTrue, KeepNull: true},
				{Name: "snapshotIds", Path: "BlockDeviceMappings[].Ebs.SnapshotId"},
			},
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_instance", Reverse: true, Call: op("ec2:DescribeInstances"), Items: "Reservations[].Instances[]",
					OwnerMatch: "{ImageId}", OwnerBy: "id", Value: "{InstanceId}", By: "id"},
			},
		},
		{
			Type: "aws_ebs_snapshot", Class: []string{"DataStore", "Disk", "Image"}, Service: "ec2",
			Source: op("ec2:DescribeSnapshots"), Items: "Snapshots[]",
			Key: []string{"arn:aws:ec2:{region}::snapshot/{SnapshotId}"}, ID: "{SnapshotId}", Name: "{SnapshotId}",
			Created: "StartTime", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ec2/v2/home?region={region}#Snapshots:snapshotId={SnapshotId}",
			Props:   []Prop{{Name: "encrypted", Path: "Encrypted", KeepNull: true}},
			// createVolumePermission: group "all" makes the snapshot public;
			// user ids are the other accounts it is shared with. Where the
			// call failed, public/shared stay unset (unknown).
			Enrich: []Enrichment{{
				Call: op("ec2:DescribeSnapshotAttribute"), By: "id",
				Props: []Prop{
					{Name: "public", Path: "CreateVolumePermissions[].Group", Conv: has("all")},
					{Name: "shared", Path: "CreateVolumePermissions[].UserId", Conv: present},
					{Name: "sharedWithAccounts", Path: "CreateVolumePermissions[].UserId", Default: []any{}},
				},
			}},
			Rels: []RelSpec{
				// The volume the snapshot was taken from; a copied
				// snapshot names vol-ffffffff.
				{Verb: "HAS", Target: "aws_ebs_volume", Reverse: true, Value: "{VolumeId}", Conv: except("vol-ffffffff"), By: "id"},
				// The volumes restored from the snapshot.
				{Verb: "USES", Target: "aws_ebs_volume", Reverse: true, Call: op("ec2:DescribeVolumes"), Items: "Volumes[]",
					OwnerMatch: "{SnapshotId}", OwnerBy: "id", Value: "{VolumeId}", By: "id"},
			},
		},
	}
}
