package model

// What a record produces, read from the record and the collector's plan,
// for the reference documentation (analyze/catalog) and `snapaudit types`.

import (
	"maps"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/snapshot/fieldpath"
)

// Properties returns the names of the properties entities of the type can
// carry, sorted and unique: accountId, region (regional types), arn (keys
// that may be ARNs), id, name, displayName, createdOn, webLink, every
// top-level scalar of the item (flattened to camelCase, from the Source's
// response shape in shapes.txt), the explicit Props, the Constants, the
// properties of the enrichments, the properties the classes require, those
// the registry's hatches declare (Hatch.Sets), and, for tagged types,
// tags, classification, owner and email. The `tag.<Key>` entries are not
// listed. TestProperties holds it to what the fixtures build.
func (t EntityType) Properties() []string {
	set := map[string]bool{"accountId": true, "name": true, "displayName": true}
	if t.Scope() == Regional {
		set["region"] = true
	}
	if !t.SyntheticKey {
		for _, k := range t.Key {
			// An ARN template, or a field that may hold one ({Arn}, and
			// {SerialNumber}: a virtual MFA device's ARN).
			if strings.HasPrefix(k, "arn:") || strings.HasPrefix(k, "{") {
				set["arn"] = true
				break
			}
		}
	}
	for prop, on := range map[string]bool{"id": t.ID != "", "createdOn": t.Created != "", "webLink": t.WebLink != ""} {
		if on {
			set[prop] = true
		}
	}
	tagged := t.Tags != ""
	if !t.NoFlatten {
		for _, f := range t.itemScalars() {
			if !slices.Contains(t.Skip, f) {
				set[camel(f)] = true
			}
		}
	}
	addProps := func(ps []Prop) {
		for _, p := range ps {
			set[p.Name] = true
		}
	}
	addProps(t.Props)
	for k := range t.Constants {
		set[k] = true
	}
	for _, e := range t.Enrich {
		addProps(e.Props)
		tagged = tagged || e.Tags != ""
		for _, m := range []map[string]any{e.SetOnMatch, e.SetOnNotFound, e.SetOnNoMatch} {
			for k := range m {
				set[k] = true
			}
		}
	}
	if tagged {
		for _, p := range tagProps {
			set[p] = true
		}
	}
	for _, c := range t.Class {
		for _, p := range requiredProps[c] {
			set[p] = true
		}
	}
	for _, h := range hatches() {
		for _, p := range h.Sets[t.Type] {
			set[p] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// itemScalars returns the names of the top-level scalar fields of the
// type's items, from the Source's response shape; nil when the shape or
// the Items path does not resolve (TestRegistryPathsExistInSDK reports
// that).
func (t EntityType) itemScalars() []string {
	cs, err := shapeOf(t.Source)
	if err != nil {
		return nil
	}
	steps, err := fieldpath.Parse(t.Items)
	if err != nil {
		return nil
	}
	s := cs.shape
	for _, st := range steps {
		if s == nil || s.kind != kObject {
			return nil
		}
		f, ok := s.fields[st.Field]
		if !ok {
			return nil
		}
		s = f.shape
		if st.Iter != fieldpath.One {
			if s == nil || (s.kind != kList && s.kind != kMap) {
				return nil
			}
			s = s.elem
		}
	}
	if s == nil || s.kind != kObject {
		return nil
	}
	var out []string
	for name, f := range s.fields {
		switch f.shape.kind {
		case kString, kTime, kBytes, kPolicy, kBool, kInt, kUint, kFloat:
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// tagProps are the properties tags set besides tag.<Key> (convert.go).
var tagProps = []string{"classification", "email", "owner", "tags"}

// hatches returns every hatch of the registry, once each (by name).
func hatches() []Hatch {
	var out []Hatch
	seen := map[string]bool{}
	for _, t := range registry {
		for _, h := range t.Hatch {
			if !seen[h.Name] {
				seen[h.Name] = true
				out = append(out, h)
			}
		}
	}
	return out
}

// Collected describes how the collector runs a call, as its registry
// declares it (shapes.txt).
type Collected struct {
	Scope  string // global, regional or per-parent
	Parent Call   // the parent call of a per-parent call; the zero Call otherwise
	Action string // the IAM action that authorizes the call
}

// CollectedCall returns how the collector runs c; ok is false for a call it
// does not collect.
func CollectedCall(c Call) (Collected, bool) {
	cs, ok := planOf(c)
	if !ok {
		return Collected{}, false
	}
	return Collected{Scope: cs.scope, Parent: cs.parent, Action: cs.action}, true
}
