package model

// The declarative entity registry.
//
// An entity type is ONE named-field EntityType record, in the file of its
// service (types_<service>.go, joined and sorted into `registry` by
// aws.go; the service's aws_<service> placeholder record is in the same
// file). The builder (build.go) is the only code that walks responses; a
// new resource type is a new record, not new code.
// A record says:
//
//   - where its items come from: Source (a collected call,
//     op("ec2:DescribeVpcs")), Items (a path into the decoded response, see
//     path.go) and When (a filter, for a call that lists several types). The
//     type's scope (global or regional) and the calls upstream of a
//     per-parent source are not written here: they are the collector's
//     plan, read from shapes.txt (plan.go);
//   - how to name them: Key (templates tried in order; an ARN where one
//     exists), ID, Name, Created, Tags;
//   - its properties: every top-level scalar of the item flattened to a
//     camelCase J1 name automatically, then explicit Props (paths +
//     converters), then Constants, then the properties every class
//     of the entity requires (set to null when still absent);
//   - Enrich: per-parent or per-account calls whose rows add properties to
//     entities that already exist (bucket encryption, function tags ...);
//   - Rels: its relationships, either from the item itself or from another
//     call (config rule evaluations, API Gateway integrations), resolved
//     after every entity exists by matching a target property;
//   - Service: the aws_<service> placeholder it hangs under (HAS); the
//     account -> service edges come from the envelope;
//   - Hatch: the counted escape hatch, a named func with a `why`
//     (hatch.go): the credential report CSV, the S3 public flag, and a
//     subnet's effective route table;
//   - Rules: firewall rule lists (security group permissions, network
//     ACL entries) whose peers become ALLOWS/DENIES relationships (rules.go).

import (
	"fmt"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/snapshot/fieldpath"
)

// Scope says whether a type's items live in one region or account-wide.
type Scope int

// The scopes.
const (
	Global   Scope = iota // one set per account (IAM, S3 bucket list)
	Regional              // one set per account and region
)

func (s Scope) String() string {
	if s == Regional {
		return "regional"
	}
	return "global"
}

// Call names one collected API operation as stored in a snapshot.
type Call struct {
	Service   string // aws-sdk-go-v2 package name: ec2, iam, configservice ...
	Operation string // DescribeInstances ...
}

func (c Call) String() string { return c.Service + ":" + c.Operation }

// Conv is the one converter signature of the registry: it turns the value
// found at a Prop's path (nil when absent) into a property value, or the
// expanded text of a RelSpec's Value into the target's match value. A
// non-nil error names what was wrong with the value.
type Conv func(v any) (any, error)

// Prop is one explicit property of an entity or a relationship.
type Prop struct {
	// Name is the J1 property name.
	Name string
	// Path is where the value is (path.go): below the current element, or,
	// after "^." ("^^." ...), below the enclosing iterated element (the
	// user an inline policy is listed under). A path that iterates gives
	// the list of matches.
	Path string
	// Conv, optional, converts the value.
	Conv Conv
	// KeepNull sets the property to null when the value is absent,
	// instead of leaving it unset (J1 required properties that may be
	// null: hostname, publicIpAddress, CIDR ...).
	KeepNull bool
	// Default is the value set when the value is absent.
	Default any
}

// Cond filters elements: the value at Path must equal Equals.
type Cond struct {
	Path   string // a path below the element
	Equals string // the value's text
}

// holds reports whether elem passes the filter; a nil Cond passes all.
func (c *Cond) holds(elem any) bool {
	return c == nil || scalarString(lookup(elem, c.Path)) == c.Equals
}

