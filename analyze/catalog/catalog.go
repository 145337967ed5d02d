package catalog

import (
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/model"
)

// Version is the version of the JSON shape of Catalog (`snapaudit types
// --format json`). It changes only when a field is removed or changes
// meaning; new fields may appear without a change.
const Version = 1

// Catalog is everything the analyzer can produce.
type Catalog struct {
	Version           int                `json:"version"`
	EntityTypes       []EntityType       `json:"entityTypes"`
	RelationshipTypes []RelationshipType `json:"relationshipTypes"`
}

// The kinds of entity types.
const (
	KindResource = "resource" // a record of the model's registry: items of a collected call
	KindService  = "service"  // a service placeholder aws_<service>, one per account
	KindEndpoint = "endpoint" // created as the end of relationships: global entities, principals outside the snapshot
)

// EntityType is one `_type` the analyzer can produce.
type EntityType struct {
	Type  string   `json:"type"`
	Class []string `json:"class"` // [] for endpoints (their class is set where they are created)
	Kind  string   `json:"kind"`  // KindResource, KindService or KindEndpoint
	// Scope is "regional" or "global" for resources (one set per
	// account and region, or per account), "account" for service
	// placeholders, "" for endpoints.
	Scope string `json:"scope"`
	// Service is the service placeholder the entities hang under
	// (aws_<service> HAS entity); "" for none.
	Service string `json:"service"`
	// Source is the call whose items become the entities (resources).
	Source string `json:"source"`
	// Calls are every call whose data the type depends on (its source,
	// the calls upstream of it, enrichments, relationship and hatch
	// calls), with the IAM action each needs.
	Calls []CallInfo `json:"calls"`
	// Permissions are the distinct IAM actions of Calls, sorted.
	Permissions []string `json:"permissions"`
	// Key are the `_key` templates, tried in order (resources).
	Key []string `json:"key"`
	// Properties are the properties entities of the type can carry
	// (model.EntityType.Properties), besides tag.<Key>.
	Properties []string `json:"properties"`
	// Hatches name the escape hatches (code, not record) the type uses.
	Hatches []string `json:"hatches"`
}

// CallInfo is one collected call.
type CallInfo struct {
	Call   string `json:"call"`   // service:Operation, as snapshots name it
	Action string `json:"action"` // the IAM action that authorizes it
	Scope  string `json:"scope"`  // global, regional or per-parent
	Parent string `json:"parent"` // the parent call of a per-parent call
}

// The origins of relationship types.
const (
	OriginRegistry = "registry" // built from the model's records and hatches
	OriginDerived  = "derived"  // added by the IAM derivations (analyze/access)
)

// RelationshipType is one relationship kind. An end written
// access.ResourceEnd or access.ServiceEnd stands for many types.
type RelationshipType struct {
	Type   string `json:"type"`
	From   string `json:"from"`
	Verb   string `json:"verb"`
	To     string `json:"to"`
	Origin string `json:"origin"` // OriginRegistry or OriginDerived
}

