package model

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
		},
		{
			Type: "aws_rds_cluster", Class: []string{"DataStore", "Database", "Cluster"}, Service: "rds",
			Source: op("rds:DescribeDBClusters"), Items: "DBClusters[]",
			Key: []string{"{DBClusterArn}"}, ID: "{DBClusterIdentifier}", Name: "{DBClusterIdentifier}",
			Created: "ClusterCreateTime", Tags: "TagList",
			WebLink: "https://console.aws.amazon.com/rds/home?region={region}#database:id={DBClusterIdentifier};is-cluster=true",
			Props:   []Prop{{Name: "encrypted", Path: "StorageEncrypted", KeepNull: true}},
			Rels: []RelSpec{{Verb: "CONTAINS", Target: "aws_db_instance", Path: "DBClusterMembers[]", Value: "{DBInstanceIdentifier}", By: "id",
				Props: []Prop{{Name: "isClusterWriter", Path: "IsClusterWriter"}}}},
		},
	}
}
