package collect

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"sync"
)

// A row's response is the SDK output struct as JSON with its members in
// sorted order and without ResultMetadata (objectJSON: marshal, decode into
// a map, drop the key, marshal again). An EC2 page of 1,000 instances is
// several megabytes of JSON, and the round trip through the map holds
// three copies of it at once, per worker: the collector's peak memory.
// Most SDK output structs declare their members in sorted order with
// ResultMetadata last, so that json.Marshal already writes the same bytes
// up to the metadata; for those, responseJSON marshals once and cuts it.

// inOrder caches, per output struct type, whether json.Marshal writes its
// members sorted with ResultMetadata last.
var inOrder sync.Map // reflect.Type -> bool

// marshalsInOrder reports whether t (a pointer to an SDK output struct)
// marshals its members in sorted order with ResultMetadata last: exported
// fields without JSON tags, and embedded fields that add no member.
func marshalsInOrder(t reflect.Type) bool {
	if v, ok := inOrder.Load(t); ok {
		return v.(bool)
	}
	ok := false
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		var names []string
		ok = true
		for f := range fields(t.Elem()) {
			switch {
			case f.Tag.Get("json") != "":
				ok = false
			case f.Anonymous:
				ok = ok && f.Type.Kind() == reflect.Struct && !hasExported(f.Type)
			case f.IsExported():
				names = append(names, f.Name)
			}
		}
		n := len(names)
		ok = ok && n > 0 && names[n-1] == "ResultMetadata" && slices.IsSorted(names[:n-1]) && !slices.Contains(names[:n-1], "ResultMetadata")
		for i := 1; ok && i < n-1; i++ {
			ok = names[i-1] != names[i]
		}
	}
	inOrder.Store(t, ok)
	return ok
}

// fields yields the struct fields of t.
func fields(t reflect.Type) func(func(reflect.StructField) bool) {
	return func(yield func(reflect.StructField) bool) {
		for i := range t.NumField() {
			if !yield(t.Field(i)) {
				return
			}
		}
	}
}

// hasExported reports whether a struct type has an exported field, or an
// embedded one that may promote members.
func hasExported(t reflect.Type) bool {
	for f := range fields(t) {
		if f.IsExported() || f.Anonymous {
			return true
		}
	}
	return false
}

// cutResultMetadata removes the trailing ResultMetadata member (which
// marshals as {}: its fields are unexported) from a marshalled object.
func cutResultMetadata(b []byte) ([]byte, bool) {
	const last = `"ResultMetadata":{}}`
	if !bytes.HasSuffix(b, []byte(last)) {
		return nil, false
	}
	b = b[:len(b)-len(last)]
	switch {
	case bytes.HasSuffix(b, []byte(",")):
		return append(b[:len(b)-1], '}'), true
	case string(b) == "{":
		return append(b, '}'), true
	}
	return nil, false
}

// responseJSON renders an SDK output struct without its ResultMetadata,
// members sorted.
func responseJSON(out any) (string, error) {
	if marshalsInOrder(reflect.TypeOf(out)) {
		b, err := json.Marshal(out)
		if err != nil {
			return "", err
		}
		if b, ok := cutResultMetadata(b); ok {
			return string(b), nil
		}
	}
	return objectJSON(out, func(k string, _ json.RawMessage) bool { return k == "ResultMetadata" })
}
