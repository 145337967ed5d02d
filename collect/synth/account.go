package synth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// weights are the shares (per mille of an account's resources) of every
// generated entity type, after the proportions of a mid-size AWS estate:
// about one IAM role per ten resources, instances with one or two EBS
// volumes each, and the S3, Lambda and database fleets around them.
var weights = []struct {
	typ string
	w   int
}{
	{"aws_acm_certificate", 6},
	{"aws_alb", 4},
	{"aws_ami", 15},
	{"aws_api_gateway_rest_api", 5},
	{"aws_autoscaling_group", 10},
	{"aws_batch_compute_environment", 2},
	{"aws_batch_job", 20},
	{"aws_batch_job_definition", 5},
	{"aws_batch_job_queue", 2},
	{"aws_cloudfront_distribution", 3},
	{"aws_config_rule", 5},
	{"aws_db_instance", 30},
	{"aws_db_snapshot", 20},
	{"aws_dynamodb_table", 50},
	{"aws_ebs_snapshot", 100},
	{"aws_ebs_volume", 200},
	{"aws_ecr_image", 40},
	{"aws_ecr_image_scan_finding", 60},
	{"aws_ecr_repository", 10},
	{"aws_ecs_cluster", 3},
	{"aws_ecs_container_instance", 10},
	{"aws_ecs_service", 12},
	{"aws_ecs_task", 40},
	{"aws_ecs_task_definition", 20},
	{"aws_eip", 10},
	{"aws_eks_cluster", 2},
	{"aws_elb", 2},
	{"aws_eni", 170},
	{"aws_iam_access_key", 25},
	{"aws_iam_group", 4},
	{"aws_iam_group_policy", 2},
	{"aws_iam_role", 100},
	{"aws_iam_role_policy", 30},
	{"aws_iam_user", 20},
	{"aws_iam_user_policy", 5},
	{"aws_instance", 160},
	{"aws_internet_gateway", 6},
	{"aws_key_pair", 6},
	{"aws_kms_key", 8},
	{"aws_lambda_function", 80},
	{"aws_lb_target_group", 8},
	{"aws_nat_gateway", 4},
	{"aws_network_acl", 8},
	{"aws_nlb", 2},
	{"aws_rds_cluster", 10},
	{"aws_route53_domain", 1},
	{"aws_route53_record", 40},
	{"aws_route53_zone", 3},
	{"aws_route_table", 16},
	{"aws_s3_bucket", 60},
	{"aws_security_group", 60},
	{"aws_subnet", 32},
	{"aws_transfer_server", 2},
	{"aws_transfer_user", 10},
	{"aws_vpc", 8},
	{"aws_vpn_gateway", 2},
	{"aws_workspace", 10},
	{"aws_workspaces_bundle", 1},
	{"mfa_device", 10},
}

// accountOverhead is the entities every account has besides its resources:
// the account, its password policy and the 20 service placeholders.
const accountOverhead = 22

// regionalTypes are split over the account's regions.
var regionalTypes = []string{
	"aws_acm_certificate", "aws_alb", "aws_ami", "aws_api_gateway_rest_api", "aws_autoscaling_group",
	"aws_batch_compute_environment", "aws_batch_job", "aws_batch_job_definition", "aws_batch_job_queue",
	"aws_config_rule", "aws_db_instance", "aws_db_snapshot", "aws_dynamodb_table", "aws_ebs_snapshot", "aws_ebs_volume",
	"aws_ecr_image", "aws_ecr_image_scan_finding", "aws_ecr_repository", "aws_ecs_cluster",
	"aws_ecs_container_instance", "aws_ecs_service", "aws_ecs_task", "aws_ecs_task_definition", "aws_eip",
	"aws_eks_cluster", "aws_elb", "aws_eni", "aws_instance", "aws_internet_gateway", "aws_key_pair", "aws_kms_key",
	"aws_lambda_function", "aws_lb_target_group", "aws_nat_gateway", "aws_network_acl", "aws_nlb",
	"aws_rds_cluster", "aws_route_table", "aws_security_group", "aws_subnet", "aws_transfer_server",
	"aws_transfer_user", "aws_vpc", "aws_vpn_gateway", "aws_workspace", "aws_workspaces_bundle",
}

