package fakeaws

import (
	"errors"
	"net"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/transfer"
	"github.com/aws/aws-sdk-go-v2/service/workspaces"
)

// TestNoEndpoint: through Client, a service without an endpoint in a region
// fails with Go's resolver error for its host name, once (the SDK does not
// retry NXDOMAIN), and nothing reaches the server; other services and
// regions are served. Without Client the server refuses the request rather
// than answer for an endpoint that does not exist.
func TestNoEndpoint(t *testing.T) {
	srv := New(t, LoadWorld(t, basicWorld))
	srv.NoEndpoint("workspaces", "eu-west-1")
	client := func(region string, through bool) (*workspaces.Client, *transfer.Client) {
		cfg := sdkConfig(srv, region)
		cfg.HTTPClient = awshttp.NewBuildableClient()
		if through {
			cfg.HTTPClient = srv.Client(cfg.HTTPClient)
		}
		return workspaces.NewFromConfig(cfg), transfer.NewFromConfig(cfg)
	}

	ws, tr := client("eu-west-1", true)
	_, err := ws.DescribeWorkspaces(t.Context(), &workspaces.DescribeWorkspacesInput{})
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || dnsErr.Name != "workspaces.eu-west-1.amazonaws.com" {
		t.Errorf("DescribeWorkspaces in eu-west-1: %v, want a not-found DNS error for workspaces.eu-west-1.amazonaws.com", err)
	}
	if _, err := tr.ListServers(t.Context(), &transfer.ListServersInput{}); err != nil {
		t.Errorf("transfer in eu-west-1: %v", err)
	}
	wsUS, _ := client("us-east-1", true)
	if _, err := wsUS.DescribeWorkspaces(t.Context(), &workspaces.DescribeWorkspacesInput{}); err != nil {
		t.Errorf("workspaces in us-east-1: %v", err)
	}
	for _, r := range srv.Requests() {
		if r.Service == "workspaces" && r.Region == "eu-west-1" {
			t.Errorf("a request reached the server for the missing endpoint: %+v", r)
		}
	}

	direct, _ := client("eu-west-1", false)
	_, err = direct.DescribeWorkspaces(t.Context(), &workspaces.DescribeWorkspacesInput{})
	if code, status := apiErr(t, err); code != "NoEndpointWithoutClient" || status != 400 {
		t.Errorf("without Client: %s %d, want NoEndpointWithoutClient 400", code, status)
	}
}
