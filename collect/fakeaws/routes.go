package fakeaws

// REST routing. REST-JSON and REST-XML services have no operation name on the
// wire: the operation is identified by method + path (+ for S3 a query
// "subresource" such as ?policy or ?x-id=ListBuckets). routes.tsv is the data:
// one row per operation with the URI template the SDK serialises to. Matching
// is generic: a route matches when its method is the request's, its literal
// segments equal the request's, its labels capture the rest, and every query
// key it lists is present (with the value when it gives one). The most
// specific match wins: more literal query requirements, then more literal
// path segments.

import (
	_ "embed"
	"fmt"
	"net/url"
	"strings"
)

//go:embed routes.tsv
var routesTSV string

type route struct {
	Service   string
	Method    string
	Segments  []string          // "{Name}", "{Name+}" or a literal
	Query     map[string]string // required query keys; "" value = presence only
	Operation string
}

// routeTable holds the parsed routes by service.
type routeTable map[string][]route

// parseRoutes parses routes.tsv. It is called once per server; its error names
// the line.
func parseRoutes(text string) (routeTable, error) {
	t := routeTable{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("routes.tsv line %d: want 4 tab-separated fields, got %d", i+1, len(f))
		}
		path, rawQuery, _ := strings.Cut(f[2], "?")
		r := route{Service: f[0], Method: f[1], Operation: f[3], Segments: splitPath(path), Query: map[string]string{}}
		if rawQuery != "" {
			for _, kv := range strings.Split(rawQuery, "&") {
				k, v, _ := strings.Cut(kv, "=")
				r.Query[k] = v
			}
		}
		t[r.Service] = append(t[r.Service], r)
	}
	return t, nil
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the operation for a request. escapedPath is the request's raw
// (still percent-encoded) path so that encoded slashes inside a label stay in
// the label. It returns the operation, the path captures and the query keys
// the route consumed (they are not reported as params).
func (t routeTable) match(service, method, escapedPath string, query url.Values) (op string, captures map[string]string, consumed map[string]bool, ok bool) {
	reqSegs := splitPath(escapedPath)
	best, bestScore := -1, -1
	var bestCaps map[string]string
	for i, r := range t[service] {
		if r.Method != method {
			continue
		}
		caps, lits, matched := matchSegments(r.Segments, reqSegs)
		if !matched {
			continue
		}
		qok := true
		for k, v := range r.Query {
			if !query.Has(k) || (v != "" && query.Get(k) != v) {
				qok = false
				break
			}
		}
		if !qok {
			continue
		}
		score := len(r.Query)*1000 + lits
		if score > bestScore {
			best, bestScore, bestCaps = i, score, caps
		}
	}
	if best < 0 {
		return "", nil, nil, false
	}
	r := t[service][best]
	consumed = map[string]bool{}
	for k := range r.Query {
		consumed[k] = true
	}
	return r.Operation, bestCaps, consumed, true
}

// matchSegments matches a URI template against request segments, returning
// the captured labels (unescaped) and the number of literal segments matched.
func matchSegments(tmpl, req []string) (map[string]string, int, bool) {
	caps := map[string]string{}
	lits := 0
	for i, seg := range tmpl {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}") {
			if i >= len(req) {
				return nil, 0, false
			}
			parts := make([]string, 0, len(req)-i)
			for _, s := range req[i:] {
				parts = append(parts, unescapeSegment(s))
			}
			caps[seg[1:len(seg)-2]] = strings.Join(parts, "/")
			return caps, lits, true
		}
		if i >= len(req) {
			return nil, 0, false
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			caps[seg[1:len(seg)-1]] = unescapeSegment(req[i])
			continue
		}
		if seg != unescapeSegment(req[i]) {
			return nil, 0, false
		}
		lits++
	}
	if len(tmpl) != len(req) {
		return nil, 0, false
	}
	return caps, lits, true
}

func unescapeSegment(s string) string {
	u, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return u
}
