// Package policies embeds snapaudit's built-in Rego: the data.lib helper
// library (lib/) and the compliance checks (aws/<service>/), each with its
// _test.rego. README.md in this directory specifies the input document, the
// lib helpers and how to write and test a check; the engine that evaluates
// them is package analyze/rules.
//
// The files are plain Rego v1 with no custom builtins, so auditors can run
// the stock `opa test policies/` on them.
package policies