// account is one synthetic account being generated.
type account struct {
	g       *gen
	idx     int
	id      string
	r       *rand.Rand
	regions []string
	n       map[string]int            // planned entities per type
	perReg  map[string]map[string]int // regional type -> region -> count
	// IAM artefacts the regional resources refer to.
	ec2Profiles []string // instance profile ARNs
	lambdaRoles []string // role ARNs trusted by lambda.amazonaws.com
	ecsRoles    []string // role ARNs trusted by ecs-tasks.amazonaws.com
	buckets     []string
}

func newAccount(g *gen, idx int, id string, share int) *account {
	a := &account{g: g, idx: idx, id: id, r: newRand(g.o.Seed, uint64(idx)), n: map[string]int{},
		perReg: map[string]map[string]int{}}
	pool := slices.Clone(regionPool)
	a.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	a.regions = pool[:2+a.r.IntN(3)]
	slices.Sort(a.regions)

	budget := max(share-accountOverhead, len(weights))
	total := 0
	for _, w := range weights {
		total += w.w
	}
	for _, w := range weights {
		a.n[w.typ] = max(1, budget*w.w/total)
	}
	// Dependent counts: at most two keys per user, one MFA per user,
	// one inline policy per principal.
	a.n["aws_iam_access_key"] = min(a.n["aws_iam_access_key"], 2*a.n["aws_iam_user"])
	a.n["mfa_device"] = min(a.n["mfa_device"], a.n["aws_iam_user"])
	a.n["aws_iam_user_policy"] = min(a.n["aws_iam_user_policy"], a.n["aws_iam_user"])
	a.n["aws_iam_role_policy"] = min(a.n["aws_iam_role_policy"], a.n["aws_iam_role"])
	a.n["aws_iam_group_policy"] = min(a.n["aws_iam_group_policy"], a.n["aws_iam_group"])
	for _, typ := range regionalTypes {
		m := map[string]int{}
		n, k := a.n[typ], len(a.regions)
		sum := 0
		for i, reg := range a.regions {
			c := n / k
			if i < n%k {
				c++
			}
			if typ == "aws_vpc" || typ == "aws_subnet" || typ == "aws_security_group" {
				c = max(c, 1) // every region has a network for its instances
			}
			if typ == "aws_ecs_cluster" {
				c = max(c, 1) // for the region's ECS services and tasks
			}
			m[reg] = c
			sum += c
		}
		a.perReg[typ], a.n[typ] = m, sum
	}
	for typ, c := range a.n {
		g.stats.Planned[typ] += c
	}
	return a
}

func (a *account) generate(ctx context.Context) error {
	if err := a.identity(ctx); err != nil {
		return err
	}
	if err := a.organization(ctx); err != nil {
		return err
	}
	if err := a.iam(ctx); err != nil {
		return err
	}
	if err := a.s3(ctx); err != nil {
		return err
	}
	if err := a.s3control(ctx); err != nil {
		return err
	}
	if err := a.edge(ctx); err != nil {
		return err
	}
	for _, reg := range a.regions {
		if err := a.region(ctx, reg); err != nil {
			return fmt.Errorf("%s: %w", reg, err)
		}
	}
	return nil
}

// id16 is a unique 16-hex-digit identifier of the n-th object of a kind
// in this account (and region, when scope names one).
func (a *account) id16(scope, kind string, n int) string {
	return fmt.Sprintf("%016x", mix(hashString(a.id+"/"+scope+"/"+kind)^uint64(n)))
}

// ago is a deterministic time between 1 and days days before the epoch,
// to the second.
func (a *account) ago(days int) time.Time {
	return epoch.Add(-time.Duration(1+a.r.IntN(days*86400)) * time.Second)
}

// pct reports true with probability p percent.
func (a *account) pct(p int) bool { return a.r.IntN(100) < p }

// other returns another account of the organisation (or an outside one
// when the organisation has a single account).
func (a *account) other() string {
	if len(a.g.accounts) == 1 {
		return "999988887777"
	}
	o := a.g.accounts[a.r.IntN(len(a.g.accounts))]
	if o == a.id {
		o = a.g.accounts[(a.idx+1)%len(a.g.accounts)]
	}
	return o
}
