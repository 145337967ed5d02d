package access

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// escalationWorld is an account with administrators to reach — a role
// that the account and every service of the techniques trust, run by a
// Lambda function and an EC2 instance; a user; a group — and one attacker
// holding exactly the permissions of technique t (with deny set, an
// explicit Deny of its first permission as well).
func escalationWorld(t *testing.T, tech technique, deny bool) (*world, string) {
	w := newWorld(t)
	admin := doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
	var services []string
	for _, x := range techniques {
		if x.Service != "" && !slices.Contains(services, x.Service) {
			services = append(services, x.Service)
		}
	}
	svcJSON, _ := json.Marshal(services)
	trust := doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root","Service":` + string(svcJSON) + `},"Action":"sts:AssumeRole"}`)
	boss := w.role("boss", trust, "")
	w.inline(boss, "all", admin)
	chief := w.user("chief")
	w.inline(chief, "all", admin)
	admins := w.group("admins")
	w.inline(admins, "all", admin)
	fn := "arn:aws:lambda:us-east-1:" + acct + ":function:nightly"
	w.rel(w.add(fn, "aws_lambda_function", "Function", map[string]any{"arn": fn}), "HAS", boss)
	inst := "arn:aws:ec2:us-east-1:" + acct + ":instance/i-1"
	w.rel(w.add(inst, "aws_instance", "Host", map[string]any{"arn": inst}), "USES", boss)

	var actions []string
	for _, s := range tech.Steps {
		actions = append(actions, s.Action)
	}
	act, _ := json.Marshal(actions)
	stmts := []string{`{"Effect":"Allow","Action":` + string(act) + `,"Resource":"*"}`}
	if tech.Boundary {
		stmts = []string{`{"Effect":"Allow","Action":"*","Resource":"*"}`}
	}
	if deny {
		stmts = append(stmts, `{"Effect":"Deny","Action":"`+actions[0]+`","Resource":"*"}`)
	}
	role := tech.Boundary && !tech.UsersOnly || (len(tech.Steps) == 1 && tech.Steps[0].On == onSelf && strings.Contains(tech.Steps[0].Action, "Role"))
	boundary := ""
	if tech.Boundary {
		boundary = policyARN("Boundary")
		w.policy("Boundary", doc(`{"Effect":"Allow","Action":["`+actions[0]+`","s3:ListAllMyBuckets"],"Resource":"*"}`))
	}
	var attacker *graph.Entity
	if role {
		attacker = w.role("attacker", "", boundary)
	} else {
		attacker = w.user("attacker")
		attacker.Set("permissionsBoundaryArn", boundary)
		w.group("devs", attacker)
	}
	w.inline(attacker, "perms", doc(stmts...))
	w.policy("Attached", doc(`{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}`), attacker)
	return w, attacker.Key
}

