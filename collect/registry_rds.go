package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

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
