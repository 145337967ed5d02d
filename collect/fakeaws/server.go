package fakeaws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a loopback HTTP server answering AWS API requests from a World.
// It is safe for concurrent use.
type Server struct {
	world  *World
	routes routeTable
	hs     *httptest.Server

	mu       sync.Mutex
	seq      int
	requests []Request
	faults   []*faultState
	assumed  map[string]identity // access key id -> identity, from AssumeRole
	// sessionTTL, when set (ExpireSessions), is the lifetime of AssumeRole
	// sessions; expires holds each session key's expiry.
	sessionTTL time.Duration
	expires    map[string]time.Time
	// noEndpoints: SDK package name -> regions without an endpoint (noendpoint.go).
	noEndpoints map[string][]string

	opts     Options
	wait     func(ctx context.Context, d time.Duration) error // the latency wait; tests replace it
	inFlight int                                              // requests being answered (guarded by mu)
	peak     int                                              // most requests answered at once
}

// Options are a server's settings beyond its world.
type Options struct {
	// Latency delays every answer: the server reads the request, then
	// waits this long before it answers anything (a fixture, a fault, an
	// error), as a distant endpoint would. Requests wait concurrently,
	// each on its own connection, so the latency delays them without
	// serialising them. A client that gives up ends the wait.
	Latency time.Duration
	// Addr is the listen address (default 127.0.0.1:0, a free port). It
	// must be a loopback address: the fake never listens on a network.
	Addr string
	// Unrecorded keeps no request log, for long runs (a collection of a
	// million resources sends about as many requests): Requests returns
	// nothing, Stats still counts.
	Unrecorded bool
}

// Stats counts what a server has answered.
type Stats struct {
	Requests     int // requests received
	PeakInFlight int // most requests being answered at the same time
}

// Request is one request the server received, in arrival order.
type Request struct {
	Service   string            // aws-sdk-go-v2 package name (configservice, not config); "" if unsigned
	Operation string            // API operation; "" when it could not be identified
	Region    string            // from the SigV4 credential scope
	Params    map[string]string // flattened request parameters (see package doc)
	// AccessKeyID is the access key the request was signed with (the static
	// test key, or a key handed out by AssumeRole).
	AccessKeyID string
	// Fixture is the world file that answered (slash path relative to the
	// world directory); "" for faults, built-in answers, empty answers and errors.
	Fixture string
}

// Fault makes matching requests fail. Empty Service, Operation or Region match
// any; Service may be the SDK package name (configservice) or the signing name
// (config). Match holds request params that must be equal.
type Fault struct {
	Service, Operation, Region string
	Code                       string // AWS error code, e.g. Throttling, AccessDenied
	Status                     int    // HTTP status; 0 = the status AWS uses for Code
	Message                    string
	// Times is how many matching requests fail: n > 0 the first n, -1 (or 0) always.
	Times int
	Match map[string]string
	// Kind is how the request fails (faults.go): an API error answer (the
	// default), a connection reset, a stall, a truncated or a malformed body.
	Kind FaultKind
	// Page selects pages: "" any, FirstPage the request without a pagination
	// token, otherwise the request whose token parameter equals Page (the
	// fixture file's #token).
	Page string
	// Stall bounds a FaultStall (default 30s): the fake answers nothing until
	// the client gives up and closes the connection, or Stall has passed.
	Stall time.Duration
}

type faultState struct {
	f    Fault
	left int // < 0 = unlimited
}

// identity is who a request's credentials belong to.
type identity struct {
	Account, ARN, UserID string
}

// New starts a server for w on 127.0.0.1 and closes it when the test ends.
func New(t testing.TB, w *World) *Server {
	t.Helper()
	s, err := NewServer(w)
	if err != nil {
		t.Fatalf("fakeaws: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a server for w on a free 127.0.0.1 port. Call Close when
// done. It is the constructor for non-test use (e.g. a demo command).
func NewServer(w *World) (*Server, error) { return NewServerWith(w, Options{}) }

// NewServerWith starts a server for w with options o. Call Close when done.
func NewServerWith(w *World, o Options) (*Server, error) {
	if w == nil {
		return nil, fmt.Errorf("fakeaws: nil world")
	}
	if o.Latency < 0 {
		return nil, fmt.Errorf("fakeaws: negative latency %s", o.Latency)
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return nil, fmt.Errorf("fakeaws: %w", err)
	}
	rt, err := parseRoutes(routesTSV)
	if err != nil {
		return nil, fmt.Errorf("fakeaws: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fakeaws: listen on %s: %w", addr, err)
	}
	s := &Server{world: w, routes: rt, assumed: map[string]identity{}, expires: map[string]time.Time{},
		opts: o, wait: sleep}
	s.hs = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s}}
	s.hs.Start()
	return s, nil
}

// checkLoopback accepts host:port addresses whose host is a loopback IP
// address or localhost.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q: the fake listens on loopback addresses only (127.0.0.1:PORT)", addr)
	}
	return nil
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Requests: s.seq, PeakInFlight: s.peak}
}

