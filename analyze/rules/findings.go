package rules

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// Finding statuses.
const (
	StatusFail  = "FAIL"
	StatusPass  = "PASS"
	StatusError = "ERROR"
	// StatusNotApplicable is a rule summary status only: the check produced
	// no finding (no resource of its types, no gap).
	StatusNotApplicable = "NOT_APPLICABLE"
)

// Finding is one result of one check for one resource (or, for ERROR
// findings from gaps, for one account/region scope).
type Finding struct {
	RuleID       string   `json:"rule_id"`
	Title        string   `json:"title"`
	Severity     string   `json:"severity"`
	Status       string   `json:"status"` // FAIL, PASS or ERROR
	ResourceKey  string   `json:"resource_key,omitempty"`
	ResourceType string   `json:"resource_type,omitempty"`
	AccountID    string   `json:"account_id,omitempty"`
	Region       string   `json:"region,omitempty"` // "global" for global resources
	Message      string   `json:"message"`
	Frameworks   []string `json:"frameworks"`
	Remediation  string   `json:"remediation"`
	// Partial marks a PASS whose account/region had a collection gap for one
	// of the check's resource types: the resource passed, but the scope's
	// result is ERROR, not a clean pass.
	Partial bool `json:"partial,omitempty"`
}

// RuleSummary is one check's metadata and overall status: FAIL if any
// finding failed, else ERROR if any errored, else PASS if any passed, else
// NOT_APPLICABLE.
type RuleSummary struct {
	RuleInfo
	Status string `json:"status"`
	Fail   int    `json:"fail"`
	Pass   int    `json:"pass"`
	Error  int    `json:"error"`
}

// Result is what Evaluate returns.
type Result struct {
	Findings []Finding     `json:"findings"`
	Rules    []RuleSummary `json:"rules"` // sorted by ID
}

// newFinding fills the rule metadata into f and sets its status.
func newFinding(info RuleInfo, status string, f Finding) Finding {
	f.RuleID = info.ID
	f.Title = info.Title
	if f.Severity == "" {
		f.Severity = info.Severity
	}
	f.Status = status
	f.Frameworks = info.Frameworks
	f.Remediation = info.Remediation
	return f
}

// decodeFinding checks one element of a check's findings set (built by
// lib.fail/lib.pass/lib.error) and adds what the engine knows about the
// resource from the graph.
func decodeFinding(info RuleInfo, item any, g *graph.Graph) (Finding, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return Finding{}, fmt.Errorf("finding %v is not an object (build it with lib.fail, lib.pass or lib.error)", item)
	}
	key, _ := m["resource_key"].(string)
	status, _ := m["status"].(string)
	msg, msgOK := m["message"].(string)
	switch {
	case key == "":
		return Finding{}, fmt.Errorf("finding %v has no resource_key string", item)
	case status != StatusFail && status != StatusPass && status != StatusError:
		return Finding{}, fmt.Errorf("finding for %s has status %v, want FAIL, PASS or ERROR", key, m["status"])
	case !msgOK:
		return Finding{}, fmt.Errorf("finding for %s has no message string", key)
	}
	f := Finding{ResourceKey: key, Message: msg}
	if s, has := m["severity"]; has {
		sev, _ := s.(string)
		if !slices.Contains(severities, sev) {
			return Finding{}, fmt.Errorf("finding for %s has severity %v, want one of %s", key, s, strings.Join(severities, ", "))
		}
		f.Severity = sev
	}
	return locateFinding(info, status, f, g)
}

// locateFinding completes f, whose fields a check set, from the graph
// entity of its resource key.
func locateFinding(info RuleInfo, status string, f Finding, g *graph.Graph) (Finding, error) {
	var ent *graph.Entity
	if g != nil {
		ent = g.Entity(f.ResourceKey)
	}
	if ent == nil {
		return Finding{}, fmt.Errorf("finding for %s: no entity with that _key in the graph", f.ResourceKey)
	}
	f.ResourceType = ent.Type
	f.AccountID = ent.String("accountId")
	f.Region = normRegion(ent.String("region"))
	return newFinding(info, status, f), nil
}

// The keys of a finding object, made once: decodeFindingValue looks up
// four per finding (600,000 findings at 1,000,000 resources).
var (
	findingResourceKey = ast.StringTerm("resource_key")
	findingStatus      = ast.StringTerm("status")
	findingMessage     = ast.StringTerm("message")
	findingSeverity    = ast.StringTerm("severity")
)

// decodeFindingValue is decodeFinding on the OPA value of a finding. A
// well-formed one is read in place; anything else goes through its Go
// form and decodeFinding, whose errors quote it.
func decodeFindingValue(info RuleInfo, v ast.Value, g *graph.Graph) (Finding, error) {
	if obj, ok := v.(ast.Object); ok {
		str := func(name *ast.Term) (string, bool) {
			t := obj.Get(name)
			if t == nil {
				return "", false
			}
			s, ok := t.Value.(ast.String)
			return string(s), ok
		}
		key, _ := str(findingResourceKey)
		status, _ := str(findingStatus)
		msg, msgOK := str(findingMessage)
		sev, sevOK := "", true // severity is optional, but a severity
		if obj.Get(findingSeverity) != nil {
			sev, sevOK = str(findingSeverity)
			sevOK = sevOK && slices.Contains(severities, sev)
		}
		if key != "" && (status == StatusFail || status == StatusPass || status == StatusError) && msgOK && sevOK {
			return locateFinding(info, status, Finding{ResourceKey: key, Message: msg, Severity: sev}, g)
		}
	}
	item, err := ast.JSON(v)
	if err != nil {
		return Finding{}, fmt.Errorf("finding %v: %w", v, err)
	}
	return decodeFinding(info, item, g)
}

