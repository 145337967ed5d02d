package model

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestKMSKeyAliasesAcrossPages: a key with 250 aliases, which KMS gives
// 100 a page (Truncated, NextMarker; the next request's Marker), keeps
// every alias, in order, and is named by its first. The real collector
// (aws-sdk-go-v2's kms client and its paginator) reads them from the fake
// endpoint into a snapshot, which Build reads.
func TestKMSKeyAliasesAcrossPages(t *testing.T) {
	const (
		acct = "123456789012"
		id   = "0c0ffee1-2345-4000-8000-0000000000c1"
		arn  = "arn:aws:kms:us-east-1:" + acct + ":key/" + id
	)
	var want []string
	files := map[string]string{
		"world.json":                  `{"account_id": "` + acct + `", "caller_arn": "arn:aws:iam::` + acct + `:user/auditor", "regions": ["us-east-1"]}`,
		"kms/us-east-1/ListKeys.json": `{"Keys": [{"KeyId": "` + id + `", "KeyArn": "` + arn + `"}], "Truncated": false}`,
		"kms/us-east-1/DescribeKey.json": `{"KeyMetadata": {"KeyId": "` + id + `", "Arn": "` + arn + `", "KeyManager": "CUSTOMER",
			"KeyState": "Enabled", "Enabled": true, "CreationDate": 1709200000}}`,
		"kms/us-east-1/GetKeyPolicy.json":         `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "PolicyName": "default"}`,
		"kms/us-east-1/GetKeyRotationStatus.json": `{"KeyRotationEnabled": true}`,
	}
	for page, marker := range []string{"", "m1", "m2"} {
		var aliases []string
		for i := range min(100, 250-100*page) {
			name := fmt.Sprintf("alias/app-%03d", 100*page+i)
			want = append(want, name)
			aliases = append(aliases, `{"AliasName": "`+name+`", "AliasArn": "arn:aws:kms:us-east-1:`+acct+`:`+name+`", "TargetKeyId": "`+id+`"}`)
		}
		body := `{"Aliases": [` + strings.Join(aliases, ",") + `], "Truncated": false}`
		if page < 2 {
			body = `{"Aliases": [` + strings.Join(aliases, ",") + `], "Truncated": true, "NextMarker": "m` + fmt.Sprint(page+1) + `"}`
		}
		name := "kms/us-east-1/ListAliases.json"
		if marker != "" {
			name = "kms/us-east-1/ListAliases#" + marker + ".json"
		}
		files[name] = body
	}
	world, fsys := t.TempDir(), fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	if err := os.CopyFS(world, fsys); err != nil {
		t.Fatal(err)
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, world))
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKEMODELTEST001", "fake-secret", ""),
		HTTPClient:  srv.Client(awshttp.NewBuildableClient())}
	calls := slices.DeleteFunc(collect.Registry(), func(c collect.Call) bool {
		return c.Service != "kms" && c.Name() != "sts:GetCallerIdentity" && c.Name() != "ec2:DescribeRegions"
	})
	dir := filepath.Join(t.TempDir(), "snap")
	if _, _, err := collect.Snapshot(t.Context(), dir, cfg, nil, collect.WithCalls(calls),
		collect.WithRedactionKey([]byte("test-key"))); err != nil {
		t.Fatal(err)
	}
	var markers []string
	for _, r := range srv.Requests() {
		if r.Operation == "ListAliases" {
			markers = append(markers, r.Params["Marker"])
		}
	}
	if !slices.Equal(markers, []string{"", "m1", "m2"}) {
		t.Errorf("ListAliases requests with markers %q, want the three pages", markers)
	}
	snap, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(t.Context(), snap)
	if err != nil {
		t.Fatal(err)
	}
	keys := g.EntitiesOfType("aws_kms_key")
	if len(keys) != 1 {
		t.Fatalf("%d aws_kms_key entities, want 1", len(keys))
	}
	k := keys[0]
	var got []string
	switch l := k.Get("aliases").(type) {
	case []string:
		got = l
	case []any:
		for _, a := range l {
			got = append(got, fmt.Sprint(a))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("aliases: %d, want all %d (first %q, last %q); got %q", len(got), len(want), want[0], want[len(want)-1], got)
	}
	if k.String("name") != "alias/app-000" || k.String("displayName") != "alias/app-000" {
		t.Errorf("name %q displayName %q, want the first alias, alias/app-000", k.String("name"), k.String("displayName"))
	}
}
