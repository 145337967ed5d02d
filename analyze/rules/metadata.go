package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// severities are the allowed custom.severity values, most severe first.
var severities = []string{"critical", "high", "medium", "low", "info"}

// Severities returns the allowed severities, most severe first (a copy:
// reports may use the order to rank findings).
func Severities() []string { return slices.Clone(severities) }

// RuleInfo is a check's metadata, read from its package-scoped METADATA block.
type RuleInfo struct {
	ID            string   `json:"id"`             // custom.id, stable: AWS-EC2-001
	Title         string   `json:"title"`          // title
	Description   string   `json:"description"`    // description
	Severity      string   `json:"severity"`       // custom.severity: one of Severities()
	ResourceTypes []string `json:"resource_types"` // custom.resource_types: entity _type values the check reads
	Frameworks    []string `json:"frameworks"`     // custom.frameworks: "CIS AWS Foundations v3.0.0 5.2", ...
	Remediation   string   `json:"remediation"`    // custom.remediation
	Package       string   `json:"package"`        // data.snapaudit.rules.<name>
	File          string   `json:"file"`           // file that holds the METADATA block
}

// rulesPrefix is the package path every check lives under.
const rulesPrefix = "data.snapaudit.rules."

// ruleIDPattern: upper-case words of letters and digits joined by dashes,
// at least two of them (AWS-EC2-001, ACME-S3-7).
var ruleIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// ruleInfo reads and validates the metadata in a, the package annotations of
// pkg found in file. It returns every problem, each naming the file.
func ruleInfo(pkg, file string, a *ast.Annotations) (RuleInfo, []error) {
	info := RuleInfo{Package: pkg, File: file}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: check %s: %s", annotationPos(file, a), pkg, fmt.Sprintf(format, args...)))
	}
	if a == nil {
		bad("no package-scoped # METADATA block (title, description, custom.id, custom.severity, custom.resource_types, custom.frameworks, custom.remediation)")
		return info, errs
	}
	info.Title = strings.TrimSpace(a.Title)
	info.Description = strings.TrimSpace(a.Description)
	if info.Title == "" {
		bad("METADATA title is missing")
	}
	if info.Description == "" {
		bad("METADATA description is missing")
	}
	str := func(key string) string {
		v, ok := a.Custom[key]
		if !ok {
			bad("METADATA custom.%s is missing", key)
			return ""
		}
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			bad("METADATA custom.%s must be a non-empty string, got %v", key, v)
			return ""
		}
		return strings.TrimSpace(s)
	}
	list := func(key string, nonEmpty bool) []string {
		v, ok := a.Custom[key]
		if !ok {
			bad("METADATA custom.%s is missing", key)
			return nil
		}
		items, ok := v.([]any)
		if !ok {
			bad("METADATA custom.%s must be a list of strings, got %v", key, v)
			return nil
		}
		out := make([]string, 0, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok || strings.TrimSpace(s) == "" {
				bad("METADATA custom.%s[%d] must be a non-empty string, got %v", key, i, it)
				continue
			}
			out = append(out, strings.TrimSpace(s))
		}
		if nonEmpty && len(items) == 0 {
			bad("METADATA custom.%s must not be empty", key)
		}
		return out
	}
	info.ID = str("id")
	if info.ID != "" && !ruleIDPattern.MatchString(info.ID) {
		bad("METADATA custom.id %q must look like AWS-EC2-001 (upper-case letters and digits joined by dashes)", info.ID)
	}
	info.Severity = str("severity")
	if info.Severity != "" && !slices.Contains(severities, info.Severity) {
		bad("METADATA custom.severity %q must be one of %s", info.Severity, strings.Join(severities, ", "))
	}
	info.ResourceTypes = list("resource_types", true)
	info.Frameworks = list("frameworks", false)
	info.Remediation = str("remediation")
	return info, errs
}

// annotationPos is "file:line" of a METADATA block, or just file.
func annotationPos(file string, a *ast.Annotations) string {
	if a != nil && a.Location != nil {
		return fmt.Sprintf("%s:%d", file, a.Location.Row)
	}
	return file
}
