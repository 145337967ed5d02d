package collect

// The call registry: every AWS API call the collector makes is one record in
// the sorted slice returned by Registry, in the file of its service
// (registry_<service>.go). A record says how it pages and which SDK
// operation it runs (Runner, built by one of the three generic helpers in
// runner.go; its SDK types name the service and operation), how often it
// runs (Scope; global, regional and perParent build the plain records),
// where its input comes from (a fixed template, or a parent call's output
// through Keys: keysAt names a path, and the output type it reads names the
// parent; batchesAt groups the keys for APIs that describe several
// resources per request, batch.go), and which output fields hold secrets.
// A plain per-parent call is two lines:
//
//	perParent(keysAt[lambda.ListFunctionsOutput]("Functions[].FunctionName"),
//		single((*lambda.Client).GetPolicy, field[lambda.GetPolicyInput]("FunctionName"))),
//
// Nothing registers itself: Registry builds the slice explicitly
// and registry_test.go checks its invariants (sorted, unique, parents exist,
// key extractors typed against the parent's output, redaction paths exist,
// every secret-looking output field redacted or justified, read-only
// operation names, none on the deny list, a bounded number of escape
// hatches).
//
// Escape hatches are records whose Why is set: calls that cannot be expressed
// as "call this operation, page it, fan out over the keys". There are two:
// S3 per-bucket calls must go to the bucket's own region, and the IAM
// credential report must be generated (and polled) before it can be read.

