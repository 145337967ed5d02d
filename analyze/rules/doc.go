// Package rules is snapaudit's Rego engine: it loads compliance checks
// (the built-in pack from package policies plus auditors' own directories),
// validates their METADATA, compiles them once against restricted
// capabilities, and evaluates them against an analysed graph to produce
// findings.
//
// A check is a Rego v1 package under data.snapaudit.rules.<name> with a
// package-scoped `# METADATA` block (title, description, custom.id,
// custom.severity, custom.resource_types, custom.frameworks,
// custom.remediation) that defines `findings contains f`, where f is built with
// the data.lib helpers (lib.fail, lib.pass, lib.error). The input document,
// the lib helpers and how to write and test a check are specified in
// policies/README.md.
//
// Usage:
//
//	eng, err := rules.New(ctx,
//		rules.WithPolicies(policies.FS),
//		rules.WithPolicyDir("/srv/audit/rules"),
//		rules.WithConfig(map[string]any{"required_tags": []any{"Owner"}}),
//		rules.WithLogger(logger))
//	res, err := eng.Evaluate(ctx, rules.Input{Graph: g, Gaps: gaps, Snapshot: info})
//
// Performance follows measured OPA behaviour: every check's query is prepared
// once in New; Evaluate converts the graph once, directly to an ast.Value with
// by-type, by-class, by-key and adjacency indexes, and passes it with
// rego.EvalParsedInput to every check. Checks never scan arrays to join.
//
// Coverage: a failed collection call (a Gap) is never read as "no resources".
// Every check whose resource_types include the gap's type gets an ERROR
// finding for that account/region, and PASS findings in that scope are marked
// Partial so reports never show the scope as cleanly passing.
package rules