// Enrichment adds properties to entities that already exist, from the rows
// of another call (per-bucket configuration, function tags, flow logs).
type Enrichment struct {
	// Call is the call whose rows are read.
	Call Call
	// Items is the path to the items in its response ("" = the response).
	Items string
	// Match is a template on each item giving the value that identifies
	// the entity; "" means "{parent}" (the row's ParentKey).
	Match string
	// By is the entity property Match is compared with ("_key", "name",
	// "id", ...). Entities are looked up within the row's account (and
	// region for regional types). When Match yields an ARN that matches
	// nothing by By, the entity is looked up by _key.
	By string
	// Tags is the path to tags in the item (a list of {Key,Value} or a map).
	Tags string
	// Props are set on the matched entity from the item.
	Props []Prop
	// SetOnMatch are constants set on every matched entity (a flow log
	// names this VPC: flowLogsEnabled true).
	SetOnMatch map[string]any
	// SetOnNotFound are constants set on the entity named by the row's
	// ParentKey when the call failed with class not_found: the
	// configuration is absent, which is data (no bucket policy, no
	// encryption configuration).
	SetOnNotFound map[string]any
	// Paged: the call answers one entity in several pages (kms ListAliases
	// with KeyId): on its later pages (Row.Page > 0) list properties are
	// appended to the earlier pages', and the rest keep the first page's
	// values. Otherwise every page sets the properties anew.
	Paged bool
	// SetOnNoMatch are constants set on the entities of the type that no
	// item matched, in each account (and region, for regional types)
	// where every row of the call was ok: the call answered and named no
	// such entity (no flow log for this VPC). Where a row failed they stay
	// unset: unknown, reported by Gaps.
	SetOnNoMatch map[string]any
}

// RelSpec declares one relationship kind of an entity type: for each
// element at Path, the entity whose By property equals the expanded Value
// is the target.
type RelSpec struct {
	// Verb is the J1 verb, upper case.
	Verb string
	// Target is the _type of the other end.
	Target string
	// Reverse makes the target the source (target VERB entity), for facts
	// stated on the item of the other end (the instance lists its security
	// groups; the group PROTECTS the instance).
	Reverse bool
	// Call, when set (not the zero Call), takes the relationship from that
	// call's rows instead of the entity's own item: Items is the path to
	// the items in its response, and the entity the relationship starts
	// from (its owner) is the one whose OwnerBy property equals the
	// template OwnerMatch (defaults "{parent}" and "name").
	Call       Call
	Items      string
	OwnerMatch string
	OwnerBy    string
	// Path iterates below the item ("" = the item itself).
	Path string
	// Value is a template on each element giving the target's By value.
	Value string
	// Conv, optional, converts the expanded Value (a string); a result of
	// "" means no target.
	Conv Conv
	// By is the target property to match ("_key", "id", ...).
	By string
	// When, optional, filters the elements.
	When *Cond
	// SameRegion keeps only targets whose region property is the row's
	// region: for a target type that is global but whose entities each
	// live in one region (an S3 bucket naming a KMS key by alias name,
	// which resolves in the bucket's region only).
	SameRegion bool
	// Props are the relationship's properties, from the element.
	Props []Prop
}

// Hatch is one counted escape hatch: code for what a record cannot say.
type Hatch struct {
	Name string
	Why  string
	// Calls are the calls the hatch reads (they feed the type's gaps).
	Calls []Call
	// Rows, when set, is called for every ok row of each call in Calls
	// after all entities exist.
	Rows func(b *builder, call Call, row rowData) error
	// Failed: Rows also sees the failed rows of its calls, with Body nil
	// (a hatch that must tell "not read" from "none").
	Failed bool
	// Finish, when set, runs once after all enrichments and relationships
	// of the graph are resolved (after Rows, when both are set).
	Finish func(b *builder) error
	// Produces lists the relationships the hatch may emit (for the
	// registry invariant test and Relationships()).
	Produces []RelInfo
	// Sets lists, per _type, the properties the hatch may set on its
	// entities (for EntityType.Properties and the reference docs;
	// TestProperties holds it to what the fixtures build).
	Sets map[string][]string
}

