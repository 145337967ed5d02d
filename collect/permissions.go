package collect

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// IAM permissions. The collector's IAM policy is derived from the registry,
// never written by hand: every call maps to the IAM action that authorizes
// it. For most calls that is "<prefix>:<Operation>"; a record whose IAM
// action has another name (AWS's Service Authorization Reference lists
// them) says so itself (Call.Action, set with authorizedBy).
// permissions_test.go checks every action against the embedded IAM action
// catalog, and that each is a List or Read action: a second, independent
// proof that collection is read-only.

// iamPrefix maps an SDK service package to its IAM action prefix where the
// two differ.
var iamPrefix = map[string]string{
	"configservice":          "config",
	"elasticloadbalancingv2": "elasticloadbalancing",
}

// IAMAction returns the IAM action that authorizes the call.
func (c Call) IAMAction() string {
	if c.Action != "" {
		return c.Action
	}
	prefix := c.Service
	if p, ok := iamPrefix[c.Service]; ok {
		prefix = p
	}
	return prefix + ":" + c.Operation
}

// authorizedBy records the IAM action of a call whose action is not
// <prefix>:<Operation>.
func (c Call) authorizedBy(action string) Call {
	c.Action = action
	return c
}

// Permissions returns the sorted, de-duplicated IAM actions the collector
// needs for the given calls (Registry() for all of them).
func Permissions(calls []Call) []string {
	seen := map[string]bool{}
	for _, c := range calls {
		seen[c.IAMAction()] = true
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Baseline is an AWS managed policy the collector's role is expected to
// have besides snapaudit's own (the README says SecurityAudit): the docs
// list separately the actions it does not grant. collect cannot evaluate
// IAM policies itself (that is analyze/iam, which collect must not import),
// so the caller supplies the answers: the generator is
// TestPermissionsDoc, which evaluates the real SecurityAudit document with
// analyze/iam.
type Baseline struct {
	Name    string // SecurityAudit
	Version string // which version of it the answers come from ("v42, updated 2026-08-17")
	// Grants reports whether the policy allows action on resource: an ARN
	// from requestResources, or "" for a call with no resource declared
	// there (then only a grant on every resource counts).
	Grants func(action, resource string) (bool, error)
}

// requestResources are sample resources the calls are authorized against,
// for calls whose action SecurityAudit grants on some resources only: API
// Gateway authorizes apigateway:GET per resource path, and SecurityAudit
// grants it on the paths it considers safe (not /apikeys). The ids in the
// samples vary in real requests; SecurityAudit's patterns cover them with
// wildcards. TestPermissionsDoc asks for an entry when a call's action is
// granted on some resources only and the call has none here.
var requestResources = map[string]string{
	"apigateway:GetResources": "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/resources",
	"apigateway:GetRestApis":  "arn:aws:apigateway:us-east-1::/restapis",
}

// RequestResource returns the sample resource the call is authorized
// against, "" when not declared (requestResources).
func (c Call) RequestResource() string { return requestResources[c.Name()] }

// Extra returns the sorted IAM actions of calls that the baseline does not
// grant for every call that needs them.
func (b Baseline) Extra(calls []Call) ([]string, error) {
	missing := map[string]bool{}
	for _, c := range calls {
		ok, err := b.Grants(c.IAMAction(), c.RequestResource())
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", b.Name, c.Name(), err)
		}
		if !ok {
			missing[c.IAMAction()] = true
		}
	}
	out := make([]string, 0, len(missing))
	for a := range missing {
		out = append(out, a)
	}
	sort.Strings(out)
	return out, nil
}

// policyJSON renders an identity policy allowing actions on every
// resource, indented as PERMISSIONS.md shows it.
func policyJSON(sid string, actions []string) string {
	var b strings.Builder
	b.WriteString("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n")
	fmt.Fprintf(&b, "      \"Sid\": %q,\n      \"Effect\": \"Allow\",\n      \"Action\": [\n", sid)
	for i, a := range actions {
		sep := ","
		if i == len(actions)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "        %q%s\n", a, sep)
	}
	b.WriteString("      ],\n      \"Resource\": \"*\"\n    }\n  ]\n}\n")
	return b.String()
}

// ExtraPolicy renders snapaudit-extra-policy.json: the actions base does
// not grant, as a policy to attach beside it; "" when base grants every
// action (IAM refuses a policy without actions: the file is then absent).
func ExtraPolicy(calls []Call, base Baseline) (string, error) {
	extra, err := base.Extra(calls)
	if err != nil || len(extra) == 0 {
		return "", err
	}
	return policyJSON("SnapauditBeyond"+base.Name, extra), nil
}

// ExtraPolicyFile is the generated extra policy's file name, beside
// PERMISSIONS.md.
const ExtraPolicyFile = "snapaudit-extra-policy.json"

// PermissionsDoc renders PERMISSIONS.md: the IAM actions the collector
// needs, those of them the baseline policy does not grant, and both as
// ready-to-attach JSON policies.
func PermissionsDoc(calls []Call, base Baseline) (string, error) {
	extra, err := base.Extra(calls)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("<!-- Code generated by `go test ./collect -run TestPermissionsDoc -update`. DO NOT EDIT. -->\n\n")
	b.WriteString("# IAM permissions for `snapaudit collect`\n\n")
	b.WriteString("Every action below is a List or Read action (checked against the IAM action catalog by a test).\n\n")
	fmt.Fprintf(&b, "## On top of `%s`\n\n", base.Name)
	how := fmt.Sprintf("Each action was decided by evaluating the `%s` document (%s) with snapaudit's own IAM\n"+
		"evaluator (`analyze/iam`) for the request each call makes.", base.Name, base.Version)
	if len(extra) == 0 {
		fmt.Fprintf(&b, "None: the AWS managed policy `%s` grants every action the collector needs. %s\n"+
			"When a new call needs an action it does not grant, regenerating this file lists it here and writes\n"+
			"`%s`, a policy of those actions to attach beside `%s`.\n", base.Name, how, ExtraPolicyFile, base.Name)
	} else {
		fmt.Fprintf(&b, "Attach the AWS managed policy `%s` and, beside it, [`%s`](%s): the %d actions below,\n"+
			"which `%s` does not grant. %s\n\n", base.Name, ExtraPolicyFile, ExtraPolicyFile, len(extra), base.Name, how)
		b.WriteString("| IAM action | API calls |\n|---|---|\n")
	}
	byAction := map[string][]string{}
	for _, c := range calls {
		a := c.IAMAction()
		byAction[a] = append(byAction[a], c.Service+":"+c.Operation)
	}
	for _, a := range extra {
		ops := byAction[a]
		sort.Strings(ops)
		fmt.Fprintf(&b, "| `%s` | %s |\n", a, strings.Join(ops, ", "))
	}
	if len(extra) > 0 {
		b.WriteString("\n```json\n" + policyJSON("SnapauditBeyond"+base.Name, extra) + "```\n")
	}
	fmt.Fprintf(&b, "\n## Every action\n\nThe complete list, for a role without `%s`.\n\n", base.Name)
	fmt.Fprintf(&b, "| IAM action | API calls | needed beyond `%s` |\n|---|---|---|\n", base.Name)
	perms := Permissions(calls)
	for _, a := range perms {
		ops := byAction[a]
		sort.Strings(ops)
		beyond := "no"
		if slices.Contains(extra, a) {
			beyond = "**yes**"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a, strings.Join(ops, ", "), beyond)
	}
	b.WriteString("\n```json\n" + policyJSON("SnapauditCollectReadOnly", perms) + "```\n")
	return b.String(), nil
}
