package iam

import (
	"strings"
	"testing"
)

// FuzzWildcard compares the wildcard matchers with the reference matcher
// (refMatch) as an oracle: a pattern (with policy variables and escapes)
// against a string, under the plain rules (Action lower-cased, StringLike)
// and the Resource segment rules. Inputs too long for the quadratic oracle
// are still matched, to catch panics. The string is also parsed as a
// principal ARN (checkPrincipal).
func FuzzWildcard(f *testing.F) {
	for _, c := range [][2]string{
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x:y/z"},
		{"arn:aws:ec2:*", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"},
		{"arn:aws:sqs:*:111122223333:q?", "arn:aws:sqs:us-east-1:111122223333:q1"},
		{"arn:aws:s3:::b/*/r", "arn:aws:s3:::b/x:y/r"},
		{"arn:aws:s3:::b/*a*/r", "arn:aws:s3:::b/xay/r"},
		{"arn:aws:s3:::b*${*}", "arn:aws:s3:::bx:y*"},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/a*b/x:y"},
		{"arn:aws:s3:::${x, 'd?'}/*", "arn:aws:s3:::d?/k"},
		{"*:a*:b*", ":a:a:b:b"},
		{"s3:Get*", "s3:getobject"},
		{"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"${?}?${$}", "??$"},
		{"arn:aws:iam::111122223333:role/r", "arn:aws:sts::111122223333:assumed-role/path/r/session"},
		{"arn:aws:iam::*:user/*", "arn:aws:iam::111122223333:user/division/alice"},
		{"*", "arn:aws-cn:sts::111122223333:federated-user/bob"},
	} {
		f.Add(c[0], c[1])
	}
	lookup := func(k string) (string, bool) {
		if k == "aws:username" {
			return "a*b", true
		}
		return "", false
	}
	f.Fuzz(func(t *testing.T, raw, s string) {
		small := len(raw) <= 200 && len(s) <= 200
		for _, vars := range []bool{true, false} {
			p := compilePattern(raw, vars, false)
			text, lit, resolved := p.resolve(lookup)
			if !vars && !resolved {
				t.Fatalf("%q without variables does not resolve", raw)
			}
			m, ok := p.match(s, lookup)
			a, aok := p.matchARN(s, lookup)
			if ok != resolved || aok != resolved {
				t.Fatalf("%q: resolved %v, match ok %v, matchARN ok %v", raw, resolved, ok, aok)
			}
			if !small {
				continue
			}
			if want := resolved && refMatch(text, lit, s, false); m != want {
				t.Fatalf("match(%q (vars %v, as %q), %q) = %v, reference %v", raw, vars, text, s, m, want)
			}
			if want := resolved && refMatch(text, lit, s, true); a != want {
				t.Fatalf("matchARN(%q (vars %v, as %q), %q) = %v, reference %v", raw, vars, text, s, a, want)
			}
			if a && !m {
				t.Fatalf("%q matches %q under the segment rules but not the plain ones", raw, s)
			}
		}
		checkPrincipal(t, s)
		// Actions: lower-cased pattern, lower-cased action.
		act := compilePattern(raw, false, true)
		ls := strings.ToLower(s)
		m, _ := act.match(ls, nil)
		if small {
			if want := refMatch(strings.ToLower(raw), nil, ls, false); m != want {
				t.Fatalf("action %q on %q = %v, reference %v", raw, ls, m, want)
			}
		}
	})
}

// checkPrincipal parses s as a request principal. Invariants: no panic; an
// IAM principal has a 12-digit account; re-parsing its ARN gives the same
// principal; a role or session's RoleARN parses as that role; the ARN
// matches itself as a Resource and as an ArnLike condition.
func checkPrincipal(t *testing.T, s string) {
	p, err := ParsePrincipal(s)
	if err != nil {
		return
	}
	if p.IsIAM() && !isAccountID(p.Account) {
		t.Fatalf("%q: IAM principal with account %q", s, p.Account)
	}
	if p.ARN == "" {
		return
	}
	again, err := ParsePrincipal(p.ARN)
	if err != nil || again.Type != p.Type || again.Account != p.Account || again.Name != p.Name || again.ARN != p.ARN {
		t.Fatalf("%q parses as %+v, its ARN as %+v (%v)", s, p, again, err)
	}
	if p.RoleARN != "" {
		r, err := ParsePrincipal(p.RoleARN)
		if err != nil || r.Type != PrincipalRole || r.Account != p.Account || r.Name != p.Name {
			t.Fatalf("%q: role ARN %q parses as %+v (%v)", s, p.RoleARN, r, err)
		}
	}
	pat := compilePattern(p.ARN, false, false)
	if m, _ := pat.matchARN(p.ARN, nil); !m {
		t.Fatalf("ARN %q does not match itself as a Resource", p.ARN)
	}
	if !arnLike(&pat, p.ARN, nil) {
		t.Fatalf("ARN %q is not ArnLike itself", p.ARN)
	}
}
