package synth

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// containers writes the region's ECS estate (task definitions; clusters
// with their container instances on the region's EC2 instances, awsvpc
// services and tasks) and its EKS clusters.
func (a *account) containers(ctx context.Context, reg string, nw *net, instances []string) error {
	if err := a.ecsTaskDefinitions(ctx, reg); err != nil {
		return err
	}
	if err := a.ecsClusters(ctx, reg, nw, instances); err != nil {
		return err
	}
	return a.eksClusters(ctx, reg, nw)
}

func (a *account) ecsARN(reg, resource string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s", reg, a.id, resource)
}

func (a *account) taskDefinitionARN(reg string, i int) string {
	return a.ecsARN(reg, fmt.Sprintf("task-definition/app-%04d:%d", i, 1+i%5))
}

// ecsTaskDefinitions writes the task definition list (100 a page) and each
// one's description; one in ten runs a privileged container on EC2.
func (a *account) ecsTaskDefinitions(ctx context.Context, reg string) error {
	g, acct := a.g, a.id
	var arns []string
	for i := range a.perReg["aws_ecs_task_definition"][reg] {
		arns = append(arns, a.taskDefinitionARN(reg, i))
	}
	err := pages(ctx, g, acct, reg, "ecs:ListTaskDefinitions", "", arns, 100, func(p []string, more bool, next string) any {
		return &ecs.ListTaskDefinitionsOutput{TaskDefinitionArns: p, NextToken: nextToken(more, next)}
	})
	if err != nil {
		return err
	}
	for i, arn := range arns {
		// The collector stores environment values redacted.
		c := ecstypes.ContainerDefinition{Name: aws.String("app"), Essential: aws.Bool(true),
			Image: aws.String(fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/app-%04d:1.%d", acct, reg, i, i%9)),
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("DB_PASSWORD"),
				Value: aws.String("REDACTED:hmac-sha256:" + a.id16(reg, "env", i))}}}
		td := ecstypes.TaskDefinition{TaskDefinitionArn: aws.String(arn), Family: aws.String(fmt.Sprintf("app-%04d", i)),
			Revision: int32(1 + i%5), Status: ecstypes.TaskDefinitionStatusActive, NetworkMode: ecstypes.NetworkModeAwsvpc,
			RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"),
			Memory: aws.String("512"), RegisteredAt: aws.Time(a.ago(400))}
		if i%10 == 0 {
			c.Privileged = aws.Bool(true)
			td.NetworkMode, td.RequiresCompatibilities = ecstypes.NetworkModeBridge, []ecstypes.Compatibility{ecstypes.CompatibilityEc2}
		}
		td.ContainerDefinitions = []ecstypes.ContainerDefinition{c}
		if len(a.ecsRoles) > 0 {
			td.TaskRoleArn = aws.String(a.ecsRoles[i%len(a.ecsRoles)])
			td.ExecutionRoleArn = aws.String(a.ecsRoles[(i+1)%len(a.ecsRoles)])
		}
		out := &ecs.DescribeTaskDefinitionOutput{TaskDefinition: &td,
			Tags: []ecstypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%11))}}}
		if err := g.ok(ctx, acct, reg, "ecs:DescribeTaskDefinition", arn, 0, out); err != nil {
			return err
		}
	}
	return nil
}

