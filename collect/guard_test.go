package collect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
)

// operations returns the API operation methods of an SDK client:
// Op(ctx, *OpInput, ...func(*Options)) (*OpOutput, error), by name.
func operations(client any) map[string]reflect.Value {
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	v := reflect.ValueOf(client)
	ops := map[string]reflect.Value{}
	for i := range v.NumMethod() {
		m, name := v.Method(i), v.Type().Method(i).Name
		t := m.Type()
		if t.NumIn() != 3 || !t.IsVariadic() || t.In(0) != ctxType || t.NumOut() != 2 || t.Out(1) != errType {
			continue
		}
		if in := t.In(1); in.Kind() != reflect.Pointer || in.Elem().Name() != name+"Input" {
			continue
		}
		ops[name] = m
	}
	return ops
}

// callZero invokes an operation method with a zero input.
func callZero(ctx context.Context, m reflect.Value) error {
	out := m.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.New(m.Type().In(1).Elem())})
	err, _ := out[1].Interface().(error)
	return err
}

// guardedClient is one SDK client snapaudit builds, with the operations it
// may send.
type guardedClient struct {
	name    string
	client  any
	allowed map[string]bool
}

// TestGuardEveryOperation calls every operation of every client snapaudit
// builds — the collector's clients for each service and the STS client of
// the --role-arn credential provider — with a zero input against the fake.
// Exactly the declared operations may go through; every other one must be
// refused by the guard before a request is sent.
func TestGuardEveryOperation(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	cfg := fakeConfig(t, srv, nil)
	pool := newClientPool(New(cfg).cfg)

	declared := map[string]map[string]bool{}
	for _, c := range Registry() {
		if declared[c.Service] == nil {
			declared[c.Service] = map[string]bool{}
		}
		declared[c.Service][c.Operation] = true
	}
	for _, a := range allowlist() {
		declared[a.Service][a.Operation] = true
	}
	var clients []guardedClient
	for _, s := range services() {
		client, err := pool.get(s.Name, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, guardedClient{name: "collector " + s.Name, client: client, allowed: declared[s.Name]})
	}
	clients = append(clients, guardedClient{name: "role provider sts", client: assumeRoleClient(cfg),
		allowed: map[string]bool{"AssumeRole": true}})

	total := 0
	for _, gc := range clients {
		t.Run(gc.name, func(t *testing.T) {
			ops := operations(gc.client)
			if len(ops) < 5 {
				t.Fatalf("found only %d operations on %T", len(ops), gc.client)
			}
			for _, name := range slices.Sorted(maps.Keys(ops)) {
				total++
				err := callZero(t.Context(), ops[name])
				if refused := errors.Is(err, ErrNotReadOnly); refused == gc.allowed[name] {
					t.Errorf("%s: refused = %v (err %v), want %v", name, refused, err, !gc.allowed[name])
				}
			}
		})
	}
	for _, r := range srv.Requests() {
		if !declared[r.Service][r.Operation] && (r.Service != "sts" || r.Operation != "AssumeRole") {
			t.Errorf("the fake received %s:%s", r.Service, r.Operation)
		}
	}
	t.Logf("%d operations of %d clients checked", total, len(clients))
}

// TestGuardRefusesDenied: a call list that declares a denied operation
// (a custom WithCalls list, a registry entry that slipped through) still
// cannot send it.
func TestGuardRefusesDenied(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	cfg := fakeConfig(t, srv, nil)
	cfg.APIOptions = append(cfg.APIOptions, ReadOnlyGuard([]Call{
		{Service: "ec2", Operation: "GetPasswordData"}, {Service: "lambda", Operation: "GetFunction"},
		{Service: "ec2", Operation: "DescribeVpcs"},
	}))
	tests := []struct {
		name    string
		call    func(context.Context) error
		refused bool
	}{
		{name: "ec2 GetPasswordData", refused: true, call: func(ctx context.Context) error {
			_, err := ec2.NewFromConfig(cfg).GetPasswordData(ctx, &ec2.GetPasswordDataInput{InstanceId: aws.String("i-1")})
			return err
		}},
		{name: "lambda GetFunction", refused: true, call: func(ctx context.Context) error {
			_, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
			return err
		}},
		{name: "declared and not denied", refused: false, call: func(ctx context.Context) error {
			_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			if got := errors.Is(err, ErrNotReadOnly); got != tt.refused {
				t.Errorf("refused = %v (err %v), want %v", got, err, tt.refused)
			}
		})
	}
	for _, r := range srv.Requests() {
		if r.Operation != "DescribeVpcs" {
			t.Errorf("the fake received %s:%s", r.Service, r.Operation)
		}
	}
}

