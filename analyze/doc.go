// Package analyze turns a snapshot into findings, offline: it verifies the
// snapshot, rebuilds the JupiterOne-style graph (package model), adds the IAM
// derivations (TRUSTS, ALLOWS), works out which collection calls failed,
// stored a malformed response or were never made (coverage gaps, so that
// "unknown" is never read as "empty"), and evaluates the Rego checks
// (package rules) against the graph.
//
// A snapshot outlives the collector that wrote it. Analysed by a newer
// binary, it lacks the calls the model has read since (s3control
// GetPublicAccessBlock, s3 GetBucketAbac): every call the model reads
// (a type's source and enrichments, relationship calls, escape hatches,
// service settings) that the manifest's plan does not name is a gap of
// class "" ("not collected", Report.Gaps, model.Gap.Unknown naming the
// properties and relationships it leaves null) for each account and
// Region where it would have run, once per type it feeds, and so is a
// top-level call with no status in an account or Region where the
// snapshot's calls ran. The properties stay null, never a guessed
// default; checks on those types report ERROR "was not collected" there
// (every check on the type, as for a failed call: the engine matches gaps
// by type, not by the properties a check reads), and the table lists the
// calls with their scopes. A call that was
// made and failed is a gap of its error class instead; one made with an
// empty answer, or a planned per-parent call without rows (no parent
// items), is data. A snapshot whose manifest records no plan (written
// before plans were) cannot tell a per-parent call never made from one
// without parents: only its top-level calls are checked.
//
// It needs no network and no AWS credentials: everything it reads is in the
// snapshot directory and in the binary (embedded policies, embedded IAM action
// catalog).
//
//	a, err := analyze.New(ctx, analyze.WithPolicyDirs("my-rules"))
//	rep, err := a.Run(ctx, "testdata/snapshots/demo")
//	for _, f := range rep.Findings { ... }
//
// The sub-packages:
//
//   - graph: the entity/relationship graph and its J1 JSON form;
//   - model: the declarative entity registry and the graph builder;
//   - iam: the IAM policy language and evaluation engine (and iam/actions,
//     the embedded action catalog);
//   - access: TRUSTS and ALLOWS derivations and effective access;
//   - rules: the Rego engine.
package analyze
