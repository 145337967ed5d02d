package access

// Organisation policies in queries: each collected account's organisation
// path and the SCPs and RCPs at each level of it, as analyze/model sets them
// on aws_account (organizationPath, serviceControlPolicies,
// resourceControlPolicies; model/org.go). A request gets the SCPs of the
// principal's account and the RCPs of the resource's account, root first
// (iam.Policies); the evaluator applies them as AWS documents
// (Organizations User Guide, orgs_manage_policies_scps_evaluation.html and
// orgs_manage_policies_rcps_evaluation.html). Neither applies to the
// organisation's management account (to its principals, to its resources).
//
// Each answer says what it knew (Answer.SCPs, Answer.RCPs): applied, none
// (no organisation, the policy type not enabled, the management account)
// or not readable (the snapshot could not read them: a member account's
// credentials cannot).

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
)

// What an answer knew of an organisation policy type.
const (
	OrgPoliciesApplied    = "applied"
	OrgPoliciesNone       = "none"
	OrgPoliciesUnreadable = "not readable"
)

// orgInfo is one collected account's organisation, parsed once.
type orgInfo struct {
	path       string // aws:PrincipalOrgPaths form; "" when unknown or none
	pathKnown  bool   // path, or known to be in no organisation
	management string
	scps, rcps orgLevels
}

type orgLevels struct {
	status string // OrgPolicies*
	levels [][]*iam.Policy
}

// newOrgInfo reads an aws_account's organisation properties; problems
// (a document that does not parse) make the type not readable and are
// returned for the limits.
func newOrgInfo(e *graph.Entity, org string, orgKnown bool) (*orgInfo, []string) {
	acct := e.String("accountId")
	oi := &orgInfo{management: e.String("organizationMasterAccountId")}
	inNone := orgKnown && org == ""
	if p := e.String("organizationPath"); p != "" {
		oi.path, oi.pathKnown = p, true
	} else if inNone {
		oi.pathKnown = true
	}
	var problems []string
	for _, t := range []struct {
		prop, name string
		out        *orgLevels
	}{{"serviceControlPolicies", "SCP", &oi.scps}, {"resourceControlPolicies", "RCP", &oi.rcps}} {
		switch raw := e.String(t.prop); {
		case inNone || (oi.management != "" && oi.management == acct):
			t.out.status = OrgPoliciesNone
		case raw == "":
			t.out.status = OrgPoliciesUnreadable
		default:
			levels, err := parseLevels(acct, t.name, raw)
			if err != nil {
				t.out.status = OrgPoliciesUnreadable
				problems = append(problems, err.Error())
				break
			}
			t.out.levels, t.out.status = levels, OrgPoliciesApplied
			if len(levels) == 0 {
				t.out.status = OrgPoliciesNone
			}
		}
	}
	return oi, problems
}

func parseLevels(acct, kind, raw string) ([][]*iam.Policy, error) {
	var ls []struct {
		Target   string `json:"target"`
		Policies []struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Document string `json:"document"`
		} `json:"policies"`
	}
	if err := json.Unmarshal([]byte(raw), &ls); err != nil {
		return nil, fmt.Errorf("account %s: %ss: %w", acct, kind, err)
	}
	out := make([][]*iam.Policy, 0, len(ls))
	for _, l := range ls {
		lvl := []*iam.Policy{}
		for _, p := range l.Policies {
			pol, err := iam.Parse(fmt.Sprintf("%s %s (%s, attached to %s)", kind, p.Name, p.ID, l.Target), p.Document)
			if err != nil {
				return nil, fmt.Errorf("account %s: %s %s at %s: %w", acct, kind, p.ID, l.Target, err)
			}
			lvl = append(lvl, pol)
		}
		out = append(out, lvl)
	}
	return out, nil
}

// orgPolicies adds the SCPs of the principal's account and the RCPs of the
// resource's account to pol, and returns what the answer knew of each.
func (q *Query) orgPolicies(pr iam.Principal, resourceAccount string, pol *iam.Policies) (scps, rcps string) {
	scps, rcps = OrgPoliciesNone, OrgPoliciesNone
	if pr.IsIAM() && pr.Account != "" {
		scps = OrgPoliciesUnreadable // an account outside the snapshot
		if oi := q.org[pr.Account]; oi != nil {
			scps, pol.SCPs = oi.scps.status, oi.scps.levels
		}
	}
	if resourceAccount != "" {
		rcps = OrgPoliciesUnreadable
		if oi := q.org[resourceAccount]; oi != nil {
			rcps, pol.RCPs = oi.rcps.status, oi.rcps.levels
		}
	}
	return scps, rcps
}

// Limits are what the answers over this snapshot are derived without.
func (q *Query) Limits() []string {
	var scp, rcp []string
	for _, acct := range slices.Sorted(maps.Keys(q.org)) {
		if q.org[acct].scps.status == OrgPoliciesUnreadable {
			scp = append(scp, acct)
		}
		if q.org[acct].rcps.status == OrgPoliciesUnreadable {
			rcp = append(rcp, acct)
		}
	}
	var out []string
	if len(scp)+len(rcp) > 0 {
		out = append(out, fmt.Sprintf("service control policies of %s, resource control policies of %s: not readable "+
			"(only the organisation's management account or a delegated administrator can read them); an SCP or RCP could deny what is listed",
			orNone(scp), orNone(rcp)))
	}
	out = append(out, q.problems...)
	return append(out, QueryLimits...)
}

func orNone(accts []string) string {
	if len(accts) == 0 {
		return "no account"
	}
	return "account " + strings.Join(accts, ", ")
}
