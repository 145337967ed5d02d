package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestNoEndpointIsAnUnsupportedGap follows a service AWS does not offer in
// a region from the wire to the gaps: the real collector, against the fake
// endpoint where WorkSpaces has no endpoint in eu-west-1, records the call
// as unsupported, and its types are unknown there (a gap of class
// unsupported), never empty; us-east-1 has no such gap.
func TestNoEndpointIsAnUnsupportedGap(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, "../../testdata/fakeaws/basic"))
	srv.NoEndpoint("workspaces", "eu-west-1")
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKEMODELTEST001", "fake-secret", ""),
		HTTPClient:  srv.Client(awshttp.NewBuildableClient())}
	m, _, err := collect.Snapshot(t.Context(), t.TempDir()+"/snap", cfg, nil, collect.WithRedactionKey([]byte("test-key")))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range Gaps(FromManifest(m.Calls), WithPlan(m.Plan)) {
		if strings.HasPrefix(g.ResourceType, "aws_workspace") {
			got = append(got, g.ResourceType+" "+g.Region+" "+string(g.Class))
			if !strings.Contains(g.Reason, "NoEndpoint") {
				t.Errorf("reason %q does not name the missing endpoint", g.Reason)
			}
		}
	}
	slices.Sort(got)
	want := []string{"aws_workspace eu-west-1 " + string(snapshot.ClassUnsupported), "aws_workspaces_bundle eu-west-1 " + string(snapshot.ClassUnsupported)}
	if !slices.Equal(got, want) {
		t.Errorf("workspaces gaps %v, want %v", got, want)
	}
}
