package collect

// Credentials and endpoints come from the SDK's own config loader, so the
// collector behaves like the AWS CLI: the standard credential chain
// (environment, shared config/credentials files with AWS_PROFILE or
// --profile, SSO, web identity, IMDS/ECS), AWS_REGION, and the
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables (the loader puts
// the former in aws.Config.BaseEndpoint; each client resolves the
// service-specific one itself). --role-arn adds an assume-role step on top
// of whatever the chain found. The chain's own clients carry chainGuard and
// the --role-arn STS client its own guard (guard.go).

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// ConfigOptions selects credentials, endpoint and retry behaviour.
type ConfigOptions struct {
	Profile string // shared config profile; "" = AWS_PROFILE or default
	Region  string // home region; "" = AWS_REGION / profile, else us-east-1

	RoleARN     string // assume this role (read-only audit role) first
	ExternalID  string // sts:ExternalId for RoleARN
	SessionName string // role session name; default "snapaudit"

	// EndpointURL sends every service to one endpoint (a local fake, a
	// proxy); it overrides AWS_ENDPOINT_URL.
	EndpointURL string

	// Credentials replaces the credential chain (tests: static keys).
	Credentials aws.CredentialsProvider

	// MaxAttempts of the adaptive retryer (default 10 = SDK adaptive
	// default is 3; audits prefer patience over gaps).
	MaxAttempts int
	// MaxBackoff caps the wait between attempts (default 20s). Tests set a
	// tiny value (or NoBackoff) so retries do not sleep.
	MaxBackoff time.Duration
	// NoBackoff retries immediately and disables the client-side retry
	// quota and rate limiting (tests only).
	NoBackoff bool

	// loadOptions are extra config-loader options (tests observe the
	// credential chain's clients through its hooks).
	loadOptions []func(*config.LoadOptions) error

	// Logger receives the SDK's own log output (e.g. retry and checksum
	// warnings) at Warn/Debug level; nil discards it. The SDK would
	// otherwise print to stderr itself.
	Logger *slog.Logger
}

// LoadConfig builds the aws.Config the collector runs with.
func LoadConfig(ctx context.Context, o ConfigOptions) (aws.Config, error) {
	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 10
	}
	maxBackoff := o.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	loadOpts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(a *retry.AdaptiveModeOptions) {
				if o.NoBackoff {
					// No error counts as a throttle for the client-side
					// rate limiter, so it never makes an attempt wait.
					// Throttles are still retried (standard retryables).
					a.Throttles = nil
				}
				a.StandardOptions = append(a.StandardOptions, func(s *retry.StandardOptions) {
					s.MaxAttempts = maxAttempts
					s.MaxBackoff = maxBackoff
					if o.NoBackoff {
						s.Backoff = noBackoff{}
						s.RateLimiter = ratelimit.None
					}
				})
			})
		}),
	}
	loadOpts = append(loadOpts, config.WithLogger(sdkLogger(o.Logger)))
	if o.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(o.Region))
	}
	if o.EndpointURL != "" {
		loadOpts = append(loadOpts, config.WithBaseEndpoint(o.EndpointURL))
	}
	if o.Credentials != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(o.Credentials))
	}
	// The credential chain's clients (assume-role and web identity STS,
	// SSO, instance metadata ...) are built while loading, from the
	// APIOptions known then: give them the credential-chain guard, then
	// drop it so the collector's clients get only their own guard.
	loadOpts = append(loadOpts, config.WithAPIOptions([]func(*middleware.Stack) error{chainGuard()}))
	loadOpts = append(loadOpts, o.loadOptions...)
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if len(cfg.APIOptions) != 1 {
		return aws.Config{}, fmt.Errorf("load AWS config: internal: %d API options after loading, want only the credential-chain guard", len(cfg.APIOptions))
	}
	cfg.APIOptions = nil
	if cfg.Region == "" {
		cfg.Region = GlobalRegion
	}
	if o.RoleARN != "" {
		session := o.SessionName
		if session == "" {
			session = "snapaudit"
		}
		// Its STS client carries its own guard: AssumeRole only.
		provider := stscreds.NewAssumeRoleProvider(assumeRoleClient(cfg), o.RoleARN, func(a *stscreds.AssumeRoleOptions) {
			a.RoleSessionName = session
			if o.ExternalID != "" {
				a.ExternalID = aws.String(o.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return cfg, nil
}

// sdkLogger adapts the SDK's logger interface to slog.
func sdkLogger(l *slog.Logger) logging.Logger {
	if l == nil {
		return logging.Nop{}
	}
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		level := slog.LevelDebug
		if c == logging.Warn {
			level = slog.LevelWarn
		}
		l.Log(context.Background(), level, fmt.Sprintf(format, v...), "source", "aws-sdk")
	})
}

// noBackoff retries at once.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }
