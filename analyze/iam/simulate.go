package iam

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SimRequest is one request of the simulate stream. Policy documents may be
// JSON objects or JSON strings (plain or URL-encoded JSON).
type SimRequest struct {
	// Principal: an IAM user or role ARN, an assumed-role session ARN, an
	// account ID or root ARN, a service principal, a provider, or "*"
	// (anonymous).
	Principal string `json:"principal"`
	Action    string `json:"action"`
	// Resource is the resource ARN; "*" or an ARN with wildcards is a
	// pattern (the decision then holds for some resources matching it);
	// empty or absent means an action without a resource.
	Resource string `json:"resource"`
	// ResourceAccount overrides the account taken from the resource ARN.
	ResourceAccount string `json:"resource_account,omitempty"`
	// AWSManagedKey marks the resource as an AWS managed KMS key (RCPs do
	// not apply to those).
	AWSManagedKey bool `json:"aws_managed_key,omitempty"`
	// RestrictPublic says S3 Block Public Access's RestrictPublicBuckets
	// is on for the request's bucket (bucket or account setting) and its
	// bucket policy is public: "on", or "unknown" (Request.RestrictPublic);
	// absent or "" means neither.
	RestrictPublic string `json:"restrict_public,omitempty"`
	// Context maps condition keys to a string or a list of strings
	// (numbers and booleans are accepted and written as text).
	Context map[string]json.RawMessage `json:"context,omitempty"`

	IdentityPolicies     json.RawMessage `json:"identity_policies,omitempty"`
	ResourcePolicy       json.RawMessage `json:"resource_policy,omitempty"`
	PermissionBoundaries json.RawMessage `json:"permission_boundaries,omitempty"`
	SessionPolicy        json.RawMessage `json:"session_policy,omitempty"`
	// SCPs and RCPs: organisation levels, root first, each a list of
	// documents. Every SCP level must allow; RCP levels only deny
	// (RCPFullAWSAccess is implied at each).
	SCPs []json.RawMessage `json:"scps,omitempty"`
	RCPs []json.RawMessage `json:"rcps,omitempty"`
	// ManagementAccount is the organisation's management account (SCPs and
	// RCPs do not apply to it).
	ManagementAccount string `json:"management_account,omitempty"`
}

// Compile turns a SimRequest into an evaluable request and its policies.
func (s *SimRequest) Compile() (*Request, *Policies, error) {
	if s.Principal == "" {
		return nil, nil, errors.New("no principal")
	}
	if s.Action == "" {
		return nil, nil, errors.New("no action")
	}
	pr, err := ParsePrincipal(s.Principal)
	if err != nil {
		return nil, nil, err
	}
	req := &Request{Principal: pr, Action: s.Action, Resource: strings.TrimSpace(s.Resource), ResourceAccount: s.ResourceAccount,
		AWSManagedKey: s.AWSManagedKey}
	switch s.RestrictPublic {
	case "":
	case "on":
		req.RestrictPublic = PublicRestricted
	case "unknown":
		req.RestrictPublic = PublicRestrictionUnknown
	default:
		return nil, nil, fmt.Errorf("restrict_public %q: want \"on\", \"unknown\" or nothing", s.RestrictPublic)
	}
	if len(s.Context) > 0 {
		req.Context = make(map[string][]string, len(s.Context))
		for k, raw := range s.Context {
			vals, err := contextValues(raw)
			if err != nil {
				return nil, nil, fmt.Errorf("context %q: %w", k, err)
			}
			req.Context[k] = vals
		}
	}
	pol := &Policies{ManagementAccount: s.ManagementAccount}
	if pol.Identity, err = parseDocList("identity_policies", s.IdentityPolicies); err != nil {
		return nil, nil, err
	}
	if pol.Boundaries, err = parseDocList("permission_boundaries", s.PermissionBoundaries); err != nil {
		return nil, nil, err
	}
	if pol.Resource, err = parseOptionalDoc("resource_policy", s.ResourcePolicy); err != nil {
		return nil, nil, err
	}
	if pol.Session, err = parseOptionalDoc("session_policy", s.SessionPolicy); err != nil {
		return nil, nil, err
	}
	if pol.SCPs, err = parseLevels("scps", s.SCPs); err != nil {
		return nil, nil, err
	}
	if pol.RCPs, err = parseLevels("rcps", s.RCPs); err != nil {
		return nil, nil, err
	}
	return req, pol, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func parseOptionalDoc(name string, raw json.RawMessage) (*Policy, error) {
	if isNull(raw) {
		return nil, nil
	}
	return Parse(name, raw)
}

// parseDocList reads null, one document, or a list of documents.
func parseDocList(name string, raw json.RawMessage) ([]*Policy, error) {
	if isNull(raw) {
		return nil, nil
	}
	t := bytes.TrimSpace(raw)
	if t[0] != '[' {
		p, err := Parse(name, raw)
		if err != nil {
			return nil, err
		}
		return []*Policy{p}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(t, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make([]*Policy, 0, len(list))
	for i, d := range list {
		p, err := Parse(name+"["+strconv.Itoa(i)+"]", d)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func parseLevels(name string, levels []json.RawMessage) ([][]*Policy, error) {
	var out [][]*Policy
	for i, lvl := range levels {
		t := bytes.TrimSpace(lvl)
		if len(t) == 0 || t[0] != '[' {
			return nil, fmt.Errorf("%s[%d]: each organisation level must be a list of documents", name, i)
		}
		ps, err := parseDocList(name+"["+strconv.Itoa(i)+"]", lvl)
		if err != nil {
			return nil, err
		}
		if ps == nil {
			ps = []*Policy{}
		}
		out = append(out, ps)
	}
	return out, nil
}

func contextValues(raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	one := func(e any) (string, error) {
		switch x := e.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return "", fmt.Errorf("value %s is not a string, number or boolean", jsonText(e))
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := one(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	default:
		s, err := one(x)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
}

// simError is the output line for a request that could not be evaluated.
type simError struct {
	Error string `json:"error"`
}

// decodeSimRequest reads one request strictly: an unknown field (a typo such
// as "identity_policy") is an error rather than a silently ignored policy.
func decodeSimRequest(body []byte) (SimRequest, error) {
	var sr SimRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sr); err != nil {
		return sr, err
	}
	if dec.More() {
		return sr, errors.New("trailing data after the request object")
	}
	return sr, nil
}

// lineAt returns the 1-based line of byte offset off in b.
func lineAt(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return 1 + bytes.Count(b[:off], []byte{'\n'})
}

// Simulate reads requests from in and writes one JSON line per request to
// out, in order. The input is JSON lines (one request per non-blank line)
// or one or more JSON objects that span lines (pretty-printed). Each output
// line is a Result ({"decision": ..., "reasons": [...]}, with
// "some_resources": true when the resource is a pattern and "warnings":
// [...] when a policy has a malformed element read anyway) or, for a request
// that cannot be read, {"error": "line N: ..."} naming the input line, so
// that output stays aligned with input. Unknown request fields are errors.
// A first line that is not valid JSON starts a multi-line document, unless
// every later non-blank line is a JSON value of its own: then the input is
// JSON lines whose first line is broken, and that line alone fails.
// Simulate returns the number of requests that failed; err is an I/O error
// or the context's error.
func Simulate(ctx context.Context, ev *Evaluator, in io.Reader, out io.Writer) (failed int, err error) {
	br := bufio.NewReaderSize(in, 64<<10)
	bw := bufio.NewWriter(out)
	defer func() {
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
	}()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	write := func(res any) error {
		if _, ok := res.(simError); ok {
			failed++
		}
		return enc.Encode(res)
	}
	fail := func(line int, err error) error {
		return write(simError{Error: fmt.Sprintf("line %d: %v", line, err)})
	}
	evaluate := func(sr *SimRequest) any {
		req, pol, err := sr.Compile()
		if err != nil {
			return err
		}
		r := ev.Evaluate(req, pol)
		if r.Reasons == nil {
			r.Reasons = []string{}
		}
		return r
	}
	emit := func(line int, body []byte) error {
		sr, err := decodeSimRequest(body)
		if err != nil {
			return fail(line, err)
		}
		switch r := evaluate(&sr).(type) {
		case error:
			return fail(line, r)
		default:
			return write(r)
		}
	}

	lineNo := 0
	first := true
	for {
		if err := ctx.Err(); err != nil {
			return failed, err
		}
		line, rerr := br.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return failed, fmt.Errorf("reading requests: %w", rerr)
		}
		lineNo++
		t := bytes.TrimSpace(line)
		if len(t) > 0 {
			if first && !json.Valid(t) {
				rest, err := io.ReadAll(br)
				if err != nil {
					return failed, fmt.Errorf("reading requests: %w", err)
				}
				if jsonLines(rest) {
					if err := fail(lineNo, errors.New("not a JSON object: "+jsonError(t))); err != nil {
						return failed, err
					}
					err := simulateLines(ctx, lineNo, rest, emit)
					return failed, err
				}
				doc := append(append([]byte(nil), line...), rest...)
				err = simulateDocument(ctx, lineNo-1, doc, evaluate, write, fail)
				return failed, err
			}
			first = false
			if err := emit(lineNo, t); err != nil {
				return failed, err
			}
		}
		if rerr == io.EOF {
			return failed, nil
		}
	}
}

// jsonLines reports whether b has at least one non-blank line and every
// non-blank line is a JSON value on its own.
func jsonLines(b []byte) bool {
	n := 0
	for _, l := range bytes.Split(b, []byte{'\n'}) {
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			continue
		}
		if !json.Valid(t) {
			return false
		}
		n++
	}
	return n > 0
}

// jsonError describes why t is not valid JSON.
func jsonError(t []byte) string {
	var v any
	if err := json.Unmarshal(t, &v); err != nil {
		return err.Error()
	}
	return "invalid JSON"
}

// simulateLines evaluates the JSON lines of b, the first of which is input
// line after+1.
func simulateLines(ctx context.Context, after int, b []byte, emit func(int, []byte) error) error {
	for i, l := range bytes.Split(b, []byte{'\n'}) {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := bytes.TrimSpace(l)
		if len(t) == 0 {
			continue
		}
		if err := emit(after+i+1, t); err != nil {
			return err
		}
	}
	return nil
}

// simulateDocument evaluates the JSON objects of doc, which starts at input
// line after+1. Errors name the line of the object, or of the syntax error;
// reading stops at a syntax error (nothing after it can be trusted).
func simulateDocument(ctx context.Context, after int, doc []byte, evaluate func(*SimRequest) any,
	write func(any) error, fail func(int, error) error) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The object starts at the first non-space byte after the last one.
		off := dec.InputOffset()
		startLine := after + lineAt(doc, off+int64(len(doc[off:])-len(bytes.TrimLeft(doc[off:], " \t\r\n"))))
		var sr SimRequest
		err := dec.Decode(&sr)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			line := startLine
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line = after + lineAt(doc, se.Offset)
			}
			return fail(line, err)
		}
		var werr error
		switch r := evaluate(&sr).(type) {
		case error:
			werr = fail(startLine, r)
		default:
			werr = write(r)
		}
		if werr != nil {
			return werr
		}
	}
}
