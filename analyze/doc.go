// Package analyze turns a snapshot into findings, offline: it verifies the
// snapshot, rebuilds the JupiterOne-style graph (package model), adds the IAM
// derivations (TRUSTS, ALLOWS), works out which collection calls failed or
// stored a malformed response (coverage gaps, so that "unknown" is never read
// as "empty"), and evaluates
// the Rego checks (package rules) against the graph.
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
