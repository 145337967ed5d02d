package collect

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/transfer"
	"github.com/aws/aws-sdk-go-v2/service/workspaces"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// service describes one SDK client package the registry may use.
type service struct {
	Name string // SDK package name, as in Call.Service
	ID   string // the SDK's ServiceID, as seen by middleware
	New  func(cfg aws.Config, region string) any
}

// services returns the client constructors, sorted by Name.
func services() []service {
	return []service{
		{Name: "acm", ID: acm.ServiceID, New: newClient(acm.NewFromConfig)},
		{Name: "apigateway", ID: apigateway.ServiceID, New: newClient(apigateway.NewFromConfig)},
		{Name: "autoscaling", ID: autoscaling.ServiceID, New: newClient(autoscaling.NewFromConfig)},
		{Name: "batch", ID: batch.ServiceID, New: newClient(batch.NewFromConfig)},
		{Name: "cloudfront", ID: cloudfront.ServiceID, New: newClient(cloudfront.NewFromConfig)},
		{Name: "configservice", ID: configservice.ServiceID, New: newClient(configservice.NewFromConfig)},
		{Name: "dynamodb", ID: dynamodb.ServiceID, New: newClient(dynamodb.NewFromConfig)},
		{Name: "ec2", ID: ec2.ServiceID, New: newClient(ec2.NewFromConfig)},
		{Name: "ecr", ID: ecr.ServiceID, New: newClient(ecr.NewFromConfig)},
		{Name: "ecs", ID: ecs.ServiceID, New: newClient(ecs.NewFromConfig)},
		{Name: "eks", ID: eks.ServiceID, New: newClient(eks.NewFromConfig)},
		{Name: "elasticloadbalancing", ID: elasticloadbalancing.ServiceID, New: newClient(elasticloadbalancing.NewFromConfig)},
		{Name: "elasticloadbalancingv2", ID: elasticloadbalancingv2.ServiceID, New: newClient(elasticloadbalancingv2.NewFromConfig)},
		{Name: "iam", ID: iam.ServiceID, New: newClient(iam.NewFromConfig)},
		{Name: "kms", ID: kms.ServiceID, New: newClient(kms.NewFromConfig)},
		{Name: "lambda", ID: lambda.ServiceID, New: newClient(lambda.NewFromConfig)},
		{Name: "organizations", ID: organizations.ServiceID, New: newClient(organizations.NewFromConfig)},
		{Name: "rds", ID: rds.ServiceID, New: newClient(rds.NewFromConfig)},
		{Name: "route53", ID: route53.ServiceID, New: newClient(route53.NewFromConfig)},
		{Name: "route53domains", ID: route53domains.ServiceID, New: newClient(route53domains.NewFromConfig)},
		{Name: "s3", ID: s3.ServiceID, New: func(cfg aws.Config, region string) any {
			return s3.NewFromConfig(cfg, func(o *s3.Options) {
				o.Region = region
				// A custom endpoint (--endpoint-url, AWS_ENDPOINT_URL[_S3])
				// is a single host: buckets must go in the path.
				if o.BaseEndpoint != nil {
					o.UsePathStyle = true
				}
			})
		}},
		{Name: "s3control", ID: s3control.ServiceID, New: func(cfg aws.Config, region string) any {
			return s3control.NewFromConfig(cfg, func(o *s3control.Options) {
				o.Region = region
				// A custom endpoint is a single host: the account goes in
				// the x-amz-account-id header only (accountHostPrefix).
				if o.BaseEndpoint != nil {
					o.APIOptions = append(o.APIOptions, dropAccountHostPrefix)
				}
			})
		}},
		{Name: "sts", ID: sts.ServiceID, New: newClient(sts.NewFromConfig)},
		{Name: "transfer", ID: transfer.ServiceID, New: newClient(transfer.NewFromConfig)},
		{Name: "workspaces", ID: workspaces.ServiceID, New: newClient(workspaces.NewFromConfig)},
	}
}

