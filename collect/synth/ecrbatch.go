package synth

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/snapaudit/snapaudit/snapshot"
)

// ecrBatch writes the region's container registry (repositories, their
// images and the findings of the scanned ones) and its Batch estate
// (compute environments in the region's network, queues, job definitions
// running the registry's images, jobs).
func (a *account) ecrBatch(ctx context.Context, reg string, nw *net) error {
	images, err := a.ecr(ctx, reg)
	if err != nil {
		return err
	}
	return a.batch(ctx, reg, nw, images)
}

// ecr writes repositories (one in ten publicly readable), images spread
// over them (half scanned) and the findings spread over the scanned ones;
// it returns the images' URIs.
func (a *account) ecr(ctx context.Context, reg string) ([]string, error) {
	g, acct := a.g, a.id
	var repos []ecrtypes.Repository
	for i := range a.perReg["aws_ecr_repository"][reg] {
		name := fmt.Sprintf("team-%03d/service-%05d", i%17, i)
		arn := fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", reg, acct, name)
		enc := &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeAes256}
		if a.pct(30) {
			enc = &ecrtypes.EncryptionConfiguration{EncryptionType: ecrtypes.EncryptionTypeKms,
				KmsKey: aws.String(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", reg, acct, uuid(a.id16(reg, "kms", 2))))}
		}
		mut := ecrtypes.ImageTagMutabilityMutable
		if i%3 == 0 {
			mut = ecrtypes.ImageTagMutabilityImmutable
		}
		repos = append(repos, ecrtypes.Repository{RepositoryName: aws.String(name), RepositoryArn: aws.String(arn), RegistryId: aws.String(acct),
			RepositoryUri: aws.String(fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", acct, reg, name)), CreatedAt: aws.Time(a.ago(1200)),
			ImageTagMutability: mut, EncryptionConfiguration: enc,
			ImageScanningConfiguration: &ecrtypes.ImageScanningConfiguration{ScanOnPush: i%2 == 0}})
	}
	err := pages(ctx, g, acct, reg, "ecr:DescribeRepositories", "", repos, 100, func(p []ecrtypes.Repository, more bool, next string) any {
		out := &ecr.DescribeRepositoriesOutput{Repositories: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	perRepo := make([][]ecrtypes.ImageDetail, len(repos))
	var uris []string
	type scanned struct{ repo, digest string }
	var done []scanned
	for i := range a.perReg["aws_ecr_image"][reg] {
		if len(repos) == 0 {
			break
		}
		r := i % len(repos)
		name, digest := *repos[r].RepositoryName, "sha256:"+a.id16(reg, "image", i)+a.id16(reg, "image2", i)+a.id16(reg, "image3", i)+a.id16(reg, "image4", i)
		tag := fmt.Sprintf("v1.%d.%d", i/len(repos), i%7)
		im := ecrtypes.ImageDetail{RegistryId: aws.String(acct), RepositoryName: aws.String(name), ImageDigest: aws.String(digest),
			ImageTags: []string{tag}, ImagePushedAt: aws.Time(a.ago(400)), ImageSizeInBytes: aws.Int64(int64(20_000_000 + i*1000)),
			ImageManifestMediaType: aws.String("application/vnd.docker.distribution.manifest.v2+json"), ImageStatus: ecrtypes.ImageStatusActive}
		if i%2 == 0 {
			im.ImageScanStatus = &ecrtypes.ImageScanStatus{Status: ecrtypes.ScanStatusComplete, Description: aws.String("The scan was completed successfully.")}
			im.ImageScanFindingsSummary = &ecrtypes.ImageScanFindingsSummary{ImageScanCompletedAt: im.ImagePushedAt, FindingSeverityCounts: map[string]int32{}}
			done = append(done, scanned{name, digest})
		}
		perRepo[r] = append(perRepo[r], im)
		uris = append(uris, *repos[r].RepositoryUri+":"+tag)
	}
	findings := map[scanned][]ecrtypes.ImageScanFinding{}
	sev := []ecrtypes.FindingSeverity{ecrtypes.FindingSeverityCritical, ecrtypes.FindingSeverityHigh, ecrtypes.FindingSeverityMedium, ecrtypes.FindingSeverityLow}
	for j := range a.perReg["aws_ecr_image_scan_finding"][reg] {
		if len(done) == 0 {
			break
		}
		s := done[j%len(done)]
		cve := fmt.Sprintf("CVE-2026-%05d", j)
		findings[s] = append(findings[s], ecrtypes.ImageScanFinding{Name: aws.String(cve), Severity: sev[j%len(sev)],
			Uri: aws.String("https://security-tracker.debian.org/tracker/" + cve),
			Attributes: []ecrtypes.Attribute{{Key: aws.String("package_name"), Value: aws.String(fmt.Sprintf("lib-%03d", j%97))},
				{Key: aws.String("package_version"), Value: aws.String("1.0.0")}}})
	}
	for r, ims := range perRepo {
		for k := range ims {
			if sum := ims[k].ImageScanFindingsSummary; sum != nil {
				for _, f := range findings[scanned{*ims[k].RepositoryName, *ims[k].ImageDigest}] {
					sum.FindingSeverityCounts[string(f.Severity)]++
				}
			}
		}
		if err := g.ok(ctx, acct, reg, "ecr:DescribeImages", *repos[r].RepositoryName, 0, &ecr.DescribeImagesOutput{ImageDetails: ims}); err != nil {
			return nil, err
		}
	}
	for _, s := range done {
		out := &ecr.DescribeImageScanFindingsOutput{RegistryId: aws.String(acct), RepositoryName: aws.String(s.repo),
			ImageId:           &ecrtypes.ImageIdentifier{ImageDigest: aws.String(s.digest)},
			ImageScanStatus:   &ecrtypes.ImageScanStatus{Status: ecrtypes.ScanStatusComplete},
			ImageScanFindings: &ecrtypes.ImageScanFindings{Findings: findings[s]}}
		if err := g.ok(ctx, acct, reg, "ecr:DescribeImageScanFindings", s.repo+"@"+s.digest, 0, out); err != nil {
			return nil, err
		}
	}
	for i, r := range repos {
		if err := g.ok(ctx, acct, reg, "ecr:ListTagsForResource", *r.RepositoryArn, 0, &ecr.ListTagsForResourceOutput{
			Tags: []ecrtypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%03d", i%17))}}}); err != nil {
			return nil, err
		}
		if i%10 != 0 {
			if err := g.fail(ctx, acct, reg, "ecr:GetRepositoryPolicy", *r.RepositoryName, snapshot.ClassNotFound,
				"RepositoryPolicyNotFoundException", "Repository policy does not exist"); err != nil {
				return nil, err
			}
			continue
		}
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
		if err := g.ok(ctx, acct, reg, "ecr:GetRepositoryPolicy", *r.RepositoryName, 0, &ecr.GetRepositoryPolicyOutput{
			RegistryId: aws.String(acct), RepositoryName: r.RepositoryName, PolicyText: aws.String(doc)}); err != nil {
			return nil, err
		}
	}
	return uris, nil
}

// batch writes compute environments in the region's subnets and security
// groups, queues over them, job definitions running the given images and
// jobs spread over the queues.
func (a *account) batch(ctx context.Context, reg string, nw *net, images []string) error {
	g, acct := a.g, a.id
	var envs []batchtypes.ComputeEnvironmentDetail
	for i := range a.perReg["aws_batch_compute_environment"][reg] {
		name := fmt.Sprintf("ce-%04d", i)
		cr := &batchtypes.ComputeResource{Type: batchtypes.CRTypeEc2, MaxvCpus: aws.Int32(64), MinvCpus: aws.Int32(0),
			Subnets: []string{nw.subnets[i%len(nw.subnets)]}, SecurityGroupIds: []string{nw.sgs[i%len(nw.sgs)]}, InstanceTypes: []string{"optimal"}}
		if len(a.ec2Profiles) > 0 {
			cr.InstanceRole = aws.String(a.ec2Profiles[i%len(a.ec2Profiles)])
		}
		envs = append(envs, batchtypes.ComputeEnvironmentDetail{ComputeEnvironmentName: aws.String(name),
			ComputeEnvironmentArn: aws.String(fmt.Sprintf("arn:aws:batch:%s:%s:compute-environment/%s", reg, acct, name)),
			Type:                  batchtypes.CETypeManaged, State: batchtypes.CEStateEnabled, Status: batchtypes.CEStatusValid, ComputeResources: cr,
			ServiceRole: aws.String("arn:aws:iam::" + acct + ":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"),
			Tags:        map[string]string{"Owner": fmt.Sprintf("team-%03d", i%17)}})
	}
	if err := g.ok(ctx, acct, reg, "batch:DescribeComputeEnvironments", "", 0, &batch.DescribeComputeEnvironmentsOutput{ComputeEnvironments: envs}); err != nil {
		return err
	}
	var queues []batchtypes.JobQueueDetail
	for i := range a.perReg["aws_batch_job_queue"][reg] {
		name := fmt.Sprintf("queue-%04d", i)
		q := batchtypes.JobQueueDetail{JobQueueName: aws.String(name), JobQueueArn: aws.String(fmt.Sprintf("arn:aws:batch:%s:%s:job-queue/%s", reg, acct, name)),
			Priority: aws.Int32(int32(i % 10)), State: batchtypes.JQStateEnabled, Status: batchtypes.JQStatusValid}
		if len(envs) > 0 {
			q.ComputeEnvironmentOrder = []batchtypes.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: envs[i%len(envs)].ComputeEnvironmentArn}}
		}
		queues = append(queues, q)
	}
	if err := g.ok(ctx, acct, reg, "batch:DescribeJobQueues", "", 0, &batch.DescribeJobQueuesOutput{JobQueues: queues}); err != nil {
		return err
	}
	var defs []batchtypes.JobDefinition
	for i := range a.perReg["aws_batch_job_definition"][reg] {
		name := fmt.Sprintf("job-%04d", i)
		cp := &batchtypes.ContainerProperties{Image: aws.String("public.ecr.aws/docker/library/busybox:latest"),
			Environment: []batchtypes.KeyValuePair{{Name: aws.String("STAGE"), Value: aws.String("REDACTED:hmac-sha256:" + a.id16(reg, "env", i))}}}
		if len(images) > 0 {
			cp.Image = aws.String(images[i%len(images)])
		}
		defs = append(defs, batchtypes.JobDefinition{JobDefinitionName: aws.String(name), Revision: aws.Int32(1), Type: aws.String("container"),
			JobDefinitionArn: aws.String(fmt.Sprintf("arn:aws:batch:%s:%s:job-definition/%s:1", reg, acct, name)), Status: aws.String("ACTIVE"),
			ContainerProperties: cp, PlatformCapabilities: []batchtypes.PlatformCapability{batchtypes.PlatformCapabilityEc2}})
	}
	if err := g.ok(ctx, acct, reg, "batch:DescribeJobDefinitions", "", 0, &batch.DescribeJobDefinitionsOutput{JobDefinitions: defs}); err != nil {
		return err
	}
	jobs := make([][]batchtypes.JobSummary, len(queues))
	status := []batchtypes.JobStatus{batchtypes.JobStatusSucceeded, batchtypes.JobStatusFailed, batchtypes.JobStatusRunning, batchtypes.JobStatusRunnable}
	for i := range a.perReg["aws_batch_job"][reg] {
		if len(queues) == 0 {
			break
		}
		id := uuid(a.id16(reg, "job", i))
		j := batchtypes.JobSummary{JobId: aws.String(id), JobName: aws.String(fmt.Sprintf("run-%05d", i)),
			JobArn: aws.String(fmt.Sprintf("arn:aws:batch:%s:%s:job/%s", reg, acct, id)), Status: status[i%len(status)],
			CreatedAt: aws.Int64(a.ago(7).UnixMilli())}
		if len(defs) > 0 {
			j.JobDefinition = defs[i%len(defs)].JobDefinitionArn
		}
		jobs[i%len(queues)] = append(jobs[i%len(queues)], j)
	}
	for k, q := range queues {
		if err := g.ok(ctx, acct, reg, "batch:ListJobs", *q.JobQueueArn, 0, &batch.ListJobsOutput{JobSummaryList: jobs[k]}); err != nil {
			return err
		}
	}
	return nil
}
