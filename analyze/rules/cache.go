package rules

// OPA caches, for the length of one evaluation, the value of every rule and
// of every call of a Rego function whose arguments are ground, in its
// virtual cache: a trie keyed by the function's ref, then by each argument.
// A check builds each finding with lib.fail, lib.pass or lib.error (entity,
// message): one call per finding, whose arguments never repeat, so the
// cache kept a trie node, a hash map and the finding's object for every
// finding, alive until the check ended, and never read them (at 1,000,000
// resources AWS-TAG-001 makes 292,000 findings).
//
// findingCache is OPA's own virtual cache, except that calls of those three
// finding constructors are neither stored nor looked up: each call builds
// its object again, which is all the function does. Rules and every other
// call are cached as before (a helper called per resource may be called
// again and again for it: not caching helpers that take an entity doubled
// the allocations of AWS-IAM-001).

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

type findingCache struct {
	topdown.VirtualCache
}

func newFindingCache() findingCache {
	return findingCache{VirtualCache: topdown.NewVirtualCache()}
}

// findingConstructors are the refs of data.lib's finding constructors.
var findingConstructors = []ast.Ref{
	ast.MustParseRef("data.lib.fail"),
	ast.MustParseRef("data.lib.pass"),
	ast.MustParseRef("data.lib.error"),
}

// constructsFinding reports whether ref is the key of a call of a finding
// constructor: OPA keys a call by the function's ref (one term) followed by
// the arguments.
func constructsFinding(ref ast.Ref) bool {
	if len(ref) < 2 {
		return false
	}
	fn, ok := ref[0].Value.(ast.Ref)
	if !ok {
		return false
	}
	for _, c := range findingConstructors {
		if fn.Equal(c) {
			return true
		}
	}
	return false
}

func (c findingCache) Get(ref ast.Ref) (*ast.Term, bool) {
	if constructsFinding(ref) {
		return nil, false
	}
	return c.VirtualCache.Get(ref)
}

func (c findingCache) Put(ref ast.Ref, value *ast.Term) {
	if !constructsFinding(ref) {
		c.VirtualCache.Put(ref, value)
	}
}