// dropAccountHostPrefix removes the "{AccountId}." label that S3 Control's
// endpoint rules put before the host of a custom endpoint too
// (111122223333.127.0.0.1:4566), keeping the x-amz-account-id header
// that names the account.
//
// why: a custom endpoint (--endpoint-url: a local fake, moto, a proxy) is
// one host, and <account>.<its address> does not resolve; AWS's own
// endpoints (s3-control.<region>.amazonaws.com) keep the prefix, as the
// SDK sends it.
func dropAccountHostPrefix(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("snapaudit.DropAccountHostPrefix",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				if acct := req.Header.Get("X-Amz-Account-Id"); acct != "" {
					req.URL.Host = strings.TrimPrefix(req.URL.Host, acct+".")
				}
			}
			return next.HandleFinalize(ctx, in)
		}), "ResolveEndpointV2", middleware.After)
}

// newClient adapts a service's NewFromConfig to service.New.
func newClient[C, O any](fromConfig func(aws.Config, ...func(*O)) C) func(aws.Config, string) any {
	return func(cfg aws.Config, region string) any {
		cfg.Region = region
		return fromConfig(cfg)
	}
}

// clientPool creates SDK clients lazily, one per (service, region), and
// shares them between workers (SDK clients are goroutine-safe).
type clientPool struct {
	cfg      aws.Config
	services map[string]service

	mu      sync.Mutex
	clients map[[2]string]any
}

func newClientPool(cfg aws.Config) *clientPool {
	p := &clientPool{cfg: cfg, services: map[string]service{}, clients: map[[2]string]any{}}
	for _, s := range services() {
		p.services[s.Name] = s
	}
	return p
}

func (p *clientPool) get(svc, region string) (any, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := [2]string{svc, region}
	if c, ok := p.clients[k]; ok {
		return c, nil
	}
	s, ok := p.services[svc]
	if !ok {
		return nil, fmt.Errorf("internal: no client for service %q", svc)
	}
	c := s.New(p.cfg, region)
	p.clients[k] = c
	return c, nil
}

// Quick-failure budget of the first call (sts GetCallerIdentity) when the
// endpoint cannot be reached.
const (
	quickAttempts    = 3
	quickBackoff     = time.Second
	quickReadTimeout = 15 * time.Second
)

// quickConfig returns cfg for the run's first call. why: that call tells a
// reachable endpoint from a dead one (wrong --endpoint-url, dead proxy, no
// network), and a dead one must fail in seconds, not after the patient
// retry budget meant for throttling (ten attempts, up to 20s apart: two
// minutes). Only network failures get the quick budget: a throttled or
// failing STS still gets the patient one.
func quickConfig(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	patient := cfg.Retryer
	cfg.Retryer = func() aws.Retryer {
		var r aws.Retryer = retry.NewStandard()
		if patient != nil {
			r = patient()
		}
		if v2, ok := r.(aws.RetryerV2); ok {
			return &quickWhenUnreachable{RetryerV2: v2}
		}
		return retry.AddWithMaxBackoffDelay(retry.AddWithMaxAttempts(r, min(r.MaxAttempts(), quickAttempts)), quickBackoff)
	}
	if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		if d, set := bc.GetReadTimeout(); !set || d <= 0 || d > quickReadTimeout {
			cfg.HTTPClient = bc.WithReadTimeout(quickReadTimeout)
		}
	}
	return cfg
}

// quickWhenUnreachable gives up after quickAttempts network failures, at
// most quickBackoff apart, and leaves every other error to the patient
// retryer it wraps. One is made per client; the quick client serves one call.
type quickWhenUnreachable struct {
	aws.RetryerV2
	mu       sync.Mutex
	failures int
}

func (q *quickWhenUnreachable) IsErrorRetryable(err error) bool {
	if _, ok := unreachable(err); ok {
		q.mu.Lock()
		q.failures++
		n := q.failures
		q.mu.Unlock()
		if n >= quickAttempts {
			return false
		}
	}
	return q.RetryerV2.IsErrorRetryable(err)
}

func (q *quickWhenUnreachable) RetryDelay(attempt int, err error) (time.Duration, error) {
	d, derr := q.RetryerV2.RetryDelay(attempt, err)
	if _, ok := unreachable(err); ok {
		d = min(d, quickBackoff)
	}
	return d, derr
}
