package model

// Paths and templates: the tiny language the registry uses to point into a
// decoded API response.
//
// A response is decoded once into plain JSON values (map[string]any, []any,
// string, json.Number, bool, nil). A path (snapshot/fieldpath, the grammar
// the collector's redaction and key paths share) is a dot-separated list of
// field names, each optionally followed by `[]` (iterate a list) or `{}`
// (iterate the values of a map in sorted key order):
//
//	Reservations[].Instances[]        every instance of every reservation
//	State.Name                        one scalar
//	ResourceMethods{}                 every value of a map
//	""                                the value itself
//
// Walking a path yields each matched element together with the stack of the
// elements it was found in, so a template can reach "up": `^.Arn` is the Arn
// of the enclosing iterated element (the user an inline policy belongs to).
//
// A template is text with `{expr}` placeholders. expr is one of
//
//	account, region, parent   the row envelope (AccountID, Region, ParentKey)
//	@                         the current element itself (a string list item)
//	Path                      a path below the current element (no iteration)
//	^.Path, ^^.Path           a path below an enclosing element
//	=name                     the record's explicit Prop called name, after
//	                          its Conv (only in Key: a key part that a path
//	                          cannot pick, such as one attribute of a
//	                          {Key, Value} list)
//
// optionally followed by the filter `|base`: the text after the value's last
// '/' (a Route 53 zone Id "/hostedzone/Z0123" gives "Z0123").
//
// The registry uses the two consistently: a field that names a value is a
// path (Items, Created, Tags, Skip, Prop.Path, Cond.Path, Setting.Path; a
// Prop's path may start with ^. like a placeholder), a field that builds
// text is a template (Key, ID, Name, WebLink, Enrichment.Match,
// RelSpec.Value and OwnerMatch).
//
// A template whose placeholder resolves to nothing or to "" expands to "", so
// a missing field can never produce a half-built key such as
// "arn:aws:ec2:eu-west-1:1111:instance/".

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/snapshot/fieldpath"
)

// segment is one step of a compiled path (the grammar the collector's
// paths share: snapshot/fieldpath).
type segment = fieldpath.Step

// parsePath compiles a path of the registry. The registry check
// (EntityType.validate, checkPath) has refused every path that does not
// parse, so here a bad path can only come from a test: it matches nothing.
//
// Compiled paths are remembered: the registry's paths are a few hundred
// strings, evaluated for every row and item. The steps returned are shared
// and must not be modified.
func parsePath(p string) []segment {
	if steps, ok := parsedPaths.Load(p); ok {
		return steps.([]segment)
	}
	steps, err := fieldpath.Parse(p)
	if err != nil {
		steps = []segment{{Field: "\x00invalid"}}
	}
	parsedPaths.Store(p, steps)
	return steps
}

// parsedPaths caches parsePath; its keys are the registry's paths and
// templates' placeholders, never snapshot data.
var parsedPaths sync.Map // string -> []segment

// walk calls fn for every element matched by path below v, with the stack
// of iterated elements strictly above it (outermost first). Elements reached
// by iteration that have further path segments below them are ancestors;
// the final element never is its own ancestor.
func walk(v any, path []segment, stack []any, fn func(elem any, stack []any) error) error {
	if len(path) == 0 {
		return fn(v, stack)
	}
	seg := path[0]
	cur := v
	if seg.Field != "" {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[seg.Field]
	}
	var elems []any
	switch seg.Iter {
	case fieldpath.List:
		elems, _ = cur.([]any)
	case fieldpath.Map:
		m, _ := cur.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			elems = append(elems, m[k])
		}
	default:
		if cur == nil {
			return nil
		}
		return walk(cur, path[1:], stack, fn)
	}
	for _, e := range elems {
		next := stack
		if len(path) > 1 {
			next = append(stack[:len(stack):len(stack)], e)
		}
		if err := walk(e, path[1:], next, fn); err != nil {
			return err
		}
	}
	return nil
}

// lookup returns the value at path below v. A path with iteration returns
// the list of matched values (nil when none matched).
func lookup(v any, path string) any {
	segs := parsePath(path)
	if !fieldpath.Iterates(segs) {
		cur := v
		for _, s := range segs {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[s.Field]
		}
		return cur
	}
	var out []any
	_ = walk(v, segs, nil, func(e any, _ []any) error {
		if e != nil {
			out = append(out, e)
		}
		return nil
	})
	if len(out) == 0 {
		return nil // an untyped nil: "nothing matched", not an empty list value
	}
	return out
}

// env is the row envelope a template can reference.
type env struct {
	Account, Region, Parent string
}