// Build returns the catalog of the current registries: the model's entity
// types and service placeholders, the collector's calls and IAM actions
// (as shapes.txt records them from the collector's registry),
// and the relationships of the model and of the derivations. Everything
// is sorted by type.
func Build() Catalog {
	info := func(cs []model.Call) ([]CallInfo, []string) {
		out := []CallInfo{}
		var perms []string
		for _, c := range cs {
			ci := CallInfo{Call: c.String()}
			if cc, ok := model.CollectedCall(c); ok {
				ci.Action, ci.Scope = cc.Action, cc.Scope
				if cc.Parent != (model.Call{}) {
					ci.Parent = cc.Parent.String()
				}
				if ci.Action != "" {
					perms = append(perms, ci.Action)
				}
			}
			out = append(out, ci)
		}
		slices.Sort(perms)
		return out, nonNil(slices.Compact(perms))
	}

	cat := Catalog{Version: Version}
	have := map[string]bool{}
	for _, t := range model.Types() {
		cs, perms := info(model.Sources(t.Type))
		var hatches []string
		for _, h := range t.Hatch {
			hatches = append(hatches, h.Name)
		}
		svc := ""
		if t.Service != "" {
			svc = "aws_" + t.Service
		}
		cat.EntityTypes = append(cat.EntityTypes, EntityType{
			Type: t.Type, Class: slices.Clone(t.Class), Kind: KindResource, Scope: t.Scope().String(),
			Service: svc, Source: t.Source.String(), Calls: cs, Permissions: perms,
			Key: slices.Clone(t.Key), Properties: t.Properties(), Hatches: nonNil(hatches),
		})
		have[t.Type] = true
	}
	for _, s := range model.Services() {
		cs, perms := info(s.Calls())
		cat.EntityTypes = append(cat.EntityTypes, EntityType{
			Type: s.Type(), Class: []string{"Service"}, Kind: KindService, Scope: "account",
			Calls: cs, Permissions: perms, Key: []string{"{account}:" + s.Type()},
			Properties: serviceProps(s), Hatches: []string{},
		})
		have[s.Type()] = true
	}
	for _, r := range model.Relationships() {
		cat.RelationshipTypes = append(cat.RelationshipTypes, RelationshipType{Type: r.Type, From: r.From, Verb: r.Verb, To: r.To, Origin: OriginRegistry})
	}
	for _, r := range slices.Concat(access.Relationships(), access.EscalationRelationships()) {
		cat.RelationshipTypes = append(cat.RelationshipTypes, RelationshipType{Type: r.Type, From: r.From, Verb: r.Verb, To: r.To, Origin: OriginDerived})
	}
	// Every other end of a relationship is an entity the analyzer creates.
	for _, r := range cat.RelationshipTypes {
		for _, end := range []string{r.From, r.To} {
			if !have[end] && !IsPlaceholder(end) {
				have[end] = true
				cat.EntityTypes = append(cat.EntityTypes, EntityType{
					Type: end, Class: []string{}, Kind: KindEndpoint, Calls: []CallInfo{}, Permissions: []string{},
					Key: []string{}, Properties: []string{}, Hatches: []string{},
				})
			}
		}
	}
	slices.SortFunc(cat.EntityTypes, func(a, b EntityType) int { return strings.Compare(a.Type, b.Type) })
	slices.SortFunc(cat.RelationshipTypes, func(a, b RelationshipType) int {
		return strings.Compare(a.From+" "+a.Verb+" "+a.To+" "+a.Type, b.From+" "+b.Verb+" "+b.To+" "+b.Type)
	})
	return cat
}

// IsPlaceholder reports whether a relationship end stands for many types
// (access.ResourceEnd, access.ServiceEnd).
func IsPlaceholder(end string) bool { return strings.Contains(end, "<") }

// serviceProps are the properties of a service placeholder entity
// (model.ServiceEntity) and its settings.
func serviceProps(s model.ServiceInfo) []string {
	props := []string{"accountId", "category", "displayName", "function", "name"}
	for _, st := range s.Settings {
		props = append(props, st.Prop)
	}
	slices.Sort(props)
	return slices.Compact(props)
}

// Entity returns the catalog entry of a _type.
func (c Catalog) Entity(typ string) (EntityType, bool) {
	i, ok := slices.BinarySearchFunc(c.EntityTypes, typ, func(e EntityType, t string) int { return strings.Compare(e.Type, t) })
	if !ok {
		return EntityType{}, false
	}
	return c.EntityTypes[i], true
}

// Rels returns the relationship kinds that start (out) and end (in) at
// typ, placeholders excluded.
func (c Catalog) Rels(typ string) (out, in []RelationshipType) {
	for _, r := range c.RelationshipTypes {
		if r.From == typ {
			out = append(out, r)
		}
		if r.To == typ {
			in = append(in, r)
		}
	}
	return out, in
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
