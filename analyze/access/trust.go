package access

// TRUSTS: aws_iam_role TRUSTS principal, one relationship per (role,
// principal), from the Allow statements of the role's trust policy
// (assumeRolePolicyDocument) that allow one of trustActions. Principals
// resolve as in principals.go. Properties:
//
//	actions            the trustActions the statements allow (sorted)
//	conditions         JSON array of the statements' Condition blocks, null when none
//	conditional        every contributing statement has a Condition
//	externalIdRequired every contributing statement has an sts:ExternalId condition
//	crossAccount       the principal is outside the role's account (Everyone always is)
//	principal          the raw principal entries, comma-separated
//	sid, effect        comma-separated Sids; "Allow"
//	notPrincipal       for a NotPrincipal Allow (mapped to Everyone): the exceptions
//
// Deny statements of a trust policy do not remove TRUSTS relationships;
// whether a principal can really assume the role is aws_principal_access's
// answer (the trust policy is the role's resource policy there). A trust
// policy that names a collected user or role is, like any resource policy
// naming a principal (resource.go, grantees), a grant principal-access
// evaluates for it: in the same account it needs no identity policy
// (IAM User Guide, reference_policies_evaluation-logic-basics: a
// resource-based policy that names the principal in the same account
// suffices; id_roles_update-role-trust-policy.html: a user listed as the
// trust policy's principal who cannot assume the role is limited by a
// permissions boundary, not by a missing identity policy).

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// trustActions are the sts actions a trust policy grants.
var trustActions = []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"}

func (d *deriver) trusts(ctx context.Context) error {
	for _, role := range sortedEntities(d.g.EntitiesOfType("aws_iam_role")) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if role.String("_source") == placeholderSource {
			continue
		}
		doc := d.doc(role, "assumeRolePolicyDocument")
		if doc == nil {
			continue
		}
		acct := accountOf(role)
		var gs grants
		acts := map[string][]string{} // target key -> trust actions
		access := map[string]*grant{} // target key -> grant for principal-access
		joined := map[string]*grant{} // target key -> grant to Everyone or another account (Who joins it)
		var accessOrder []*grant
		for _, st := range doc.stmts {
			if st.effect != iam.Allow {
				continue
			}
			allowed := stsActions(st)
			if len(allowed) == 0 {
				continue
			}
			set := d.statementSet(st, "sts")
			d.principalGrants(role, st, acct, &gs, func() *grant {
				return &grant{from: role, target: role, via: role.Key + "#assumeRolePolicyDocument", scope: scopeResource, service: "sts", account: acct}
			}, func(gr *grant) {
				gr.add(st, nil, "", "")
				acts[gr.to.Key] = append(acts[gr.to.Key], allowed...)
				if set == nil {
					return
				}
				if joinedTrust(gr.to, acct) {
					jg := joined[gr.to.Key]
					if jg == nil {
						jg = &grant{from: role, to: gr.to, target: role, via: gr.via, scope: scopeResource, service: "sts", account: acct}
						joined[gr.to.Key] = jg
					}
					jg.add(st, set, role.Key, "")
					return
				}
				if len(d.grantees(gr.to)) == 0 {
					return
				}
				ag := access[gr.to.Key]
				if ag == nil {
					ag = &grant{from: role, to: gr.to, target: role, via: gr.via, scope: scopeResource, service: "sts", account: acct}
					access[gr.to.Key] = ag
					accessOrder = append(accessOrder, ag)
				}
				ag.add(st, set, role.Key, "")
				ag.principals = append(ag.principals, gr.principals[len(gr.principals)-1])
			})
		}
		// The grants to collected users and roles, for principal-access
		// (its own grant: the TRUSTS relationship's properties stay as
		// they are).
		for _, ag := range accessOrder {
			ag.finish()
			for _, p := range d.grantees(ag.to) {
				d.resourceGrants[p.Key] = append(d.resourceGrants[p.Key], ag)
			}
		}
		for _, gr := range gs.order {
			gr.principals = uniqSorted(gr.principals)
			p := gr.props(trustPropsMax)
			p["actions"] = uniqSorted(acts[gr.to.Key])
			p["principal"] = strings.Join(gr.principals, ",")
			p["crossAccount"] = crossAccount(gr.to, acct)
			p["externalIdRequired"] = externalIDRequired(gr.stmts)
			if np := notPrincipals(gr.stmts); len(np) > 0 {
				p["notPrincipal"] = np
			}
			if jg := joined[gr.to.Key]; jg != nil {
				if err := d.trustExceptions(jg, doc, p); err != nil {
					return err
				}
			}
			gr.rel = graph.NewRelationship(role, "TRUSTS", gr.to, p)
			if err := d.g.AddRelationship(gr.rel); err != nil {
				return err
			}
			d.stats.Trusts++
		}
	}
	return nil
}

// joinedTrust reports whether a trust policy's grant to principal entity
// to is joined with the principals' own access (Who): to Everyone, or to
// another collected account.
func joinedTrust(to *graph.Entity, acct string) bool {
	return to.Key == model.EveryoneKey || (to.Type == "aws_account" && to.String("accountId") != acct && to.String("_source") != placeholderSource)
}

// trustExceptions sets exceptPrincipals (and exceptLevels) on a TRUSTS
// relationship to Everyone or to another account, as resource.go does on
// a resource policy's: the principals of the role's account whose own
// Deny or organisation policies refuse the trust's actions
// (publicExceptions, to Everyone), other accounts' whom the role
// account's RCPs refuse (rcpExceptions), and every principal the trust
// policy itself refuses (joinedRefusals: its Conditions on their facts,
// its NotPrincipal). Set only when some principal is excepted.
func (d *deriver) trustExceptions(jg *grant, doc *document, p map[string]any) error {
	jg.finish()
	acct := jg.account
	var except, levels []string
	var err error
	if jg.to.Key == model.EveryoneKey {
		except, levels, err = d.joinedRefusals(jg, doc, d.classAccounts())
		except = mergeSorted(mergeSorted(except, d.publicExceptions(jg, doc, acct)), d.rcpExceptions(jg, acct, ""))
	} else {
		a := jg.to.String("accountId")
		except, levels, err = d.joinedRefusals(jg, doc, []string{a})
		except = mergeSorted(except, d.rcpExceptions(jg, acct, a))
	}
	if err != nil {
		return fmt.Errorf("access: %s: %w", jg.from.Key, err)
	}
	if len(except) > 0 {
		p["exceptPrincipals"] = except
	}
	setExceptLevels(p, levels)
	return nil
}

// stsActions returns the trustActions a statement allows.
func stsActions(st *statement) []string {
	var out []string
	for _, a := range trustActions {
		la := strings.ToLower(a)
		if st.actions != nil && slices.ContainsFunc(st.actions, func(p string) bool { return glob(strings.ToLower(p), la) }) {
			out = append(out, a)
		}
		if st.actions == nil && !slices.ContainsFunc(st.notActions, func(p string) bool { return glob(strings.ToLower(p), la) }) {
			out = append(out, a)
		}
	}
	return out
}

// externalIDRequired reports whether every statement has a condition on
// sts:ExternalId.
func externalIDRequired(stmts []*statement) bool {
	for _, s := range stmts {
		if !slices.Contains(s.conditionKeys(), "sts:externalid") {
			return false
		}
	}
	return len(stmts) > 0
}
