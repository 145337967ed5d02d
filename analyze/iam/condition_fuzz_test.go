package iam

import (
	"strings"
	"testing"
)

// negations pairs each positive operator with its negated form.
var negations = map[string]string{
	"StringEquals": "StringNotEquals", "StringEqualsIgnoreCase": "StringNotEqualsIgnoreCase",
	"StringLike": "StringNotLike", "NumericEquals": "NumericNotEquals", "DateEquals": "DateNotEquals",
	"IpAddress": "NotIpAddress", "ArnEquals": "ArnNotEquals", "ArnLike": "ArnNotLike",
}

// FuzzCondition compiles one condition (operator, policy value) and
// evaluates it against one request value. Invariants: no panic; a negated
// operator is exactly the negation of its positive form; ...IfExists
// agrees with the plain operator when the key is present; ForAnyValue and
// ForAllValues agree with the plain operator on one value; an absent key
// gives the documented results; StringLike agrees with the reference
// matcher; StringEquals of a value with itself matches.
func FuzzCondition(f *testing.F) {
	for _, c := range [][3]string{
		{"StringEquals", "alice", "alice"},
		{"StringLike", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x"},
		{"StringLike", "a*b?c${*}", "axxbyc*"},
		{"StringEqualsIgnoreCase", "ABC", "abc"},
		{"NumericLessThan", "10", "9.5"},
		{"NumericGreaterThanEquals", "-2", "00"},
		{"DateGreaterThan", "2020-01-01T00:00:00Z", "1700000000"},
		{"DateLessThanEquals", "2020-01-01", "2019-12-31T23:59:59+01:00"},
		{"Bool", "true", "TRUE"},
		{"BinaryEquals", "QmluYXJ5", "QmluYXJ5"},
		{"IpAddress", "10.0.0.0/8", "10.1.2.3"},
		{"IpAddress", "2001:db8::/32", "::ffff:10.1.2.3"},
		{"ArnLike", "arn:aws:iam::*:role/${aws:username}", "arn:aws:iam::111122223333:role/alice"},
		{"ArnEquals", "arn:aws:s3:::*", "arn:aws:s3:::bucket/key:x"},
		{"Null", "true", ""},
		{"StringLike", "${missing}", "x"},
		{"StringLike", "${missing, 'd*'}", "dx"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	lookup := func(k string) (string, bool) {
		switch k {
		case "aws:username":
			return "alice", true
		case "aws:principaltag/team":
			return "*", true
		}
		return "", false
	}
	eval := func(t *testing.T, op, pv string, vals []string) (bool, bool) {
		cs, err := parseConditions(map[string]any{op: map[string]any{"k": pv}}, true)
		if err != nil {
			return false, false
		}
		if len(cs) != 1 {
			t.Fatalf("%s: %d conditions, want 1", op, len(cs))
		}
		return cs[0].eval(vals, lookup), true
	}
	f.Fuzz(func(t *testing.T, op, pv, rv string) {
		op, _ = strings.CutPrefix(op, "ForAnyValue:")
		op, _ = strings.CutPrefix(op, "ForAllValues:")
		op, _ = strings.CutSuffix(op, "IfExists")
		got, ok := eval(t, op, pv, []string{rv})
		if !ok {
			return
		}
		if op == "Null" {
			// true tests absence, anything else presence; an unresolved
			// variable matches nothing.
			p := compilePattern(pv, true, false)
			text, _, resolved := p.resolve(lookup)
			wantAbsent := strings.EqualFold(text, "true")
			if g, _ := eval(t, op, pv, nil); g != (resolved && wantAbsent) || got != (resolved && !wantAbsent) {
				t.Fatalf("Null %q: absent key %v, present key %v", pv, g, got)
			}
			return
		}
		if neg, ok := negations[op]; ok {
			if n, _ := eval(t, neg, pv, []string{rv}); n == got {
				t.Fatalf("%s and %s both %v for %q / %q", op, neg, got, pv, rv)
			}
		}
		if g, _ := eval(t, op+"IfExists", pv, []string{rv}); g != got {
			t.Fatalf("%sIfExists %v, %s %v", op, g, op, got)
		}
		for _, set := range []string{"ForAnyValue:", "ForAllValues:"} {
			if g, _ := eval(t, set+op, pv, []string{rv}); g != got {
				t.Fatalf("%s%s %v, %s %v on one value", set, op, g, op, got)
			}
		}
		absent, _ := eval(t, op, pv, nil)
		_, negated := baseOps[op]
		negated = negated && baseOps[op].negated
		if absent != negated {
			t.Fatalf("%s on an absent key = %v", op, absent)
		}
		if g, _ := eval(t, op+"IfExists", pv, nil); !g {
			t.Fatalf("%sIfExists on an absent key = false", op)
		}
		if g, _ := eval(t, "ForAllValues:"+op, pv, nil); !g {
			t.Fatalf("ForAllValues:%s on an absent key = false", op)
		}
		if g, _ := eval(t, "ForAnyValue:"+op, pv, nil); g {
			t.Fatalf("ForAnyValue:%s on an absent key = true", op)
		}
		p := compilePattern(pv, true, false)
		text, lit, resolved := p.resolve(lookup)
		switch op {
		case "StringLike":
			if want := resolved && refMatch(text, lit, rv, false); got != want {
				t.Fatalf("StringLike %q (as %q) on %q = %v, reference says %v", pv, text, rv, got, want)
			}
		case "StringEquals":
			if want := resolved && text == rv; got != want {
				t.Fatalf("StringEquals %q (as %q) on %q = %v", pv, text, rv, got)
			}
		}
	})
}