// EntityType is one declarative entity record.
type EntityType struct {
	// Type is the _type, exactly as the seeds spell it.
	Type string
	// Class is the _class, as entities.tsv's classes column.
	Class []string
	// Service is the J1 service placeholder it hangs under
	// (aws_<Service> HAS entity); "" for none.
	Service string

	// Source is the call whose items become the entities: op("ec2:DescribeVpcs").
	// Its scope and the calls upstream of it come from the collector's plan.
	Source Call
	// AlsoReads are other calls this type's data depends on that the
	// record does not read itself (the credential report read by a hatch
	// of another type): their failures are gaps of this type too. The
	// calls upstream of a per-parent call (ListTables before
	// DescribeTable) are not listed: they come from the plan (plan.go).
	AlsoReads []Call
	// Items is the path to the items in the Source response.
	Items string
	// When, optional, keeps only the items it matches (one call listing
	// several types: DescribeLoadBalancers' application and network load
	// balancers).
	When *Cond

	// Key are templates tried in order; the first non-empty one is _key.
	Key []string
	// SyntheticKey says the key is not an ARN even when it starts with
	// "arn:" (inline policies), so no `arn` property is set from it.
	SyntheticKey bool
	ID           string // template for `id`
	Name         string // template for `name`
	Created      string // path to the creation time (-> createdOn, epoch ms)
	Tags         string // path to the tags in the item
	WebLink      string // template for `webLink`

	// NoFlatten turns off the automatic flattening of the item's
	// top-level scalars into camelCase properties (for responses whose
	// fields describe the caller, not the entity).
	NoFlatten bool
	// Skip are top-level fields not to flatten (raw forms of explicit Props).
	Skip []string
	// Props are the explicit properties, set after flattening.
	Props []Prop
	// Constants are properties with the same value on every entity of the
	// type, set after Props.
	Constants map[string]any

	// Enrich are the other calls that add properties to the entities.
	Enrich []Enrichment
	// Rels are the relationships the type's entities start (or, Reverse,
	// end).
	Rels []RelSpec
	// Rules are the firewall rule lists of the items (rules.go): one
	// ALLOWS or DENIES relationship per rule and peer.
	Rules []RuleSpec
	// Hatch are the escape hatches: code for what a record cannot say.
	Hatch []Hatch
}

// RelInfo names one relationship kind the registry can produce.
type RelInfo struct {
	From, Verb, To string
	Type           string // relationship _type
}

// requiredProps are the properties each J1 class requires beyond _key,
// _class, _type, name and displayName (data-model v0.55.0, notes.md §3).
// The builder sets the missing ones to null.
var requiredProps = map[string][]string{
	"Assessment":   {"category", "summary", "internal"},
	"DataStore":    {"classification", "encrypted"},
	"Disk":         {"classification", "encrypted"},
	"Domain":       {"domainName"},
	"DomainRecord": {"type", "TTL"},
	"DomainZone":   {"domainName"},
	"Finding":      {"category", "severity", "numericSeverity", "open"},
	"Firewall":     {"category"},
	"Gateway":      {"category", "function", "public"},
	"Host":         {"hostname"},
	"IpAddress":    {"ipAddress"},
	"Network":      {"CIDR", "public", "internal"},
	"Service":      {"category", "function"},
}

// Types returns a copy of the registry, sorted by _type.
func Types() []EntityType { return slices.Clone(registry) }

// TypeOf returns the registry record of a _type.
func TypeOf(typ string) (EntityType, bool) {
	i, ok := slices.BinarySearchFunc(registry, typ, func(e EntityType, t string) int { return strings.Compare(e.Type, t) })
	if !ok {
		return EntityType{}, false
	}
	return registry[i], true
}

// Sources returns every call that feeds an entity type: its source, its
// upstream calls, its enrichments, its relationship calls and its hatches'
// calls, sorted and unique.
func Sources(typ string) []Call {
	t, ok := TypeOf(typ)
	if !ok {
		if s, ok := serviceByType(typ); ok {
			return s.Calls()
		}
		return nil
	}
	return t.calls()
}

