package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/eks"
)

func eksCalls() []Call {
	return []Call{
		{Keys: keysAt[eks.ListClustersOutput]("Clusters[]"), Scope: PerParent,
			Run: single((*eks.Client).DescribeCluster, field[eks.DescribeClusterInput]("Name")),
			// A registered (EKS Connector) cluster's activation code
			// registers an agent as the cluster: a credential.
			Redact: []string{"Cluster.ConnectorConfig.ActivationCode"},
			NotSecret: map[string]string{
				"Cluster.ClientRequestToken": "idempotency token the creator chose for CreateCluster; authorizes nothing",
			}},
		regional(paged(eks.NewListClustersPaginator, none)),
	}
}