// ecsClusters writes the clusters; container instances, services and
// tasks are dealt to them in turn. A service's tasks are started by its
// deployment; the other tasks run on the cluster's container instances.
func (a *account) ecsClusters(ctx context.Context, reg string, nw *net, instances []string) error {
	nc := a.perReg["aws_ecs_cluster"][reg]
	var arns []string
	var clusters []ecstypes.Cluster
	for c := range nc {
		name := fmt.Sprintf("cluster-%03d", c)
		arn := a.ecsARN(reg, "cluster/"+name)
		arns = append(arns, arn)
		insights := "disabled"
		if a.pct(50) {
			insights = "enabled"
		}
		clusters = append(clusters, ecstypes.Cluster{ClusterArn: aws.String(arn), ClusterName: aws.String(name), Status: aws.String("ACTIVE"),
			Settings: []ecstypes.ClusterSetting{{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String(insights)}},
			Tags:     []ecstypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", c%11))}}})
	}
	err := listed(ctx, a, reg, "ecs:ListClusters", "ecs:DescribeClusters", "", arns, clusters, 100,
		func(p []string, next *string) any { return &ecs.ListClustersOutput{ClusterArns: p, NextToken: next} },
		func(b []ecstypes.Cluster) any { return &ecs.DescribeClustersOutput{Clusters: b} })
	if err != nil {
		return err
	}
	ntd := a.perReg["aws_ecs_task_definition"][reg]
	for c, cluster := range arns {
		cis, ciARNs := a.ecsContainerInstances(reg, c, nc, instances)
		svcs, svcARNs := a.ecsServices(reg, c, nc, cluster, nw, ntd)
		tasks, taskARNs := a.ecsTasks(reg, c, nc, cluster, svcs, ciARNs, ntd)
		err := listed(ctx, a, reg, "ecs:ListContainerInstances", "ecs:DescribeContainerInstances", cluster, ciARNs, cis, 100,
			func(p []string, next *string) any {
				return &ecs.ListContainerInstancesOutput{ContainerInstanceArns: p, NextToken: next}
			},
			func(b []ecstypes.ContainerInstance) any {
				return &ecs.DescribeContainerInstancesOutput{ContainerInstances: b}
			})
		if err == nil {
			err = listed(ctx, a, reg, "ecs:ListServices", "ecs:DescribeServices", cluster, svcARNs, svcs, 10,
				func(p []string, next *string) any { return &ecs.ListServicesOutput{ServiceArns: p, NextToken: next} },
				func(b []ecstypes.Service) any { return &ecs.DescribeServicesOutput{Services: b} })
		}
		if err == nil {
			err = listed(ctx, a, reg, "ecs:ListTasks", "ecs:DescribeTasks", cluster, taskARNs, tasks, 100,
				func(p []string, next *string) any { return &ecs.ListTasksOutput{TaskArns: p, NextToken: next} },
				func(b []ecstypes.Task) any { return &ecs.DescribeTasksOutput{Tasks: b} })
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// nextToken is a page's NextToken: nil on the last page.
func nextToken(more bool, next string) *string {
	if !more {
		return nil
	}
	return aws.String(next)
}

// dealt returns the indexes below n that cluster c of nc gets in turn.
func dealt(n, c, nc int) []int {
	var out []int
	for i := c; i < n; i += nc {
		out = append(out, i)
	}
	return out
}

func (a *account) ecsContainerInstances(reg string, c, nc int, instances []string) ([]ecstypes.ContainerInstance, []string) {
	var cis []ecstypes.ContainerInstance
	var arns []string
	for _, i := range dealt(a.perReg["aws_ecs_container_instance"][reg], c, nc) {
		arn := a.ecsARN(reg, fmt.Sprintf("container-instance/cluster-%03d/%s", c, a.id16(reg, "container-instance", i)))
		arns = append(arns, arn)
		ci := ecstypes.ContainerInstance{ContainerInstanceArn: aws.String(arn), Status: aws.String("ACTIVE"), AgentConnected: true,
			RegisteredAt: aws.Time(a.ago(300)), VersionInfo: &ecstypes.VersionInfo{AgentVersion: aws.String("1.89.1"), DockerVersion: aws.String("25.0.8")}}
		if len(instances) > 0 {
			ci.Ec2InstanceId = aws.String(instances[i%len(instances)])
		}
		cis = append(cis, ci)
	}
	return cis, arns
}

func (a *account) ecsServices(reg string, c, nc int, cluster string, nw *net, ntd int) ([]ecstypes.Service, []string) {
	var svcs []ecstypes.Service
	var arns []string
	for _, i := range dealt(a.perReg["aws_ecs_service"][reg], c, nc) {
		name := fmt.Sprintf("svc-%04d", i)
		arn := a.ecsARN(reg, fmt.Sprintf("service/cluster-%03d/%s", c, name))
		arns = append(arns, arn)
		s := i % len(nw.subnets)
		assign := ecstypes.AssignPublicIpDisabled
		if a.pct(10) {
			assign = ecstypes.AssignPublicIpEnabled
		}
		svc := ecstypes.Service{ServiceArn: aws.String(arn), ServiceName: aws.String(name), ClusterArn: aws.String(cluster),
			Status: aws.String("ACTIVE"), LaunchType: ecstypes.LaunchTypeFargate, DesiredCount: 2, RunningCount: 2,
			CreatedAt: aws.Time(a.ago(300)), SchedulingStrategy: ecstypes.SchedulingStrategyReplica,
			Deployments: []ecstypes.Deployment{{Id: aws.String("ecs-svc/" + a.id16(reg, "deployment", i)), Status: aws.String("PRIMARY")}},
			NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
				Subnets: []string{nw.subnets[s]}, SecurityGroups: []string{nw.sgIn(nw.subnetVPC[s], i)}, AssignPublicIp: assign}}}
		svc.Deployments[0].NetworkConfiguration = svc.NetworkConfiguration
		if ntd > 0 {
			svc.TaskDefinition = aws.String(a.taskDefinitionARN(reg, i%ntd))
			svc.Deployments[0].TaskDefinition = svc.TaskDefinition
		}
		svcs = append(svcs, svc)
	}
	return svcs, arns
}

func (a *account) ecsTasks(reg string, c, nc int, cluster string, svcs []ecstypes.Service, cis []string, ntd int) ([]ecstypes.Task, []string) {
	var tasks []ecstypes.Task
	var arns []string
	for k, i := range dealt(a.perReg["aws_ecs_task"][reg], c, nc) {
		arn := a.ecsARN(reg, fmt.Sprintf("task/cluster-%03d/%s", c, a.id16(reg, "task", i)))
		arns = append(arns, arn)
		t := ecstypes.Task{TaskArn: aws.String(arn), ClusterArn: aws.String(cluster), LastStatus: aws.String("RUNNING"),
			DesiredStatus: aws.String("RUNNING"), CreatedAt: aws.Time(a.ago(30)), Group: aws.String("family:batch"),
			StartedBy: aws.String("scheduler"), LaunchType: ecstypes.LaunchTypeEc2}
		if ntd > 0 {
			t.TaskDefinitionArn = aws.String(a.taskDefinitionARN(reg, i%ntd))
		}
		switch {
		case len(svcs) > 0 && (k%2 == 0 || len(cis) == 0):
			svc := svcs[k%len(svcs)]
			t.Group, t.StartedBy, t.LaunchType = aws.String("service:"+*svc.ServiceName), svc.Deployments[0].Id, ecstypes.LaunchTypeFargate
			t.TaskDefinitionArn = svc.TaskDefinition
		case len(cis) > 0:
			t.ContainerInstanceArn = aws.String(cis[k%len(cis)])
		}
		tasks = append(tasks, t)
	}
	return tasks, arns
}

// listed writes a list call's pages (size keys a page, the service's
// default and the describe call's batch limit) and, per page, the batched
// describe call as the collector sends it: one invocation per batch its key
// extractor (ChildItems) makes of the page, with the items of that batch
// (items[i] describes keys[i]).
func listed[T any](ctx context.Context, a *account, reg, list, describe, parentKey string, keys []string, items []T, size int,
	listOut func(page []string, next *string) any, describeOut func([]T) any) error {
	c, ok := a.g.calls[describe]
	if !ok {
		return fmt.Errorf("synth: %s is not in the collect registry", describe)
	}
	err := pages(ctx, a.g, a.id, reg, list, parentKey, keys, size, func(p []string, more bool, next string) any {
		return listOut(p, nextToken(more, next))
	})
	if err != nil {
		return err
	}
	for start := 0; start < len(keys); start += size {
		end := min(start+size, len(keys))
		batch := c.ChildItems(parentKey, listOut(keys[start:end], nil))
		chunks := slices.Collect(slices.Chunk(items[start:end], size))
		if len(batch) != len(chunks) {
			return fmt.Errorf("synth: %s: %d batches of %d keys, want %d", describe, len(batch), end-start, len(chunks))
		}
		for i, b := range batch {
			if err := a.g.ok(ctx, a.id, reg, describe, b.Key, 0, describeOut(chunks[i])); err != nil {
				return err
			}
		}
	}
	return nil
}

// eksClusters writes the cluster list (100 names a page) and each
// cluster's description: a third with a public endpoint open to the
// world, half with secrets encrypted by a customer key.
func (a *account) eksClusters(ctx context.Context, reg string, nw *net) error {
	g, acct := a.g, a.id
	var names []string
	for i := range a.perReg["aws_eks_cluster"][reg] {
		names = append(names, fmt.Sprintf("eks-%03d", i))
	}
	err := pages(ctx, g, acct, reg, "eks:ListClusters", "", names, 100, func(p []string, more bool, next string) any {
		return &eks.ListClustersOutput{Clusters: p, NextToken: nextToken(more, next)}
	})
	if err != nil {
		return err
	}
	for i, name := range names {
		s := i % len(nw.subnets)
		v := nw.subnetVPC[s]
		cl := ekstypes.Cluster{Name: aws.String(name), Arn: aws.String(fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", reg, acct, name)),
			Version: aws.String("1.31"), PlatformVersion: aws.String("eks.19"), Status: ekstypes.ClusterStatusActive,
			CreatedAt: aws.Time(a.ago(600)), Tags: map[string]string{"Owner": fmt.Sprintf("team-%03d", i%11)},
			ResourcesVpcConfig: &ekstypes.VpcConfigResponse{VpcId: aws.String(nw.vpcs[v]), SubnetIds: []string{nw.subnets[s]},
				SecurityGroupIds: []string{nw.sgIn(v, i)}, EndpointPrivateAccess: true},
			Logging: &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Enabled: aws.Bool(a.pct(50)),
				Types: []ekstypes.LogType{ekstypes.LogTypeApi, ekstypes.LogTypeAudit}}}}}
		if i%3 == 0 {
			cl.ResourcesVpcConfig.EndpointPublicAccess, cl.ResourcesVpcConfig.PublicAccessCidrs = true, []string{"0.0.0.0/0"}
		}
		if i%2 == 0 {
			cl.EncryptionConfig = []ekstypes.EncryptionConfig{{Resources: []string{"secrets"},
				Provider: &ekstypes.Provider{KeyArn: aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", reg, acct, uuid(a.id16(reg, "kms", 0))))}}}
		}
		if len(a.ecsRoles) > 0 {
			cl.RoleArn = aws.String(a.ecsRoles[i%len(a.ecsRoles)])
		}
		if err := g.ok(ctx, acct, reg, "eks:DescribeCluster", name, 0, &eks.DescribeClusterOutput{Cluster: &cl}); err != nil {
			return err
		}
	}
	return nil
}