func normRegion(r string) string {
	if r == "" {
		return "global"
	}
	return r
}

// gapIndex holds the gaps by resource type.
type gapIndex map[string][]Gap

func indexGaps(gaps []Gap) gapIndex {
	idx := gapIndex{}
	for _, g := range sortedGaps(gaps) {
		if g.ResourceType != "" {
			idx[g.ResourceType] = append(idx[g.ResourceType], g)
		}
	}
	return idx
}

// sortedGaps returns a sorted, de-duplicated copy.
func sortedGaps(gaps []Gap) []Gap {
	out := append([]Gap(nil), gaps...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return strings.Join([]string{a.ResourceType, a.AccountID, a.Region, a.Service, a.Operation, a.Reason}, "\x00") <
			strings.Join([]string{b.ResourceType, b.AccountID, b.Region, b.Service, b.Operation, b.Reason}, "\x00")
	})
	return slices.Compact(out)
}

// covers reports whether gap g's scope includes account/region.
func (g Gap) covers(account, region string) bool {
	return (g.AccountID == "" || g.AccountID == account) &&
		(g.Region == "" || normRegion(g.Region) == normRegion(region))
}

// scope is how a gap's account/region reads in messages ("*" for a wildcard).
func (g Gap) scope() string {
	acct, region := g.AccountID, g.Region
	if acct == "" {
		acct = "*"
	}
	if region == "" {
		region = "*"
	}
	return acct + "/" + region
}

// applyGaps adds one ERROR finding per gap that touches the check's resource
// types (one per account/region/call; never a PASS) and marks the check's
// PASS findings in a gapped scope as Partial.
func applyGaps(info RuleInfo, found []Finding, idx gapIndex) []Finding {
	var hit []Gap
	for _, t := range info.ResourceTypes {
		hit = append(hit, idx[t]...)
	}
	if len(hit) == 0 {
		return found
	}
	for i := range found {
		if found[i].Status != StatusPass {
			continue
		}
		for _, g := range hit {
			if g.covers(found[i].AccountID, found[i].Region) {
				found[i].Partial = true
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, g := range hit {
		reason := g.Reason
		if reason == "" {
			reason = "error"
		}
		msg := fmt.Sprintf("cannot evaluate: %s:%s in %s failed (%s)", g.Service, g.Operation, g.scope(), reason)
		k := g.ResourceType + "\x00" + msg
		if seen[k] {
			continue
		}
		seen[k] = true
		found = append(found, newFinding(info, StatusError, Finding{
			ResourceType: g.ResourceType,
			AccountID:    g.AccountID,
			Region:       g.Region,
			Message:      msg,
		}))
	}
	return found
}

// summarize counts a check's findings and derives its overall status.
func summarize(info RuleInfo, found []Finding) RuleSummary {
	s := RuleSummary{RuleInfo: info}
	for _, f := range found {
		switch f.Status {
		case StatusFail:
			s.Fail++
		case StatusPass:
			s.Pass++
		case StatusError:
			s.Error++
		}
	}
	switch {
	case s.Fail > 0:
		s.Status = StatusFail
	case s.Error > 0:
		s.Status = StatusError
	case s.Pass > 0:
		s.Status = StatusPass
	default:
		s.Status = StatusNotApplicable
	}
	return s
}

// sortFindings orders findings by rule ID, resource key, resource type,
// account, region, status and message, so output is deterministic. It
// sorts indexes: a Finding is about 200 bytes, and sorting the slice itself
// copied two per comparison (1.4 s of CPU for 177k findings). The order is
// then applied in place, cycle by cycle, not through a sorted copy (50 MB
// at AWS-TAG-001's 292,000 findings).
func sortFindings(fs []Finding) {
	idx := make([]int32, len(fs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(i, j int32) int {
		a, b := &fs[i], &fs[j]
		return cmp.Or(strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.ResourceKey, b.ResourceKey),
			strings.Compare(a.ResourceType, b.ResourceType), strings.Compare(a.AccountID, b.AccountID),
			strings.Compare(a.Region, b.Region), strings.Compare(a.Status, b.Status), strings.Compare(a.Message, b.Message))
	})
	permute(fs, idx)
}

// permute sets fs[k] to the old fs[idx[k]] for every k, in place; idx is a
// permutation of 0..len(fs)-1, marked -1 as its entries are used.
func permute[T any](fs []T, idx []int32) {
	for start := range idx {
		if idx[start] < 0 {
			continue
		}
		saved := fs[start]
		k := start
		for {
			from := int(idx[k])
			idx[k] = -1
			if from == start {
				fs[k] = saved
				break
			}
			fs[k] = fs[from]
			k = from
		}
	}
}
