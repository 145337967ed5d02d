// Package fieldpath parses the field paths that both registries use to
// point into an API response: the collector's redaction and key paths
// (over the SDK output structs, collect/redact.go) and the model's item,
// property and relationship paths (over the decoded JSON, analyze/model
// path.go). One grammar, one parser, one strictness, so a path that the
// collector accepts means the same to the model.
//
// A path is "" (the value itself) or dot-separated steps. A step is a
// field name (ASCII letters, digits and '_': a Go field name, which is the
// JSON key the collector writes) optionally followed by "[]" (every element
// of a list) or "{}" (every value of a map):
//
//	Reservations[].Instances[]
//	ResourceMethods{}.MethodIntegration.Uri
//	TableNames[]
//
// The package links nothing but the standard library, so analyze can use it
// without linking the collector or the AWS SDK. It lives under snapshot/
// because the snapshot is the contract both phases share: a path names a
// field of a stored response.
package fieldpath

import (
	"fmt"
	"strings"
)

// Iter says how a step walks the value of its field.
type Iter byte

// The iterations.
const (
	One  Iter = 0   // the value itself
	List Iter = '[' // "[]": every element of a list
	Map  Iter = '{' // "{}": every value of a map
)

// Step is one step of a path.
type Step struct {
	Field string
	Iter  Iter
}

// Parse compiles a path. It rejects an empty step ("a..b", a leading or
// trailing dot), a step without a field name ("[]"), and any character
// that is not a letter, digit or '_' in a field name, naming the path and
// the step.
func Parse(path string) ([]Step, error) {
	if path == "" {
		return nil, nil
	}
	parts := strings.Split(path, ".")
	out := make([]Step, 0, len(parts))
	for i, part := range parts {
		s := Step{Field: part}
		if f, ok := strings.CutSuffix(part, "[]"); ok {
			s = Step{Field: f, Iter: List}
		} else if f, ok := strings.CutSuffix(part, "{}"); ok {
			s = Step{Field: f, Iter: Map}
		}
		if s.Field == "" {
			return nil, fmt.Errorf("path %q: step %d has an empty field name", path, i+1)
		}
		for _, r := range s.Field {
			if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return nil, fmt.Errorf("path %q: step %d: %q is not a field name (letters, digits, '_'), optionally followed by [] or {}", path, i+1, part)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Iterates reports whether any step iterates.
func Iterates(steps []Step) bool {
	for _, s := range steps {
		if s.Iter != One {
			return true
		}
	}
	return false
}
