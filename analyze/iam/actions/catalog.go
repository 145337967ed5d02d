package actions

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/iam/actions/internal/build"
)

//go:embed actions.json.gz
var embedded []byte

// AccessLevel is one of the IAM access levels.
type AccessLevel string

// Access levels.
const (
	List                  AccessLevel = "List"
	Read                  AccessLevel = "Read"
	Write                 AccessLevel = "Write"
	Tagging               AccessLevel = "Tagging"
	PermissionsManagement AccessLevel = "Permissions management"
)

// Action is one IAM action.
type Action struct {
	Service string // prefix, e.g. "s3"
	Name    string // e.g. "GetObject"
	// Level is the access level as the data set writes it: one level, or
	// two ("Tagging, Write", "Permissions management, Write").
	Level string
	// Resources are the ARN patterns of the resource types the action
	// applies to (policy variables such as ${BucketName} read as *);
	// none for an action that takes no resource (Resource "*").
	Resources []string
}

// AppliesTo reports whether the action is authorized against arn: one of
// its resource types' ARN patterns matches it, or, for an action that
// takes no resource, arn is "*" or "".
func (a Action) AppliesTo(arn string) bool {
	if len(a.Resources) == 0 {
		return arn == "*" || arn == ""
	}
	for _, p := range a.Resources {
		if glob(p, arn) {
			return true
		}
	}
	return false
}

// String returns "service:Name".
func (a Action) String() string { return a.Service + ":" + a.Name }

// Levels returns the action's access levels.
func (a Action) Levels() []AccessLevel {
	parts := strings.Split(a.Level, ",")
	out := make([]AccessLevel, 0, len(parts))
	for _, p := range parts {
		out = append(out, AccessLevel(strings.TrimSpace(p)))
	}
	return out
}

// Service is one service prefix and its actions.
type Service struct {
	Prefix  string
	Name    string
	Actions []Action // sorted by name
}

// Catalog is the loaded action catalog. It is immutable and safe for
// concurrent use.
type Catalog struct {
	source   string
	services []Service
	byPrefix map[string]int
	byLower  map[string]Action // "s3:getobject"
	lowers   [][]string        // per service, lower-case names aligned with Actions
	rcp      []string
}

// Load decodes the embedded catalog. Callers keep the result; loading takes
// a few milliseconds.
func Load() (*Catalog, error) {
	return Decode(bytes.NewReader(embedded))
}

// Decode reads a gzip'd catalog as written by the generator.
func Decode(r io.Reader) (*Catalog, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("action catalog: %w", err)
	}
	var f build.File
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		return nil, fmt.Errorf("action catalog: %w", err)
	}
	// Read to the end so that the gzip checksum is verified.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("action catalog: %w", err)
	}
	return fromFile(&f), nil
}

func fromFile(f *build.File) *Catalog {
	c := &Catalog{source: f.Source, byPrefix: map[string]int{}, byLower: map[string]Action{},
		rcp: append([]string(nil), f.RCPServices...)}
	for _, s := range f.Services {
		svc := Service{Prefix: s.Prefix, Name: s.Name}
		for level, names := range s.Actions {
			for _, n := range names {
				a := Action{Service: s.Prefix, Name: n, Level: level}
				for _, rt := range s.Resources[n] {
					a.Resources = append(a.Resources, VariablesAsWildcards(s.ResourceTypes[rt]))
				}
				svc.Actions = append(svc.Actions, a)
			}
		}
		sort.Slice(svc.Actions, func(i, j int) bool { return svc.Actions[i].Name < svc.Actions[j].Name })
		low := make([]string, len(svc.Actions))
		for i, a := range svc.Actions {
			low[i] = strings.ToLower(a.Name)
			c.byLower[s.Prefix+":"+low[i]] = a
		}
		c.byPrefix[s.Prefix] = len(c.services)
		c.services = append(c.services, svc)
		c.lowers = append(c.lowers, low)
	}
	return c
}

// Source names the data set the catalog was derived from.
func (c *Catalog) Source() string { return c.source }

// Services returns every service sorted by prefix. The slice must not be
// modified.
func (c *Catalog) Services() []Service { return c.services }

// RCPServices returns the service prefixes that support resource control
// policies.
func (c *Catalog) RCPServices() []string { return append([]string(nil), c.rcp...) }

// Len returns the number of actions.
func (c *Catalog) Len() int { return len(c.byLower) }

// Lookup finds an action by "service:Name", case-insensitively.
func (c *Catalog) Lookup(action string) (Action, bool) {
	a, ok := c.byLower[strings.ToLower(action)]
	return a, ok
}

// Expand returns the known actions matching one Action pattern ("*",
// "s3:Get*", "ec2:Describe?pcs", "s3:GetObject"), case-insensitively, in
// service then name order. An unknown concrete action expands to nothing.
func (c *Catalog) Expand(pattern string) []Action {
	var out []Action
	c.each(strings.ToLower(pattern), func(a Action) { out = append(out, a) })
	return out
}

// ExpandAll returns the union of the expansions of patterns, sorted.
func (c *Catalog) ExpandAll(patterns []string) []Action {
	seen := map[string]bool{}
	var out []Action
	for _, p := range patterns {
		c.each(strings.ToLower(p), func(a Action) {
			k := a.String()
			if !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		})
	}
	sortActions(out)
	return out
}

// Complement returns the known actions that match none of the NotAction
// patterns, sorted.
func (c *Catalog) Complement(notPatterns []string) []Action {
	excluded := map[string]bool{}
	for _, a := range c.ExpandAll(notPatterns) {
		excluded[a.String()] = true
	}
	var out []Action
	for _, s := range c.services {
		for _, a := range s.Actions {
			if !excluded[a.String()] {
				out = append(out, a)
			}
		}
	}
	return out
}

func (c *Catalog) each(pattern string, fn func(Action)) {
	if pattern == "*" {
		for _, s := range c.services {
			for _, a := range s.Actions {
				fn(a)
			}
		}
		return
	}
	svc, name, ok := strings.Cut(pattern, ":")
	if !ok {
		return
	}
	visit := func(i int) {
		if !strings.ContainsAny(name, "*?") {
			for j, l := range c.lowers[i] {
				if l == name {
					fn(c.services[i].Actions[j])
				}
			}
			return
		}
		for j, l := range c.lowers[i] {
			if glob(name, l) {
				fn(c.services[i].Actions[j])
			}
		}
	}
	if !strings.ContainsAny(svc, "*?") {
		if i, ok := c.byPrefix[svc]; ok {
			visit(i)
		}
		return
	}
	for i, s := range c.services {
		if glob(svc, s.Prefix) {
			visit(i)
		}
	}
}

func sortActions(l []Action) {
	sort.Slice(l, func(i, j int) bool {
		if l[i].Service != l[j].Service {
			return l[i].Service < l[j].Service
		}
		return l[i].Name < l[j].Name
	})
}

// glob matches s against p where * matches any run and ? one byte.
func glob(p, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// VariablesAsWildcards turns an ARN pattern with variables into a glob:
// each ${Variable} (a policy variable, or a placeholder of the data set's
// ARN templates) becomes `*`, except the policy escapes ${*}, ${?} and
// ${$}, which stand for their literal character.
func VariablesAsWildcards(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		switch v := s[i+2 : i+j]; v {
		case "*", "?", "$":
			b.WriteString(v) // the escape's literal character (a wildcard for * and ?)
		default:
			b.WriteByte('*')
		}
		s = s[i+j+1:]
	}
}
