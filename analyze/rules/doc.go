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
// Isolation: an auditor's directory (WithPolicyDir) lives in its own
// namespace. Its packages and rules (package path plus the ground prefix of
// the rule-head ref) may not collide with data.lib, with data.snapaudit
// outside data.snapaudit.rules.<name> (data.snapaudit.config is the validated
// configuration), with any built-in package, or with another directory's
// check; a *.json/*.yaml data file in it is refused too. Each is a load error
// naming the file and line (namespace.go). The built-in checks are also
// prepared against the built-in modules alone.
//
// Configuration: WithConfig and WithConfigFile fill data.snapaudit.config;
// the built-in keys are validated, and a key no loaded policy reads (found
// statically: lib.config("key", ...) and data.snapaudit.config.key) is an
// error naming its file and a close match, unless some policy computes the
// key it reads.
//
// Limits: every check runs under a time limit (WithRuleTimeout; by default
// a minute per 250,000 entities and relationships, at least a minute:
// RuleTimeoutFor) and a memory budget (WithRuleMemory; by default 1 GiB
// per 5,000,000 entities and relationships, at least 1 GiB: RuleMemoryFor),
// and one that
// exceeds either gets a single ERROR finding (a *LimitError message) while
// the others keep theirs. Checks run in
// parallel (WithParallelism); the memory budget is checked against the live
// heap, which they share, so checks stopped in the parallel phase are run
// again alone and only one that exceeds the budget alone is blamed
// (limits.go).
//
// Usage:
//
//	eng, err := rules.New(ctx,
//		rules.WithPolicies(policies.FS),
//		rules.WithPolicyDir("/srv/audit/rules"),
//		rules.WithConfigFile("/srv/audit/audit.yaml"),
//		rules.WithRuleTimeout(time.Minute),
//		rules.WithLogger(logger))
//	res, err := eng.Evaluate(ctx, rules.Input{Graph: g, Gaps: gaps, Snapshot: info})
//
// Performance follows measured OPA behaviour: every check's query is prepared
// once in New; Evaluate builds one input document, an ast.Value with by-type,
// by-class, by-key and adjacency indexes, and passes it with
// rego.EvalParsedInput to every check. Checks never scan arrays to join. The
// big objects of the document (entities, relationships, out, in and each
// entity's verbs) are lazy (lazy.go): an entry is converted to OPA terms when
// a check first reads it and shared by every check after, so the input costs
// what the checks read, not a second copy of the graph; an entity or
// relationship converts its properties one by one as they are read
// (lazyrecord.go), and a check that uses one whole is evaluated again on
// whole records. OPA's cache of function calls skips data.lib's finding
// constructors, whose calls never repeat (cache.go). A check compiled with
// a module that may use one of them whole, which OPA's own object code cannot
// take, reads the fully converted document instead (lazyguard.go). The
// per-check costs are in docs/performance.md (BenchmarkChecks).
//
// Coverage: a failed collection call, or one the snapshot never made (a
// Gap), is never read as "no resources".
// Every check whose resource_types include the gap's type gets an ERROR
// finding for that account/region, and PASS findings in that scope are marked
// Partial so reports never show the scope as cleanly passing.
package rules
