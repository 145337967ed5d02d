package iam

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// matchers are the two wildcard matchers under test with their rules:
// globMatch (Action, StringLike: plain) and the Resource matcher (ARN
// segment rules).
var matchers = []struct {
	name string
	arn  bool
	fn   func(p string, lit []bool, s string) bool
}{
	{"globMatch", false, globMatch},
	{"segmentGlobMatch", true, segmentGlobMatch},
}

// TestGlobMatchersAgreeWithReferenceExhaustive compares both matchers with
// refMatch on every pattern of up to 5 bytes over {a, :, *, ?} and every
// string of up to 5 bytes over {a, b, :}.
func TestGlobMatchersAgreeWithReferenceExhaustive(t *testing.T) {
	patterns := allStrings("a:*?", 5)
	texts := allStrings("ab:", 5)
	for _, m := range matchers {
		for _, p := range patterns {
			for _, s := range texts {
				if got, want := m.fn(p, nil, s), refMatch(p, nil, s, m.arn); got != want {
					t.Fatalf("%s(%q, %q) = %v, reference %v", m.name, p, s, got, want)
				}
			}
		}
	}
}

// TestGlobMatchersAgreeWithReferenceRandom compares both matchers with
// refMatch on random longer patterns (with literal '*' and '?' from
// variables and escapes) and strings.
func TestGlobMatchersAgreeWithReferenceRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		p, lit := randomPattern(rng, 1+rng.IntN(14))
		var s string
		if rng.IntN(3) == 0 {
			s = expand(rng, p, lit) // a string that often matches
		} else {
			s = randomText(rng, "ab:*?", rng.IntN(16))
		}
		for _, m := range matchers {
			if got, want := m.fn(p, lit, s), refMatch(p, lit, s, m.arn); got != want {
				t.Fatalf("%s(%q, lit %v, %q) = %v, reference %v", m.name, p, lit, s, got, want)
			}
		}
	}
}

// TestPatternMatchAgreesWithReference checks the pattern methods (fast
// paths, variables, escapes) against refMatch on the resolved text.
func TestPatternMatchAgreesWithReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lookup := func(k string) (string, bool) {
		switch k {
		case "v":
			return "a*:?", true
		case "w":
			return "b", true
		}
		return "", false
	}
	pieces := []string{"a", "b", ":", "*", "?", "${v}", "${w}", "${x}", "${x, 'a?'}", "${*}", "${?}", "${$}"}
	for range 50_000 {
		var b strings.Builder
		for range rng.IntN(7) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		raw := b.String()
		s := randomText(rng, "ab:*?", rng.IntN(10))
		p := compilePattern(raw, true, false)
		text, lit, resolved := p.resolve(lookup)
		got, ok := p.match(s, lookup)
		if want := resolved && refMatch(text, lit, s, false); got != want || ok != resolved {
			t.Fatalf("match(%q, %q) = %v, %v; reference %v, %v", raw, s, got, ok, want, resolved)
		}
		got, ok = p.matchARN(s, lookup)
		if want := resolved && refMatch(text, lit, s, true); got != want || ok != resolved {
			t.Fatalf("matchARN(%q, %q) = %v, %v; reference %v, %v", raw, s, got, ok, want, resolved)
		}
	}
}

func allStrings(alphabet string, maxLen int) []string {
	out := []string{""}
	level := []string{""}
	for range maxLen {
		var next []string
		for _, s := range level {
			for i := range len(alphabet) {
				next = append(next, s+alphabet[i:i+1])
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

func randomText(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// randomPattern returns a pattern over {a, b, :, *, ?} where some '*' and
// '?' are marked literal (lit is nil when none are).
func randomPattern(rng *rand.Rand, n int) (string, []bool) {
	p := []byte(randomText(rng, "ab:**??", n))
	var lit []bool
	if rng.IntN(2) == 0 {
		lit = make([]bool, n)
		for i := range lit {
			lit[i] = (p[i] == '*' || p[i] == '?') && rng.IntN(3) == 0
		}
	}
	return string(p), lit
}

// expand returns a string the pattern matches under the plain rules
// (wildcards replaced by random text), so that matches are frequent.
func expand(rng *rand.Rand, p string, lit []bool) string {
	var b strings.Builder
	for i := range len(p) {
		wild := lit == nil || !lit[i]
		switch {
		case p[i] == '*' && wild:
			b.WriteString(randomText(rng, "ab:", rng.IntN(4)))
		case p[i] == '?' && wild:
			b.WriteString(randomText(rng, "ab:", 1))
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

// Worst cases of the wildcard matchers: n "*a" segments (a Resource
// pattern, so each star is confined to its ARN segment) against m bytes,
// and a long literal between stars (an Action pattern) against a text of
// near-misses. Before the linear matcher the largest sizes took tens of
// seconds per match.
//
//	go test ./analyze/iam -run '^$' -bench 'Wildcard' -benchtime 1x
var wildcardSizes = []struct {
	name string
	n, m int
}{{"n=300/m=3000", 300, 3000}, {"n=3000/m=30000", 3000, 30000}, {"n=30000/m=300000", 30000, 300000}}

func BenchmarkWildcardStarSegments(b *testing.B) {
	for _, size := range wildcardSizes {
		b.Run(size.name, func(b *testing.B) {
			p := compilePattern("arn:aws:s3:::"+strings.Repeat("*a", size.n)+"/x", true, false)
			s := "arn:aws:s3:::" + strings.Repeat("a", size.m) + "/y"
			for b.Loop() {
				if m, _ := p.matchARN(s, nil); m {
					b.Fatal("matched")
				}
			}
		})
	}
}

func BenchmarkWildcardLongLiteral(b *testing.B) {
	for _, size := range wildcardSizes {
		b.Run(size.name, func(b *testing.B) {
			p := compilePattern("s3:*"+strings.Repeat("a", size.n)+"b*", false, true)
			s := "s3:" + strings.Repeat("a", size.m)
			for b.Loop() {
				if m, _ := p.match(s, nil); m {
					b.Fatal("matched")
				}
			}
		})
	}
}

// BenchmarkWildcardTypical matches the patterns policies are made of.
func BenchmarkWildcardTypical(b *testing.B) {
	actions := []pattern{compilePattern("s3:Get*", false, true), compilePattern("ec2:Describe*", false, true), compilePattern("iam:*AccessKey*", false, true)}
	resources := []pattern{compilePattern("arn:aws:s3:::reports-*/2024/*", true, false), compilePattern("arn:aws:ec2:*:111122223333:instance/*", true, false), compilePattern("arn:aws:sqs:us-east-1:111122223333:q?", true, false)}
	for b.Loop() {
		for _, p := range actions {
			p.match("s3:getobject", nil)
			p.match("iam:createaccesskey", nil)
		}
		for _, p := range resources {
			p.matchARN("arn:aws:s3:::reports-eu/2024/q1.csv", nil)
			p.matchARN("arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc", nil)
		}
	}
}
