package iam

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// evalCase is one case of testdata/eval_cases.json: a simulate request, the
// decision AWS documents for it, and the IAM User Guide page (or other AWS
// document) the behaviour comes from.
type evalCase struct {
	Name    string     `json:"name"`
	Source  string     `json:"source"`
	Want    Decision   `json:"want"`
	Request SimRequest `json:"request"`
	// WantWarnings are substrings that must appear in the decision's
	// warnings (all in one warning); WantSomeResources, when set, is the
	// expected SomeResources flag of a request over a resource pattern.
	WantWarnings      []string `json:"want_warnings,omitempty"`
	WantSomeResources *bool    `json:"want_some_resources,omitempty"`
}

// fixedNow is the clock of the test suite (aws:CurrentTime).
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rcpServicesForTest is the subset of the catalog's RCP services the cases
// rely on (the full list comes from the actions catalog in production).
var rcpServicesForTest = []string{"s3", "sts", "kms", "sqs", "secretsmanager"}

func newTestEvaluator() *Evaluator {
	return NewEvaluator(WithClock(func() time.Time { return fixedNow }), WithRCPServices(rcpServicesForTest))
}

// caseFiles are the case tables: the engine's original table and the
// independent audit of it against the IAM User Guide (audit_cases.json).
var caseFiles = []string{"testdata/eval_cases.json", "testdata/audit_cases.json"}

func loadCases(t *testing.T) []evalCase {
	t.Helper()
	var all []evalCase
	for _, f := range caseFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []evalCase
		if err := json.Unmarshal(b, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, cases...)
	}
	return all
}

func TestEvaluateDocumentedCases(t *testing.T) {
	ev := newTestEvaluator()
	cases := loadCases(t)
	seen := map[string]bool{}
	counts := map[Decision]int{}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if tc.Source == "" || seen[tc.Name] {
				t.Fatalf("case needs a unique name and a source")
			}
			seen[tc.Name] = true
			switch tc.Want {
			case Allowed, ImplicitlyDenied, ExplicitlyDenied:
			default:
				t.Fatalf("bad want %q", tc.Want)
			}
			req, pol, err := tc.Request.Compile()
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got := ev.Evaluate(req, pol)
			counts[got.Decision]++
			if got.Decision != tc.Want {
				t.Errorf("%s: got %s %q, want %s", tc.Source, got.Decision, got.Reasons, tc.Want)
			}
			if len(got.Reasons) == 0 {
				t.Errorf("no reasons given for %s", got.Decision)
			}
			if len(tc.WantWarnings) > 0 && !anyContainsAll(got.Warnings, tc.WantWarnings) {
				t.Errorf("warnings %q: want one containing %q", got.Warnings, tc.WantWarnings)
			}
			if len(tc.WantWarnings) == 0 && len(got.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", got.Warnings)
			}
			if tc.WantSomeResources != nil && got.SomeResources != *tc.WantSomeResources {
				t.Errorf("SomeResources = %v, want %v", got.SomeResources, *tc.WantSomeResources)
			}
		})
	}
	// The suite must exercise all three outcomes substantially.
	for _, d := range []Decision{Allowed, ImplicitlyDenied, ExplicitlyDenied} {
		if counts[d] < 20 {
			t.Errorf("only %d cases end %s", counts[d], d)
		}
	}
}

