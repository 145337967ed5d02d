package iam

import "sync"

// Deciding which resources of a request pattern a statement covers
// (matchResource over a pattern, intersect.go) explores automata: the
// costliest step of an evaluation. Without a policy variable in the
// statement's Resource or NotResource the answer depends on nothing but the
// request's resource, and an offline analysis asks the same statements
// about the same patterns again and again (every action class of a
// principal, every principal holding a managed policy), so each such
// statement remembers its answers.

// maxMemoPatterns bounds the answers one statement remembers; past it the
// statement computes them again, as without the memo.
const maxMemoPatterns = 1 << 12

// coverMemo holds a statement's coverage of request resource patterns.
// The mutex keeps the Evaluator safe for concurrent use.
type coverMemo struct {
	mu sync.Mutex
	m  map[string]coverage
}

// newCoverMemo returns a memo for s, or nil when its answers depend on the
// request context (a policy variable) or need no automaton (no Resource or
// NotResource element).
func newCoverMemo(s *Statement) *coverMemo {
	if s.resourceMissing {
		return nil
	}
	for _, l := range [][]pattern{s.resources, s.notResources} {
		for i := range l {
			if l[i].hasVar {
				return nil
			}
		}
	}
	return &coverMemo{}
}

func (m *coverMemo) get(resource string) (coverage, bool) {
	m.mu.Lock()
	c, ok := m.m[resource]
	m.mu.Unlock()
	return c, ok
}

func (m *coverMemo) put(resource string, c coverage) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]coverage{}
	}
	if len(m.m) < maxMemoPatterns {
		m.m[resource] = c
	}
	m.mu.Unlock()
}
