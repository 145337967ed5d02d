package model

// Response shapes: what a stored response may look like.
//
// A row's response is the collector's SDK output struct marshalled with
// encoding/json (Go field names, no omitempty, ResultMetadata removed). So
// every field is written, a nil pointer, slice, map or interface is written
// as null (the demo snapshot has "FlowLogs":null for a region without flow
// logs: null is how the real collector says "empty"), a value-typed field
// (an enum string, a non-pointer number or struct) is never null, a
// time.Time is an RFC 3339 string and a []byte a base64 string.
//
// shapes.txt holds, for every collected call, how the collector runs it
// (its scope and parent call), the IAM action it needs, and that shape. It is generated from the
// collector's registry (collect.Call: Scope, Parent, Output), so the facts
// about a call live in one place, and a test fails when it is stale (go
// test ./analyze/model -run TestShapes -update regenerates it). It is a
// table rather than code so that analyze links neither the AWS SDK nor the
// collector.
//
// Format, one declaration a line ('#' starts a comment):
//
//	call <service>:<Operation> <type> <scope> [<parent>] [iam=<action>]
//	                                    the response of a call is object
//	                                    <type>; scope is global, regional or
//	                                    per-parent, and a per-parent call
//	                                    names its parent service:Operation;
//	                                    <action> is the IAM action that
//	                                    authorizes it (for the reference
//	                                    docs, analyze/catalog)
//	type <name>                         an object type; its fields follow,
//	    <Field> <expr>                  indented, one a line
//
// An expr is string, time (an RFC 3339 string, or another layout the model
// reads, see timeLayouts), bytes (base64 string), policy (a policy document:
// a string, or an object as the AWS CLI gives it; see decodePolicy), bool,
// int8..int64, uint8..uint64, float32, float64, any (a smithy document or
// union: anything), [expr] (a list), {expr} (an object with string keys
// and expr values) or the name of an object type; a trailing ? means null
// is allowed too.
//
// The checked decoder (decode.go) enforces a shape while it decodes. Fields
// a shape does not name are accepted unchecked (a newer SDK adds fields);
// fields it names may be absent (read as null), but when present must have
// their kind.

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

//go:embed shapes.txt
var shapesText string

// kind is the JSON kind of a shape.
type kind uint8

const (
	kAny kind = iota
	kString
	kTime
	kBytes
	kPolicy
	kBool
	kInt
	kUint
	kFloat
	kList
	kMap
	kObject
)

// shape is the JSON shape of one value.
type shape struct {
	kind   kind
	null   bool   // null is allowed (pointer, slice, map or interface in Go)
	bits   int    // kInt, kUint, kFloat: the Go type's size
	elem   *shape // kList, kMap
	fields map[string]field
	// order is the fields by number (their order in shapes.txt, which is
	// the order encoding/json writes them in): the decoder expects each
	// key to name the field after the previous one and checks that with
	// one string comparison before it looks the key up. Shared, like
	// fields, by a type and its nullable references.
	order *[]field
	name  string // kObject: the type name, for messages
}

// field is one field of an object shape. name is the canonical key string,
// reused for every decoded object so keys are not copied.
type field struct {
	name  string
	shape *shape
	idx   int // the field's number in its object, for the decoder's key sets
}

// want names what a shape expects, for messages.
func (s *shape) want() string {
	switch s.kind {
	case kString:
		return "string"
	case kTime:
		return "timestamp string"
	case kBytes:
		return "base64 string"
	case kPolicy:
		return "policy document (string or object)"
	case kBool:
		return "boolean"
	case kInt:
		return fmt.Sprintf("integer (int%d)", s.bits)
	case kUint:
		return fmt.Sprintf("integer (uint%d)", s.bits)
	case kFloat:
		return "number"
	case kList:
		return "list"
	case kMap:
		return "object (map)"
	case kObject:
		return "object"
	}
	return "any value"
}

// callShape is how the collector runs one call and the shape of its
// response.
type callShape struct {
	typ    string // the SDK output type, for messages: ec2.DescribeSecurityGroupsOutput
	shape  *shape
	scope  string // collect's scope: global, regional or per-parent
	parent Call   // the parent call of a per-parent call
	action string // the IAM action that authorizes it
}

// responseShapes parses shapes.txt once.
var responseShapes = sync.OnceValues(func() (map[Call]callShape, error) {
	return parseShapes(shapesText)
})

// shapeOf returns the response shape of a call.
func shapeOf(c Call) (callShape, error) {
	all, err := responseShapes()
	if err != nil {
		return callShape{}, fmt.Errorf("shapes.txt: %w", err)
	}
	cs, ok := all[c]
	if !ok {
		return callShape{}, fmt.Errorf("%s has no response shape in shapes.txt (regenerate it: go test ./analyze/model -run TestShapes -update)", c)
	}
	return cs, nil
}