import (
	"context"
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Scope says how often a call runs.
type Scope int

// The scopes.
const (
	// Global calls run once per account, through us-east-1; their rows have
	// Region "global".
	Global Scope = iota + 1
	// Regional calls run once per collected region.
	Regional
	// PerParent calls run once per item extracted from the pages of a parent
	// call, in the parent's region unless the item names another one.
	PerParent
)

func (s Scope) String() string {
	switch s {
	case Global:
		return "global"
	case Regional:
		return "regional"
	case PerParent:
		return "per-parent"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// Call is one declarative record of the registry.
type Call struct {
	// Service (the aws-sdk-go-v2 service package name: ec2, iam, s3 ...)
	// and Operation (DescribeInstances ...) are filled by Registry from
	// the Runner's SDK input type; records do not write them.
	Service   string
	Operation string
	Scope     Scope
	// Parent names the parent call ("service:Operation") of a PerParent
	// call; Registry fills it from the output type its Keys read.
	Parent string
	// Keys extracts the child items (parent keys) from one page of the
	// parent's output. Only the keys are kept, never the parent's pages.
	Keys Keys
	// Redact lists output paths whose string values are secrets; they are
	// replaced by keyed-hash markers before the page is marshalled. Path
	// syntax: dot-separated Go field names; "[]" after a name walks a slice,
	// "{}" walks a map's values (see redact.go).
	Redact []string
	// RedactURL lists output paths whose values are URLs that may carry
	// credentials: their user information, query values and fragment are
	// replaced by markers, scheme, host and path are kept (redact.go).
	RedactURL []string
	// NotSecret lists output fields whose names suggest a secret but which
	// hold none, each with the one-line reason (path syntax as Redact, the
	// field itself without a trailing walk suffix); a reason covers the
	// field and everything under it. The registry test fails for any
	// suggestive field that is neither redacted nor listed here, and for a
	// listed path that is not a suggestive field (secrets.go).
	NotSecret map[string]string
	// Probe marks the one regional call that runs first in every region:
	// when it answers a region-level refusal (opt-in, auth failure, SCP
	// deny) the region is recorded as skipped.
	Probe bool
	// Action is the IAM action that authorizes the call when it is not
	// <prefix>:<Operation> (s3 ListBuckets: s3:ListAllMyBuckets); set it
	// with authorizedBy (permissions.go).
	Action string
	// Recurse, set with recursive, makes a per-parent call walk a tree:
	// the keys it extracts from the call's own pages are invocations of
	// the same call (organizations ListOrganizationalUnitsForParent: the
	// root's OUs, then each OU's). Depth bounds the walk: a key found at
	// Depth levels below the parent's keys is not called but recorded as
	// a failed invocation (class other, code DepthLimit), so a tree deeper
	// than expected (or an endpoint that answers a cycle) ends the walk
	// without losing the fact that something was left out. The plan
	// records Parent only: a recursive call's rows are keyed by its
	// parent's keys and by its own.
	Recurse Keys
	Depth   int
	// Why, when set, marks an escape hatch and says why it is needed.
	Why string
	Run Runner
}

// Name is "service:Operation", the registry's sort key.
func (c Call) Name() string { return c.Service + ":" + c.Operation }

// Output is the SDK output struct type (not a pointer) of the operation:
// a row's response is this struct as JSON (see responseJSON). analyze
// derives the response shape it accepts from it (analyze/model/shapes.txt).
func (c Call) Output() reflect.Type { return c.Run.out }

// Item is one child invocation extracted from a parent page.
type Item struct {
	Key    string // parent key: bucket name, user name, function ARN ...
	Region string // region to send the child call to; "" = the parent's
}

// Keys extracts child items from a parent page. Build it with keys or items.
type Keys struct {
	parent reflect.Type // the parent's output struct type
	fn     func(parentKey string, out any) []Item
	why    string // set when the extractor is an escape hatch
	path   string // set by keysAt: the path it reads
	batch  int    // set by batchesAt: keys per item (batch.go)
	scoped bool   // set by scopedBatchesAt: the parent key leads each batch
}

// keys extracts plain keys from a parent page of type *Out.
func keys[Out any](f func(*Out) []string) Keys {
	return items(func(_ string, o *Out) []Item {
		var it []Item
		for _, k := range f(o) {
			if k != "" {
				it = append(it, Item{Key: k})
			}
		}
		return it
	})
}

// keysAt extracts the non-empty strings at path (redaction path syntax,
// redact.go: "Functions[].FunctionArn", "TableNames[]") of a parent page of
// type *Out. The registry test checks path against Out (Keys.path).
func keysAt[Out any](path string) Keys {
	segs, err := parsePath(path)
	k := keys(func(o *Out) []string {
		var out []string
		if err == nil {
			// The walk only reads: fn returns each value unchanged.
			_ = walk(reflect.ValueOf(o), segs, path, func(s string) string { out = append(out, s); return s })
		}
		return out
	})
	k.path = path
	return k
}

// items extracts child items that may carry their own region.
func items[Out any](f func(parentKey string, o *Out) []Item) Keys {
	return Keys{
		parent: typeOf[Out](),
		fn: func(parentKey string, out any) []Item {
			o, ok := out.(*Out)
			if !ok || o == nil {
				return nil
			}
			return f(parentKey, o)
		},
	}
}

// Allowed operations that do not start with List, Get or Describe, each with
// the reason it is still read-only.
type allowedOp struct {
	Service, Operation, Why string
}

func allowlist() []allowedOp {
	return []allowedOp{
		{Service: "iam", Operation: "GenerateCredentialReport",
			Why: "asks IAM to build the read-only credential report that GetCredentialReport returns; changes no resource"},
	}
}

// readOnlyPrefixes are the operation-name prefixes of read-only AWS APIs.
var readOnlyPrefixes = []string{"Describe", "Get", "List"}

// Registry returns the call registry, sorted by Name. It builds a fresh
// slice on every call; callers may filter it. Each service's records are in
// registry_<service>.go, sorted by operation (a large service may split them
// over several files, registry_ec2_images.go; Registry sorts the union),
// and duplicates are a test failure; a record names neither its
// service and operation nor its parent: they are read from the SDK types of
// its Runner and of its Keys (named), so they cannot disagree with the
// operation that is called.
func Registry() []Call {
	calls := slices.Concat(
		acmCalls(), apigatewayCalls(), autoscalingCalls(), batchCalls(), cloudfrontCalls(), configserviceCalls(),
		dynamodbCalls(), ec2Calls(), ec2ImageCalls(), ecrCalls(), ecsCalls(), eksCalls(),
		elasticloadbalancingCalls(), elasticloadbalancingv2Calls(), iamCalls(), kmsCalls(), lambdaCalls(), organizationsCalls(),
		rdsCalls(), route53Calls(), route53domainsCalls(), s3Calls(), s3controlCalls(), stsCalls(), transferCalls(), workspacesCalls())
	for i := range calls {
		calls[i].named()
	}
	slices.SortStableFunc(calls, func(a, b Call) int { return strings.Compare(a.Name(), b.Name()) })
	return calls
}

// named fills Service, Operation and Parent from the SDK types: the input
// type <Op>Input of package service/<service>, and for a per-parent call
// the output type <Op>Output its Keys read.
func (c *Call) named() {
	c.Service, c.Operation = sdkName(c.Run.in, "Input")
	if c.Keys.parent != nil {
		svc, op := sdkName(c.Keys.parent, "Output")
		c.Parent = svc + ":" + op
	}
}

// sdkName splits an SDK input or output type into its service package
// name and operation: dynamodb.DescribeTableInput -> dynamodb, DescribeTable.
func sdkName(t reflect.Type, suffix string) (service, operation string) {
	if t == nil {
		return "", ""
	}
	return path.Base(t.PkgPath()), strings.TrimSuffix(t.Name(), suffix)
}

// global, regional and perParent build the records that need nothing but
// their scope, their Runner and (per-parent) their Keys.
func global(r Runner) Call   { return Call{Scope: Global, Run: r} }
func regional(r Runner) Call { return Call{Scope: Regional, Run: r} }
func perParent(k Keys, r Runner) Call {
	return Call{Scope: PerParent, Keys: k, Run: r}
}

// recursive makes a per-parent call also feed itself (Call.Recurse), at
// most depth levels deep.
func recursive(c Call, k Keys, depth int) Call {
	c.Recurse, c.Depth = k, depth
	return c
}

// credentialReport runs GenerateCredentialReport until the report is
// COMPLETE (or the attempts run out) and emits the last answer.
//
// why: escape hatch. IAM builds the report asynchronously: the first call
// usually answers STARTED, and GetCredentialReport fails with
// ReportInProgress until a later GenerateCredentialReport answers COMPLETE.
// The poll interval comes from the context (see withPollInterval) so tests
// do not sleep.
func credentialReport() Runner {
	const attempts = 30
	r := single((*iam.Client).GenerateCredentialReport, none)
	run := r.run
	r.run = func(ctx context.Context, client any, in any, emit emitFunc) error {
		var last any
		capture := func(out any) error { last = out; return nil }
		for i := range attempts {
			if err := run(ctx, client, in, capture); err != nil {
				return err
			}
			if o, ok := last.(*iam.GenerateCredentialReportOutput); ok && o.State == iamtypes.ReportStateTypeComplete {
				break
			}
			if i == attempts-1 {
				break // emit the last (incomplete) state; no child runs
			}
			if err := wait(ctx, pollInterval(ctx)); err != nil {
				return err
			}
		}
		return emit(last)
	}
	return r
}

// wait pauses for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type pollKey struct{}

func withPollInterval(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, pollKey{}, d)
}

func pollInterval(ctx context.Context) time.Duration {
	if d, ok := ctx.Value(pollKey{}).(time.Duration); ok {
		return d
	}
	return 2 * time.Second
}

// merge returns the union of string maps (later maps win).
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// isReadOnlyName reports whether op starts with a read-only prefix.
func isReadOnlyName(op string) bool {
	return slices.ContainsFunc(readOnlyPrefixes, func(p string) bool {
		return strings.HasPrefix(op, p) && len(op) > len(p) && op[len(p)] >= 'A' && op[len(p)] <= 'Z'
	})
}
