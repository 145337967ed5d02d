package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// manualSnapshots are the identifiers of the manual DB snapshots of a page:
// only those can be shared (ModifyDBSnapshotAttribute), so only those cost
// a DescribeDBSnapshotAttributes call; automated snapshots are private.
func manualSnapshots(o *rds.DescribeDBSnapshotsOutput) []string {
	var out []string
	for _, s := range o.DBSnapshots {
		if s.DBSnapshotIdentifier != nil && s.SnapshotType != nil && *s.SnapshotType == "manual" {
			out = append(out, *s.DBSnapshotIdentifier)
		}
	}
	return out
}

// A pending master password change is answered masked; never trust it.
func rdsCalls() []Call {
	return []Call{
		{Scope: Regional,
			Redact:    []string{"DBClusters[].PendingModifiedValues.MasterUserPassword"},
			NotSecret: rdsSecretRefs("DBClusters"),
			Run:       paged(rds.NewDescribeDBClustersPaginator, none)},
		{Scope: Regional,
			Redact: []string{"DBInstances[].PendingModifiedValues.MasterUserPassword"},
			NotSecret: merge(rdsSecretRefs("DBInstances"), map[string]string{
				"DBInstances[].TdeCredentialArn": "ARN of the TDE key-store credential, not the credential",
			}),
			Run: paged(rds.NewDescribeDBInstancesPaginator, none)},
		perParent(keys(manualSnapshots), single((*rds.Client).DescribeDBSnapshotAttributes,
			field[rds.DescribeDBSnapshotAttributesInput]("DBSnapshotIdentifier"))),
		{Scope: Regional,
			NotSecret: map[string]string{
				"DBSnapshots[].TdeCredentialArn": "ARN of the TDE key-store credential, not the credential",
			},
			Run: paged(rds.NewDescribeDBSnapshotsPaginator, none)},
	}
}

// rdsSecretRefs are the RDS fields that name a Secrets Manager secret
// without holding it, under the list field of DBCluster or DBInstance.
func rdsSecretRefs(list string) map[string]string {
	return map[string]string{
		list + "[].MasterUserSecret":                  "ARN, status and KMS key of the Secrets Manager secret; the password is not returned",
		list + "[].DomainMemberships[].AuthSecretArn": "ARN of the Secrets Manager secret for the domain join, not its value",
	}
}