// parseShapes reads the shape table.
func parseShapes(text string) (map[Call]callShape, error) {
	types := map[string]*shape{}
	calls := map[Call]callShape{}
	type decl struct {
		typ, field, expr string
		line             int
	}
	var fields []decl
	cur := ""
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if cur == "" || len(f) != 2 {
				return nil, fmt.Errorf("line %d: want an indented '<Field> <expr>' below a type", n)
			}
			fields = append(fields, decl{cur, f[0], f[1], n})
		case f[0] == "type" && len(f) == 2:
			if types[f[1]] != nil {
				return nil, fmt.Errorf("line %d: type %s declared twice", n, f[1])
			}
			cur = f[1]
			types[cur] = &shape{kind: kObject, fields: map[string]field{}, order: new([]field), name: cur}
		case f[0] == "call" && len(f) >= 4 && len(f) <= 6:
			action := ""
			if a, ok := strings.CutPrefix(f[len(f)-1], "iam="); ok {
				if action = a; !strings.Contains(a, ":") {
					return nil, fmt.Errorf("line %d: iam=%q is not service:Action", n, a)
				}
				f = f[:len(f)-1]
			}
			if len(f) != 4 && len(f) != 5 {
				return nil, fmt.Errorf("line %d: want scope global or regional, or per-parent and a parent call: %q", n, line)
			}
			c, err := parseCall(f[1])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			cs := callShape{typ: f[2], scope: f[3], action: action}
			switch {
			case f[3] == scopePerParent && len(f) == 5:
				if cs.parent, err = parseCall(f[4]); err != nil {
					return nil, fmt.Errorf("line %d: parent: %w", n, err)
				}
			case (f[3] == "global" || f[3] == "regional") && len(f) == 4:
			default:
				return nil, fmt.Errorf("line %d: want scope global or regional, or per-parent and a parent call: %q", n, line)
			}
			calls[c] = cs
			cur = ""
		default:
			return nil, fmt.Errorf("line %d: unknown declaration %q", n, line)
		}
	}
	for _, d := range fields {
		s, err := parseExpr(d.expr, types)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s.%s: %w", d.line, d.typ, d.field, err)
		}
		fs := types[d.typ].fields
		fs[d.field] = field{name: d.field, shape: s, idx: len(fs)}
	}
	for _, t := range types {
		*t.order = make([]field, len(t.fields))
		for _, f := range t.fields {
			(*t.order)[f.idx] = f
		}
	}
	for c, cs := range calls {
		if cs.shape = types[cs.typ]; cs.shape == nil {
			return nil, fmt.Errorf("call %s: unknown type %s", c, cs.typ)
		}
		if _, ok := calls[cs.parent]; cs.scope == scopePerParent && !ok {
			return nil, fmt.Errorf("call %s: unknown parent %s", c, cs.parent)
		}
		calls[c] = cs
	}
	return calls, nil
}

const scopePerParent = "per-parent"

// parseCall parses "service:Operation".
func parseCall(s string) (Call, error) {
	svc, op, ok := strings.Cut(s, ":")
	if !ok || svc == "" || op == "" {
		return Call{}, fmt.Errorf("call %q is not service:Operation", s)
	}
	return Call{svc, op}, nil
}

// parseExpr parses one type expression.
func parseExpr(e string, types map[string]*shape) (*shape, error) {
	null := strings.HasSuffix(e, "?")
	e = strings.TrimSuffix(e, "?")
	var s *shape
	switch {
	case len(e) >= 2 && e[0] == '[' && e[len(e)-1] == ']', len(e) >= 2 && e[0] == '{' && e[len(e)-1] == '}':
		elem, err := parseExpr(e[1:len(e)-1], types)
		if err != nil {
			return nil, err
		}
		s = &shape{kind: kList, elem: elem}
		if e[0] == '{' {
			s.kind = kMap
		}
	case e == "string":
		s = &shape{kind: kString}
	case e == "time":
		s = &shape{kind: kTime}
	case e == "bytes":
		s = &shape{kind: kBytes}
	case e == "policy":
		s = &shape{kind: kPolicy}
	case e == "bool":
		s = &shape{kind: kBool}
	case e == "any":
		s = &shape{kind: kAny, null: true}
	case strings.HasPrefix(e, "int"), strings.HasPrefix(e, "uint"), strings.HasPrefix(e, "float"):
		k, digits := kInt, strings.TrimPrefix(e, "int")
		if strings.HasPrefix(e, "uint") {
			k, digits = kUint, strings.TrimPrefix(e, "uint")
		} else if strings.HasPrefix(e, "float") {
			k, digits = kFloat, strings.TrimPrefix(e, "float")
		}
		bits, err := strconv.Atoi(digits)
		if err != nil || (bits != 8 && bits != 16 && bits != 32 && bits != 64) || (k == kFloat && bits < 32) {
			return nil, fmt.Errorf("unknown number type %q", e)
		}
		s = &shape{kind: k, bits: bits}
	default:
		t := types[e]
		if t == nil {
			return nil, fmt.Errorf("unknown type %q", e)
		}
		if !null {
			return t, nil
		}
		// A nullable reference shares the type's fields (filled later
		// for types declared below).
		return &shape{kind: kObject, null: true, fields: t.fields, order: t.order, name: t.name}, nil
	}
	s.null = s.null || null
	return s, nil
}
