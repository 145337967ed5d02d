package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"reflect"
	"testing"
)

// policySeeds adds every policy document of testdata/eval_cases.json (one
// per documented behaviour) to f's seed corpus.
func policySeeds(f *testing.F) [][]byte {
	f.Helper()
	b, err := os.ReadFile("testdata/eval_cases.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases []struct {
		Request map[string]json.RawMessage `json:"request"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		f.Fatal(err)
	}
	var docs [][]byte
	for _, c := range cases {
		for k, v := range c.Request {
			if k == "scps" || k == "rcps" || k == "identity_policies" || k == "session_policies" {
				var l []json.RawMessage
				if json.Unmarshal(v, &l) == nil {
					for _, d := range l {
						docs = append(docs, d)
					}
				}
			}
			if k == "resource_policy" || k == "permissions_boundary" {
				docs = append(docs, v)
			}
		}
	}
	return docs
}

// FuzzParsePolicy feeds arbitrary documents to Parse. Invariants: no panic;
// every error is a *ParseError naming the policy; parsing is deterministic
// (same policy or same error text twice); the JSON, URL-encoded, JSON-string
// and decoded-map forms of one document parse to the same policy; a parsed
// document re-marshalled parses to the same policy (round trip); and the
// parsed policy evaluates a request without panicking.
func FuzzParsePolicy(f *testing.F) {
	for _, d := range policySeeds(f) {
		f.Add(string(d))
	}
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:s3:::b/${aws:username}/*","arn:aws:s3:::b/${*}${?}${$}"]}}`,
		`{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"s","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"e"}}}]}`,
		`{"Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*","b?"]},"NumericLessThan":{"s3:max-keys":"10"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":false},"Null":{"aws:TokenIssueTime":"true"},"ArnLike":{"aws:SourceArn":"arn:aws:*:*:*:x"}}}]}`,
		`%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D`,
		`{"Statement":[]} trailing`,
		`{"Version":1,"Statement":{}}`,
		`"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"a:b\",\"Resource\":\"*\"}}"`,
	} {
		f.Add(s)
	}
	ev := NewEvaluator()
	pr, err := ParsePrincipal("arn:aws:iam::111122223333:user/alice")
	if err != nil {
		f.Fatal(err)
	}
	reqs := []*Request{
		{Principal: pr, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k",
			Context: map[string][]string{"aws:SourceIp": {"10.1.2.3"}, "aws:TagKeys": {"ab", "bc"}}},
		{Principal: pr, Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/r"},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p1, err1 := Parse("p", doc)
		p2, err2 := Parse("p", []byte(doc))
		if err1 != nil {
			var pe *ParseError
			if !errors.As(err1, &pe) || pe.Policy != "p" {
				t.Fatalf("error %v (%T) is not a *ParseError naming the policy", err1, err1)
			}
			if err2 == nil || err2.Error() != err1.Error() {
				t.Fatalf("same document, different errors: %v / %v", err1, err2)
			}
			return
		}
		if err2 != nil || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("same document parsed differently: %v", err2)
		}
		for _, r := range reqs {
			res := ev.Evaluate(r, &Policies{Identity: []*Policy{p1}, Resource: p1})
			if res.Decision != Allowed && res.Decision != ImplicitlyDenied && res.Decision != ExplicitlyDenied {
				t.Fatalf("decision %v", res.Decision)
			}
		}
		// The decoded top-level object, as Parse saw it.
		raw, err := documentBytes(doc)
		if err != nil {
			t.Fatalf("parsed, but documentBytes fails: %v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var top map[string]any
		if err := dec.Decode(&top); err != nil {
			t.Fatalf("parsed, but does not decode: %v", err)
		}
		forms := map[string]any{"map": top}
		again, err := json.Marshal(top)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		forms["re-marshalled"] = again
		forms["url-encoded"] = url.PathEscape(string(again))
		quoted, _ := json.Marshal(string(again))
		forms["json string"] = json.RawMessage(quoted)
		for name, form := range forms {
			p, err := Parse("p", form)
			if err != nil {
				t.Fatalf("%s form: %v", name, err)
			}
			if !reflect.DeepEqual(p, p1) {
				t.Fatalf("%s form parses to a different policy", name)
			}
		}
	})
}
