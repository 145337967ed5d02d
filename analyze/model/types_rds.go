package model

import "slices"

// rdsService is the aws_rds placeholder entity.
var rdsService = ServiceInfo{Name: "rds", DisplayName: "AWS RDS", Category: []string{"infrastructure"}, Function: []string{"database"}}

func rdsTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_db_instance", Class: []string{"DataStore", "Database", "Host"}, Service: "rds",
			Source: op("rds:DescribeDBInstances"), Items: "DBInstances[]",
			Key: []string{"{DBInstanceArn}"}, ID: "{DBInstanceIdentifier}", Name: "{DBInstanceIdentifier}",
			Created: "InstanceCreateTime", Tags: "TagList",
			WebLink: "https://console.aws.amazon.com/rds/home?region={region}#database:id={DBInstanceIdentifier};is-cluster=false",
			Props: []Prop{
				{Name: "encrypted", Path: "StorageEncrypted", KeepNull: true},
				{Name: "hostname", Path: "Endpoint.Address", KeepNull: true},
				{Name: "port", Path: "Endpoint.Port"},
				{Name: "vpcId", Path: "DBSubnetGroup.VpcId"},
				{Name: "securityGroupIds", Path: "VpcSecurityGroups[].VpcSecurityGroupId"},
			},
			// Not a spec row: its VPC security groups PROTECT it, as for
			// every type that carries security groups (issue 6).
			Rels: []RelSpec{{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "VpcSecurityGroups[]", Value: "{VpcSecurityGroupId}", By: "id"}},
		},
		{
			Type: "aws_db_snapshot", Class: []string{"DataStore", "Database", "Image"}, Service: "rds",
			Source: op("rds:DescribeDBSnapshots"), Items: "DBSnapshots[]",
			Key: []string{"{DBSnapshotArn}"}, ID: "{DBSnapshotIdentifier}", Name: "{DBSnapshotIdentifier}",
			Created: "SnapshotCreateTime", Tags: "TagList",
			WebLink: "https://console.aws.amazon.com/rds/home?region={region}#db-snapshot:id={DBSnapshotIdentifier}",
			Props: []Prop{
				{Name: "encrypted", Path: "Encrypted", KeepNull: true},
				{Name: "snapshotType", Path: "SnapshotType"},
				{Name: "public", Path: "SnapshotType", Conv: falseIfAutomated},
				{Name: "shared", Path: "SnapshotType", Conv: falseIfAutomated},
			},
			// The restore attribute lists the accounts that may copy or
			// restore a manual snapshot; "all" makes it public. Automated
			// snapshots cannot be shared: public and shared are false
			// without a call; for a manual one whose call failed they stay
			// unknown (null).
			Enrich: []Enrichment{{
				Call: op("rds:DescribeDBSnapshotAttributes"), By: "id",
				Props: []Prop{
					{Name: "public", Path: "DBSnapshotAttributesResult.DBSnapshotAttributes[]", Conv: restorePublic},
					{Name: "shared", Path: "DBSnapshotAttributesResult.DBSnapshotAttributes[]", Conv: restoreShared},
					{Name: "sharedWithAccounts", Path: "DBSnapshotAttributesResult.DBSnapshotAttributes[]", Conv: restoreAccounts},
				},
			}},
			Rels: []RelSpec{{Verb: "CONTAINS", Target: "aws_db_instance", Reverse: true, Value: "{DBInstanceIdentifier}", By: "id"}},
		},
		{
			Type: "aws_rds_cluster", Class: []string{"DataStore", "Database", "Cluster"}, Service: "rds",
			Source: op("rds:DescribeDBClusters"), Items: "DBClusters[]",
			Key: []string{"{DBClusterArn}"}, ID: "{DBClusterIdentifier}", Name: "{DBClusterIdentifier}",
			Created: "ClusterCreateTime", Tags: "TagList",
			WebLink: "https://console.aws.amazon.com/rds/home?region={region}#database:id={DBClusterIdentifier};is-cluster=true",
			Props: []Prop{
				{Name: "encrypted", Path: "StorageEncrypted", KeepNull: true},
				{Name: "securityGroupIds", Path: "VpcSecurityGroups[].VpcSecurityGroupId"},
			},
			Rels: []RelSpec{
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "VpcSecurityGroups[]", Value: "{VpcSecurityGroupId}", By: "id"},
				{Verb: "CONTAINS", Target: "aws_db_instance", Path: "DBClusterMembers[]", Value: "{DBInstanceIdentifier}", By: "id",
					Props: []Prop{{Name: "isClusterWriter", Path: "IsClusterWriter"}}}},
		},
	}
}

// restoreValues are the values of a manual DB snapshot's restore
// attribute: account ids, or "all" for a public snapshot.
func restoreValues(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, e := range l {
		if scalarString(lookup(e, "AttributeName")) != "restore" {
			continue
		}
		vals, _ := lookup(e, "AttributeValues").([]any)
		for _, x := range vals {
			out = append(out, scalarString(x))
		}
	}
	return out
}

func restorePublic(v any) (any, error) { return slices.Contains(restoreValues(v), "all"), nil }

func restoreAccounts(v any) (any, error) {
	out := []any{}
	for _, a := range restoreValues(v) {
		if a != "all" {
			out = append(out, a)
		}
	}
	return out, nil
}

func restoreShared(v any) (any, error) {
	l, _ := restoreAccounts(v)
	return len(l.([]any)) > 0, nil
}

// falseIfAutomated is false for an automated DB snapshot (it cannot be
// shared) and unknown otherwise.
func falseIfAutomated(v any) (any, error) {
	if scalarString(v) == "automated" {
		return false, nil
	}
	return nil, nil
}
