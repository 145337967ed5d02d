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
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go"
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

	// SessionRefreshWindow is how long before its expiry an assumed-role
	// session is replaced (default 1 minute), so that no request is signed
	// with a session about to expire on the way.
	SessionRefreshWindow time.Duration

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
	// ReadTimeout is how long a connection may stay silent while a
	// request waits for its answer (default 60s); a stalled answer then
	// fails and is retried.
	ReadTimeout time.Duration
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
					s.Retryables = append(s.Retryables, retryBadBody)
					if o.NoBackoff {
						s.Backoff = noBackoff{}
						s.RateLimiter = ratelimit.None
					}
				})
			})
		}),
	}
	readTimeout := o.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = 60 * time.Second
	}
	loadOpts = append(loadOpts, config.WithHTTPClient(awshttp.NewBuildableClient().
		WithReadTimeout(readTimeout).
		WithTransportOptions(func(tr *http.Transport) {
			// The read timeout runs from a connection's last read, which
			// for a pooled connection is the end of its previous answer:
			// an idle connection is dropped at half the timeout, so a
			// reused one leaves an answer at least the other half.
			tr.IdleConnTimeout = min(tr.IdleConnTimeout, readTimeout/2)
			// With one endpoint for every service (--endpoint-url, a
			// local emulator) all workers share one host: keep as many
			// idle connections to it as to all hosts, or every worker
			// past the SDK's 10 per host opens a connection per request.
			tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
		})))
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
		window := o.SessionRefreshWindow
		if window <= 0 {
			window = time.Minute
		}
		cfg.Credentials = aws.NewCredentialsCache(provider, func(c *aws.CredentialsCacheOptions) {
			c.ExpiryWindow = window
		})
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

// retryBadBody retries an answer whose body could not be decoded: cut
// short (the connection dropped mid-body) or not the protocol's XML/JSON (a
// proxy's error page, a garbled transfer). The SDK does not retry these by
// itself; every collector call is a read, so a retry is always safe.
var retryBadBody = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
})

// noBackoff retries at once.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }
