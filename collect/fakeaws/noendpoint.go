package fakeaws

// Services without an endpoint in a region.
//
// AWS does not offer every service in every region (WorkSpaces, Transfer
// Family ...). There the service's regional host name
// (<signing name>.<region>.amazonaws.com) does not exist: DNS answers
// NXDOMAIN and no request is ever sent. NoEndpoint declares such a pair;
// Client wraps a test's SDK HTTP client so that requests for it fail the
// way Go's resolver makes them fail (a *net.DNSError with IsNotFound, in a
// dial *net.OpError, in a *url.Error), before they reach the server. A
// request that reaches the server anyway (a test that forgot Client) is
// answered 400 NoEndpointWithoutClient.

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Doer is the HTTP client interface of the SDK (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// NoEndpoint makes service (SDK package name) have no endpoint in region
// for requests sent through Client.
func (s *Server) NoEndpoint(service, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noEndpoints == nil {
		s.noEndpoints = map[string][]string{}
	}
	s.noEndpoints[service] = append(s.noEndpoints[service], region)
}

func (s *Server) hasNoEndpoint(service, region string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.noEndpoints[service], region)
}

// Client wraps base (a test config's HTTPClient): requests for a service
// and region declared with NoEndpoint fail as an unresolvable host name;
// every other request goes to base.
func (s *Server) Client(base Doer) Doer { return noEndpointClient{s: s, base: base} }

type noEndpointClient struct {
	s    *Server
	base Doer
}

func (c noEndpointClient) Do(r *http.Request) (*http.Response, error) {
	if scope, ok := parseScope(r); ok {
		if svc, ok := resolveService(scope.Service, r, nil); ok && c.s.hasNoEndpoint(svc.Package, scope.Region) {
			if r.Body != nil {
				_ = r.Body.Close() // as http.Client does on any error
			}
			host := scope.Service + "." + scope.Region + ".amazonaws.com"
			return nil, &url.Error{
				Op:  r.Method[:1] + strings.ToLower(r.Method[1:]),
				URL: "https://" + host + r.URL.RequestURI(),
				Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}},
			}
		}
	}
	return c.base.Do(r)
}
