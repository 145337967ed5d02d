package rules

import (
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// disallowedBuiltins are removed from the capabilities every policy is
// compiled against: analysis is offline and must be reproducible, so nothing
// that reaches the network or returns a different value on every run may be
// called. Sorted; see TestDisallowedBuiltins.
//
// time.now_ns and io.jwt.decode_verify are non-deterministic only through the
// clock, which the engine pins to the snapshot time (rego.EvalTime), so they
// stay allowed.
var disallowedBuiltins = []string{
	"http.send",              // network
	"io.jwt.encode_sign",     // random signature nonces
	"io.jwt.encode_sign_raw", // random signature nonces
	"json.match_schema",      // may fetch remote $ref schemas
	"json.verify_schema",     // may fetch remote $ref schemas
	"net.lookup_ip_addr",     // DNS
	"opa.runtime",            // host environment and configuration
	"rand.intn",              // random
	"uuid.rfc4122",           // random
}

// clockBuiltins are non-deterministic only through the evaluation clock.
var clockBuiltins = []string{"io.jwt.decode_verify", "time.now_ns"}

// Capabilities returns the OPA capabilities snapaudit compiles policies
// against: this OPA version's builtins minus the disallowed ones, and no
// network hosts (AllowNet is empty, not nil). Auditors can write them out
// (opa capabilities) and pass them to `opa check --capabilities`.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(c.Builtins))
	for _, b := range c.Builtins {
		if _, found := slices.BinarySearch(disallowedBuiltins, b.Name); !found {
			kept = append(kept, b)
		}
	}
	c.Builtins = kept
	c.AllowNet = []string{}
	return c
}

// isDisallowed reports whether name is a builtin removed by Capabilities.
func isDisallowed(name string) bool {
	_, found := slices.BinarySearch(disallowedBuiltins, name)
	return found
}
