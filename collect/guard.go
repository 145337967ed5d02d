package collect

// The read-only guard is the run-time half of "read-only by construction"
// (the compile-time half is the registry test that every operation name is
// List/Get/Describe or on the justified allowlist). It is a smithy
// Initialize-step middleware added to every client through the config's
// APIOptions; it looks at the operation the client is about to run
// (middleware.GetServiceID / GetOperationName) and fails the call before it
// is serialized, signed or sent when the operation is not one the registry
// declares. A bug that calls ec2 TerminateInstances therefore gets an error,
// not a terminated instance.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
)

// ErrNotReadOnly is returned (wrapped) by a client call the guard refused.
var ErrNotReadOnly = errors.New("refused by the read-only guard")

// guardID names the middleware in the stack.
const guardID = "snapaudit.ReadOnlyGuard"

// ReadOnlyGuard returns an APIOptions function that installs the guard; it
// allows exactly the operations of the given calls plus the allowlist.
func ReadOnlyGuard(calls []Call) func(*middleware.Stack) error {
	ids := map[string]string{}
	for _, s := range services() {
		ids[s.Name] = s.ID
	}
	allowed := map[[2]string]bool{}
	for _, c := range calls {
		allowed[[2]string{ids[c.Service], c.Operation}] = true
	}
	for _, a := range allowlist() {
		allowed[[2]string{ids[a.Service], a.Operation}] = true
	}
	mw := middleware.InitializeMiddlewareFunc(guardID, func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
		middleware.InitializeOutput, middleware.Metadata, error) {
		svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
		if !allowed[[2]string{svc, op}] {
			return middleware.InitializeOutput{}, middleware.Metadata{},
				fmt.Errorf("%s %s: %w (not a declared collector call)", svc, op, ErrNotReadOnly)
		}
		return next.HandleInitialize(ctx, in)
	})
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(mw, middleware.Before)
	}
}

// WithReadOnlyGuard returns a copy of cfg whose clients refuse every
// operation outside the registry (and the allowlist).
func WithReadOnlyGuard(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), ReadOnlyGuard(Registry()))
	return cfg
}