// anyContainsAll reports whether one of list contains every one of subs.
func anyContainsAll(list, subs []string) bool {
	for _, s := range list {
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(s, sub)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		doc     any
		wantErr string
	}{
		{name: "empty", doc: "", wantErr: "empty document"},
		{name: "not JSON", doc: "{nope", wantErr: "not a JSON object"},
		{name: "a list", doc: `[{"Effect":"Allow"}]`, wantErr: "not a JSON object"},
		{name: "bad URL encoding", doc: "%ZZ", wantErr: "URL-encoded"},
		{name: "no Statement", doc: `{"Version":"2012-10-17"}`, wantErr: "no Statement"},
		{name: "bad Version", doc: `{"Version":"2012-10-18","Statement":[]}`, wantErr: "Version"},
		{name: "unknown top-level key", doc: `{"Version":"2012-10-17","Statment":[]}`, wantErr: "unknown top-level element"},
		{name: "bad Effect", doc: `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, wantErr: "Statement[0]: Effect"},
		{name: "Action and NotAction", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:*","Resource":"*"}}`, wantErr: "both Action and NotAction"},
		{name: "no Action", doc: `{"Statement":{"Effect":"Allow","Resource":"*"}}`, wantErr: "no Action"},
		{name: "action without service", doc: `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, wantErr: "service:action"},
		{name: "Resource and NotResource", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}}`, wantErr: "both Resource and NotResource"},
		{name: "Resource not a string", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":5}}`, wantErr: "Resource"},
		{name: "empty Action list", doc: `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, wantErr: "empty list"},
		{name: "unknown operator", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"a":"b"}}}}`, wantErr: "unknown condition operator \"StringEqual\""},
		{name: "Null with IfExists", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"a":"true"}}}}`, wantErr: "Null takes no"},
		{name: "condition value object", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a":{"b":1}}}}}`, wantErr: "not a string"},
		{name: "principal string neither * nor an ARN", doc: `{"Statement":{"Effect":"Allow","Principal":"lambda.amazonaws.com","Action":"s3:*"}}`, wantErr: "Principal"},
		{name: "unknown principal type", doc: `{"Statement":{"Effect":"Allow","Principal":{"Account":"1"},"Action":"s3:*"}}`, wantErr: "unknown principal type"},
		{name: "Principal and NotPrincipal", doc: `{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:*"}}`, wantErr: "both Principal and NotPrincipal"},
		{name: "unknown statement element", doc: `{"Statement":{"Effect":"Allow","Action":"s3:*","Resources":"*"}}`, wantErr: "unknown element \"Resources\""},
		{name: "nil document", doc: nil, wantErr: "empty document"},
		{name: "unsupported type", doc: 42, wantErr: "unsupported document type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("arn:aws:iam::111122223333:policy/Broken", tt.doc)
			if err == nil {
				t.Fatalf("want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "policy/Broken") {
				t.Fatalf("error %q: want it to name the policy and contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseForms(t *testing.T) {
	tests := []struct {
		name       string
		doc        any
		statements int
		version    string
	}{
		{name: "object", doc: map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}}, statements: 1, version: Version2012},
		{name: "raw message string", doc: json.RawMessage(`"{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}"`), statements: 1},
		{name: "bytes", doc: []byte(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}`), statements: 2, version: Version2008},
		{name: "URL-encoded with plus sign kept", doc: "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%22%7D%5D%7D", statements: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.name, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Statements) != tt.statements || p.Version != tt.version {
				t.Fatalf("got %d statements, version %q", len(p.Statements), p.Version)
			}
		})
	}
	p, err := Parse("plus", tests[3].doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Statements[0].resources[0].raw; got != "arn:aws:s3:::a+b" {
		t.Fatalf("URL decoding changed '+': %q", got)
	}
}

func TestParsePrincipal(t *testing.T) {
	tests := []struct {
		in      string
		typ     PrincipalType
		account string
		roleARN string
		wantErr bool
	}{
		{in: "*", typ: PrincipalAnonymous},
		{in: "111122223333", typ: PrincipalRoot, account: "111122223333"},
		{in: "arn:aws:iam::111122223333:root", typ: PrincipalRoot, account: "111122223333"},
		{in: "arn:aws:iam::111122223333:user/div/alice", typ: PrincipalUser, account: "111122223333"},
		{in: "arn:aws:iam::111122223333:role/app", typ: PrincipalRole, account: "111122223333", roleARN: "arn:aws:iam::111122223333:role/app"},
		{in: "arn:aws:sts::111122223333:assumed-role/app/s1", typ: PrincipalAssumedRole, account: "111122223333", roleARN: "arn:aws:iam::111122223333:role/app"},
		{in: "arn:aws:sts::111122223333:federated-user/carol", typ: PrincipalFederatedUser, account: "111122223333"},
		{in: "lambda.amazonaws.com", typ: PrincipalService},
		{in: "cognito-identity.amazonaws.com", typ: PrincipalFederated},
		{in: "accounts.google.com", typ: PrincipalFederated},
		{in: "arn:aws:iam::111122223333:saml-provider/Okta", typ: PrincipalFederated},
		{in: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", typ: PrincipalCanonicalUser},
		{in: "", wantErr: true},
		{in: "arn:aws:iam::1111:user/a", wantErr: true},
		{in: "arn:aws:s3:::bucket", wantErr: true},
		{in: "arn:aws:sts::111122223333:assumed-role/app", wantErr: true},
		{in: "arn:aws:iam::111122223333:group/g", wantErr: true},
		{in: "arn:aws:sts::111122223333:assumed-role/ /s", wantErr: true},            // its role ARN would not parse
		{in: "arn:aws:sts::111122223333:assumed-role/app/my session", wantErr: true}, // IAM names have no spaces
		{in: "arn::iam::111122223333:user/a", wantErr: true},
		{in: "arn:aws:sts::111122223333:assumed-role/path//s", wantErr: true}, // a path but no role name
		{in: "not a principal", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePrincipal(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", p)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.typ || p.Account != tt.account || (tt.roleARN != "" && p.RoleARN != tt.roleARN) {
				t.Fatalf("got %+v", p)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"a*", "a", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*:*", "s3:x", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y:z", true},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, nil, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

func TestDerivedContextRoot(t *testing.T) {
	p, _ := ParsePrincipal("111122223333")
	got := DerivedContext(p, "111122223333", time.Time{})
	if got["aws:userid"][0] != "111122223333" || got["aws:PrincipalType"][0] != "Account" {
		t.Fatalf("got %v", got)
	}
	if _, ok := got["aws:CurrentTime"]; ok {
		t.Fatal("zero clock must leave aws:CurrentTime out")
	}
}

func TestEvaluateInvalidRequest(t *testing.T) {
	ev := newTestEvaluator()
	p, _ := ParsePrincipal("111122223333")
	got := ev.Evaluate(&Request{Principal: p, Action: "GetObject"}, nil)
	if got.Decision != ImplicitlyDenied || !strings.Contains(got.Reasons[0], "invalid request") {
		t.Fatalf("got %+v", got)
	}
}

// TestMatchARN checks the Resource element's segment rules
// (reference_policies_elements_resource.html): `*` crosses a colon only
// when it ends its segment, `?` never does, variable values are literal.
func TestMatchARN(t *testing.T) {
	tests := []struct {
		name, pattern, s string
		want             bool
	}{
		{name: "exact", pattern: "arn:aws:s3:::b/k", s: "arn:aws:s3:::b/k", want: true},
		{name: "star ends the ARN", pattern: "arn:aws:s3:::b/*", s: "arn:aws:s3:::b/x:y/z", want: true},
		{name: "star ends a segment", pattern: "arn:aws:ec2:*", s: "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", want: true},
		{name: "star run ends a segment", pattern: "arn:aws:ec2:**", s: "arn:aws:ec2:eu-west-1:1:x", want: true},
		{name: "star before a colon", pattern: "arn:aws:sqs:*:111122223333:q", s: "arn:aws:sqs:us-east-1:111122223333:q", want: true},
		{name: "mid-segment star stops at a colon", pattern: "arn:aws:s3:::b/*/r", s: "arn:aws:s3:::b/x:y/r", want: false},
		{name: "mid-segment star within the segment", pattern: "arn:aws:s3:::b/*/r", s: "arn:aws:s3:::b/x/y/r", want: true},
		{name: "two mid-segment stars", pattern: "arn:aws:s3:::b/*a*/r", s: "arn:aws:s3:::b/xay/r", want: true},
		{name: "question mark is one character", pattern: "arn:aws:sqs:us-east-1:1:q?", s: "arn:aws:sqs:us-east-1:1:q1", want: true},
		{name: "question mark is not a colon", pattern: "arn:aws:sqs:us-east-1:1:a?b", s: "arn:aws:sqs:us-east-1:1:a:b", want: false},
		{name: "question mark needs a character", pattern: "arn:aws:sqs:us-east-1:1:q?", s: "arn:aws:sqs:us-east-1:1:q", want: false},
		{name: "star alone", pattern: "*", s: "arn:aws:s3:::b", want: true},
		{name: "no wildcard differs", pattern: "arn:aws:s3:::b", s: "arn:aws:s3:::B", want: false},
		{name: "literal star from a variable", pattern: "arn:aws:s3:::b/${aws:username}/r", s: "arn:aws:s3:::b/x/r", want: false},
		{name: "star before a literal star does not end its segment", pattern: "arn:aws:s3:::b*${*}", s: "arn:aws:s3:::bx:y*", want: false},
		{name: "star before a literal star within its segment", pattern: "arn:aws:s3:::b*${*}", s: "arn:aws:s3:::bx/y*", want: true},
		{name: "variable value matched literally", pattern: "arn:aws:s3:::b/${aws:username}/*", s: "arn:aws:s3:::b/a*b/x:y", want: true},
	}
	lookup := func(k string) (string, bool) {
		if k == "aws:username" {
			return "a*b", true
		}
		return "", false
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := compilePattern(tt.pattern, true, false)
			got, ok := p.matchARN(tt.s, lookup)
			if !ok || got != tt.want {
				t.Fatalf("matchARN(%q, %q) = %v, %v; want %v", tt.pattern, tt.s, got, ok, tt.want)
			}
		})
	}
}
