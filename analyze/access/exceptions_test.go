package access

import (
	"context"
	"fmt"
	"slices"
	"testing"

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
