package collect

// Secret-bearing fields. Every string an SDK output struct can carry ends up
// in the snapshot unless a redaction path of its call replaces it, so the
// registry test walks every call's output type by reflection and fails for
// any field whose name (or type name) suggests a secret unless it is
//
//   - redacted (a Call.Redact or RedactURL path names it, a field under
//     it, or a field above it), or
//   - declared not secret, itself or a field above it, with a one-line
//     reason (Call.NotSecret; paginationFields for the top-level paging
//     cursors). The registry test rejects NotSecret keys that name no
//     secret-looking field, so a reason cannot blanket a harmless parent.
//
// Only fields that can carry text are considered: strings, []byte,
// interfaces, and slices, maps (by value) and structs that contain them.
// Enums (named string types such as HttpTokensState), numbers, booleans and
// times cannot hold a secret and are skipped, so PasswordPolicy's integers
// need no reason. REDACTION.md is generated from the same data.

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// secretNameParts are lower-case substrings of a field or type name that
// suggest a secret. Parameters/Outputs/Templates/Environment/Variables/
// UserData cover the places where users put secrets in configuration
// (CloudFormation parameters and outputs, container and function
// environments, launch user data, API Gateway mapping templates).
var secretNameParts = []string{
	"password", "passwd", "passphrase", "secret", "token", "credential", "privatekey", "keymaterial",
	"apikey", "seed", "qrcode", "environment", "variables", "userdata", "parameters", "outputs",
	"templates", "connectionstring", "cookie",
}

// paginationFields are top-level output members that carry the paging
// cursor of the caller's own listing; they grant nothing.
var paginationFields = []string{"ContinuationToken", "Marker", "NextContinuationToken", "NextMarker", "NextToken"}

// suggestsSecret reports whether a field or type name suggests a secret.
func suggestsSecret(name string) bool {
	l := strings.ToLower(name)
	return slices.ContainsFunc(secretNameParts, func(p string) bool { return strings.Contains(l, p) })
}

// suspect is one field of an output type whose name suggests a secret.
type suspect struct {
	Path     string // redaction-path syntax: Items[].ResourceMethods{}.MethodIntegration
	TopLevel bool   // a direct member of the output struct
}

// secretSuspects walks the output type t (a struct or pointer to one) and
// returns every text-carrying field whose name or element type name suggests
// a secret, in field order. Every text-carrying field is entered, so a
// secret under a harmless parent is still found.
func secretSuspects(t reflect.Type) []suspect {
	var out []suspect
	var visit func(t reflect.Type, prefix string, onPath map[reflect.Type]bool)
	visit = func(t reflect.Type, prefix string, onPath map[reflect.Type]bool) {
		t = deref(t)
		if t.Kind() != reflect.Struct || onPath[t] {
			return
		}
		onPath[t] = true
		defer delete(onPath, t)
		for f := range fieldsOf(t) {
			if !carriesText(f.Type, map[reflect.Type]bool{}) {
				continue
			}
			path := prefix + f.Name
			elem, suffix := elemOf(f.Type)
			if suggestsSecret(f.Name) || (elem.Kind() == reflect.Struct && suggestsSecret(elem.Name())) {
				out = append(out, suspect{Path: path, TopLevel: prefix == ""})
			}
			visit(elem, path+suffix+".", onPath)
		}
	}
	visit(t, "", map[reflect.Type]bool{})
	return out
}

