package collect

// Redaction replaces secret values in a decoded SDK output struct, in place,
// before the struct is marshalled: the secret never exists as JSON, so it
// cannot reach the snapshot. Each secret is replaced by a keyed-hash marker
//
//	REDACTED:hmac-sha256:<first 16 hex digits of HMAC-SHA256(key, value)>
//
// so equal secrets give equal markers within a run (and across runs that share
// a key, e.g. --redaction-key-file), which still lets an analyst see that two
// functions share a password without learning it. With a random per-run key
// the markers cannot be compared with a dictionary of guesses offline.
//
// Call.RedactURL paths hold URLs: only their user information, query values
// and fragment are replaced (scrubURL), so hosts and paths stay readable.
//
// Paths are dot-separated Go field names of the output struct. A name may end
// in "[]" (walk every element of a slice) or "{}" (walk every value of a map):
// the grammar of snapshot/fieldpath, which the model's paths share.
// The leaf must be a string, *string, []byte or []string (or a map/slice of
// them via the suffixes).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"github.com/snapaudit/snapaudit/snapshot/fieldpath"
)

// redactor replaces secrets with keyed-hash markers.
type redactor struct{ key []byte }

// RedactionMarkerPrefix starts every replaced secret.
const RedactionMarkerPrefix = "REDACTED:hmac-sha256:"

// marker returns the marker for one secret value.
func (r redactor) marker(secret string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(secret))
	return RedactionMarkerPrefix + hex.EncodeToString(m.Sum(nil))[:16]
}

// parsePath parses a redaction or key path (snapshot/fieldpath, the
// grammar the model's paths share); the empty path is refused here, as
// there is nothing to redact or extract at the root of an output struct.
func parsePath(path string) ([]fieldpath.Step, error) {
	if path == "" {
		return nil, fmt.Errorf("empty redaction path")
	}
	return fieldpath.Parse(path)
}

// apply redacts every path in out (a pointer to an SDK output struct).
func (r redactor) apply(out any, paths []string) error {
	return r.transform(out, paths, r.marker)
}

// applyURL redacts the credentials inside the URLs at paths (scrubURL).
func (r redactor) applyURL(out any, paths []string) error {
	return r.transform(out, paths, r.scrubURL)
}

// transform replaces every non-empty string at paths in out by fn of it.
func (r redactor) transform(out any, paths []string, fn func(string) string) error {
	for _, p := range paths {
		segs, err := parsePath(p)
		if err != nil {
			return err
		}
		if err := walk(reflect.ValueOf(out), segs, p, fn); err != nil {
			return err
		}
	}
	return nil
}

// scrubURL keeps a URL's scheme, host and path and replaces its user
// information, each query value (a bare query word whole) and fragment by
// markers: https://user:pw@h/p?api_key=K&v=1 becomes
// https://<marker>@h/p?api_key=<marker>&v=<marker>. Text that does not
// parse as a URL is replaced whole. Lambda ARNs (opaque URIs without a
// query) are left as they are.
func (r redactor) scrubURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return r.marker(s)
	}
	if u.User == nil && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery {
		return s
	}
	if u.User != nil {
		u.User = url.User(r.marker(u.User.String()))
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, kv := range parts {
			if k, v, ok := strings.Cut(kv, "="); ok {
				parts[i] = k + "=" + url.QueryEscape(r.marker(v))
			} else if kv != "" {
				parts[i] = url.QueryEscape(r.marker(kv))
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = r.marker(u.EscapedFragment()), ""
	}
	return u.String()
}

func walk(v reflect.Value, segs []fieldpath.Step, path string, fn func(string) string) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if len(segs) == 0 {
		return leaf(v, path, fn)
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("redaction path %q: %s is not a struct", path, v.Type())
	}
	f := v.FieldByName(segs[0].Field)
	if !f.IsValid() {
		return fmt.Errorf("redaction path %q: %s has no field %s", path, v.Type(), segs[0].Field)
	}
	return each(f, segs[0].Iter, segs[1:], path, fn)
}

// each applies the rest of the path to f, or to each element of f.
func each(f reflect.Value, iter fieldpath.Iter, rest []fieldpath.Step, path string, fn func(string) string) error {
	switch iter {
	case fieldpath.One:
		return walk(f, rest, path, fn)
	case fieldpath.List:
		if f.Kind() != reflect.Slice {
			return fmt.Errorf("redaction path %q: %s is not a slice", path, f.Type())
		}
		for i := range f.Len() {
			if err := walk(f.Index(i), rest, path, fn); err != nil {
				return err
			}
		}
		return nil
	case fieldpath.Map:
		if f.Kind() != reflect.Map {
			return fmt.Errorf("redaction path %q: %s is not a map", path, f.Type())
		}
		iter := f.MapRange()
		for iter.Next() {
			// Map values are not addressable: redact a copy, store it back.
			cp := reflect.New(f.Type().Elem()).Elem()
			cp.Set(iter.Value())
			if err := walk(cp, rest, path, fn); err != nil {
				return err
			}
			f.SetMapIndex(iter.Key(), cp)
		}
		return nil
	}
	return fmt.Errorf("redaction path %q: bad iteration %q", path, iter)
}

func leaf(v reflect.Value, path string, fn func(string) string) error {
	switch {
	case v.Kind() == reflect.String:
		if v.Len() > 0 {
			v.SetString(fn(v.String()))
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		if v.Len() > 0 {
			v.SetBytes([]byte(fn(string(v.Bytes()))))
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		for i := range v.Len() {
			if err := leaf(v.Index(i), path, fn); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("redaction path %q: cannot redact a %s", path, v.Type())
	}
	return nil
}

// checkRedactPath proves at the type level that path leads from the output
// type t to a redactable leaf; the registry test runs it for every entry.
func checkRedactPath(t reflect.Type, path string) error {
	segs, err := parsePath(path)
	if err != nil {
		return err
	}
	for _, s := range segs {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return fmt.Errorf("redaction path %q: %s is not a struct", path, t)
		}
		f, ok := t.FieldByName(s.Field)
		if !ok {
			return fmt.Errorf("redaction path %q: %s has no field %s", path, t, s.Field)
		}
		t = f.Type
		switch s.Iter {
		case fieldpath.List:
			if t.Kind() != reflect.Slice {
				return fmt.Errorf("redaction path %q: %s is not a slice", path, t)
			}
			t = t.Elem()
		case fieldpath.Map:
			if t.Kind() != reflect.Map {
				return fmt.Errorf("redaction path %q: %s is not a map", path, t)
			}
			t = t.Elem()
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.String,
		t.Kind() == reflect.Slice && (t.Elem().Kind() == reflect.Uint8 || t.Elem().Kind() == reflect.String):
		return nil
	}
	return fmt.Errorf("redaction path %q: leaf %s is not a string, []byte or []string", path, t)
}