// calls are every call the record reads and the calls upstream of them
// (the parents of per-parent calls, from the collection plan).
func (t EntityType) calls() []Call { return t.callsIn(planOf) }

func (t EntityType) callsIn(p plan) []Call {
	out := []Call{t.Source}
	out = append(out, t.AlsoReads...)
	for _, e := range t.Enrich {
		out = append(out, e.Call)
	}
	for _, r := range t.Rels {
		if r.Call != (Call{}) {
			out = append(out, r.Call)
		}
	}
	for _, h := range t.Hatch {
		out = append(out, h.Calls...)
	}
	for _, c := range out {
		out = append(out, p.upstream(c)...)
	}
	slices.SortFunc(out, func(a, b Call) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out)
}

// topLevelCalls are the Source, AlsoReads and the calls upstream of them that
// are not per-parent: each must have run in every scope of the type, or
// the type's data there is unknown.
func (t EntityType) topLevelCalls() []Call { return t.topLevelCallsIn(planOf) }

func (t EntityType) topLevelCallsIn(p plan) []Call {
	var out []Call
	for _, c := range append([]Call{t.Source}, t.AlsoReads...) {
		for _, u := range append([]Call{c}, p.upstream(c)...) {
			if !p.isPerParent(u) && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// Scope is the scope of the type's items: that of the top-level call its
// Source is, or descends from, in the collection plan (plan.go).
func (t EntityType) Scope() Scope { return rootScope(t.Source) }

// Relationships lists every relationship kind the registry can produce:
// account HAS service, service HAS entity, the declared Rels, the hatches'
// relationships and the mapped aws_iam_user IS Person. Sorted, unique.
func Relationships() []RelInfo {
	var out []RelInfo
	add := func(from, verb, to, typ string) {
		if typ == "" {
			typ = graph.RelationshipType(from, verb, to)
		}
		out = append(out, RelInfo{From: from, Verb: verb, To: to, Type: typ})
	}
	for _, s := range services {
		add(accountType, "HAS", s.Type(), "")
	}
	for _, t := range registry {
		if t.Service != "" {
			add("aws_"+t.Service, "HAS", t.Type, "")
		}
		for _, r := range t.Rels {
			if r.Reverse {
				add(r.Target, r.Verb, t.Type, "")
			} else {
				add(t.Type, r.Verb, r.Target, "")
			}
		}
		out = append(out, rulesOf(t)...)
		for _, h := range t.Hatch {
			out = append(out, h.Produces...)
		}
	}
	add("aws_iam_user", "IS", "Person", personRelType)
	slices.SortFunc(out, func(a, b RelInfo) int {
		return strings.Compare(a.From+" "+a.Verb+" "+a.To+" "+a.Type, b.From+" "+b.Verb+" "+b.To+" "+b.Type)
	})
	return slices.Compact(out)
}

// validate checks one record for mistakes the builder would trip over.
func (t EntityType) validate() error {
	if t.Type == "" || len(t.Class) == 0 || t.Source.Service == "" || t.Source.Operation == "" || len(t.Key) == 0 {
		return fmt.Errorf("entity type %q: Type, Class, Source and Key are required", t.Type)
	}
	paths, tmpls := t.expressions()
	for _, p := range paths {
		if _, err := parseUpPath(p); err != nil {
			return fmt.Errorf("entity type %s: %w", t.Type, err)
		}
	}
	for _, tm := range tmpls {
		if err := checkTemplate(tm); err != nil {
			return fmt.Errorf("entity type %s: %w", t.Type, err)
		}
		for _, name := range propRefs(tm) {
			if !slices.Contains(t.Key, tm) || !slices.ContainsFunc(t.Props, func(p Prop) bool { return p.Name == name }) {
				return fmt.Errorf("entity type %s: template %q: {=%s} must be in Key and name a Prop of the record", t.Type, tm, name)
			}
		}
	}
	for _, c := range t.calls() {
		if _, ok := planOf(c); !ok {
			return fmt.Errorf("entity type %s: %s is not collected (not in shapes.txt)", t.Type, c)
		}
	}
	for _, r := range t.Rels {
		if r.Verb != strings.ToUpper(r.Verb) || r.Target == "" || r.By == "" || r.Value == "" {
			return fmt.Errorf("entity type %s: relationship %s %s: Verb (upper case), Target, By and Value are required", t.Type, r.Verb, r.Target)
		}
	}
	return nil
}

// expressions returns every path and every template of the record, for
// the syntax check of validate.
func (t EntityType) expressions() (paths, tmpls []string) {
	props := func(ps []Prop) {
		for _, p := range ps {
			paths = append(paths, p.Path)
		}
	}
	paths = append(paths, t.Items, t.Created, t.Tags)
	if t.When != nil {
		paths = append(paths, t.When.Path)
	}
	paths = append(paths, t.Skip...)
	tmpls = append(tmpls, t.ID, t.Name, t.WebLink)
	tmpls = append(tmpls, t.Key...)
	props(t.Props)
	for _, e := range t.Enrich {
		paths = append(paths, e.Items, e.Tags)
		tmpls = append(tmpls, e.Match)
		props(e.Props)
	}
	for _, r := range t.Rels {
		paths = append(paths, r.Items, r.Path)
		tmpls = append(tmpls, r.OwnerMatch, r.Value)
		if r.When != nil {
			paths = append(paths, r.When.Path)
		}
		props(r.Props)
	}
	for _, r := range t.Rules {
		paths = append(paths, r.Path, r.Egress, r.Protocol, r.FromPort, r.ToPort, r.Action, r.Number)
		for _, p := range r.Peers {
			paths = append(paths, p.Path, p.CIDR, p.Group, p.Owner, p.Description)
		}
	}
	return paths, tmpls
}

// propRefs returns the names of a template's {=name} placeholders.
func propRefs(tmpl string) []string {
	var out []string
	for rest := tmpl; ; {
		_, after, ok := strings.Cut(rest, "{=")
		if !ok {
			return out
		}
		name, tail, _ := strings.Cut(after, "}")
		out, rest = append(out, name), tail
	}
}

// checkTemplate checks a template's syntax (path.go): every '{' closes
// before the next one opens, and each placeholder is an envelope name, @,
// or a path (after ^ prefixes) that parses.
func checkTemplate(tmpl string) error {
	rest := tmpl
	for {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			return nil
		}
		if rest[i] == '}' {
			return fmt.Errorf("template %q: '}' without '{'", tmpl)
		}
		j := strings.IndexAny(rest[i+1:], "{}")
		if j < 0 || rest[i+1+j] == '{' {
			return fmt.Errorf("template %q: '{' not closed", tmpl)
		}
		expr := strings.TrimSuffix(rest[i+1:i+1+j], baseFilter)
		switch {
		case expr == "account", expr == "region", expr == "parent", expr == "@", len(expr) > 1 && expr[0] == '=':
		case expr == "":
			return fmt.Errorf("template %q: empty placeholder", tmpl)
		default:
			steps, err := parseUpPath(expr)
			if err == nil && fieldpath.Iterates(steps) {
				err = fmt.Errorf("path %q iterates: a placeholder names one value", expr)
			}
			if err != nil {
				return fmt.Errorf("template %q: %w", tmpl, err)
			}
		}
		rest = rest[i+1+j+1:]
	}
}

// parseUpPath parses a path that may start by climbing to an enclosing
// element: "^.Arn", "^^.Path" (a Prop's Path, a placeholder).
func parseUpPath(p string) ([]fieldpath.Step, error) {
	if rest := strings.TrimLeft(p, "^"); rest != p {
		below, ok := strings.CutPrefix(rest, ".")
		if !ok {
			return nil, fmt.Errorf("path %q: want ^.Path", p)
		}
		p = below
	}
	return fieldpath.Parse(p)
}