func TestDenied(t *testing.T) {
	tests := []struct {
		service, op string
		want        bool
	}{
		{"ec2", "GetPasswordData", true},
		{"secretsmanager", "GetSecretValue", true},
		{"sts", "GetSessionToken", true},
		{"sts", "AssumeRole", true},
		{"ec2", "DescribeInstances", false},
		{"iam", "GetCredentialReport", false},
		{"lambda", "GetFunctionConfiguration", false},
	}
	for _, tt := range tests {
		if got := denied(tt.service, tt.op); got != tt.want {
			t.Errorf("denied(%s, %s) = %v, want %v", tt.service, tt.op, got, tt.want)
		}
	}
	// Entries of services the collector has a client for name real
	// operations (a misspelt entry would deny nothing).
	pool := newClientPool(aws.Config{Region: "us-east-1"})
	for _, d := range denylist() {
		if _, ok := pool.services[d.Service]; !ok {
			continue
		}
		client, err := pool.get(d.Service, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := operations(client)[d.Operation]; !ok {
			t.Errorf("deny list: %T has no operation %s", client, d.Operation)
		}
	}
}

// credServer is a loopback stand-in for the credential sources that are not
// AWS APIs or that fakeaws does not serve: the EC2 instance metadata
// service (IMDSv2), the container credential endpoint, and STS
// AssumeRoleWithWebIdentity (unsigned, so fakeaws refuses it).
func credServer(t *testing.T) *httptest.Server {
	t.Helper()
	creds := `{"Code": "Success", "AccessKeyId": "ASIACREDSERVER000001", "SecretAccessKey": "credserver-secret",
		"Token": "credserver-token", "Expiration": "2099-01-01T00:00:00Z"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			fmt.Fprint(w, "imds-token")
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			fmt.Fprint(w, "audit-instance-role")
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/audit-instance-role", r.URL.Path == "/container-creds":
			fmt.Fprint(w, creds)
		case r.Method == http.MethodPost && r.FormValue("Action") == "AssumeRoleWithWebIdentity":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIACREDSERVER000001</AccessKeyId><SecretAccessKey>credserver-secret</SecretAccessKey><SessionToken>credserver-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`)
		default:
			http.Error(w, "credServer: unexpected "+r.Method+" "+r.URL.String(), http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCredentialChainGuard loads the configuration through each credential
// source of the SDK's chain, all served on loopback. The credentials must
// still come through (the chain guard lets the chain's own calls pass), and
// the chain's STS and SSO clients, observed through the loader's hooks,
// must refuse every other operation of their service.
func TestCredentialChainGuard(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		config  string // shared config file
		profile string
		wantKey string // access key id the chain must produce; "" = do not retrieve
		// wantChainClients: STS or SSO clients the chain builds
		wantChainClients int
	}{
		{name: "assume-role profile", profile: "audit",
			config: "[profile base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = base-secret\n" +
				"[profile audit]\nrole_arn = arn:aws:iam::123456789012:role/SecurityAudit\nsource_profile = base\n",
			wantKey: "ASIAFAKEAWS000000001", wantChainClients: 1},
		{name: "web identity", env: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/Irsa",
			"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKENFILE", "AWS_ENDPOINT_URL_STS": "CREDSERVER"},
			wantKey: "ASIACREDSERVER000001", wantChainClients: 1},
		{name: "container endpoint", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "CREDSERVER/container-creds"},
			wantKey: "ASIACREDSERVER000001"},
		{name: "instance metadata", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "false",
			"AWS_EC2_METADATA_SERVICE_ENDPOINT": "CREDSERVER"},
			wantKey: "ASIACREDSERVER000001"},
		{name: "sso profile", profile: "sso",
			config: "[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n" +
				"sso_account_id = 123456789012\nsso_role_name = SecurityAudit\n",
			wantChainClients: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
			cs := credServer(t)
			isolateEnv(t)
			// Every endpoint a credential source could use is on loopback
			// (the chain's clients are built before the global
			// AWS_ENDPOINT_URL is applied, so each service is set too).
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
				"AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL_SIGNIN"} {
				t.Setenv(k, srv.URL())
			}
			dir := t.TempDir()
			tokenFile := filepath.Join(dir, "token")
			if err := os.WriteFile(tokenFile, []byte("web-identity-token"), 0o600); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.env {
				v = strings.ReplaceAll(strings.ReplaceAll(v, "CREDSERVER", cs.URL), "TOKENFILE", tokenFile)
				t.Setenv(k, v)
			}
			if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte(tt.config), 0o600); err != nil {
				t.Fatal(err)
			}
			// The loader runs these hooks more than once, the last time
			// with the client the provider keeps.
			var chainClients []any
			observe := func(c any) {
				if c != nil && !reflect.ValueOf(c).IsNil() && !slices.Contains(chainClients, c) {
					chainClients = append(chainClients, c)
				}
			}
			o := ConfigOptions{Region: "us-east-1", Profile: tt.profile, MaxAttempts: 2, NoBackoff: true,
				loadOptions: []func(*config.LoadOptions) error{
					config.WithAssumeRoleCredentialOptions(func(a *stscreds.AssumeRoleOptions) { observe(a.Client) }),
					config.WithWebIdentityRoleCredentialOptions(func(a *stscreds.WebIdentityRoleOptions) { observe(a.Client) }),
					config.WithSSOProviderOptions(func(a *ssocreds.Options) { observe(a.Client) }),
				}}
			cfg, err := LoadConfig(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantKey != "" {
				creds, err := cfg.Credentials.Retrieve(t.Context())
				if err != nil {
					t.Fatalf("credentials: %v", err)
				}
				if creds.AccessKeyID != tt.wantKey {
					t.Errorf("access key %s, want %s", creds.AccessKeyID, tt.wantKey)
				}
			}
			for _, c := range chainClients {
				for name, m := range operations(c) {
					err := callZero(t.Context(), m)
					allowed := slices.ContainsFunc(chainOps, func(op credentialOp) bool {
						return op.Operation == name
					})
					if refused := errors.Is(err, ErrNotReadOnly); refused == allowed {
						t.Errorf("%T %s: refused = %v (err %v)", c, name, refused, err)
					}
				}
			}
			if tt.wantChainClients != len(chainClients) {
				t.Errorf("observed %d credential-chain clients, want %d", len(chainClients), tt.wantChainClients)
			}
			if len(cfg.APIOptions) != 0 {
				t.Errorf("the loaded config keeps %d API options; the collector's clients must not inherit the chain guard", len(cfg.APIOptions))
			}
		})
	}
}
