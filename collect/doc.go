// Package collect walks an AWS account read-only and streams the raw API
// responses, one row per response page, to a snapshot writer.
//
// It knows AWS APIs and nothing about entities. Every API call it makes is
// one declarative record in the sorted registry (registry.go, one
// registry_<service>.go per service): scope (Global, once per account
// through us-east-1; Regional, once per enabled region; PerParent, once per
// key extracted from a parent call's pages (the account's own settings,
// s3control GetPublicAccessBlock, are a child of sts GetCallerIdentity
// keyed by the account ID), or per batch of keys for APIs
// that describe several resources per request, batch.go; a recursive
// per-parent call also runs once per key of its own pages, depth-bounded:
// the Organizations OU tree, Call.Recurse), input template,
// output fields to redact, and a Runner built by one of three generic
// helpers (runner.go) over the SDK paginators, single-page calls and token
// loops, whose SDK types name the service and operation (and, for the
// keys, the parent).
// Every snapshot's manifest records the plan it ran (Plan: each call with
// its scope and parent), and analyze knows the current one (scope, parent,
// output type) from a table generated from this registry
// (analyze/model/shapes.txt), so adding a call means adding a record and
// regenerating that table (the checklist for a whole resource type is in
// analyze/model/doc.go).
//
// # Guarantees
//
//   - Read-only by construction: every registered operation starts with
//     List, Get or Describe or is on a short allowlist with a justification,
//     and none is on the deny list of read operations that return secrets
//     or mint credentials (sts GetSessionToken, secretsmanager
//     GetSecretValue, ssm GetParameter(s), ec2 GetPasswordData, redshift
//     GetClusterCredentials, ecr GetAuthorizationToken, lambda GetFunction
//     ...; guard.go, enforced by registry_test.go). At run time a smithy
//     middleware on every collector client refuses, before anything is
//     validated, signed or sent, any operation the registry does not declare
//     and every denied one; the STS client of the --role-arn credential
//     provider has its own guard that allows exactly sts AssumeRole, and the
//     clients the SDK's config loader builds for the credential chain
//     (assume-role and web identity profiles, SSO) may make only their
//     credential calls (guard.go; guard_test.go calls every operation of
//     every client).
//   - Failures are data: a failed call becomes a row with status=error and a
//     class (denied, not_found, unsupported, throttled, other; classify.go;
//     a service with no endpoint in a region, whose host name does not
//     resolve, is unsupported with the code NoEndpoint).
//     A region whose probe call (ec2 DescribeVpcs) answers a region-level
//     refusal is skipped and recorded. Summary.Failures groups the failed
//     calls that leave the snapshot incomplete (denied, throttled, other;
//     failures.go) for the caller's report and exit code.
//   - Faults are survived: throttling, server errors, reset connections,
//     answers cut short or garbled, and connections silent past the read
//     timeout (ConfigOptions.ReadTimeout) are retried; assumed-role sessions
//     are renewed before they expire. An endpoint that cannot be reached
//     fails the run at its first call, within seconds (clients.go).
//   - Region names are checked (regions.go); a run with no region to
//     collect is an error.
//   - Secrets never reach disk: declared output paths (Lambda environment
//     variables, API Gateway integration parameters and mapping templates,
//     virtual MFA seeds, ...) are replaced by keyed-hash markers before
//     marshalling, and before child keys are extracted from the page, so a
//     secret cannot become a parent_key or a child's request either
//     (redact.go). The registry test walks every call's SDK
//     output type and fails for any field whose name suggests a secret
//     unless it is redacted or declared not secret with a reason
//     (secrets.go); REDACTION.md, generated from the registry, lists them
//     all. TestSecretsNeverReachDisk plants a distinct secret in every
//     redacted field and searches the snapshot for it in every encoding.
//   - Bounded memory: pages are written as they arrive; per-parent fan-out
//     keeps only the parent keys, and is worked off depth-first (newest
//     child jobs first, queue.go), so the pending keys are about those of
//     the pages being read. Workers do not wait for the journal's fsync:
//     finishers do (up to 64 per worker, so a stalled fsync does not stop
//     the workers), and a call counts as done once it is durable. The
//     debug "workers" line at the end says where the workers' time went.
//     docs/performance.md ("Collect under latency") measures a million
//     resources against collect/fakeaws with injected latency.
//   - Progress is events (WithEvents); the package never prints.
//   - Resumable: Snapshot journals every completed invocation durably in
//     the snapshot's staging area before it counts as done; Resume finishes
//     an interrupted collection without sending those again and commits
//     the snapshot an uninterrupted run would (resume.go).
//
// # Use
//
//	cfg, err := collect.LoadConfig(ctx, collect.ConfigOptions{Profile: "audit"})
//	m, sum, err := collect.Snapshot(ctx, "snap/", cfg, nil,
//		collect.WithConcurrency(8), collect.WithEvents(render))
//
// or collect.New(cfg, opts...).Run(ctx, w) with any RowWriter.
//
// # The demo snapshot
//
// testdata/snapshots/demo/ (repository root) is produced by this package's
// real collector against collect/fakeaws serving the demo world in
// testdata/fakeaws/demo/, with a fixed redaction key and a fixed clock.
// TestDemoSnapshot checks that the committed snapshot verifies and that a
// fresh collection produces identical data files. After changing the
// registry, the demo world or the snapshot format, regenerate it with
//
//	go test ./collect -run TestDemoSnapshot -update
//
// # Synthetic snapshots
//
// collect/synth writes organisation-sized snapshots without AWS for
// benchmarks. It renders rows with ResponseJSON and Call.ParamsJSON, the
// functions the collector itself uses, so its rows cannot drift from
// collected ones.
package collect