// URL is the base endpoint for every service (set it as the SDK's BaseEndpoint;
// use path-style addressing for S3).
func (s *Server) URL() string { return s.hs.URL }

// Close stops the server.
func (s *Server) Close() { s.hs.Close() }

// Fail adds a fault. Faults are checked in the order added; the first match
// with failures left answers.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = -1
	}
	f.Match = maps.Clone(f.Match)
	s.faults = append(s.faults, &faultState{f: f, left: left})
}

// Requests returns a copy of every request seen so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Params = maps.Clone(r.Params)
		out[i] = r
	}
	return out
}

// credentialScope is the part of a SigV4 signature the fake uses.
type credentialScope struct {
	AccessKeyID, Region, Service string
}

var reCredential = regexp.MustCompile(`Credential=([^/,\s]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

// parseScope reads the SigV4 credential scope from the Authorization header or
// a presigned URL's X-Amz-Credential. The signature itself is not verified.
func parseScope(r *http.Request) (credentialScope, bool) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
			auth = "Credential=" + c
		} else {
			return credentialScope{}, false
		}
	}
	m := reCredential.FindStringSubmatch(auth)
	if m == nil {
		return credentialScope{}, false
	}
	return credentialScope{AccessKeyID: m[1], Region: m[2], Service: m[3]}, true
}

// call is a parsed request.
type call struct {
	svc    serviceInfo
	op     string
	region string
	params map[string]string
	akid   string
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seq++
	reqID := fmt.Sprintf("fa4e0000-0000-4000-8000-%012d", s.seq)
	noDate := s.sessionTTL > 0
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.Header().Set("X-Amz-Request-Id", reqID)
	if noDate {
		w.Header()["Date"] = nil // see ExpireSessions
	}

	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "fakeaws: read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if s.opts.Latency > 0 {
		if s.wait(r.Context(), s.opts.Latency) != nil {
			return // the client gave up: nobody reads an answer
		}
	}
	form := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if vals, err := url.ParseQuery(string(body)); err == nil {
			flatten(form, vals)
		}
	}
	if r.Header.Get("X-Amz-Target") == "" && r.URL.Query().Has("Action") {
		flatten(form, r.URL.Query())
	}

	scope, signed := parseScope(r)
	if !signed {
		s.record(Request{Params: form})
		p := guessProtocol(r, form)
		renderError(w, serviceInfo{Protocol: p}, reqID, r.Method, apiError{
			Code:    unsignedCode(p),
			Message: "fakeaws: request is not signed with AWS Signature Version 4 (no Authorization credential scope)",
			Status:  http.StatusForbidden,
		})
		return
	}
	svc, ok := resolveService(scope.Service, r, form)
	if !ok {
		s.record(Request{Region: scope.Region, Params: form, AccessKeyID: scope.AccessKeyID})
		renderError(w, serviceInfo{Protocol: guessProtocol(r, form)}, reqID, r.Method, apiError{
			Code:    "UnknownService",
			Message: fmt.Sprintf("fakeaws: signing name %q is not a service the fake knows", scope.Service),
			Status:  http.StatusBadRequest,
		})
		return
	}
	c := call{svc: svc, region: scope.Region, akid: scope.AccessKeyID}
	var parseErr *apiError
	c.op, c.params, parseErr = s.parseCall(svc, r, body, form)
	if parseErr == nil && svc.Package == "s3control" {
		parseErr = accountParam(r, c.params)
	}
	idx := s.record(Request{Service: svc.Package, Operation: c.op, Region: c.region, Params: c.params, AccessKeyID: c.akid})
	if parseErr != nil {
		renderError(w, svc, reqID, r.Method, *parseErr)
		return
	}
	s.answer(w, r, reqID, idx, c)
}

// accountParam adds S3 Control's account (the x-amz-account-id header) to
// params as AccountId. On AWS the account is also the host's first label
// ({AccountId}.s3-control.<region>.amazonaws.com; the SDK's endpoint rules
// prefix a custom endpoint's host too): a prefixed Host must name the same
// account.
func accountParam(r *http.Request, params map[string]string) *apiError {
	acct := r.Header.Get("X-Amz-Account-Id")
	if label, rest, ok := strings.Cut(r.Host, "."); ok && net.ParseIP(hostOnly(r.Host)) == nil && rest != "" && label != acct {
		return &apiError{Code: "InvalidRequest", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("fakeaws: host %s names account %q but x-amz-account-id is %q", r.Host, label, acct)}
	}
	params["AccountId"] = acct
	return nil
}

// hostOnly is host without its port.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// answer chooses the response for a parsed call: an expired session, a
// fault, or the world's answer (respond).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, reqID string, idx int, c call) {
	if s.hasNoEndpoint(c.svc.Package, c.region) {
		renderError(w, c.svc, reqID, r.Method, apiError{Code: "NoEndpointWithoutClient", Status: http.StatusBadRequest,
			Message: "fakeaws: " + c.svc.Package + " has no endpoint in " + c.region + "; send requests through Server.Client"})
		return
	}
	if e := s.expiredSession(c, r); e != nil {
		renderError(w, c.svc, reqID, r.Method, *e)
		return
	}
	if f := s.fault(c); f != nil {
		s.injectFault(w, r, reqID, idx, c, *f)
		return
	}
	s.respond(w, r, reqID, idx, c)
}

// respond gives the answer of a call that no fault matched: disabled region,
// S3 bucket region, fixture, built-in, empty list, or NoFixture.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, reqID string, idx int, c call) {
	p := c.svc.Protocol
	if slices.Contains(s.world.DisabledRegions, c.region) {
		renderError(w, c.svc, reqID, r.Method, disabledRegionError(p, c.region))
		return
	}
	if e := s.bucketRegionError(c); e != nil {
		renderError(w, c.svc, reqID, r.Method, *e)
		return
	}
	f, lerr := s.world.lookup(c.svc.Package, c.region, c.op, c.params)
	if lerr != nil {
		renderError(w, c.svc, reqID, r.Method, *lerr)
		return
	}
	if f != nil {
		s.setFixture(idx, f.Path)
		if f.Kind == kindError {
			renderError(w, c.svc, reqID, r.Method, *f.Err)
			return
		}
		w.Header().Set("Content-Type", fixtureContentType(p, f.Kind))
		_, _ = w.Write(f.Body)
		return
	}
	if ct, body, e, ok := s.builtin(c, reqID); ok {
		if e != nil {
			renderError(w, c.svc, reqID, r.Method, *e)
			return
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write(body)
		return
	}
	if strings.HasPrefix(c.op, "List") || strings.HasPrefix(c.op, "Describe") {
		ct, body := emptyBody(p, c.op, reqID)
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write(body)
		return
	}
	renderError(w, c.svc, reqID, r.Method, apiError{
		Code:    "NoFixture",
		Message: fmt.Sprintf("fakeaws: no fixture for %s:%s in %s (or global) with params %s; add %s/%s/%s[@param=value].<xml|json|error.json> to the world", c.svc.Package, c.op, c.region, paramString(c.params), c.svc.Package, c.region, c.op),
		Status:  http.StatusBadRequest,
	})
}

// parseCall finds the operation and flattens the parameters for a request of
// service svc.
func (s *Server) parseCall(svc serviceInfo, r *http.Request, body []byte, form map[string]string) (string, map[string]string, *apiError) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		_, op, ok := strings.Cut(target, ".")
		if !ok || op == "" {
			return "", map[string]string{}, &apiError{Code: "UnknownOperationException", Message: fmt.Sprintf("fakeaws: bad X-Amz-Target %q", target)}
		}
		params, err := jsonParams(body)
		if err != nil {
			return op, map[string]string{}, &apiError{Code: "SerializationException", Message: "fakeaws: request body: " + err.Error()}
		}
		return op, params, nil
	}
	if action := form["Action"]; action != "" {
		params := maps.Clone(form)
		delete(params, "Action")
		delete(params, "Version")
		return action, params, nil
	}
	if svc.Protocol == protoRPCv2CBOR {
		return "", map[string]string{}, &apiError{Code: "UnsupportedProtocol", Message: "fakeaws: Smithy RPC v2 CBOR (" + svc.Package + ") is not served"}
	}
	query := r.URL.Query()
	op, caps, consumed, ok := s.routes.match(svc.Package, r.Method, r.URL.EscapedPath(), query)
	params := map[string]string{}
	for k, vs := range query {
		if !consumed[k] && len(vs) > 0 {
			params[k] = strings.Join(vs, ",")
		}
	}
	if !ok {
		return "", params, &apiError{
			Code:    "UnknownOperation",
			Message: fmt.Sprintf("fakeaws: no %s route for %s %s", svc.Package, r.Method, r.URL.RequestURI()),
			Status:  http.StatusNotFound,
		}
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		if bp, err := jsonParams(body); err == nil {
			maps.Copy(params, bp)
		}
	}
	maps.Copy(params, caps)
	return op, params, nil
}

// jsonParams flattens a JSON object body: strings as they are, anything else
// as compact JSON.
func jsonParams(body []byte) (map[string]string, error) {
	params := map[string]string{}
	if len(bytes.TrimSpace(body)) == 0 {
		return params, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, err
	}
	for k, raw := range obj {
		var str string
		if err := json.Unmarshal(raw, &str); err == nil {
			params[k] = str
			continue
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		params[k] = buf.String()
	}
	return params, nil
}

func flatten(dst map[string]string, vals url.Values) {
	for k, vs := range vals {
		if len(vs) > 0 {
			dst[k] = vs[0]
		}
	}
}

func (s *Server) record(r Request) int {
	if r.Params == nil {
		r.Params = map[string]string{}
	}
	if s.opts.Unrecorded {
		return -1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests) - 1
}

func (s *Server) setFixture(idx int, path string) {
	if idx < 0 {
		return // Options.Unrecorded
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[idx].Fixture = path
}

// fault returns the first matching fault with failures left, and counts
// the failure.
func (s *Server) fault(c call) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fs := range s.faults {
		f := fs.f
		if fs.left == 0 ||
			(f.Service != "" && f.Service != c.svc.Package && f.Service != c.svc.SigningName) ||
			(f.Operation != "" && f.Operation != c.op) ||
			(f.Region != "" && f.Region != c.region) ||
			!matches(f.Match, c.params) || !s.pageMatches(f.Page, c.params) {
			continue
		}
		if fs.left > 0 {
			fs.left--
		}
		return &f
	}
	return nil
}

// disabledRegionError is what AWS answers for a call signed for a region that
// is not enabled in the account: the region does not know the credentials.
func disabledRegionError(p protocol, region string) apiError {
	msg := fmt.Sprintf("fakeaws: region %s is not enabled for this account", region)
	switch p {
	case protoEC2Query:
		return apiError{Code: "AuthFailure", Message: msg, Status: http.StatusUnauthorized}
	case protoQuery:
		return apiError{Code: "InvalidClientTokenId", Message: msg, Status: http.StatusForbidden}
	case protoRESTXML:
		return apiError{Code: "InvalidAccessKeyId", Message: msg, Status: http.StatusForbidden}
	case protoRESTJSON:
		return apiError{Code: "UnrecognizedClientException", Message: msg, Status: http.StatusForbidden}
	}
	return apiError{Code: "UnrecognizedClientException", Message: msg, Status: http.StatusBadRequest}
}

// bucketRegionError refuses an S3 per-bucket call signed for a region other
// than the bucket's, as S3 does (the SDK does not follow S3 redirects).
// GetBucketLocation is answered from any region.
func (s *Server) bucketRegionError(c call) *apiError {
	if c.svc.Package != "s3" || c.op == "GetBucketLocation" {
		return nil
	}
	want, ok := s.world.bucketRegion(c.params["Bucket"])
	if !ok || want == c.region {
		return nil
	}
	return &apiError{
		Code:    "AuthorizationHeaderMalformed",
		Message: fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", c.region, want),
		Status:  http.StatusBadRequest,
		Header:  http.Header{"X-Amz-Bucket-Region": {want}},
	}
}

func fixtureContentType(p protocol, k fixtureKind) string {
	if k == kindXML {
		if p == protoRESTXML {
			return "application/xml"
		}
		return "text/xml"
	}
	if p == protoJSON10 || p == protoJSON11 {
		return jsonContentType(p)
	}
	return "application/json"
}

// guessProtocol picks an error format for a request whose service is unknown.
func guessProtocol(r *http.Request, form map[string]string) protocol {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		if strings.Contains(r.Header.Get("Content-Type"), "1.0") {
			return protoJSON10
		}
		return protoJSON11
	case form["Action"] != "" && form["Version"] == "2016-11-15":
		return protoEC2Query
	case form["Action"] != "":
		return protoQuery
	case r.Header.Get("X-Amz-Content-Sha256") != "":
		return protoRESTXML
	}
	return protoRESTJSON
}

func unsignedCode(p protocol) string {
	switch p {
	case protoEC2Query:
		return "AuthFailure"
	case protoRESTXML:
		return "AccessDenied"
	}
	return "MissingAuthenticationToken"
}

func paramString(p map[string]string) string {
	if len(p) == 0 {
		return "{}"
	}
	keys := slices.Sorted(maps.Keys(p))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+p[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
