package collect

// The read-only guard is the run-time half of "read-only by construction"
// (the compile-time half is the registry test: every operation name is
// List/Get/Describe or on the justified allowlist, and none is on the deny
// list below). It is a smithy Initialize-step middleware added to every
// client snapaudit builds; it looks at the operation the client is about to
// run (middleware.GetServiceID / GetOperationName) and fails the call before
// it is validated, serialized, signed or sent when the operation is not one
// the client may make. A bug that calls ec2 TerminateInstances, or sts
// GetSessionToken, therefore gets an error, not a side effect or a secret.
//
// Three guards, one per kind of client:
//
//   - ReadOnlyGuard, on every collector client (New adds it): exactly the
//     registry's operations plus the allowlist, minus the deny list.
//   - credentialGuard(providerOps), on the STS client of the --role-arn
//     credential provider (assumeRoleClient): exactly sts AssumeRole.
//   - chainGuard, on the clients the SDK's config loader builds for the
//     credential chain (assume-role and web identity profiles, SSO, aws
//     login; LoadConfig passes it to the loader and removes it from the
//     loaded config): exactly chainOps, plus the instance metadata and
//     container credential clients, which have no AWS service identity and
//     reach only those local endpoints.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// ErrNotReadOnly is returned (wrapped) by a client call the guard refused.
var ErrNotReadOnly = errors.New("refused by the read-only guard")

// guardID names the middleware in the stack.
const guardID = "snapaudit.ReadOnlyGuard"

// deniedOp is an operation that is read-only by name or IAM access level
// but returns a secret or mints a credential. No registry entry or
// allowlist entry may name one (registry test), and ReadOnlyGuard refuses
// them even when a call list declares them.
type deniedOp struct {
	Service   string // aws-sdk-go-v2 service package name
	Operation string
	Why       string
}

// denylist returns the secret-returning read operations, sorted.
func denylist() []deniedOp {
	return []deniedOp{
		{"codeartifact", "GetAuthorizationToken", "mints a repository bearer token"},
		{"cognitoidentity", "GetCredentialsForIdentity", "mints temporary AWS credentials"},
		{"cognitoidentity", "GetOpenIdToken", "mints an OpenID token for an identity"},
		{"cognitoidentity", "GetOpenIdTokenForDeveloperIdentity", "mints an OpenID token for an identity"},
		{"ec2", "GetPasswordData", "returns the encrypted Windows administrator password"},
		{"ecr", "GetAuthorizationToken", "mints a registry login token"},
		{"ecr", "GetDownloadUrlForLayer", "returns a pre-signed URL to image content"},
		{"ecrpublic", "GetAuthorizationToken", "mints a registry login token"},
		{"lambda", "GetFunction", "returns a pre-signed URL to the deployment package (code embeds secrets); ListFunctions has the configuration"},
		{"lambda", "GetLayerVersion", "returns a pre-signed URL to the layer content"},
		{"lambda", "GetLayerVersionByArn", "returns a pre-signed URL to the layer content"},
		{"redshift", "GetClusterCredentials", "mints a database password"},
		{"redshift", "GetClusterCredentialsWithIAM", "mints a database password"},
		{"redshiftserverless", "GetCredentials", "mints a database password"},
		{"s3", "GetObject", "returns object content, which may be anything"},
		{"secretsmanager", "BatchGetSecretValue", "returns secret values"},
		{"secretsmanager", "GetRandomPassword", "generates a password"},
		{"secretsmanager", "GetSecretValue", "returns the secret value"},
		{"ssm", "GetParameter", "returns the parameter value (SecureString decrypted on request)"},
		{"ssm", "GetParameterHistory", "returns past parameter values"},
		{"ssm", "GetParameters", "returns parameter values (SecureString decrypted on request)"},
		{"ssm", "GetParametersByPath", "returns parameter values (SecureString decrypted on request)"},
		{"sso", "GetRoleCredentials", "mints temporary AWS credentials"},
		{"sts", "AssumeRole", "mints temporary credentials (only the --role-arn provider may, see providerOps)"},
		{"sts", "AssumeRoleWithSAML", "mints temporary credentials"},
		{"sts", "AssumeRoleWithWebIdentity", "mints temporary credentials"},
		{"sts", "AssumeRoot", "mints temporary root credentials"},
		{"sts", "GetDelegatedAccessToken", "mints temporary credentials"},
		{"sts", "GetFederationToken", "mints temporary credentials"},
		{"sts", "GetSessionToken", "mints temporary credentials"},
		{"sts", "GetWebIdentityToken", "mints a web identity token"},
	}
}