// fieldsOf yields the exported fields of struct t that reach the JSON
// response (ResultMetadata is dropped by responseJSON), with the fields of
// embedded structs promoted as encoding/json and redaction paths see them.
func fieldsOf(t reflect.Type) func(func(reflect.StructField) bool) {
	return func(yield func(reflect.StructField) bool) {
		for _, f := range reflect.VisibleFields(t) {
			if !f.IsExported() || f.Anonymous || f.Name == "ResultMetadata" {
				continue
			}
			if !yield(f) {
				return
			}
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// elemOf returns what a redaction path walks into after field type t, and
// the path suffix that walks it ("[]", "{}" or "").
func elemOf(t reflect.Type) (reflect.Type, string) {
	t = deref(t)
	switch {
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		return deref(t.Elem()), "[]"
	case t.Kind() == reflect.Map:
		return deref(t.Elem()), "{}"
	}
	return t, ""
}

var stringType = reflect.TypeFor[string]()

// carriesText reports whether a value of type t can hold free text.
func carriesText(t reflect.Type, seen map[reflect.Type]bool) bool {
	t = deref(t)
	switch t.Kind() {
	case reflect.String:
		return t == stringType // named string types are enums
	case reflect.Interface:
		return true
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() == reflect.Uint8 || carriesText(t.Elem(), seen)
	case reflect.Map:
		return carriesText(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false
		}
		seen[t] = true
		for f := range fieldsOf(t) {
			if carriesText(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// plainPath drops the walk suffixes: Items[].X{} -> Items.X.
func plainPath(p string) string {
	return strings.NewReplacer("[]", "", "{}", "").Replace(p)
}

// unlistedSecrets returns the suspects of call c's output type that are
// neither redacted nor declared not secret.
func unlistedSecrets(c Call) []string {
	var redacted []string
	for _, p := range slices.Concat(c.Redact, c.RedactURL) {
		redacted = append(redacted, plainPath(p))
	}
	var justified []string
	for p := range c.NotSecret {
		justified = append(justified, plainPath(p))
	}
	var out []string
	for _, s := range secretSuspects(c.Run.out) {
		p := plainPath(s.Path)
		if slices.ContainsFunc(redacted, func(r string) bool { return within(r, p) || within(p, r) }) ||
			slices.ContainsFunc(justified, func(j string) bool { return within(p, j) }) ||
			(s.TopLevel && slices.Contains(paginationFields, s.Path)) {
			continue
		}
		out = append(out, s.Path)
	}
	return out
}

// within reports whether plain path p is anc or lies under it.
func within(p, anc string) bool { return p == anc || strings.HasPrefix(p, anc+".") }

// staleNotSecret returns the NotSecret keys of c that name no suspect.
func staleNotSecret(c Call) []string {
	var out []string
	suspects := secretSuspects(c.Run.out)
	for p := range c.NotSecret {
		if !slices.ContainsFunc(suspects, func(s suspect) bool { return s.Path == p }) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// RedactionDoc renders REDACTION.md: for every call of the registry, the
// output fields that are redacted and the secret-looking fields that are
// kept, with the reason.
func RedactionDoc(calls []Call) string {
	var b strings.Builder
	b.WriteString("<!-- Code generated by `go test ./collect -run TestRedactionDoc -update`. DO NOT EDIT. -->\n\n")
	b.WriteString("# Secret-bearing fields of the collected APIs\n\n")
	b.WriteString("Every API call of `snapaudit collect` is listed below with the fields of its SDK output that could\n")
	b.WriteString("hold a secret. **Redacted** fields are replaced, before the response is marshalled, by\n")
	b.WriteString("`" + RedactionMarkerPrefix + "<16 hex>` (a keyed hash: equal secrets give equal markers within a run);\n")
	b.WriteString("a map (`{}`) keeps its keys and loses its values. **Kept** fields have a name that suggests a secret\n")
	b.WriteString("but hold none, for the reason given.\n\n")
	b.WriteString("A test walks every call's output type by reflection and fails for any field that can hold text and\n")
	b.WriteString("whose name (or element type name) contains one of\n")
	fmt.Fprintf(&b, "`%s`\n", strings.Join(secretNameParts, "`, `"))
	b.WriteString("unless it is redacted (itself, or a path through it) or kept with a reason. Top-level pagination\n")
	fmt.Fprintf(&b, "cursors (`%s`) are kept: they page the caller's own listing and grant nothing.\n", strings.Join(paginationFields, "`, `"))
	b.WriteString("Another test serves a distinct secret in every redacted field through the fake AWS endpoint and the\n")
	b.WriteString("real collector, and searches the snapshot's files and decoded rows for it in plain, JSON-escaped,\n")
	b.WriteString("URL-encoded and base64 forms.\n\n")
	b.WriteString("| API call | output field | handling |\n|---|---|---|\n")
	var clean []string
	for _, c := range calls {
		if len(c.Redact) == 0 && len(c.RedactURL) == 0 && len(c.NotSecret) == 0 {
			clean = append(clean, "`"+c.Name()+"`")
			continue
		}
		for _, p := range c.Redact {
			fmt.Fprintf(&b, "| `%s` | `%s` | redacted |\n", c.Name(), p)
		}
		for _, p := range c.RedactURL {
			fmt.Fprintf(&b, "| `%s` | `%s` | URL: user information, query values and fragment redacted |\n", c.Name(), p)
		}
		kept := make([]string, 0, len(c.NotSecret))
		for p := range c.NotSecret {
			kept = append(kept, p)
		}
		slices.Sort(kept)
		for _, p := range kept {
			fmt.Fprintf(&b, "| `%s` | `%s` | kept: %s |\n", c.Name(), p, c.NotSecret[p])
		}
	}
	b.WriteString("\nCalls whose output has no secret-looking field besides pagination cursors: ")
	b.WriteString(strings.Join(clean, ", "))
	b.WriteString(".\n\n")
	b.WriteString("Not covered: text users put in fields not named like secrets (tags, descriptions, policy documents,\n")
	b.WriteString("container image commands) is kept as AWS returns it. Treat a snapshot as confidential (threat model:\n")
	b.WriteString("snapshot/FORMAT.md, section 9).\n\n")
	b.WriteString("## Read operations the collector never calls\n\n")
	b.WriteString("These operations are read-only by name or IAM access level but return secrets or mint credentials. No\n")
	b.WriteString("registry entry may name one (a test checks), and the read-only guard refuses them at run time even if\n")
	b.WriteString("one were declared (collect/guard.go). Services are named by their aws-sdk-go-v2 package.\n\n")
	b.WriteString("| operation | why |\n|---|---|\n")
	for _, d := range denylist() {
		fmt.Fprintf(&b, "| `%s:%s` | %s |\n", d.Service, d.Operation, d.Why)
	}
	return b.String()
}
