package model

// workspacesService is the aws_workspaces placeholder entity.
var workspacesService = ServiceInfo{Name: "workspaces", DisplayName: "AWS WorkSpaces", Category: []string{"infrastructure"}, Function: []string{"desktop-virtualization"}}

// WorkSpaces directories and their users are not entity types (the spec
// has none), so a workspace has no directory or user relationship: it
// keeps directoryId and userName as properties.
func workspacesTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_workspace", Class: []string{"Host"}, Service: "workspaces",
			Source: op("workspaces:DescribeWorkspaces"), Items: "Workspaces[]",
			Key: []string{"arn:aws:workspaces:{region}:{account}:workspace/{WorkspaceId}"}, ID: "{WorkspaceId}", Name: "{ComputerName}",
			WebLink: "https://console.aws.amazon.com/workspaces/home?region={region}#listworkspaces:search={WorkspaceId}",
			Skip:    []string{"VolumeEncryptionKey"},
			Props: []Prop{
				{Name: "hostname", Path: "ComputerName", KeepNull: true},
				{Name: "active", Path: "State", Conv: equals("AVAILABLE")},
				{Name: "rootVolumeEncryptionEnabled", Path: "RootVolumeEncryptionEnabled", KeepNull: true},
				{Name: "userVolumeEncryptionEnabled", Path: "UserVolumeEncryptionEnabled", KeepNull: true},
				{Name: "kmsKeyId", Path: "VolumeEncryptionKey"},
				{Name: "runningMode", Path: "WorkspaceProperties.RunningMode"},
				{Name: "computeTypeName", Path: "WorkspaceProperties.ComputeTypeName"},
				{Name: "protocols", Path: "WorkspaceProperties.Protocols"},
				{Name: "rootVolumeSizeGib", Path: "WorkspaceProperties.RootVolumeSizeGib"},
				{Name: "userVolumeSizeGib", Path: "WorkspaceProperties.UserVolumeSizeGib"},
			},
			Enrich: []Enrichment{{Call: op("workspaces:DescribeTags"), By: "id", Tags: "TagList"}},
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_workspaces_bundle", Value: "{BundleId}", By: "id"},
				{Verb: "HAS", Target: "aws_subnet", Reverse: true, Value: "{SubnetId}", By: "id"},
			},
		},
		{
			// The account's own bundles and the AWS-owned bundles its
			// workspaces use (collect/registry_workspaces.go). AWS's ARN of an AWS-owned
			// bundle has no account (arn:aws:workspaces:REGION::workspacebundle/ID)
			// and is shared by every account; the key puts the collecting
			// account in it so that each account of a snapshot has its own
			// copy, which its workspaces find by id. Not AWS's ARN then:
			// SyntheticKey, no `arn` property.
			Type: "aws_workspaces_bundle", Class: []string{"Configuration"}, Service: "workspaces",
			Source: op("workspaces:DescribeWorkspaceBundles"), Items: "Bundles[]",
			Key: []string{"arn:aws:workspaces:{region}:{account}:workspacebundle/{BundleId}"}, SyntheticKey: true,
			ID: "{BundleId}", Name: "{Name}", Created: "CreationTime",
			WebLink: "https://console.aws.amazon.com/workspaces/home?region={region}#listbundles:",
			// Owner is not flattened: J1's `owner` is the Owner tag.
			Skip: []string{"Owner"},
			Props: []Prop{
				{Name: "bundleOwner", Path: "Owner"},
				{Name: "awsOwned", Path: "Owner", Conv: equals("AMAZON")},
				{Name: "computeTypeName", Path: "ComputeType.Name"},
				{Name: "rootStorageCapacity", Path: "RootStorage.Capacity"},
				{Name: "userStorageCapacity", Path: "UserStorage.Capacity"},
			},
		},
	}
}
