package policies

import "embed"

// FS holds every built-in policy and test file, at the paths they have in
// this directory (lib/lib.rego, aws/ec2/open_admin_ports.rego, ...). Pass it
// to rules.WithPolicies; the engine skips the *_test.rego files.
// TestEmbedded fails when a .rego file on disk is missing from FS.
//
//go:embed lib/*.rego aws/*/*.rego
var FS embed.FS