// denied reports whether service:operation is on the deny list.
func denied(service, operation string) bool {
	for _, d := range denylist() {
		if d.Service == service && d.Operation == operation {
			return true
		}
	}
	return false
}

// credentialOp is an operation a credential provider makes (ServiceID as
// the middleware sees it).
type credentialOp struct{ ServiceID, Operation, Why string }

// chainOps are the only operations the clients of the SDK's credential
// chain, built by the config loader, may send. Clients without a service
// identity (the EC2 instance metadata and container credential endpoints,
// which are not AWS APIs) are let through as well.
var chainOps = []credentialOp{
	{sso.ServiceID, "GetRoleCredentials", "IAM Identity Center (SSO) profiles"},
	{ssooidc.ServiceID, "CreateToken", "refreshes the cached IAM Identity Center token"},
	{signin.ServiceID, "CreateOAuth2Token", "aws login sessions"},
	{sts.ServiceID, "AssumeRole", "assume-role profiles (role_arn with source_profile or credential_source)"},
	{sts.ServiceID, "AssumeRoleWithWebIdentity", "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, EKS service accounts)"},
}

// providerOps are the only operations the --role-arn credential provider's
// STS client may send.
var providerOps = []credentialOp{
	{sts.ServiceID, "AssumeRole", "stscreds.AssumeRoleProvider exchanges the caller's credentials for the audit role's"},
}

// credentialGuard allows exactly ops, and with anonymous also clients
// without a service identity.
func credentialGuard(ops []credentialOp, anonymous bool, what string) func(*middleware.Stack) error {
	allowed := map[[2]string]bool{{"", ""}: anonymous}
	for _, c := range ops {
		allowed[[2]string{c.ServiceID, c.Operation}] = true
	}
	return guard(allowed, what)
}

// chainGuard is the guard of the credential chain's clients.
func chainGuard() func(*middleware.Stack) error {
	return credentialGuard(chainOps, true, "a credential-chain call")
}

// guard returns an APIOptions function that installs a guard allowing
// exactly ops (keys: SDK ServiceID, operation).
func guard(ops map[[2]string]bool, what string) func(*middleware.Stack) error {
	mw := middleware.InitializeMiddlewareFunc(guardID, func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
		middleware.InitializeOutput, middleware.Metadata, error) {
		svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
		if !ops[[2]string{svc, op}] {
			return middleware.InitializeOutput{}, middleware.Metadata{},
				fmt.Errorf("%s %s: %w (not %s)", svc, op, ErrNotReadOnly, what)
		}
		return next.HandleInitialize(ctx, in)
	})
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(mw, middleware.Before)
	}
}

// serviceIDs maps SDK package names to ServiceIDs.
func serviceIDs() map[string]string {
	ids := map[string]string{}
	for _, s := range services() {
		ids[s.Name] = s.ID
	}
	return ids
}

// ReadOnlyGuard returns an APIOptions function that installs the guard; it
// allows exactly the operations of the given calls plus the allowlist,
// except those on the deny list.
func ReadOnlyGuard(calls []Call) func(*middleware.Stack) error {
	ids := serviceIDs()
	allowed := map[[2]string]bool{}
	add := func(service, op string) {
		if id, ok := ids[service]; ok && !denied(service, op) {
			allowed[[2]string{id, op}] = true
		}
	}
	for _, c := range calls {
		add(c.Service, c.Operation)
	}
	for _, a := range allowlist() {
		add(a.Service, a.Operation)
	}
	return guard(allowed, "a declared collector call")
}

// assumeRoleClient is the STS client of the --role-arn credential
// provider: it may send sts AssumeRole and nothing else.
func assumeRoleClient(cfg aws.Config) *sts.Client {
	return sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.APIOptions = append(append([]func(*middleware.Stack) error{}, o.APIOptions...),
			credentialGuard(providerOps, false, "a --role-arn credential-provider call"))
	})
}

// WithReadOnlyGuard returns a copy of cfg whose clients refuse every
// operation outside the registry (and the allowlist), and every denied one.
func WithReadOnlyGuard(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), ReadOnlyGuard(Registry()))
	return cfg
}
