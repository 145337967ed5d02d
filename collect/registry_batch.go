package collect

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
)

func batchCalls() []Call {
	return []Call{
		{Scope: Regional,
			NotSecret: map[string]string{
				"ComputeEnvironments": "Batch compute environments (capacity pools, not process environments): names, ARNs, sizes, subnets, roles, launch template IDs",
			},
			Run: paged(batch.NewDescribeComputeEnvironmentsPaginator, none)},
		{Scope: Regional,
			// Container environment variables (and default parameter
			// values) are where job definitions keep database passwords
			// and API tokens in the clear: only their names are kept.
			// The secure places (Secrets, secret volumes, repository
			// credentials) hold ARNs and names, never the values.
			Redact:    slices.Concat([]string{"JobDefinitions[].Parameters{}"}, jobContainers("JobDefinitions[]."), jobContainers(nodeRanges)),
			NotSecret: merge(jobContainerRefs("JobDefinitions[]."), jobContainerRefs(nodeRanges)),
			Run:       paged(batch.NewDescribeJobDefinitionsPaginator, activeJobDefinitions)},
		{Scope: Regional,
			NotSecret: map[string]string{
				"JobQueues[].ComputeEnvironmentOrder": "ARNs of the compute environments the queue feeds, in order",
				"JobQueues[].ServiceEnvironmentOrder": "ARNs of the service environments the queue feeds, in order",
			},
			Run: paged(batch.NewDescribeJobQueuesPaginator, none)},
		perParent(keysAt[batch.DescribeJobQueuesOutput]("JobQueues[].JobQueueArn"), paged(batch.NewListJobsPaginator, jobsOfAnyStatus)),
	}
}

// nodeRanges prefixes the container paths of multi-node job definitions.
const nodeRanges = "JobDefinitions[].NodeProperties.NodeRangeProperties[]."

// jobContainers are the environment variable values of every container of
// a job definition (ECS, Fargate and EKS forms) below prefix.
func jobContainers(prefix string) []string {
	return []string{
		prefix + containerOf(prefix) + ".Environment[].Value",
		prefix + "EcsProperties.TaskProperties[].Containers[].Environment[].Value",
		prefix + "EksProperties.PodProperties.Containers[].Env[].Value",
		prefix + "EksProperties.PodProperties.InitContainers[].Env[].Value",
	}
}

// jobContainerRefs are the secret-looking container fields below prefix
// that only name or point to a secret.
func jobContainerRefs(prefix string) map[string]string {
	out := map[string]string{
		prefix + "EksProperties.PodProperties.ImagePullSecrets": "names of Kubernetes secrets holding registry credentials, not their contents",
		prefix + "EksProperties.PodProperties.Volumes[].Secret": "name of the Kubernetes secret mounted as a volume, not its contents",
	}
	for _, c := range []string{containerOf(prefix), "EcsProperties.TaskProperties[].Containers[]"} {
		maps.Copy(out, map[string]string{
			prefix + c + ".LinuxParameters":                "Linux device, tmpfs and swap settings of the container",
			prefix + c + ".LogConfiguration.SecretOptions": "names and Secrets Manager/SSM ARNs of log driver secrets, never their values",
			prefix + c + ".RepositoryCredentials":          "ARN of the Secrets Manager secret with the registry credentials, not the credentials",
			prefix + c + ".Secrets":                        "names and Secrets Manager/SSM ARNs of the secrets injected at run time, never their values",
		})
	}
	return out
}

// containerOf names the single-container field below prefix: a multi-node
// range calls it Container, a job definition ContainerProperties.
func containerOf(prefix string) string {
	if prefix == nodeRanges {
		return "Container"
	}
	return "ContainerProperties"
}

// activeJobDefinitions asks for the ACTIVE revisions only: deregistered
// (INACTIVE) revisions cannot run any more and would outnumber them.
func activeJobDefinitions(string) *batch.DescribeJobDefinitionsInput {
	return &batch.DescribeJobDefinitionsInput{Status: aws.String("ACTIVE")}
}

// jobsOfAnyStatus lists the jobs of one queue in every status with one
// paged call: without a filter ListJobs returns only RUNNING jobs, and
// with one "the jobStatus parameter is ignored and jobs with any status
// are returned" (ListJobs API reference). AFTER_CREATED_AT 0 (epoch
// milliseconds) matches every job, so SUBMITTED, PENDING, RUNNABLE,
// STARTING, RUNNING, SUCCEEDED and FAILED jobs come in one listing rather
// than seven calls per queue. Finished jobs are listed only as long as
// Batch retains them (about a week). Child jobs of array and multi-node
// jobs are not listed (the filter does not apply to them): their parent
// job is.
func jobsOfAnyStatus(queue string) *batch.ListJobsInput {
	return &batch.ListJobsInput{JobQueue: &queue,
		Filters: []batchtypes.KeyValuesPair{{Name: aws.String("AFTER_CREATED_AT"), Values: []string{"0"}}}}
}
