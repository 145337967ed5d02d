package collect

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
