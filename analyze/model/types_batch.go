package model

// batchService is the aws_batch placeholder entity.
var batchService = ServiceInfo{Name: "batch", DisplayName: "AWS Batch", Category: []string{"infrastructure"}, Function: []string{"compute"}}

func batchTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_batch_compute_environment", Class: []string{"Configuration"}, Service: "batch",
			Source: op("batch:DescribeComputeEnvironments"), Items: "ComputeEnvironments[]",
			Key: []string{"{ComputeEnvironmentArn}"}, ID: "{ComputeEnvironmentName}", Name: "{ComputeEnvironmentName}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/batch/home?region={region}#compute-environments/detail/{ComputeEnvironmentArn}",
			Props: []Prop{
				{Name: "active", Path: "State", Conv: equals("ENABLED")},
				{Name: "computeResourcesType", Path: "ComputeResources.Type"},
				{Name: "instanceRole", Path: "ComputeResources.InstanceRole"},
				{Name: "spotIamFleetRole", Path: "ComputeResources.SpotIamFleetRole"},
				{Name: "ec2KeyPair", Path: "ComputeResources.Ec2KeyPair"},
				{Name: "instanceTypes", Path: "ComputeResources.InstanceTypes[]"},
				{Name: "minvCpus", Path: "ComputeResources.MinvCpus"},
				{Name: "maxvCpus", Path: "ComputeResources.MaxvCpus"},
				{Name: "subnetIds", Path: "ComputeResources.Subnets[]"},
				{Name: "securityGroupIds", Path: "ComputeResources.SecurityGroupIds[]"},
			},
			// The seed's "ASSIGNED|USES aws_iam_role" (entities.tsv: unclear)
			// is split by field: the service role is the one Batch assumes
			// for the environment (ASSIGNED to it); the instance role
			// (an instance-profile ARN) and the Spot Fleet role are roles
			// the environment's capacity runs with (USES). The subnets
			// are where the environment launches its instances (USES,
			// like an instance's key pair; no seed row).
			Rels: []RelSpec{
				{Verb: "ASSIGNED", Target: "aws_iam_role", Value: "{ServiceRole}", By: "_key"},
				{Verb: "USES", Target: "aws_iam_role", Value: "{ComputeResources.InstanceRole}", By: "instanceProfileArns"},
				// Batch also accepts (and returns) a role or instance profile
				// by [path/]name; made an ARN of the account, it matches (an
				// ARN made this way matches nothing).
				{Verb: "ASSIGNED", Target: "aws_iam_role", Value: "arn:aws:iam::{account}:role/{ServiceRole}", By: "_key"},
				{Verb: "USES", Target: "aws_iam_role", Value: "arn:aws:iam::{account}:instance-profile/{ComputeResources.InstanceRole}", By: "instanceProfileArns"},
				{Verb: "USES", Target: "aws_iam_role", Value: "{ComputeResources.SpotIamFleetRole}", By: "_key"},
				// The ECS cluster Batch created to run the environment's jobs.
				{Verb: "USES", Target: "aws_ecs_cluster", Value: "{EcsClusterArn}", By: "_key"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "ComputeResources.SecurityGroupIds[]", Value: "{@}", By: "id"},
				{Verb: "USES", Target: "aws_subnet", Path: "ComputeResources.Subnets[]", Value: "{@}", By: "id"},
			},
		},
		{
			// From ListJobs per queue with a filter, which lists every
			// status (collect/registry_batch.go): the summary, not
			// DescribeJobs.
			Type: "aws_batch_job", Class: []string{"Process", "Task"}, Service: "batch",
			Source: op("batch:ListJobs"), Items: "JobSummaryList[]",
			Key: []string{"{JobArn}", "arn:aws:batch:{region}:{account}:job/{JobId}"}, ID: "{JobId}", Name: "{JobName}",
			WebLink: "https://console.aws.amazon.com/batch/home?region={region}#jobs/detail/{JobId}",
			Props: []Prop{
				{Name: "state", Path: "Status"},
				{Name: "active", Path: "Status", Conv: equals("RUNNING")},
				{Name: "createdOn", Path: "CreatedAt"},
				{Name: "startedOn", Path: "StartedAt"},
				{Name: "stoppedOn", Path: "StoppedAt"},
				{Name: "exitCode", Path: "Container.ExitCode"},
			},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_batch_job_queue", Reverse: true, Value: "{parent}", By: "_key"},
				{Verb: "USES", Target: "aws_batch_job_definition", Value: "{JobDefinition}", By: "_key"},
			},
		},
		{
			// ACTIVE revisions only (collect/registry_batch.go); several
			// revisions of one name can be active.
			Type: "aws_batch_job_definition", Class: []string{"Configuration", "Function"}, Service: "batch",
			Source: op("batch:DescribeJobDefinitions"), Items: "JobDefinitions[]",
			Key: []string{"{JobDefinitionArn}"}, ID: "{JobDefinitionName}:{Revision}", Name: "{JobDefinitionName}:{Revision}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/batch/home?region={region}#job-definition/detail/{JobDefinitionArn}",
			Props: []Prop{
				{Name: "active", Path: "Status", Conv: equals("ACTIVE")},
				{Name: "image", Path: "ContainerProperties.Image"},
				{Name: "jobRoleArn", Path: "ContainerProperties.JobRoleArn"},
				{Name: "executionRoleArn", Path: "ContainerProperties.ExecutionRoleArn"},
				{Name: "privileged", Path: "ContainerProperties.Privileged"},
				{Name: "readonlyRootFilesystem", Path: "ContainerProperties.ReadonlyRootFilesystem"},
				{Name: "user", Path: "ContainerProperties.User"},
				{Name: "platformCapabilities", Path: "PlatformCapabilities[]"},
				// Names only: the values are redacted by the collector.
				{Name: "environmentNames", Path: "ContainerProperties.Environment[].Name"},
				{Name: "secretNames", Path: "ContainerProperties.Secrets[].Name"},
			},
			Rels: []RelSpec{
				{Verb: "USES", Target: "aws_iam_role", Value: "{ContainerProperties.JobRoleArn}", By: "_key"},
				{Verb: "USES", Target: "aws_iam_role", Value: "{ContainerProperties.ExecutionRoleArn}", By: "_key"},
			},
		},
		{
			Type: "aws_batch_job_queue", Class: []string{"Queue"}, Service: "batch",
			Source: op("batch:DescribeJobQueues"), Items: "JobQueues[]",
			Key: []string{"{JobQueueArn}"}, ID: "{JobQueueName}", Name: "{JobQueueName}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/batch/home?region={region}#queues/detail/{JobQueueArn}",
			Props:   []Prop{{Name: "active", Path: "State", Conv: equals("ENABLED")}},
			// The environments the queue places jobs on, in order (no seed
			// row; entities.tsv names the field).
			Rels: []RelSpec{{Verb: "USES", Target: "aws_batch_compute_environment", Path: "ComputeEnvironmentOrder[]",
				Value: "{ComputeEnvironment}", By: "_key", Props: []Prop{{Name: "order", Path: "Order"}}}},
		},
	}
}
