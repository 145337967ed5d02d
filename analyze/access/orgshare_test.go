package access

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestExceptionsShared: a public grant's exceptPrincipals when the RCPs
// read the caller's organisation, its account against the resource's (a
// policy variable) or its tags are exactly the principals the RCP
// refuses, though asked once per account and type or per tag values
// (classRefusals), not per principal (a few evaluations, not one per
// principal and account).
func TestExceptionsShared(t *testing.T) {
	const accounts, users = 3, 6
	for _, rcp := range exceptionRCPs {
		t.Run(rcp.name, func(t *testing.T) {
			g := exceptionsWorld(t, accounts, users, 2, rcp.doc)
			st, err := Derive(context.Background(), g)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range g.Relationships() {
				if r.Class != "ALLOWS" || r.To != model.EveryoneKey {
					continue
				}
				n++
				home := accountOf(g.Entity(r.From))
				var want []string
				for i := range accounts {
					a := fmt.Sprintf("%012d", 100000000000+i)
					for u := range users {
						refused := map[string]bool{"orgid": true, "account": a != home, "tag": u%2 != 0}[rcp.name]
						if refused {
							want = append(want, iamARN(a, "user", fmt.Sprintf("u%05d", u)))
						}
					}
				}
				slices.Sort(want)
				if got := stringList(r.Get("exceptPrincipals")); !slices.Equal(got, want) {
					t.Errorf("%s: exceptPrincipals\n got  %q\n want %q", r.Key(), got, want)
				}
			}
			if n != accounts*2 {
				t.Errorf("%d public grants, want %d", n, accounts*2)
			}
			// Per pair of accounts (and tag value): not per principal.
			t.Logf("%d organisation evaluations", st.OrgEvaluations)
			if max := 2*accounts*accounts + accounts*2; st.OrgEvaluations > max {
				t.Errorf("%d organisation evaluations for %d principals, want at most %d", st.OrgEvaluations, accounts*users, max)
			}
		})
	}
}

// TestOrgVariableOnResourceTags: an SCP comparing the caller's tag with
// the resource's through a policy variable (${aws:ResourceTag/team})
// reads the resource: its answer for one function is not another's.
func TestOrgVariableOnResourceTags(t *testing.T) {
	const a = "400000000004"
	ob := &orgBuilder{t: t, g: graph.New()}
	e := model.Account(ob.g, a)
	e.Set("organizationId", "o-var")
	e.Set("organizationMasterAccountId", "999999999999")
	e.Set("organizationPath", "o-var/r-1/")
	full := orgPol{"p-full", "FullAWSAccess", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}
	same := orgPol{"p-team", "SameTeam", doc(`{"Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"*",` +
		`"Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"${aws:ResourceTag/team}"}}}`)}
	e.Set("serviceControlPolicies", orgLevelsJSON(orgLevel{"r-1", []orgPol{full}}, orgLevel{a, []orgPol{full, same}}))
	e.Set("resourceControlPolicies", orgLevelsJSON(orgLevel{"r-1", nil}, orgLevel{a, nil}))
	function := func(name, team string) *graph.Entity {
		f := ob.add(a, "arn:aws:lambda:eu-west-1:"+a+":function:"+name, "aws_lambda_function", "Function", map[string]any{"name": name, "region": "eu-west-1"})
		setTags(f, map[string]string{"team": team})
		return f
	}
	red, blue := function("f-red", "red"), function("f-blue", "blue")
	rita := ob.user(a, "rita", map[string]string{"team": "red"})
	ob.inline(rita, "invoke", doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":["`+blue.Key+`","`+red.Key+`"]}`))
	model.Everyone(ob.g)
	if _, err := Derive(context.Background(), ob.g); err != nil {
		t.Fatal(err)
	}
	if ob.g.Relationship(rita.Key+"|access|"+red.Key) == nil {
		t.Error("rita (team red): no access edge to f-red")
	}
	if r := ob.g.Relationship(rita.Key + "|access|" + blue.Key); r != nil {
		t.Errorf("rita (team red): access edge to f-blue, which the SCP denies her: %v", r.PropMap())
	}
	checkEdgeLevels(t, ob.g, newGraphQuery(t, ob.g))
}
