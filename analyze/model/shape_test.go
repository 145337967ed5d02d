package model

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/snapshot"
)

// The shape table is generated from the collector's registry: each call's
// SDK output type (collect.Call.Output), walked by reflection with
// encoding/json's rules, which is how the collector writes a response.

const shapesFile = "shapes.txt"

// collectedOutputs maps every collected call to its SDK output type.
func collectedOutputs() map[Call]reflect.Type {
	out := map[Call]reflect.Type{}
	for _, c := range collect.Registry() {
		out[Call{c.Service, c.Operation}] = c.Output()
	}
	return out
}

// outputType is the SDK output struct of a collected call, whose Go field
// names are the JSON names the collector stores.
func outputType(c Call) (reflect.Type, error) {
	t, ok := collectedOutputs()[c]
	if !ok || t == nil {
		return nil, fmt.Errorf("%s is not in the collector's registry", c)
	}
	return t, nil
}

// policyDocs are the string fields that hold a policy document: the API
// returns it as text (URL-encoded by IAM), the AWS CLI as a decoded object,
// and decodePolicy reads both, so their shape is "policy".
var policyDocs = map[string][]string{
	"iam/types.PolicyDetail":   {"PolicyDocument"},
	"iam/types.PolicyVersion":  {"Document"},
	"iam/types.Role":           {"AssumeRolePolicyDocument"},
	"iam/types.RoleDetail":     {"AssumeRolePolicyDocument"},
	"lambda.GetPolicyOutput":   {"Policy"},
	"s3.GetBucketPolicyOutput": {"Policy"},
}

// shapeGen derives shape expressions (see shape.go) from Go types.
type shapeGen struct {
	types map[string][]string // type name -> "Field expr" lines
	seen  map[reflect.Type]bool
}

const sdkPrefix = "github.com/aws/aws-sdk-go-v2/service/"

// typeName names a struct type: ec2.DescribeVpcsOutput, ec2/types.Vpc.
func typeName(t reflect.Type) string {
	return strings.TrimPrefix(t.PkgPath(), sdkPrefix) + "." + t.Name()
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// expr returns the shape expression of t as encoding/json marshals it.
func (g *shapeGen) expr(t reflect.Type) (string, error) {
	if t == timeType {
		return "time", nil
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		for _, m := range []reflect.Type{marshalerType, textType} {
			if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
				return "", fmt.Errorf("%s has its own JSON encoding (%s): teach the shape generator its kind", t, m)
			}
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Pointer {
			return "", fmt.Errorf("%s: pointer to pointer", t)
		}
		e, err := g.expr(t.Elem())
		if err != nil {
			return "", err
		}
		return strings.TrimSuffix(e, "?") + "?", nil
	case reflect.Interface:
		return "any", nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType) && !reflect.PointerTo(t.Elem()).Implements(textType) {
			return "bytes?", nil
		}
		e, err := g.expr(t.Elem())
		if err != nil {
			return "", err
		}
		return "[" + e + "]?", nil
	case reflect.Array:
		e, err := g.expr(t.Elem())
		if err != nil {
			return "", err
		}
		return "[" + e + "]", nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return "", fmt.Errorf("%s: map key %s is not a string", t, t.Key())
		}
		e, err := g.expr(t.Elem())
		if err != nil {
			return "", err
		}
		return "{" + e + "}?", nil
	case reflect.String:
		return "string", nil
	case reflect.Bool:
		return "bool", nil
	case reflect.Int:
		return "int64", nil
	case reflect.Uint, reflect.Uintptr:
		return "uint64", nil
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("int%d", t.Bits()), nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("uint%d", t.Bits()), nil
	case reflect.Float32, reflect.Float64:
		return fmt.Sprintf("float%d", t.Bits()), nil
	case reflect.Struct:
		name := typeName(t)
		if g.seen[t] {
			return name, nil
		}
		g.seen[t] = true
		lines, err := g.fields(t, nil)
		if err != nil {
			return "", err
		}
		g.types[name] = lines
		return name, nil
	}
	return "", fmt.Errorf("%s: kind %s cannot be marshalled to JSON", t, t.Kind())
}

// fields lists the JSON fields of struct t ("Name expr", sorted), with the
// fields of embedded structs promoted as encoding/json does; drop names
// fields the collector removes.
func (g *shapeGen) fields(t reflect.Type, drop []string) ([]string, error) {
	byName := map[string]string{}
	var add func(t reflect.Type) error
	add = func(t reflect.Type) error {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if opts != "" && opts != "omitempty" && opts != "omitzero" {
				return fmt.Errorf("%s.%s: json option %q not supported by the shape generator", t, f.Name, opts)
			}
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					if err := add(ft); err != nil {
						return err
					}
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if slices.Contains(drop, name) {
				continue
			}
			if _, dup := byName[name]; dup {
				return fmt.Errorf("%s: field %s is ambiguous", t, name)
			}
			e, err := g.expr(f.Type)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", t, f.Name, err)
			}
			if slices.Contains(policyDocs[typeName(t)], name) {
				if e != "string?" {
					return fmt.Errorf("%s.%s: a policy document field must be *string, is %s", t, f.Name, f.Type)
				}
				e = "policy?"
			}
			byName[name] = e
		}
		return nil
	}
	if err := add(t); err != nil {
		return nil, err
	}
	lines := make([]string, 0, len(byName))
	for n, e := range byName {
		lines = append(lines, n+" "+e)
	}
	sort.Strings(lines)
	return lines, nil
}

