package iam

import (
	"math/rand"
	"testing"
)

// Brute force over a small alphabet: 'a', 'b', ':' and 'c' (a byte no
// pattern names, standing for every other byte).
var bruteAlphabet = []byte{'a', 'b', ':', 'c'}

// bruteStrings returns every string of bruteAlphabet up to length n.
func bruteStrings(n int) []string {
	out := []string{""}
	level := []string{""}
	for k := 0; k < n; k++ {
		var next []string
		for _, s := range level {
			for _, c := range bruteAlphabet {
				next = append(next, s+string(c))
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

// requireBothOutcomes fails a property test whose random sample did not
// exercise both answers substantially.
func requireBothOutcomes(t *testing.T, outcomes map[bool]int) {
	t.Helper()
	if outcomes[true] < 100 || outcomes[false] < 100 {
		t.Errorf("weak sample: %v", outcomes)
	}
}

func randomIntersectPattern(r *rand.Rand, maxLen int) string {
	syms := []byte{'a', 'b', ':', '*', '?'}
	n := r.Intn(maxLen + 1)
	b := make([]byte, n)
	for i := range b {
		b[i] = syms[r.Intn(len(syms))]
	}
	return string(b)
}

func matchesARN(pat, s string) bool {
	p := compilePattern(pat, false, false)
	m, _ := p.matchARN(s, nil)
	return m
}

// TestGlobIntersectsBruteForce checks globIntersects against the matcher:
// two patterns intersect iff some string matches both. A shortest common
// string uses each of its bytes in a non-star token of one pattern (a byte
// both stars match can be dropped), so strings up to the sum of the
// patterns' lengths are enough.
func TestGlobIntersectsBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	strs := bruteStrings(6)
	outcomes := map[bool]int{}
	defer requireBothOutcomes(t, outcomes)
	for n := 0; n < 1500; n++ {
		a, b := randomIntersectPattern(r, 3), randomIntersectPattern(r, 3)
		want := false
		for _, s := range strs {
			if len(s) > len(a)+len(b) {
				break
			}
			if matchesARN(a, s) && matchesARN(b, s) {
				want = true
				break
			}
		}
		outcomes[want]++
		if got := globIntersects(globTokens(a, nil), globTokens(b, nil)); got != want {
			t.Fatalf("globIntersects(%q, %q) = %v, brute force %v", a, b, got, want)
		}
	}
}

// TestGlobCoversBruteForce checks globCoversAll against the matcher on
// all strings up to length 6: covered means no string matches every r and
// misses every d; not covered must come with such a string.
func TestGlobCoversBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	strs := bruteStrings(6)
	outcomes := map[bool]int{}
	defer requireBothOutcomes(t, outcomes)
	for n := 0; n < 2000; n++ {
		rps := []string{randomIntersectPattern(r, 3)}
		if n%2 == 0 {
			rps = append(rps, randomIntersectPattern(r, 3))
		}
		ds := []string{randomIntersectPattern(r, 3)}
		if n%3 == 0 {
			ds = append(ds, randomIntersectPattern(r, 3))
		}
		var witness string
		found := false
		for _, s := range strs {
			in := true
			for _, rp := range rps {
				in = in && matchesARN(rp, s)
			}
			if !in {
				continue
			}
			hit := false
			for _, d := range ds {
				hit = hit || matchesARN(d, s)
			}
			if !hit {
				witness, found = s, true
				break
			}
		}
		outcomes[found]++
		if got := globCoversAll(compileAll(rps), compileAll(ds)); got == found {
			t.Fatalf("globCoversAll(%q, %q) = %v; brute force counterexample %v %q", rps, ds, got, found, witness)
		}
	}
}

func compileAll(pats []string) [][]globTok {
	out := make([][]globTok, len(pats))
	for i, p := range pats {
		out[i] = globTokens(p, nil)
	}
	return out
}

func TestGlobIntersectsARNs(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"arn:aws:s3:::example-bucket/*", "arn:aws:s3:::*/AWSLogs/*", true},
		{"arn:aws:s3:::example-bucket/*", "arn:aws:s3:::other/*", false},
		{"*", "arn:aws:s3:::other/key", true},
		{"arn:aws:sqs:us-east-1:1:a?b", "arn:aws:sqs:us-east-1:1:a:b", false},
		{"arn:aws:s3:::b/*/r", "arn:aws:s3:::b/x:y/r", false},
	}
	for _, tt := range tests {
		if got := globIntersects(globTokens(tt.a, nil), globTokens(tt.b, nil)); got != tt.want {
			t.Errorf("globIntersects(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

// TestGlobLiteralMarks checks that a '*' or '?' a policy variable put in a
// pattern is a literal byte, not a wildcard.
func TestGlobLiteralMarks(t *testing.T) {
	p := compilePattern("arn:aws:s3:::b/${aws:username}", true, false)
	text, lit, ok := p.resolve(func(string) (string, bool) { return "a*", true })
	if !ok {
		t.Fatal("unresolved")
	}
	stmt := globTokens(text, lit)
	if !globIntersects(globTokens("arn:aws:s3:::b/*", nil), stmt) {
		t.Error("b/* should meet the literal b/a*")
	}
	if globIntersects(globTokens("arn:aws:s3:::b/ab", nil), stmt) {
		t.Error("a literal '*' must not match 'b'")
	}
	if globCovers(globTokens("arn:aws:s3:::b/a?", nil), [][]globTok{stmt}) {
		t.Error("the literal b/a* does not cover b/a?")
	}
}

// TestGlobCoversBound checks the bound of the subset construction: a
// pattern covers itself, but "*a" followed by many '?' needs a subset
// state per recent run of bytes; past maxCoverStates the answer is "not
// covered" (an Allow is kept, no Deny is invented), and it comes fast.
func TestGlobCoversBound(t *testing.T) {
	small := globTokens("arn:aws:s3:::*a?????", nil)
	if !globCovers(small, [][]globTok{small}) {
		t.Error("a small pattern must cover itself")
	}
	big := globTokens("arn:aws:s3:::*a??????????????????", nil)
	if globCovers(big, [][]globTok{big}) {
		t.Error("past the bound the answer must be 'not covered'")
	}
}

// BenchmarkEvaluateResource compares a literal request with requests over
// patterns (one partial Deny, identity policy and boundary).
func BenchmarkEvaluateResource(b *testing.B) {
	pr, _ := ParsePrincipal("arn:aws:iam::111122223333:user/alice")
	id, _ := Parse("id", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::*/AWSLogs/*","arn:aws:s3:::example-bucket/*"]},
		{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/secret/*"}]}`)
	pb, _ := Parse("pb", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::example-*"}}`)
	pol := &Policies{Identity: []*Policy{id}, Boundaries: []*Policy{pb}}
	ev := newTestEvaluator()
	for _, res := range []string{"arn:aws:s3:::example-bucket/k", "arn:aws:s3:::example-bucket/*", "*"} {
		b.Run(res, func(b *testing.B) {
			req := &Request{Principal: pr, Action: "s3:GetObject", Resource: res, ResourceAccount: "111122223333"}
			for b.Loop() {
				if ev.Evaluate(req, pol).Decision != Allowed {
					b.Fatal("not allowed")
				}
			}
		})
	}
}
