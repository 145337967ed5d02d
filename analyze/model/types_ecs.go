package model

// ecsService is the aws_ecs placeholder entity.
var ecsService = ServiceInfo{Name: "ecs", DisplayName: "AWS ECS", Category: []string{"infrastructure"}, Function: []string{"compute"}}

// ECS entities come from the batched Describe calls (collect/batch.go).
// The spec hangs clusters and task definitions under aws_ecs, and services,
// container instances and tasks under their cluster.
func ecsTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_ecs_cluster", Class: []string{"Cluster"}, Service: "ecs",
			Source: op("ecs:DescribeClusters"), Items: "Clusters[]",
			Key: []string{"{ClusterArn}"}, ID: "{ClusterArn}", Name: "{ClusterName}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/ecs/v2/clusters/{ClusterName}?region={region}",
			Props: []Prop{
				{Name: "active", Path: "Status", Conv: equals("ACTIVE")},
				{Name: "containerInsights", Path: "Settings[]", Conv: valueNamed("containerInsights")},
				{Name: "executeCommandLogging", Path: "Configuration.ExecuteCommandConfiguration.Logging"},
				{Name: "executeCommandKmsKeyId", Path: "Configuration.ExecuteCommandConfiguration.KmsKeyId"},
				{Name: "capacityProviders", Path: "CapacityProviders[]"},
			},
		},
		{
			Type: "aws_ecs_container_instance", Class: []string{"Host", "Container"},
			Source: op("ecs:DescribeContainerInstances"), Items: "ContainerInstances[]",
			Key: []string{"{ContainerInstanceArn}"}, ID: "{ContainerInstanceArn}", Name: "{Ec2InstanceId}",
			Created: "RegisteredAt", Tags: "Tags",
			Props: []Prop{
				// entities.tsv: Host's hostname is the EC2 instance id.
				{Name: "hostname", Path: "Ec2InstanceId", KeepNull: true},
				{Name: "active", Path: "Status", Conv: equals("ACTIVE")},
				{Name: "agentVersion", Path: "VersionInfo.AgentVersion"},
				{Name: "dockerVersion", Path: "VersionInfo.DockerVersion"},
			},
			Rels: []RelSpec{
				// The item does not name its cluster: the batch's scope
				// (the row's parent key) does.
				{Verb: "HAS", Target: "aws_ecs_cluster", Reverse: true, Value: "{parent}", Conv: batchScope, By: "_key"},
				{Verb: "RUNS", Target: "aws_instance", Reverse: true, Value: "{Ec2InstanceId}", By: "id"},
			},
		},
		{
			Type: "aws_ecs_service", Class: []string{"Service"},
			Source: op("ecs:DescribeServices"), Items: "Services[]",
			Key: []string{"{ServiceArn}"}, ID: "{ServiceArn}", Name: "{ServiceName}", Created: "CreatedAt", Tags: "Tags",
			Props: []Prop{
				{Name: "active", Path: "Status", Conv: equals("ACTIVE")},
				{Name: "deploymentIds", Path: "Deployments[].Id"},
				{Name: "subnetIds", Path: "NetworkConfiguration.AwsvpcConfiguration.Subnets[]"},
				{Name: "securityGroupIds", Path: "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[]"},
				{Name: "assignPublicIp", Path: "NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"},
				{Name: "targetGroupArns", Path: "LoadBalancers[].TargetGroupArn"},
			},
			Constants: map[string]any{"category": []string{"infrastructure"}, "function": []string{"compute"}},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_ecs_cluster", Reverse: true, Value: "{ClusterArn}", By: "_key"},
				// The service's task definition, and those of its
				// deployments in flight (an update rolling to a revision).
				{Verb: "DEFINES", Target: "aws_ecs_task_definition", Reverse: true, Value: "{TaskDefinition}", By: "_key"},
				{Verb: "DEFINES", Target: "aws_ecs_task_definition", Reverse: true, Path: "Deployments[]", Value: "{TaskDefinition}", By: "_key"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true,
					Path: "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[]", Value: "{@}", By: "id"},
			},
		},
		{
			Type: "aws_ecs_task", Class: []string{"Task", "Process"},
			Source: op("ecs:DescribeTasks"), Items: "Tasks[]",
			// A task has no name: its group (service:NAME or family:NAME).
			Key: []string{"{TaskArn}"}, ID: "{TaskArn}", Name: "{Group}", Created: "CreatedAt", Tags: "Tags",
			Props: []Prop{
				{Name: "state", Path: "LastStatus"},
				{Name: "active", Path: "LastStatus", Conv: equals("RUNNING")},
				{Name: "images", Path: "Containers[].Image"},
				{Name: "subnetId", Path: "Attachments[].Details[]", Conv: valueNamed("subnetId")},
				{Name: "privateIpAddress", Path: "Attachments[].Details[]", Conv: valueNamed("privateIPv4Address")},
			},
			Rels: []RelSpec{
				{Verb: "RUNS", Target: "aws_ecs_cluster", Reverse: true, Value: "{ClusterArn}", By: "_key"},
				{Verb: "RUNS", Target: "aws_ecs_container_instance", Reverse: true, Value: "{ContainerInstanceArn}", By: "_key"},
				{Verb: "DEFINES", Target: "aws_ecs_task_definition", Reverse: true, Value: "{TaskDefinitionArn}", By: "_key"},
				// A service's tasks are started by one of its deployments
				// (startedBy = deployment id, J1's mapping rule).
				{Verb: "TRIGGERS", Target: "aws_ecs_service", Reverse: true, Value: "{StartedBy}", By: "deploymentIds"},
				// A task does not list its security groups: a service's
				// task has those of the deployment that started it. (A task
				// run on its own in awsvpc mode names none anywhere ECS
				// answers: its groups are on its network interface.)
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true,
					Call: op("ecs:DescribeServices"), Items: "Services[].Deployments[]", OwnerMatch: "{Id}", OwnerBy: "startedBy",
					Path: "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[]", Value: "{@}", By: "id"},
			},
		},
		{
			Type: "aws_ecs_task_definition", Class: []string{"Function", "Configuration"}, Service: "ecs",
			Source: op("ecs:DescribeTaskDefinition"), Items: "TaskDefinition",
			Key: []string{"{TaskDefinitionArn}"}, ID: "{TaskDefinitionArn}", Name: "{Family}:{Revision}", Created: "RegisteredAt",
			WebLink: "https://console.aws.amazon.com/ecs/v2/task-definitions/{Family}/{Revision}?region={region}",
			Props: []Prop{
				{Name: "active", Path: "Status", Conv: equals("ACTIVE")},
				{Name: "requiresCompatibilities", Path: "RequiresCompatibilities[]"},
				{Name: "images", Path: "ContainerDefinitions[].Image"},
				{Name: "containerNames", Path: "ContainerDefinitions[].Name"},
				{Name: "privileged", Path: "ContainerDefinitions[].Privileged", Conv: anyTrue},
				// Names only: the collector redacts the values.
				{Name: "environmentVariableNames", Path: "ContainerDefinitions[].Environment[].Name"},
				{Name: "secretNames", Path: "ContainerDefinitions[].Secrets[].Name"},
			},
			// The tags are beside the task definition in the response.
			Enrich: []Enrichment{{Call: op("ecs:DescribeTaskDefinition"), Match: "{TaskDefinition.TaskDefinitionArn}", By: "_key", Tags: "Tags"}},
			// The spec's "ASSIGNED|USES" (notes.md §2.5), decided: the task
			// role is ASSIGNED to the task's containers (they act as it);
			// the execution role is USED by the ECS agent to pull images
			// and fetch secrets on the task's behalf.
			Rels: []RelSpec{
				{Verb: "ASSIGNED", Target: "aws_iam_role", Value: "{TaskRoleArn}", By: "_key"},
				{Verb: "USES", Target: "aws_iam_role", Value: "{ExecutionRoleArn}", By: "_key"},
			},
		},
	}
}
