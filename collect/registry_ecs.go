package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ECS lists ARNs and describes them in batches (batch.go): clusters and
// tasks 100 per request, container instances 100, services 10; task
// definitions one per request. The per-cluster lists run once per
// cluster ARN, and their batches carry the cluster (scopedBatchesAt), which
// the describe calls need for any cluster but "default".
func ecsCalls() []Call {
	clusters := keysAt[ecs.ListClustersOutput]("ClusterArns[]")
	return []Call{
		perParent(batchesAt[ecs.ListClustersOutput]("ClusterArns[]", 100),
			single((*ecs.Client).DescribeClusters, batchInput(func(in *ecs.DescribeClustersInput, arns []string) {
				in.Clusters = arns
				in.Include = []ecstypes.ClusterField{ecstypes.ClusterFieldTags, ecstypes.ClusterFieldSettings, ecstypes.ClusterFieldConfigurations}
			}))),
		perParent(scopedBatchesAt[ecs.ListContainerInstancesOutput]("ContainerInstanceArns[]", 100),
			single((*ecs.Client).DescribeContainerInstances, scopedBatchInput(func(in *ecs.DescribeContainerInstancesInput, cluster string, arns []string) {
				in.Cluster, in.ContainerInstances = &cluster, arns
				in.Include = []ecstypes.ContainerInstanceField{ecstypes.ContainerInstanceFieldTags}
			}))),
		{Keys: scopedBatchesAt[ecs.ListServicesOutput]("ServiceArns[]", 10), Scope: PerParent,
			Run: single((*ecs.Client).DescribeServices, scopedBatchInput(func(in *ecs.DescribeServicesInput, cluster string, arns []string) {
				in.Cluster, in.Services = &cluster, arns
				in.Include = []ecstypes.ServiceField{ecstypes.ServiceFieldTags}
			})),
			NotSecret: map[string]string{"Services[].Deployments[].ServiceConnectConfiguration.LogConfiguration.SecretOptions": secretRefs}},
		{Keys: keysAt[ecs.ListTaskDefinitionsOutput]("TaskDefinitionArns[]"), Scope: PerParent,
			Run: single((*ecs.Client).DescribeTaskDefinition, func(arn string) *ecs.DescribeTaskDefinitionInput {
				return &ecs.DescribeTaskDefinitionInput{TaskDefinition: &arn, Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}}
			}),
			// Environment values are configuration that often holds
			// passwords and tokens: only the names are kept. Secrets are
			// given to containers by reference (valueFrom ARNs), which stay.
			Redact: []string{"TaskDefinition.ContainerDefinitions[].Environment[].Value"},
			NotSecret: map[string]string{
				"TaskDefinition.ContainerDefinitions[].CredentialSpecs":                                                     "ARNs of the gMSA credential spec files in S3 or SSM, not their content",
				"TaskDefinition.ContainerDefinitions[].EnvironmentFiles":                                                    envFiles,
				"TaskDefinition.ContainerDefinitions[].LinuxParameters":                                                     "kernel capabilities, devices, tmpfs and shared memory settings",
				"TaskDefinition.ContainerDefinitions[].LogConfiguration.SecretOptions":                                      secretRefs,
				"TaskDefinition.ContainerDefinitions[].RepositoryCredentials":                                               "ARN of the Secrets Manager secret with the registry login, not the login",
				"TaskDefinition.ContainerDefinitions[].Secrets":                                                             secretRefs,
				"TaskDefinition.Volumes[].FsxWindowsFileServerVolumeConfiguration.AuthorizationConfig.CredentialsParameter": "ARN of the secret or SSM parameter with the domain login, not the login",
			}},
		{Keys: scopedBatchesAt[ecs.ListTasksOutput]("TaskArns[]", 100), Scope: PerParent,
			Run: single((*ecs.Client).DescribeTasks, scopedBatchInput(func(in *ecs.DescribeTasksInput, cluster string, arns []string) {
				in.Cluster, in.Tasks = &cluster, arns
				in.Include = []ecstypes.TaskField{ecstypes.TaskFieldTags}
			})),
			// A run's overrides may set environment values, as task
			// definitions do.
			Redact:    []string{"Tasks[].Overrides.ContainerOverrides[].Environment[].Value"},
			NotSecret: map[string]string{"Tasks[].Overrides.ContainerOverrides[].EnvironmentFiles": envFiles}},
		regional(paged(ecs.NewListClustersPaginator, none)),
		perParent(clusters, paged(ecs.NewListContainerInstancesPaginator, field[ecs.ListContainerInstancesInput]("Cluster"))),
		perParent(clusters, paged(ecs.NewListServicesPaginator, field[ecs.ListServicesInput]("Cluster"))),
		regional(paged(ecs.NewListTaskDefinitionsPaginator, none)),
		perParent(clusters, paged(ecs.NewListTasksPaginator, field[ecs.ListTasksInput]("Cluster"))),
	}
}

// Reasons shared by the ECS records: containers get secrets by reference.
const (
	secretRefs = "names and valueFrom ARNs of Secrets Manager secrets or SSM parameters, not their values"
	envFiles   = "S3 object ARNs of environment files; their content is not returned"
)