// One fixture per technique: its path is found, with that technique first;
// the same fixture with the permission denied has no path and no edge.
func TestEscalationTechniques(t *testing.T) {
	for _, tech := range techniques {
		t.Run(tech.ID, func(t *testing.T) {
			if tech.Source == "" || tech.Name == "" || len(tech.Steps) == 0 {
				t.Fatalf("technique %s lacks a name, source or steps", tech.ID)
			}
			if len(tech.Steps) > maxSteps {
				t.Fatalf("technique %s has %d steps, more than maxSteps (%d)", tech.ID, len(tech.Steps), maxSteps)
			}
			w, attacker := escalationWorld(t, tech, false)
			res, err := newTestQuery(t, w).Escalation(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var techs []string
			for _, e := range res.Edges {
				if e.From == attacker {
					techs = append(techs, e.Technique)
				}
			}
			if !slices.Contains(techs, tech.ID) {
				t.Fatalf("attacker's edges use %v, want %s", techs, tech.ID)
			}
			for _, x := range techs {
				if x != tech.ID {
					t.Errorf("attacker also escalates by %s with only the permissions of %s", x, tech.ID)
				}
			}
			i := slices.IndexFunc(res.Paths, func(p EscalationPath) bool { return p.Principal == attacker })
			if i < 0 {
				t.Fatalf("no path from the attacker; paths %+v", res.Paths)
			}
			if p := res.Paths[i]; p.Steps[0].Technique != tech.ID || len(p.Steps) > 1 && p.Steps[len(p.Steps)-1].To == attacker {
				t.Errorf("path %+v", p)
			}
			if !slices.Contains(res.Admins, roleARN("boss")) || !slices.Contains(res.Admins, userARN("chief")) || slices.Contains(res.Admins, attacker) {
				t.Errorf("admins %v", res.Admins)
			}

			w, attacker = escalationWorld(t, tech, true)
			res, err = newTestQuery(t, w).Escalation(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Edges {
				if e.From == attacker {
					t.Errorf("with %s denied: edge %+v", tech.Steps[0].Action, e)
				}
			}
			for _, p := range res.Paths {
				if p.Principal == attacker {
					t.Errorf("with %s denied: path %+v", tech.Steps[0].Action, p)
				}
			}
		})
	}
}

// A principal that only reads has no path; a path through a role is two
// steps when the role itself escalates.
func TestEscalationChains(t *testing.T) {
	w := newWorld(t)
	reader := w.user("reader")
	w.inline(reader, "read", doc(`{"Effect":"Allow","Action":["s3:Get*","iam:List*"],"Resource":"*"}`))
	// The trust names the account, so dev's own policy must allow too (a
	// trust naming dev's ARN would grant by itself).
	ops := w.role("ops", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:AssumeRole"}`), "")
	w.inline(ops, "self", doc(`{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"`+roleARN("ops")+`"}`))
	dev := w.user("dev")
	w.inline(dev, "assume", doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN("ops")+`","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`))
	res, err := newTestQuery(t, w).Escalation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Paths {
		var steps []string
		for _, s := range p.Steps {
			steps = append(steps, s.Technique+"->"+s.To)
		}
		got = append(got, p.Principal+": "+strings.Join(steps, ", "))
		if p.Principal == userARN("dev") && !p.Conditional {
			t.Error("dev's path needs MFA: it should be conditional")
		}
	}
	want := []string{
		roleARN("ops") + ": put-role-policy->admin",
		userARN("dev") + ": assume-role->" + roleARN("ops") + ", put-role-policy->admin",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Principals with the same policies share the answers of the shared
// techniques, each without an edge to itself; a personal policy
// (${aws:username}) is decided principal by principal.
func TestEscalationClasses(t *testing.T) {
	w := newWorld(t)
	keys := doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}`)
	own := doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}`)
	w.policy("Keys", keys, w.user("ann"), w.user("ben"))
	w.policy("OwnKeys", own, w.user("cat"), w.user("dan"))
	res, err := newTestQuery(t, w).Escalation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Expanded() {
		got = append(got, strings.TrimPrefix(e.From, "arn:aws:iam::"+acct+":")+"->"+strings.TrimPrefix(e.To, "arn:aws:iam::"+acct+":"))
	}
	slices.Sort(got)
	want := []string{"user/ann->user/ben", "user/ann->user/cat", "user/ann->user/dan",
		"user/ben->user/ann", "user/ben->user/cat", "user/ben->user/dan"}
	if !slices.Equal(got, want) {
		t.Errorf("edges %v, want %v", got, want)
	}
}

// The analysis in the graph: ann and ben, who may create access keys for
// every user, get one ESCALATES relationship each to the account for the
// set of its users (ann's without herself); dev, who may write its own
// inline policy, one with admin and one with its path; the account is
// marked analysed.
func TestAddEscalation(t *testing.T) {
	w := newWorld(t)
	account := w.g.Entity(model.AccountKey(acct))
	keys := doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"}`)
	w.policy("Keys", keys, w.user("ann"), w.user("ben"))
	w.user("cat")
	dev := w.role("dev", "", "")
	w.inline(dev, "self", doc(`{"Effect":"Allow","Action":"iam:PutRolePolicy","Resource":"`+roleARN("dev")+`"}`))
	res, err := newTestQuery(t, w).Escalation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := AddEscalation(w.g, res); err != nil {
		t.Fatal(err)
	}
	if account.Get("escalationAnalyzed") != true {
		t.Error("the account is not marked analysed")
	}
	got := map[string]map[string]any{}
	for _, r := range w.g.Relationships() {
		if r.Class != "ESCALATES" {
			continue
		}
		if r.Type != EscalationType {
			t.Errorf("%s: _type %s", r.Key(), r.Type)
		}
		got[strings.TrimPrefix(r.From, "arn:aws:iam::"+acct+":")+" -> "+strings.TrimPrefix(r.To, "arn:aws:iam::"+acct+":")+
			" "+fmt.Sprint(r.Get("techniques"))+fmt.Sprint(r.Get("adminPath") == true)] = r.PropMap()
	}
	set := "users of " + acct
	for _, who := range []string{"user/ann", "user/ben"} {
		p := got[who+" -> root [create-access-key]false"]
		if p == nil || p["targetSet"] != set || p["technique"] != "create-access-key" ||
			!slices.Equal(p["permissions"].([]string), []string{"iam:CreateAccessKey on " + SetMember}) {
			t.Errorf("%s: set relationship %v", who, p)
		}
	}
	if p := got["role/dev -> root [put-role-policy]false"]; p == nil || p["admin"] != true {
		t.Errorf("dev's admin relationship: %v", p)
	}
	if path := got["role/dev -> root [put-role-policy]true"]; path == nil || path["steps"] != 1 || path["conditional"] != false ||
		!slices.Equal(path["path"].([]string), []string{"1. put-role-policy -> admin using iam:PutRolePolicy on " + roleARN("dev")}) {
		t.Errorf("dev's path relationship: %v", path)
	}
	if len(got) != 4 {
		t.Errorf("relationships %v, want 4", slices.Sorted(maps.Keys(got)))
	}
	// AWS-IAM-003 finds the path by its key.
	if r := w.g.Relationship(AdminPathKey(roleARN("dev"))); r == nil || r.Get("adminPath") != true {
		t.Errorf("relationship %s: %+v, want dev's path", AdminPathKey(roleARN("dev")), r)
	}
}

// A role of another account whose trust policy names this account, or
// anyone: a user whose own policy allows sts:AssumeRole on it can assume
// it; one whose policy allows it only on this account's roles, or has no
// such statement (not even asked about it: trustCandidates with ownOnly),
// cannot.
func TestEscalationCrossAccountAssume(t *testing.T) {
	for _, c := range []struct {
		name, trust, hopper, homebody string
		ownToo                        bool // a role of this account with the same trust policy
	}{
		{name: "account root", trust: `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}`,
			hopper:   `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}`,
			homebody: `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + acct + `:role/*"}`},
		{name: "anyone", trust: `{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`, ownToo: true,
			hopper:   `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`,
			homebody: `{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			model.Account(w.g, other)
			theirs := "arn:aws:iam::" + other + ":role/shared"
			w.add(theirs, "aws_iam_role", "AccessRole", map[string]any{"arn": theirs, "name": "shared", "assumeRolePolicyDocument": doc(c.trust)})
			if c.ownToo {
				w.role("shared", doc(c.trust), "")
			}
			w.inline(w.user("hopper"), "assume", doc(c.hopper))
			w.inline(w.user("homebody"), "assume", doc(c.homebody))
			res, err := newTestQuery(t, w).Escalation(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range res.Expanded() {
				if e.Technique == "assume-role" && principalAccount(e.To) == other {
					got = append(got, e.From+" -> "+e.To)
				}
			}
			if want := []string{userARN("hopper") + " -> " + theirs}; !slices.Equal(got, want) {
				t.Errorf("assume-role edges into %s: %v, want %v", other, got, want)
			}
		})
	}
}
