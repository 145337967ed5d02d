package iam

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// The action index answers as trying every pattern does, for every
// statement of the AWS managed policies that has one, on the actions those
// policies name (wildcards filled in), their service prefixes in other
// case, and actions of other services.
func TestActionIndexSameAnswers(t *testing.T) {
	var stmts []*Statement
	actions := map[string]bool{"iam:passrole": true, "s3:getobject": true, "sts:assumerole": true, "unknownsvc:do": true}
	fill := func(a string) []string { // a pattern's action with its wildcards filled in, two ways
		a = strings.ToLower(a)
		return []string{strings.NewReplacer("*", "x", "?", "y").Replace(a), strings.NewReplacer("*", "", "?", "z").Replace(a)}
	}
	for _, m := range loadManaged(t) {
		p, err := Parse(m.ARN, m.Document)
		if err != nil {
			t.Fatalf("%s: %v", m.ARN, err)
		}
		for _, s := range p.Statements {
			if s.actionIndex != nil {
				stmts = append(stmts, s)
			}
			for _, a := range append(append([]string(nil), s.ActionPatterns...), s.NotActionPatterns...) {
				for _, f := range fill(a) {
					actions[f] = true
				}
			}
		}
	}
	if len(stmts) < 100 {
		t.Fatalf("only %d statements indexed: the managed policies should give hundreds", len(stmts))
	}
	// Each statement is asked about its own actions and a sample of all
	// (every one would take seconds).
	all := slices.Sorted(maps.Keys(actions))
	var sample []string
	for i := 0; i < len(all); i += max(1, len(all)/300) {
		sample = append(sample, all[i])
	}
	matched := 0
	for _, s := range stmts {
		pats := s.actions
		if !s.hasAction {
			pats = s.notActions
		}
		own := slices.Clone(sample)
		for _, a := range append(append([]string(nil), s.ActionPatterns...), s.NotActionPatterns...) {
			own = append(own, fill(a)...)
		}
		for _, a := range own {
			want := (*actionIndex)(nil).match(pats, a)
			if got := s.actionIndex.match(pats, a); got != want {
				t.Fatalf("statement %v of %q on %s: indexed %v, every pattern %v", s.label(), s.ActionPatterns, a, got, want)
			}
			if want {
				matched++
			}
		}
	}
	if matched == 0 {
		t.Fatal("no action matched: the comparison exercised nothing")
	}
}

// Patterns whose service prefix has a wildcard are tried for every action.
func TestActionIndexWildService(t *testing.T) {
	pats := compileActions([]string{"ec2:Describe*", "s3:Get*", "s3:List*", "lambda:Get*", "kms:Decrypt",
		"sqs:SendMessage", "sns:Publish", "dynamodb:Query", "logs*:Get*", "clou?watch:PutMetricData"})
	x := newActionIndex(pats)
	if x == nil {
		t.Fatal("no index for 10 patterns")
	}
	for _, tc := range []struct {
		action string
		want   bool
	}{
		{"ec2:describeinstances", true},
		{"ec2:terminateinstances", false},
		{"logs:getlogevents", true},
		{"logsx:getthing", true},
		{"cloudwatch:putmetricdata", true},
		{"s3:putobject", false},
		{"kms:decrypt", true},
		{"kms:encrypt", false},
	} {
		if got := x.match(pats, tc.action); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.action, got, tc.want)
		}
	}
}