// scope is what a template is evaluated against.
type scope struct {
	env   env
	elem  any            // the current element
	stack []any          // enclosing iterated elements, innermost last
	props map[string]any // the record's Props, for {=name} (entity keys)
}

// up returns the enclosing element n levels above the current one.
func (s scope) up(n int) any {
	i := len(s.stack) - n
	if i < 0 || i >= len(s.stack) {
		return nil
	}
	return s.stack[i]
}

// baseFilter ends a placeholder whose value keeps only its last '/' segment.
const baseFilter = "|base"

// text is the text of one placeholder expression (the envelope's names
// without boxing them in an any).
func (s scope) text(expr string) string {
	if v, ok := s.env.name(expr); ok {
		return v
	}
	return scalarString(s.resolve(expr))
}

// name returns the envelope value a placeholder names.
func (e env) name(expr string) (string, bool) {
	switch expr {
	case "account":
		return e.Account, true
	case "region":
		return e.Region, true
	case "parent":
		return e.Parent, true
	}
	return "", false
}

// resolve evaluates one placeholder expression.
func (s scope) resolve(expr string) any {
	if e, ok := strings.CutSuffix(expr, baseFilter); ok {
		v := scalarString(s.resolve(e))
		return v[strings.LastIndexByte(v, '/')+1:]
	}
	if v, ok := s.env.name(expr); ok {
		return v
	}
	if expr == "@" {
		return s.elem
	}
	if name, ok := strings.CutPrefix(expr, "="); ok {
		return s.props[name]
	}
	return s.value(expr)
}

// value returns the value at a path below the current element, or, for
// "^.Path" ("^^.Path" ...), below an enclosing iterated element.
func (s scope) value(path string) any {
	if strings.HasPrefix(path, "^") {
		n := 0
		for n < len(path) && path[n] == '^' {
			n++
		}
		return lookup(s.up(n), strings.TrimPrefix(path[n:], "."))
	}
	return lookup(s.elem, path)
}

// expand expands a template; "" when any placeholder is empty.
func (s scope) expand(tmpl string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	if len(tmpl) > 2 && tmpl[0] == '{' && strings.IndexByte(tmpl, '}') == len(tmpl)-1 {
		return s.text(tmpl[1 : len(tmpl)-1]) // one placeholder: its text, nothing to join
	}
	// The pieces first, then one string of their total length: a key is
	// kept by its entity for good, and a builder grown by doubling would
	// keep up to twice its bytes.
	var buf [16]string
	parts := buf[:0]
	n := 0
	rest := tmpl
	for rest != "" {
		i := strings.IndexByte(rest, '{')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(rest[i:], '}')
		}
		if j < 0 {
			parts = append(parts, rest)
			n += len(rest)
			break
		}
		v := s.text(rest[i+1 : i+j])
		if v == "" {
			return ""
		}
		parts = append(parts, rest[:i], v)
		n += i + len(v)
		rest = rest[i+j+1:]
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		b.WriteString(p)
	}
	return b.String()
}

// expandBoxed is expand that also returns the value boxed already when
// tmpl is one placeholder whose value is a string (nil otherwise): setting
// it as a property then costs no box of its own (the decoder's may be
// shared by every entity that repeats the string).
func (s scope) expandBoxed(tmpl string) (string, any) {
	if len(tmpl) > 2 && tmpl[0] == '{' && strings.IndexByte(tmpl, '}') == len(tmpl)-1 {
		expr := tmpl[1 : len(tmpl)-1]
		if v, ok := s.env.name(expr); ok {
			return v, nil
		}
		v := s.resolve(expr)
		if str, ok := v.(string); ok {
			return str, v
		}
		return scalarString(v), nil
	}
	return s.expand(tmpl), nil
}

// boxed returns v, or s boxed when v is nil.
func boxed(s string, v any) any {
	if v != nil {
		return v
	}
	return s
}

// scalarString renders a scalar JSON value as text ("" for nil and for
// lists/maps, which cannot be part of a key).
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return fmt.Sprint(x)
	case float64:
		return fmt.Sprint(x)
	}
	return ""
}

// templatePaths returns the item paths a template references (for the
// registry invariant test); envelope names and @ are left out.
func templatePaths(tmpl string) []string {
	var out []string
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return out
		}
		expr := strings.TrimSuffix(rest[i+1:i+j], baseFilter)
		switch {
		case expr == "account", expr == "region", expr == "parent", expr == "@", strings.HasPrefix(expr, "="):
		default:
			out = append(out, expr)
		}
		rest = rest[i+j+1:]
	}
}
