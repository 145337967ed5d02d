package rules

import (
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestFindingCache: calls of lib.fail, lib.pass and lib.error are keyed
// as OPA keys a call (the function's ref as one term, then the arguments)
// and are neither stored nor found; every other key is cached as before.
func TestFindingCache(t *testing.T) {
	call := func(fn string, args ...*ast.Term) ast.Ref {
		return append(ast.Ref{ast.NewTerm(ast.MustParseRef(fn))}, args...)
	}
	e, msg := ast.StringTerm("arn:aws:s3:::b"), ast.StringTerm("bucket b is open")
	value := ast.ObjectTerm(ast.Item(ast.StringTerm("status"), ast.StringTerm("FAIL")))
	for _, tc := range []struct {
		name   string
		key    ast.Ref
		cached bool
	}{
		{"lib.fail", call("data.lib.fail", e, msg), false},
		{"lib.pass", call("data.lib.pass", e, msg), false},
		{"lib.error", call("data.lib.error", e, msg), false},
		{"another lib function", call("data.lib.has_tag", e, ast.StringTerm("Owner")), true},
		{"a check's own fail", call("data.snapaudit.rules.x.fail", e, msg), true},
		{"a rule", ast.MustParseRef("data.snapaudit.rules.x.findings"), true},
		{"the function's ref alone", call("data.lib.fail"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newFindingCache()
			c.Put(tc.key, value)
			got, _ := c.Get(tc.key)
			if cached := got != nil; cached != tc.cached {
				t.Fatalf("cached = %v, want %v", cached, tc.cached)
			}
			if tc.cached && !got.Equal(value) {
				t.Fatalf("got %v, want %v", got, value)
			}
		})
	}
}

// TestPermute: the in-place permutation sortFindings applies equals the
// sorted copy it replaced, for permutations of every cycle structure.
func TestPermute(t *testing.T) {
	for _, idx := range [][]int32{
		{},
		{0},
		{0, 1, 2, 3},
		{3, 2, 1, 0},
		{1, 2, 3, 0},
		{2, 0, 1, 4, 3},
		{0, 4, 1, 5, 2, 6, 3, 7},
	} {
		fs := make([]string, len(idx))
		for i := range fs {
			fs[i] = string(rune('a' + i))
		}
		want := make([]string, len(idx))
		for k, i := range idx {
			want[k] = fs[i]
		}
		permute(fs, slices.Clone(idx))
		if !slices.Equal(fs, want) {
			t.Errorf("permute by %v: got %v, want %v", idx, fs, want)
		}
	}
}

// TestStatusCodeOrder: statusCode sorts as the status names do, so a
// check's findings keep Finding order (sortFindings compares codes).
func TestStatusCodeOrder(t *testing.T) {
	if !slices.IsSorted(statusNames[:]) {
		t.Fatalf("status names %q are not in order", statusNames)
	}
	for i, name := range statusNames {
		if code, ok := parseStatus(name); !ok || int(code) != i {
			t.Errorf("parseStatus(%q) = %d, %v; want %d", name, code, ok, i)
		}
	}
	if _, ok := parseStatus("pass"); ok {
		t.Error(`parseStatus("pass") accepted`)
	}
}