// output derives the shape of one call's output struct: its fields without
// ResultMetadata, which the collector removes.
func (g *shapeGen) output(t reflect.Type) (string, error) {
	if t == nil || t.Kind() != reflect.Struct {
		return "", fmt.Errorf("output type %v is not a struct", t)
	}
	name := typeName(t)
	lines, err := g.fields(t, []string{"ResultMetadata"})
	if err != nil {
		return "", err
	}
	g.types[name] = lines
	g.seen[t] = true
	return name, nil
}

// genShapes renders shapes.txt from the collector's registry.
func genShapes() (string, error) {
	g := &shapeGen{types: map[string][]string{}, seen: map[reflect.Type]bool{}}
	var b strings.Builder
	b.WriteString("# Code generated by go test ./analyze/model -run TestShapes -update; DO NOT EDIT.\n")
	b.WriteString("# How the collector runs every call (scope, parent, IAM action) and the JSON shape of its\n")
	b.WriteString("# response, derived from the SDK output type collect.Registry names for it.\n")
	b.WriteString("# Format: see shape.go.\n\n")
	var calls []string
	for _, c := range collect.Registry() {
		name, err := g.output(c.Output())
		if err != nil {
			return "", fmt.Errorf("%s: %w", c.Name(), err)
		}
		line := fmt.Sprintf("call %s %s %s", c.Name(), name, c.Scope)
		if c.Parent != "" {
			line += " " + c.Parent
		}
		line += " iam=" + c.IAMAction()
		calls = append(calls, line+"\n")
	}
	sort.Strings(calls)
	b.WriteString(strings.Join(calls, ""))
	names := make([]string, 0, len(g.types))
	for n := range g.types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\ntype %s\n", n)
		for _, l := range g.types[n] {
			fmt.Fprintf(&b, "\t%s\n", l)
		}
	}
	return b.String(), nil
}

// TestShapes checks that every collected call has a derivable response
// shape, that shapes.txt is what the registry derives today (regenerate
// with -update after an SDK upgrade), and that every call the model reads
// has one.
func TestShapes(t *testing.T) {
	t.Run("every registered call has a derivable shape", func(t *testing.T) {
		for c, typ := range collectedOutputs() {
			g := &shapeGen{types: map[string][]string{}, seen: map[reflect.Type]bool{}}
			if _, err := g.output(typ); err != nil {
				t.Errorf("%s: %v", c, err)
			}
		}
	})
	t.Run("shapes.txt is up to date", func(t *testing.T) {
		got, err := genShapes()
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(shapesFile, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		if got != shapesText {
			t.Errorf("%s is stale (run go test ./analyze/model -run TestShapes -update):\n%s", shapesFile, cmp.Diff(shapesText, got))
		}
	})
	t.Run("policy document fields exist", func(t *testing.T) {
		for typ, fields := range policyDocs {
			for _, f := range fields {
				if !strings.Contains(shapesText, "\ntype "+typ+"\n") || !regexp.MustCompile(`(?m)^type `+regexp.QuoteMeta(typ)+`\n(\t.*\n)*\t`+f+` policy\?\n`).MatchString(shapesText) {
					t.Errorf("%s.%s: not a policy field in %s", typ, f, shapesFile)
				}
			}
		}
	})
	t.Run("every read call has a shape", func(t *testing.T) {
		calls := readCalls()
		for c := range collectedOutputs() {
			calls = append(calls, c)
		}
		for _, c := range distinct(calls) {
			if _, err := shapeOf(c); err != nil {
				t.Error(err)
			}
		}
	})
}

// populate sets every field reachable from v to a non-zero value (pointers,
// slices and maps up to a small depth), choosing values that exercise the
// decoder: escapes, non-ASCII, extreme integers, timestamps with
// nanoseconds, binary bytes.
func populate(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 8 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		populate(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(time.Date(2024, 3, 1, 10, 0, 0, 123456789, time.FixedZone("x", 3600))))
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				populate(v.Field(i), depth)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte{0, 0xff, 'a'})
			return
		}
		if depth > 8 {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		populate(v.Index(0), depth+1)
	case reflect.Map:
		if depth > 8 {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		k.SetString("k\u00e9y")
		populate(e, depth+1)
		v.SetMapIndex(k, e)
	case reflect.String:
		v.SetString("a\"b\\c\u2028\u00e9\U0001F600<&>")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(-1 << (v.Type().Bits() - 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1<<v.Type().Bits() - 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(-1.5e-7)
	}
}

// TestDecodeAcceptsCollectorOutput: everything the collector can write
// decodes without error, and exactly as encoding/json decodes it: the zero
// and a fully populated value of every registered output type, and every
// row of the demo snapshot (written by the real collector).
func TestDecodeAcceptsCollectorOutput(t *testing.T) {
	check := func(t *testing.T, c Call, response string) {
		t.Helper()
		cs, err := shapeOf(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeResponse(response, cs.shape)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c, err, response)
		}
		if want := decode(t, response); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded %v, encoding/json gives %v", c, got, want)
		}
	}
	for c, typ := range collectedOutputs() {
		t.Run(c.String(), func(t *testing.T) {
			zero := reflect.New(typ)
			check(t, c, sdkJSON(t, zero.Interface()))
			full := reflect.New(typ)
			populate(full.Elem(), 0)
			check(t, c, sdkJSON(t, full.Interface()))
		})
	}
	t.Run("demo snapshot", func(t *testing.T) {
		snap, err := snapshot.Open("../../testdata/snapshots/demo")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range snap.Partitions() {
			err := snap.Rows(context.Background(), p.Service, p.Operation, func(r snapshot.Row) error {
				if r.Status == snapshot.StatusOK {
					check(t, Call{r.Service, r.Operation}, r.Response)
					n++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if n == 0 {
			t.Fatal("no ok rows in the demo snapshot")
		}
	})
}
